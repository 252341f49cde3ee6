"""Id building, parsing and normalisation: one scheme for every ingestor."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lineage import ids
from lineage.errors import InvalidId
from lineage.model import Kind


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('"Shop"."Public"."Orders"', "shop.public.orders"),
        ("`proj`.`ds`.`tbl`", "proj.ds.tbl"),
        ("[dbo].[Customers]", "dbo.customers"),
        ("ORDERS", "orders"),
        ('"a.b".c', "a.b.c"),  # a quoted dot belongs to its part, then joins as usual
        ("  db.schema.t  ", "db.schema.t"),
        ("/data/Raw/Tickets.parquet", "/data/Raw/Tickets.parquet"),  # paths keep their case
        ("s3://Bucket/Key.csv", "s3://Bucket/Key.csv"),
    ],
)
def test_normalise_name(raw: str, expected: str) -> None:
    assert ids.normalise_name(raw) == expected


def test_default_database_and_schema_fill_missing_parts() -> None:
    assert ids.normalise_name("orders", default_schema="public") == "public.orders"
    assert ids.normalise_name("orders", default_schema="public", default_database="shop") == (
        "shop.public.orders"
    )
    assert ids.normalise_name("s.orders", default_database="shop") == "shop.s.orders"
    assert (
        ids.normalise_name("d.s.orders", default_database="x", default_schema="y") == "d.s.orders"
    )


def test_quoted_case_can_be_preserved() -> None:
    assert ids.normalise_name('"Orders"', preserve_quoted_case=True) == "Orders"


def test_same_table_from_sql_and_event_meets() -> None:
    from_sql = ids.dataset_id("postgres://DB.example:5432/", 'Shop."Public".ORDERS')
    from_event = ids.dataset_id("postgres://db.example:5432", "shop.public.orders")
    assert from_sql == from_event == "dataset:postgres://db.example:5432:shop.public.orders"


@pytest.mark.parametrize(
    "uid",
    [
        "dataset:postgres://db:5432:shop.public.orders",
        "dataset:bigquery:proj.ds.t",
        "dataset:s3://bucket:raw/tickets.parquet",
        "dataset:file:/data/x.csv",
        "column:snowflake://acme:db.s.t#email",
        "job:airflow://prod:dag.task",
        "model:mlflow://ml:support-bot",
        "vectorindex:qdrant://vec:6333:docs",
        "endpoint:https://api.acme.example:chat",
        "principal:okta://acme:alice@acme.example",
        "source:postgres://db:5432",
        "source:bigquery",
    ],
)
def test_parse_round_trips(uid: str) -> None:
    assert str(ids.parse(uid)) == uid


def test_parse_parts() -> None:
    parsed = ids.parse("column:postgres://db:5432:shop.public.orders#email")
    assert (parsed.kind, parsed.namespace, parsed.name, parsed.field) == (
        Kind.COLUMN, "postgres://db:5432", "shop.public.orders", "email"
    )  # fmt: skip
    assert parsed.dataset == "dataset:postgres://db:5432:shop.public.orders"


def test_parse_a_namespace_with_a_path() -> None:
    """dbt-duckdb's namespace is ``duckdb:///<file>``: it used to parse as ``duckdb``."""
    uid = ids.column_id("duckdb:///tmp/run/w.duckdb", "w.main.customers", "ssn")
    parsed = ids.parse(uid)
    assert (parsed.namespace, parsed.name, parsed.field) == (
        "duckdb:///tmp/run/w.duckdb", "w.main.customers", "ssn",
    )  # fmt: skip
    assert ids.parse(ids.dataset_id("s3://bucket/warehouse", "db.t")).name == "db.t"
    assert (
        str(ids.parse("source:duckdb:///tmp/run/w.duckdb")) == "source:duckdb:///tmp/run/w.duckdb"
    )


@pytest.mark.parametrize(
    "bad",
    ["", "table:x:y", "dataset", "dataset:ns", "column:ns:t", "column:ns:t#", "nope:a:b"],
)
def test_parse_rejects_with_a_reason(bad: str) -> None:
    with pytest.raises(InvalidId):
        ids.parse(bad)


def test_make_rejects_empty_and_malformed_names() -> None:
    for name in ("", "a..b", "."):
        with pytest.raises(InvalidId):
            ids.dataset_id("pg", name)


_ident = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True)
_namespace = st.one_of(
    st.sampled_from(["bigquery", "file", "snowflake://acme", "s3://bucket"]),
    st.builds(lambda h, p: f"postgres://{h}:{p}", _ident, st.integers(1, 65535)),
)


@given(_namespace, st.lists(_ident, min_size=1, max_size=3), _ident)
def test_build_parse_round_trip_property(namespace: str, parts: list[str], field: str) -> None:
    name = ".".join(parts)
    uid = ids.column_id(namespace, name, field)
    parsed = ids.parse(uid)
    assert (parsed.namespace, parsed.name, parsed.field) == (namespace, name, field)
    assert ids.column_id(parsed.namespace, parsed.name, parsed.field) == uid
