"""ingest/secrets.py edges no other test pinned, found by the mutants that survived it
(BENCHMARKS.md, "Mutation score of the core packages"). Expected values are literals."""

from __future__ import annotations

import pytest

import ingest.secrets as secrets_module
from ingest.secrets import SecretFinding, fingerprint, redact_text, scan_text

HF = "hf_aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1eF3"
AWS = "AKIAIOSFODNN7EXAMPL3"
OPENAI = "sk-" + "A1b2C3d4" * 5
WINDOW = 1 << 20


@pytest.fixture
def fixed_salt(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fingerprints are salted per process; a fixed salt makes them literals."""
    monkeypatch.setattr(secrets_module, "_SALT", b"salt")


def _kinds(found: list[SecretFinding]) -> list[tuple[str, int]]:
    return [(f.kind, f.line) for f in found]


def test_entropy_exactly_at_the_threshold_is_a_secret() -> None:
    # 8 symbols twice each: entropy exactly 3.0, the generic key's minimum
    assert _kinds(list(scan_text('api_key = "abcdefghabcdefgh"'))) == [("GENERIC_API_KEY", 1)]


def test_four_distinct_characters_can_be_a_password() -> None:
    # more than 3 distinct characters, entropy exactly 2.0 (the password minimum)
    assert _kinds(list(scan_text('password = "abcdabcd"'))) == [("PASSWORD", 1)]


def test_a_quoted_config_value_is_fingerprinted_without_its_quote(fixed_salt: None) -> None:
    (found,) = scan_text('DB_PASSWORD: "Xy7pq9Zr2k"\n', config=True)
    assert (found.kind, found.line, found.fingerprint) == ("PASSWORD", 1, "bf978953d8aecd51")


def test_a_claimed_span_does_not_stop_the_detector_finding_later_ones() -> None:
    text = f'api_key = "{OPENAI}"\ntoken = "Zq8Wx7Vc6Bn5Mk4Lj3"'
    assert _kinds(list(scan_text(text))) == [("OPENAI_API_KEY", 1), ("GENERIC_API_KEY", 2)]


def test_a_secret_at_the_very_start_of_a_long_text_is_found() -> None:
    assert _kinds(list(scan_text(HF + " " * WINDOW))) == [("HUGGINGFACE_TOKEN", 1)]


def test_a_lone_surrogate_is_fingerprinted_not_an_error(fixed_salt: None) -> None:
    assert fingerprint("\ud800abc") == "179e49d59b5f5cf5"


def test_redact_uses_the_notebook_rows_not_the_config_rows() -> None:
    # an unquoted credential-named value is a config finding only
    assert redact_text("DB_PASSWORD: Xy7pq9Zr2k\n") == ("DB_PASSWORD: Xy7pq9Zr2k\n", [])


def test_redact_keeps_the_text_in_order(fixed_salt: None) -> None:
    text, found = redact_text(f"{HF} and {AWS}")
    assert text == (
        "[REDACTED:HUGGINGFACE_TOKEN:215552a209a8695d] and "
        "[REDACTED:AWS_ACCESS_KEY_ID:fbc2bb9ebd0e00ed]"
    )
    assert _kinds(found) == [("HUGGINGFACE_TOKEN", 1), ("AWS_ACCESS_KEY_ID", 1)]
    assert [f.fingerprint for f in found] == ["215552a209a8695d", "fbc2bb9ebd0e00ed"]


def test_redact_reports_the_line_of_each_secret() -> None:
    _, found = redact_text(f"a\nb\n{HF}\nc\n{AWS}\n")
    assert _kinds(found) == [("HUGGINGFACE_TOKEN", 3), ("AWS_ACCESS_KEY_ID", 5)]


def test_outside_config_a_url_repeating_a_password_is_still_reported() -> None:
    text = 'password = "Xy7pq9Zr2k"\nurl = "postgres://u:Xy7pq9Zr2k@db/x"'
    assert _kinds(list(scan_text(text))) == [("CONNECTION_STRING_PASSWORD", 2), ("PASSWORD", 1)]


def test_in_config_a_url_password_named_nowhere_else_is_reported() -> None:
    found = scan_text("DATABASE_URL: postgres://etl:Xy7pq9Zr2k@db/x\n", config=True)
    assert _kinds(list(found)) == [("CONNECTION_STRING_PASSWORD", 1)]


def test_config_findings_come_in_line_order(fixed_salt: None) -> None:
    text = (
        f"OPENAI_API_KEY: {OPENAI}\n"
        "DB_PASSWORD: Xy7pq9Zr2k\n"
        f"HF: {HF}\n"
        "REDIS_PASSWORD: Qw3Er5Ty7Ui9\n"
        f"AWS_ID: {AWS}\n"
    )
    assert _kinds(list(scan_text(text, config=True))) == [
        ("OPENAI_API_KEY", 1),
        ("PASSWORD", 2),
        ("HUGGINGFACE_TOKEN", 3),
        ("REDIS_PASSWORD", 4),
        ("AWS_ACCESS_KEY_ID", 5),
    ]


def test_a_low_entropy_password_is_not_a_secret() -> None:
    # 4 distinct characters but entropy about 0.99 bits, under the password minimum of 2.0
    assert list(scan_text('password = "aaaaaaaaaaaaabcd"')) == []


def test_a_leading_newline_counts_as_a_line() -> None:
    assert _kinds(list(scan_text(f"\n{HF}"))) == [("HUGGINGFACE_TOKEN", 2)]
    assert _kinds(redact_text(f"\n{HF}")[1]) == [("HUGGINGFACE_TOKEN", 2)]


def test_a_placeholder_does_not_hide_a_real_key_after_it() -> None:
    text = 'api_key = "your_api_key_goes_here"\ntoken = "Zq8Wx7Vc6Bn5Mk4Lj3"'
    assert _kinds(list(scan_text(text))) == [("GENERIC_API_KEY", 2)]


def test_three_distinct_characters_are_never_a_secret() -> None:
    # a private key's body has no entropy minimum: only the distinct-character rule applies
    assert list(scan_text("-----BEGIN PRIVATE KEY-----" + "ABC" * 11)) == []
