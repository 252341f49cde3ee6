"""The schema catalog: SELECT * and * EXCEPT expanded from DDL, the graph, or a JSON file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.sql import Catalog, analyse, parse_sql
from lineage.errors import ConfigError


def _pairs(result: dict) -> set[tuple[str | None, str, str | None, str]]:
    return {
        (c["target"]["table"], c["target"]["column"], s["table"], s["column"])
        for c in result["columns"]
        if c["target"]["column"] is not None
        for s in c["sources"]
    }


def test_star_without_catalog_stays_a_star_and_is_reported() -> None:
    result = analyse("INSERT INTO mart.t SELECT * FROM raw.s")
    assert _pairs(result.to_dict()) == {("mart.t", "*", "raw.s", "*")}
    assert result.statements[0].unresolved == ["raw.s.*"]


def test_star_expands_from_a_catalog_mapping() -> None:
    got = parse_sql("INSERT INTO mart.t SELECT * FROM raw.s", catalog={"raw.s": ["a", "b"]})
    assert _pairs(got) == {("mart.t", "a", "raw.s", "a"), ("mart.t", "b", "raw.s", "b")}


def test_star_except_and_replace(tmp_path: Path) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text(
        json.dumps({"raw.users": {"id": "INT64", "email": "STRING", "ssn": "STRING"}})
    )
    got = parse_sql(
        "CREATE TABLE mart.users AS SELECT * EXCEPT (ssn) REPLACE (lower(email) AS email) "
        "FROM raw.users",
        dialect="bigquery",
        catalog=Catalog.from_file(schema),
    )
    assert _pairs(got) == {
        ("mart.users", "id", "raw.users", "id"),
        ("mart.users", "email", "raw.users", "email"),
    }
    email = next(c for c in got["columns"] if c["target"]["column"] == "email")
    assert email["transformation"]["subtype"] == "TRANSFORMATION"


def test_snowflake_exclude() -> None:
    got = parse_sql(
        "CREATE TABLE m.t AS SELECT * EXCLUDE (ssn) FROM r.u",
        dialect="snowflake",
        catalog={"r.u": ["id", "ssn"]},
    )
    assert _pairs(got) == {("m.t", "id", "r.u", "id")}


def test_ddl_earlier_in_the_script_is_the_catalog() -> None:
    got = parse_sql(
        "CREATE TABLE raw.s (a INT, b VARCHAR(10));\n"
        "CREATE TABLE stage.t AS SELECT a, b FROM raw.s;\n"
        "INSERT INTO mart.t SELECT * FROM stage.t;"
    )
    assert _pairs(got) == {("mart.t", "a", "raw.s", "a"), ("mart.t", "b", "raw.s", "b")}
    assert got["intermediates"] == ["stage.t"]


def test_qualified_star_over_a_join_and_suffix_lookup() -> None:
    got = parse_sql(
        "INSERT INTO m.t SELECT x.*, y.c FROM db.s.a x JOIN db.s.b y ON x.id = y.id",
        catalog={"s.a": ["id", "v"], "b": ["id", "c"]},
    )
    assert _pairs(got) == {
        ("m.t", "id", "db.s.a", "id"),
        ("m.t", "v", "db.s.a", "v"),
        ("m.t", "c", "db.s.b", "c"),
    }


def test_catalog_resolves_unqualified_columns_in_joins() -> None:
    sql = "INSERT INTO m.t SELECT email, plan FROM crm.users u JOIN billing.plans p ON u.id = p.uid"
    assert ("m.t", "email", None, "email") in _pairs(parse_sql(sql))
    got = parse_sql(sql, catalog={"crm.users": ["id", "email"], "billing.plans": ["uid", "plan"]})
    assert _pairs(got) == {
        ("m.t", "email", "crm.users", "email"),
        ("m.t", "plan", "billing.plans", "plan"),
    }


def test_insert_without_column_list_maps_by_position_when_target_is_known() -> None:
    got = parse_sql(
        "INSERT INTO dw.u SELECT id, email FROM raw.u", catalog={"dw.u": ["user_id", "mail"]}
    )
    assert _pairs(got) == {("dw.u", "user_id", "raw.u", "id"), ("dw.u", "mail", "raw.u", "email")}


@pytest.mark.parametrize("content", ["[1, 2]", '{"t": 3}', "not json"])
def test_bad_schema_files_are_config_errors(tmp_path: Path, content: str) -> None:
    path = tmp_path / "s.json"
    path.write_text(content)
    with pytest.raises(ConfigError):
        Catalog.from_file(path)


def test_view_column_list_maps_an_expanded_star_by_position_and_never_an_unknown_one() -> None:
    sql = "CREATE VIEW v (a, b) AS SELECT * FROM s"
    assert _pairs(parse_sql(sql)) == {("v", "*", "s", "*")}
    assert _pairs(parse_sql(sql, catalog={"s": ["x", "y"]})) == {
        ("v", "a", "s", "x"),
        ("v", "b", "s", "y"),
    }
