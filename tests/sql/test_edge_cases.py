"""Issue 15 point 4: SQL edge cases seen beside DataHub, sqllineage and openlineage-sql."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ingest.sql import parse_sql, sql_facts
from lineage.cli import app
from lineage.model import Edge, Problem, Rel, Severity


def _edges(sql: str, dialect: str = "ansi") -> list[Edge]:
    return [
        f
        for f in sql_facts(sql, dialect=dialect, namespace="pg", path="x.sql")
        if isinstance(f, Edge)
    ]


def test_an_unknown_dialect_falls_back_to_the_generic_one_with_a_warning(tmp_path: Path) -> None:
    doc = parse_sql("INSERT INTO mart.t SELECT a FROM crm.s", dialect="vertica")
    assert doc["sources"] == ["crm.s"] and doc["targets"] == ["mart.t"]
    assert doc["warnings"] == ["unknown SQL dialect 'vertica': read with the generic dialect"]
    problems = [
        f
        for f in sql_facts("SELECT 1", dialect="vertica", namespace="pg")
        if isinstance(f, Problem)
    ]
    assert [p.severity for p in problems] == [Severity.WARNING]
    script = tmp_path / "q.sql"
    script.write_text("INSERT INTO mart.t SELECT a FROM crm.s;\n")
    result = CliRunner().invoke(app, ["parse-sql", str(script), "--dialect", "vertica", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["targets"] == ["mart.t"]


def test_bigquery_unnest_element_fields_trace_to_the_array_column() -> None:
    doc = parse_sql(
        "CREATE TABLE out AS SELECT o.id, item.sku FROM orders o, UNNEST(o.items) AS item",
        dialect="bigquery",
    )
    sku = next(c for c in doc["columns"] if c["target"]["column"] == "sku")
    assert sku["sources"] == [{"table": "orders", "column": "items"}]


def test_oracle_session_values_are_not_columns() -> None:
    doc = parse_sql(
        "INSERT INTO log_t (aff_rows, msg, x) "
        "SELECT SQL%ROWCOUNT AS aff_rows, SQLERRM AS msg, t.a FROM t",
        dialect="oracle",
    )
    assert [c["target"]["column"] for c in doc["columns"]] == ["x"]
    assert not any(s["unresolved"] for s in doc["statements"] if "unresolved" in s)


def test_delete_truncate_drop_update_write_without_inventing_flows() -> None:
    edges = _edges(
        "DELETE FROM t WHERE a = 1;\nTRUNCATE TABLE u;\nDROP TABLE v;\nUPDATE w SET a = 1;"
    )
    writes = {(e.dst, e.props["operation"]) for e in edges if e.rel is Rel.WRITES}
    assert writes == {
        ("dataset:pg:t", "delete"),
        ("dataset:pg:u", "truncate"),
        ("dataset:pg:v", "drop"),
        ("dataset:pg:w", "update"),
    }
    assert not [e for e in edges if e.rel is Rel.FLOWS_TO]


def test_an_unparseable_statement_is_reported_with_file_and_line() -> None:
    facts = list(
        sql_facts(
            "DECLARE @x INT = 0;\nSET @x += 1;\nINSERT INTO a SELECT c FROM b;",
            dialect="tsql",
            namespace="pg",
            path="proc.sql",
        )
    )
    errors = [f for f in facts if isinstance(f, Problem) and f.severity is Severity.ERROR]
    assert [e.source_ref.split(":")[:2] for e in errors] == [["proc.sql", "2"]]
    assert any(isinstance(f, Edge) and f.dst == "dataset:pg:a" for f in facts)  # the rest lands
