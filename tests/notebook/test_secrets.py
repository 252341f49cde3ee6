"""Secret detection by provider: kinds and lines reported, placeholders ignored, no values kept."""

from __future__ import annotations

import pytest

from ingest.secrets import fingerprint, redact_text, scan_text

# Synthetic secrets, assembled at run time so that no scanner flags this file as a leak.
R = "Q7fT2mZk9Lw4Rb8Nc1Vx6Hy3Jp5Gd0SeU2oI4aK6"
CASES = {
    "OPENAI_API_KEY": f"client = OpenAI(api_key='sk-proj-{R}')",
    "ANTHROPIC_API_KEY": "k = 'sk-ant-api03-" + (R * 3)[:95] + "'",
    "HUGGINGFACE_TOKEN": f"login(token='hf_{R[:34]}')",
    "AWS_ACCESS_KEY_ID": "aws_access_key_id = 'AKIA" + "QWERTY7U2IOPASDF" + "'",
    "AWS_SECRET_ACCESS_KEY": f"aws_secret_access_key = '{R}'",
    "GCP_API_KEY": f"key = 'AIza{R[:35]}'",
    "GCP_SERVICE_ACCOUNT_KEY": '{"type": "service_account", "project_id": "p", '
    '"private_key_id": "' + "3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a" + '"}',
    "AZURE_STORAGE_KEY": f"DefaultEndpointsProtocol=https;AccountName=x;AccountKey={R}{R}==",
    "GITHUB_TOKEN": f"token = 'ghp_{R[:36]}'",
    "SLACK_TOKEN": "xoxb-" + "1234567890-0987654321-" + R[:24],
    "SLACK_WEBHOOK": "https://hooks.slack.com/services/T0ABCDEF1/B0ABCDEF2/" + R[:24],
    "JWT": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIiwicm9sZSI6ImFkbWluIn0." + R[:32],
    "PRIVATE_KEY": "-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEA" + R + R + "\\n",
    "CONNECTION_STRING_PASSWORD": f"create_engine('postgresql://etl:{R[:14]}@db.internal:5432/x')",
    "PASSWORD": f"password = '{R[:12]}'",
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_each_provider_is_found_by_kind(kind: str) -> None:
    text = "import os\n" + CASES[kind] + "\n"
    found = list(scan_text(text))
    assert [f.kind for f in found] == [kind]
    assert found[0].line == 2


@pytest.mark.parametrize(
    "text",
    [
        'os.environ["OPENAI_API_KEY"] = "sk-xxx"',
        'os.environ["HF_TOKEN"] = "hf_..."',
        "api_key = '<your-openai-api-key>'",
        "password = '${POSTGRES_PASSWORD}'",
        "create_engine('postgresql://user:password@localhost/db')",
        "token = getpass('token')",
        "aws_secret_access_key = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'",
    ],
)
def test_placeholders_and_references_are_not_secrets(text: str) -> None:
    assert list(scan_text(text)) == []


def test_a_finding_holds_no_part_of_the_secret() -> None:
    (finding,) = scan_text(CASES["OPENAI_API_KEY"])
    assert R[:10] not in repr(finding) and R[:10] not in str(finding.__slots__)
    assert finding.fingerprint == fingerprint(f"sk-proj-{R}")
    assert len(finding.fingerprint) == 16


def test_the_same_key_twice_is_one_finding() -> None:
    text = CASES["GITHUB_TOKEN"] + "\n" + CASES["GITHUB_TOKEN"]
    assert len(list(scan_text(text))) == 1


@pytest.mark.parametrize("kind", ["OPENAI_API_KEY", "AWS_SECRET_ACCESS_KEY", "PASSWORD"])
@pytest.mark.parametrize("offset", [2_000_000 - 20, 2_500_000, (1 << 20) - 30])
def test_a_secret_after_megabytes_of_text_is_found(kind: str, offset: int) -> None:
    """Scanning stopped at 2 MB; the windows must also not split a secret at a boundary."""
    text = ("x" * 79 + "\n") * (offset // 80) + " " * (offset % 80) + CASES[kind] + "\n"
    found = list(scan_text(text))
    assert [f.kind for f in found] == [kind]
    assert found[0].line == offset // 80 + 1


def test_a_password_in_a_jdbc_url_query_is_found() -> None:
    url = f"jdbc:postgresql://db:5432/shop?user=etl&password={R[:14]}&ssl=true"
    assert [f.kind for f in scan_text(url)] == ["PASSWORD"]
    assert [f.kind for f in scan_text(f"jdbc:sqlserver://db;user=sa;password={R[:14]}")] == [
        "PASSWORD"
    ]


def test_redact_text_replaces_each_secret_with_kind_and_fingerprint() -> None:
    text = CASES["CONNECTION_STRING_PASSWORD"] + " and " + CASES["GITHUB_TOKEN"]
    redacted, found = redact_text(text)
    assert R[:10] not in redacted
    assert redacted == (
        "create_engine('postgresql://etl:[REDACTED:CONNECTION_STRING_PASSWORD:"
        f"{fingerprint(R[:14])}]@db.internal:5432/x') and token = "
        f"'[REDACTED:GITHUB_TOKEN:{fingerprint('ghp_' + R[:36])}]'"
    )
    assert [f.kind for f in found] == ["CONNECTION_STRING_PASSWORD", "GITHUB_TOKEN"]
    assert redact_text(redacted) == (redacted, [])  # a redacted text stays as it is
