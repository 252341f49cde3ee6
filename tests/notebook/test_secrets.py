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


# Every form each recogniser claims (its regex alternatives), not only the first one.
R40 = (R * 2)[:40]
FORMS = [
    ("OPENAI_API_KEY", f"k = 'sk-{R}'"),  # legacy user key
    ("OPENAI_API_KEY", f"k = 'sk-proj-{R}'"),
    ("OPENAI_API_KEY", f"k = 'sk-svcacct-{R}'"),
    ("OPENAI_API_KEY", f"k = 'sk-admin-{R}'"),
    ("ANTHROPIC_API_KEY", "k = 'sk-ant-api03-" + (R * 3)[:95] + "'"),
    ("ANTHROPIC_API_KEY", "k = 'sk-ant-admin01-" + (R * 3)[:95] + "'"),
    *[
        ("AWS_ACCESS_KEY_ID", f"k = '{p}QWERTY7U2IOPASDF'")
        for p in ("AKIA", "ASIA", "ABIA", "ACCA")
    ],
    ("AWS_SECRET_ACCESS_KEY", f"aws_secret_access_key = '{R40}'"),
    ("AWS_SECRET_ACCESS_KEY", f'AWS_SECRET_KEY: "{R40}"'),
    ("AWS_SECRET_ACCESS_KEY", f"os.environ['AWS_SECRET_ACCESS_KEY'] = '{R40}'"),
    ("AZURE_API_KEY", "azure_openai_key = '" + "9f3a1c7e5b2d4f6a8c0e1b3d5f7a9c2e" + "'"),
    ("AZURE_API_KEY", "AZURE_KEY = '" + "0a1b2c3d4e5f60718293a4b5c6d7e8f9" + "'"),
    *[("GITHUB_TOKEN", f"t = '{p}_{R[:36]}'") for p in ("ghp", "gho", "ghu", "ghs", "ghr")],
    ("GITHUB_TOKEN", "t = 'github_pat_" + (R * 2)[:70] + "'"),
    *[("SLACK_TOKEN", f"t = 'xox{c}-1234567890-{R[:24]}'") for c in "baprs"],
    *[
        ("PRIVATE_KEY", f"-----BEGIN {k}PRIVATE KEY{b}-----\\n{R}{R}\\n")
        for k, b in (
            ("", ""),
            ("EC ", ""),
            ("DSA ", ""),
            ("OPENSSH ", ""),
            ("ENCRYPTED ", ""),
            ("PGP ", " BLOCK"),
        )
    ],
    ("CONNECTION_STRING_PASSWORD", f"url = 'mysql+pymysql://app:{R[:14]}@db:3306/x'"),
    ("CONNECTION_STRING_PASSWORD", f"url = 'mongodb://root:{R[:14]}@mongo.internal'"),
    ("PASSWORD", f"pwd = '{R[:12]}'"),
    ("PASSWORD", f'conn(passwd="{R[:12]}")'),
    ("PASSWORD", f"db_password = '{R[:12]}'"),
    ("GENERIC_API_KEY", f"api_key = '{R[:24]}'"),
    ("GENERIC_API_KEY", f"headers = {{'access_token': '{R[:24]}'}}"),
    ("GENERIC_API_KEY", f"auth_token = '{R[:24]}'"),
    ("GENERIC_API_KEY", f"SECRET_KEY = '{R[:24]}'"),
]


@pytest.mark.parametrize(
    ("kind", "text"), FORMS, ids=[f"{k}-{i}" for i, (k, _) in enumerate(FORMS)]
)
def test_every_claimed_form_is_found_as_its_kind(kind: str, text: str) -> None:
    found = list(scan_text("x = 1\n" + text + "\n"))
    assert [(f.kind, f.line) for f in found] == [(kind, 2)], text


@pytest.mark.parametrize(
    ("kind", "line"),
    [
        ("POSTGRES_PASSWORD", f"POSTGRES_PASSWORD: {R[:14]}"),
        ("PASSWORD", f"  - DB_PASSWORD={R[:14]}"),
        ("GENERIC_API_KEY", f"OPENROUTER_API_KEY={R[:30]}"),
        ("GENERIC_API_KEY", f"  client.secret: {R[:30]}"),
    ],
)
def test_config_files_unquoted_values(kind: str, line: str) -> None:
    """YAML/env rows apply to config files only: the same line in code is a variable."""
    assert [f.kind for f in scan_text("a: 1\n" + line + "\n", config=True)] == [kind]
    assert list(scan_text("a: 1\n" + line + "\n")) == []


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("PASSWORD", f"db_password = '{R[:12]}'"),
        ("PASSWORD", f"SMTP_PWD = '{R[:12]}'"),
    ],
)
def test_prefixed_names_are_found(kind: str, text: str) -> None:
    """``\\bpassword`` alone missed ``db_password`` (no word boundary after ``_``)."""
    assert [f.kind for f in scan_text(text)] == [kind]
