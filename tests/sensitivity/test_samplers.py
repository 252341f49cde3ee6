"""Samplers over real files and real databases: SQLite, and PostgreSQL started here."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from ingest.sensitivity import Classifier, sample, scan
from ingest.sensitivity.samplers import redact
from lineage.errors import ConfigError, ParseError

ROWS = [
    {"id": i, "email": f"user{i}@example.org", "city": "Lyon" if i % 2 else "Porto"}
    for i in range(500)
]


def test_csv_is_sampled_uniformly_and_deterministically(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, ["id", "email", "city"], delimiter=";")
        w.writeheader()
        w.writerows(ROWS)
    s = sample(path, rows=50)
    assert (s.table, s.rows, list(s.columns)) == ("people", 50, ["id", "email", "city"])
    ids = [int(v) for v in s.columns["id"]]
    assert max(ids) > 250  # not simply the first rows
    assert sample(path, rows=50).columns == s.columns
    assert "example.org" not in repr(s)  # values never in a repr


def test_jsonl_flattens_nested_values_and_reports_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    lines = [json.dumps({"user": {"email": r["email"]}, "n": r["id"]}) for r in ROWS[:20]]
    path.write_text("\n".join(lines) + "\n")
    s = sample(path, rows=100)
    assert s.rows == 20 and json.loads(s.columns["user"][0])["email"].endswith("example.org")
    path.write_text(lines[0] + "\n{broken\n")
    with pytest.raises(ParseError) as err:
        sample(path)
    assert err.value.line == 2


def test_parquet_reads_only_chosen_rows_with_types(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    pq.write_table(pa.Table.from_pylist(ROWS), path, row_group_size=64)
    s = sample(path, rows=30)
    assert s.rows == 30 and len(s.columns["email"]) == 30
    assert s.field_types == {"id": "int64", "email": "string", "city": "string"}
    assert len(set(s.columns["id"])) == 30


def test_unknown_inputs_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        sample(tmp_path / "x.xlsx")
    with pytest.raises(ConfigError):
        sample(tmp_path / "missing.csv")


def _fill(url: str, schema: str | None = None) -> None:
    engine = sa.create_engine(url)
    meta = sa.MetaData(schema=schema)
    t = sa.Table(
        "customers",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(200)),
        sa.Column("card_number", sa.String(30)),
        sa.Column("score", sa.Float),
    )
    with engine.begin() as conn:
        if schema:
            conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
        meta.create_all(conn)
        conn.execute(
            t.insert(),
            [
                {
                    "id": i,
                    "email": f"c{i}@shop-mail.com",
                    "card_number": "4111 1111 1111 1111",
                    "score": i / 7,
                }
                for i in range(200)
            ],
        )
    engine.dispose()


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return Classifier()


def _check_scan(url: str, table: str, clf: Classifier) -> None:
    s = sample(url, rows=40, table=table)
    assert s.rows == 40 and s.field_types["id"] == "INTEGER"
    result = scan(
        url, dataset="dataset:postgres://db:5432:shop.public.customers", data=s, classifier=clf
    )
    found = {v.column: {str(x) for x in v.labels} for v in result.verdicts}
    assert found == {
        "id": set(),
        "email": {"PII:EMAIL_ADDRESS"},
        "card_number": {"PCI:CREDIT_CARD"},
        "score": set(),
    }


def test_sqlite_through_sqlalchemy(tmp_path: Path, clf: Classifier) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    _fill(url)
    _check_scan(url, "customers", clf)
    with pytest.raises(ConfigError, match="no table"):
        sample(url, table="nope")


def test_postgresql_server(postgres_url: str, clf: Classifier) -> None:
    _fill(postgres_url, schema="shop")
    _check_scan(postgres_url, "shop.customers", clf)
    with pytest.raises(ConfigError, match="tables"):
        sample(postgres_url.rsplit("/", 1)[0] + "/template1")


def test_passwords_are_redacted_from_locations() -> None:
    assert redact("postgresql://app:s3cr3t@db:5432/prod") == "postgresql://app:***@db:5432/prod"
    assert redact("/data/x.csv") == "/data/x.csv"
