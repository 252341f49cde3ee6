"""Classification: our recognisers, the verdict rule, the fast path against the plain loop."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import pytest
from faker import Faker

from ingest.sensitivity import Classifier, VerdictRule
from ingest.sensitivity.verdict import Finding, decide
from lineage.errors import ConfigError

B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return Classifier()


def _labels(verdict) -> set[str]:
    return {str(label) for label in verdict.labels}


def _jwt(fake: Faker) -> str:
    def part(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    head = part({"alg": "HS256", "typ": "JWT"})
    body = part({"sub": fake.uuid4(), "iat": fake.unix_time()})
    return f"{head}.{body}.{fake.sha256()[:43]}"


def test_presidio_is_not_imported_by_the_packages() -> None:
    import subprocess

    code = "import lineage.cli, ingest.sensitivity, lineage.sensitivity, sys; "
    code += "print(any(m.startswith('presidio') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_secrets_by_value(clf: Classifier) -> None:
    fake = Faker()
    Faker.seed(5)
    cols = {
        "token": [_jwt(fake) for _ in range(20)],
        "openai": ["sk-proj-" + fake.pystr(min_chars=40, max_chars=40) for _ in range(20)],
        "dsn": [f"postgresql://app:{fake.password()}@db{i}.internal/prod" for i in range(20)],
        "aws": [
            "AKIA" + fake.bothify("????????????????", letters="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
            for _ in range(20)
        ],
    }
    assert _labels(clf.classify("token", cols["token"])) == {"SECRET:JWT"}
    assert _labels(clf.classify("openai", cols["openai"])) == {"SECRET:API_KEY"}
    assert _labels(clf.classify("dsn", cols["dsn"])) == {"SECRET:CONNECTION_STRING"}
    assert _labels(clf.classify("aws", cols["aws"])) == {"SECRET:API_KEY"}


def test_column_names_raise_what_values_alone_cannot(clf: Classifier) -> None:
    fake = Faker(["en_US", "de_DE", "es_ES"])
    Faker.seed(6)
    names = [fake.first_name() for _ in range(50)]
    assert _labels(clf.classify("first_name", names)) == {"PII:PERSON"}
    assert _labels(clf.classify("product_name", names)) == set()  # same values, no context
    dates = [fake.date_of_birth().isoformat() for _ in range(50)]
    assert _labels(clf.classify("dob", dates)) == {"PII:DATE_OF_BIRTH"}
    assert _labels(clf.classify("shipped_on", dates)) == set()
    cut = ["sdunford0@amazona...", "npuckrin1@shinyst...", "smaidens3@senate.gov"] * 5
    assert _labels(clf.classify("email", cut)) == {"PII:EMAIL_ADDRESS"}  # Spark's show()
    assert _labels(clf.classify("handle", cut[:2] * 5)) == set()  # cut: no address by value
    icd = ["E11.9", "I10", "J45.909", "F32.A", "M54.5"] * 10
    assert _labels(clf.classify("diagnosis_code", icd)) == {"PHI:MEDICAL_CONDITION"}


def test_phone_needs_column_context_and_checksums_do_not(clf: Classifier) -> None:
    fake = Faker("en_US")
    Faker.seed(7)
    phones = [fake.phone_number() for _ in range(60)]
    assert _labels(clf.classify("mobile", phones)) == {"PII:PHONE_NUMBER"}
    assert _labels(clf.classify("col_7", phones)) == set()  # 0.4 without context, by design
    cards = [fake.credit_card_number(card_type="visa") for _ in range(60)]
    assert _labels(clf.classify("col_8", cards)) == {"PCI:CREDIT_CARD"}


def test_verdict_rule_is_share_and_hits() -> None:
    findings = [Finding(i, 0, 5, "EMAIL_ADDRESS", 1.0) for i in range(3)]
    assert decide("c", findings, sampled=10, non_empty=10).labels != []  # 3/10 >= 0.3
    strict = VerdictRule(min_share=0.5)
    assert decide("c", findings, sampled=10, non_empty=10, rule=strict).labels == []
    one = [Finding(0, 0, 5, "EMAIL_ADDRESS", 1.0)]
    assert decide("c", one, sampled=2, non_empty=2).labels == []  # needs 2 hits
    low = [Finding(i, 0, 5, "PHONE_NUMBER", 0.4) for i in range(10)]
    assert decide("c", low, sampled=10, non_empty=10).labels == []  # below min_score
    # overlapping findings in one value: the better one wins
    both = [Finding(0, 0, 10, "PHONE_NUMBER", 0.75), Finding(0, 0, 10, "US_BANK_NUMBER", 0.6)]
    both += [Finding(1, 0, 10, "PHONE_NUMBER", 0.75), Finding(1, 0, 10, "US_BANK_NUMBER", 0.6)]
    verdict = decide("c", both, sampled=2, non_empty=2)
    assert [e.entity for e in verdict.entities] == ["PHONE_NUMBER"]
    assert verdict.entities[0].confidence == 0.75
    with pytest.raises(ValueError):
        VerdictRule(min_share=0)


def test_fast_path_gives_the_same_verdicts_as_the_plain_loop(clf: Classifier) -> None:
    fake = Faker(["en_US", "en_GB", "fr_FR"])
    Faker.seed(8)
    columns = {
        "email": [fake.email() for _ in range(40)],
        "phone_number": [fake.phone_number() for _ in range(40)],
        "iban": [fake.iban() for _ in range(40)],
        "created_at": [fake.iso8601() for _ in range(40)],
        "notes": [fake.sentence() + (f" mail {fake.email()}" if i % 2 else "") for i in range(40)],
        "client_ip": [fake.ipv4() for _ in range(40)],
        "sku": [fake.bothify("??-####") for _ in range(40)],
        "dup": ["same@example.org"] * 30 + [""] * 10,
    }
    for name, values in columns.items():
        assert clf.classify(name, values) == clf.classify_per_value(name, values), name
    assert _labels(clf.classify("notes", columns["notes"])) == {"PII:EMAIL_ADDRESS"}
    assert clf.classify("dup", columns["dup"]).non_empty == 30


def test_ner_is_opt_in_and_never_downloads(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not installed"):
        _ = Classifier(ner_model="en_core_web_sm_absent").engine
    spacy = pytest.importorskip("spacy")
    folder = tmp_path / "blank_en"
    spacy.blank("en").to_disk(folder)  # a pipeline the user "installed" as a folder
    clf = Classifier(ner_model=str(folder))
    verdict = clf.classify("email", ["ana@example.org", "bo@example.net"])
    assert _labels(verdict) == {"PII:EMAIL_ADDRESS"}


def test_presidio_never_reaches_for_the_network(tmp_path) -> None:
    """tldextract fetched the public-suffix list whenever Presidio was imported before our
    analyzer was built (a run-time download the project forbids): any import order now stays
    on the shipped snapshot."""
    import subprocess
    import sys

    code = (
        "import socket\n"
        "tried = []\n"
        "real = socket.getaddrinfo\n"
        "socket.getaddrinfo = lambda *a, **k: tried.append(a[0]) or real(*a, **k)\n"
        "import ingest.sensitivity.classify\n"
        "from presidio_analyzer.predefined_recognizers import EmailRecognizer\n"
        "found = EmailRecognizer().analyze('write to ana@example.com', ['EMAIL_ADDRESS'])\n"
        "print(len(found), tried)\n"
    )
    import os

    env = {**os.environ, "TLDEXTRACT_CACHE": str(tmp_path)}  # a fresh machine: no cached list
    env.pop("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", None)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120, env=env)  # fmt: skip
    assert done.stdout.split() == ["1", "[]"], done.stdout + done.stderr[-400:]
