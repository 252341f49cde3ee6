"""End to end through the CLI: scan, label, declassify, why; and no planted value leaks.

Known PII and secrets are planted in a CSV file and a SQLite table; after scanning both,
declaring, declassifying and asking why, the whole store export, every log record (at
DEBUG), every CLI output and every API response are searched for each planted value: zero
hits. Labels, counts and confidences are all that may come out.
"""

from __future__ import annotations

import csv
import json
import logging
from pathlib import Path

import pytest
import sqlalchemy as sa
from faker import Faker
from typer.testing import CliRunner

from lineage.cli import app
from lineage.store import open_store
from lineage.transfer import export_lines

DS = "dataset:file:/exports/customers.csv"
SQL_DS = "dataset:sqlite://shop:main.accounts"
TRAIN = "model:mlflow://ml:churn"


def _planted() -> list[dict[str, str]]:
    fake = Faker("en_US")
    Faker.seed(2024)
    return [
        {
            "customer_id": str(1000 + i),
            "first_name": fake.first_name() + "ovska",
            "email": f"{fake.user_name()}.{i}@planted-mail.com",
            "ssn": fake.ssn(),
            "phone": fake.phone_number(),
            "card_number": fake.credit_card_number(card_type="visa"),
            "api_token": "sk-proj-" + fake.pystr(min_chars=40, max_chars=40),
            "plan": "pro",
        }
        for i in range(60)
    ]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LINEAGE_STORE", str(tmp_path / "store"))
    monkeypatch.setenv("LINEAGE_USER", "alice")
    return tmp_path


def test_scan_label_declassify_why_and_nothing_leaks(
    env: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    rows = _planted()
    path = env / "customers.csv"
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    db = env / "shop.db"
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE accounts (id INTEGER, contact_email TEXT, pwd TEXT)"))
        conn.execute(
            sa.text("INSERT INTO accounts VALUES (:i, :e, :p)"),
            [{"i": i, "e": r["email"], "p": r["api_token"][8:30]} for i, r in enumerate(rows)],
        )
    engine.dispose()

    runner = CliRunner()
    outputs: list[str] = []

    def cli(*args: str) -> str:
        result = runner.invoke(app, list(args), catch_exceptions=False)
        outputs.append(result.output)
        assert result.exit_code == 0, result.output
        return result.output

    scanned = json.loads(cli("scan", str(path), "--dataset", DS, "--json"))
    found = {c["column"]: sorted(x["label"] for x in c["labels"]) for c in scanned["columns"]}
    assert found == {
        "customer_id": [],
        "first_name": ["PII:PERSON"],
        "email": ["PII:EMAIL_ADDRESS"],
        "ssn": ["PII:US_SSN"],
        "phone": ["PII:PHONE_NUMBER"],
        "card_number": ["PCI:CREDIT_CARD"],
        "api_token": ["SECRET:API_KEY"],
        "plan": [],
    }
    cli("scan", str(path), "--dataset", DS)  # the human table too
    sql = json.loads(
        cli("scan", f"sqlite:///{db}", "--dataset", SQL_DS, "--table", "accounts", "--json")
    )
    assert [c["labels"][0]["label"] for c in sql["columns"] if c["labels"]] == [
        "PII:EMAIL_ADDRESS",
        "SECRET:PASSWORD",
    ]

    # lineage: the CSV trains a model; then why, declare, declassify
    from lineage.model import Edge, Rel
    from lineage.pipeline import ingest

    store = open_store(env / "store")
    try:
        ingest(store, [Edge(DS, Rel.FLOWS_TO, TRAIN, {"kind": "train", "granularity": "dataset"})])
    finally:
        store.close()
    paths = json.loads(cli("why", TRAIN, "PII:US_SSN", "--json"))
    assert [h["uid"] for h in paths[0]["hops"]] == [
        "column:file:/exports/customers.csv#ssn",
        DS,
        TRAIN,
    ]
    assert paths[0]["evidence"][0]["hits"] == 60
    cli("why", TRAIN, "PCI")
    cli("label", TRAIN, "PHI", "--reason", "trained on claims too")
    cli("declassify", DS, "SECRET", "--to", TRAIN, "--reason", "tokens dropped in training")
    shown = json.loads(cli("show", TRAIN, "--json"))
    assert "SECRET" not in shown["labels"] and {"PHI", "PII:US_SSN"} <= set(shown["labels"])
    cli("relabel")

    store = open_store(env / "store")
    try:
        export = "\n".join(export_lines(store))
        from fastapi.testclient import TestClient

        from lineage.api.app import create_app

        api_text = []
        with TestClient(create_app(store=store)) as client:
            for route in client.app.routes:
                if "GET" not in getattr(route, "methods", ()):
                    continue
                url = route.path
                for name in getattr(route, "param_convertors", {}):
                    url = url.replace("{" + name + "}", DS).replace("{" + name + ":path}", DS)
                api_text.append(client.get(url).text)
    finally:
        store.close()

    haystacks = {
        "export": export,
        "cli": "\n".join(outputs),
        "logs": caplog.text,
        "api": "\n".join(api_text),
    }
    assert "PII:US_SSN" in export and '\\"hits\\": 60' in export  # the evidence is there...
    planted = {v for r in rows for k, v in r.items() if k not in ("customer_id", "plan")}
    planted |= {r["api_token"][8:30] for r in rows}
    assert all(v in path.read_text() for v in planted if len(v) < 40)  # the search can hit
    leaks = [(where, v) for v in planted for where, text in haystacks.items() if v in text]
    assert leaks == []  # ...and not one value
