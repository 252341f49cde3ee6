"""``lineage ingest sql`` and ``lineage parse-sql`` end to end, on a real embedded store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingest.sql import parse_sql
from lineage import ids
from lineage.cli import app
from lineage.store import open_store

NS = "snowflake://acme"


@pytest.fixture
def scripts(tmp_path: Path) -> Path:
    folder = tmp_path / "sql"
    (folder / "nested").mkdir(parents=True)
    (folder / "a_stage.sql").write_text(
        "CREATE TABLE stage.users AS\nSELECT id, sha2(email) AS email_hash FROM crm.users;\n"
    )
    (folder / "nested" / "b_mart.sql").write_text(
        "INSERT INTO mart.users SELECT id FROM stage.users;\n\nSELECT FROM WHERE;\n"
    )
    (folder / "notes.txt").write_text("not sql")
    return folder


def _run(store: Path, *args: str) -> object:
    return CliRunner().invoke(app, ["--store", str(store), *args], catch_exceptions=False)


def test_ingest_folder_reports_bad_statements_and_lands_the_rest(
    scripts: Path, tmp_path: Path
) -> None:
    store_dir = tmp_path / "store"
    result = _run(store_dir, "ingest", "sql", str(scripts), "-n", NS, "-d", "snowflake")
    assert result.exit_code == 1, result.output  # a statement failed (issue 19.3)
    assert "b_mart.sql:3" in result.output  # file:line of the bad statement
    assert "SELECT FROM WHERE" in result.output  # its snippet
    store = open_store(store_dir)
    try:
        assert store.get_node(ids.dataset_id(NS, "mart.users")) is not None
        edge_keys = {(e.src, e.dst) for e in store.iter_edges() if e.rel.value == "FLOWS_TO"}
        assert (
            ids.column_id(NS, "crm.users", "email"),
            ids.column_id(NS, "stage.users", "email_hash"),
        ) in edge_keys
    finally:
        store.close()


def test_strict_writes_nothing_when_a_statement_is_bad(scripts: Path, tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    result = _run(store_dir, "ingest", "sql", str(scripts), "-n", NS, "--strict")
    assert result.exit_code == 1
    assert "nothing written" in result.output
    store = open_store(store_dir)
    try:
        assert store.get_node(ids.dataset_id(NS, "stage.users")) is None
    finally:
        store.close()


def test_graph_datasets_and_schema_file_feed_the_catalog(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    first = tmp_path / "first.sql"
    first.write_text("CREATE TABLE stage.t AS SELECT a, b FROM raw.s;")
    second = tmp_path / "second.sql"
    second.write_text(
        "INSERT INTO mart.t SELECT * FROM stage.t; INSERT INTO mart.u SELECT * FROM ext.x;"
    )
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"ext.x": {"k": "INT"}}))
    assert _run(store_dir, "ingest", "sql", str(first), "-n", NS).exit_code == 0
    result = _run(store_dir, "ingest", "sql", str(second), "-n", NS, "--schema", str(schema),
                  "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    store = open_store(store_dir)
    try:
        flows = {(e.src, e.dst) for e in store.iter_edges() if e.rel.value == "FLOWS_TO"}
        assert (ids.column_id(NS, "stage.t", "b"), ids.column_id(NS, "mart.t", "b")) in flows
        assert (ids.column_id(NS, "ext.x", "k"), ids.column_id(NS, "mart.u", "k")) in flows
    finally:
        store.close()


def test_parse_sql_json_is_the_library_result_and_touches_no_store(tmp_path: Path) -> None:
    sql = tmp_path / "q.sql"
    sql.write_text("INSERT INTO t SELECT md5(a) AS h FROM s WHERE b > 1;")
    result = CliRunner().invoke(
        app, ["--store", str(tmp_path / "never"), "parse-sql", str(sql), "-d", "spark", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == parse_sql(sql.read_text(), dialect="spark")
    assert not (tmp_path / "never").exists()


def test_reingesting_a_changed_script_retires_what_it_no_longer_does(tmp_path: Path) -> None:
    from lineage.model import Label, Labeling
    from lineage.pipeline import ingest

    store_dir = tmp_path / "store"
    script = tmp_path / "etl.sql"
    script.write_text("CREATE TABLE stage.u AS SELECT email, id FROM crm.users;")
    assert _run(store_dir, "ingest", "sql", str(script), "-n", NS).exit_code == 0
    email, copy = ids.column_id(NS, "crm.users", "email"), ids.column_id(NS, "stage.u", "email")
    store = open_store(store_dir)
    try:
        ingest(store, [Labeling(email, Label("PII", "EMAIL_ADDRESS"), "test")])
        assert "PII:EMAIL_ADDRESS" in store.get_node(copy).labels
    finally:
        store.close()
    script.write_text("CREATE TABLE stage.u AS SELECT id AS email, id FROM crm.users;")
    assert _run(store_dir, "ingest", "sql", str(script), "-n", NS).exit_code == 0
    store = open_store(store_dir)
    try:
        old = [e for e in store.iter_edges() if (e.src, e.dst) == (email, copy)]
        assert len(old) == 1 and old[0].props["stale"] is True
        assert "PII:EMAIL_ADDRESS" not in store.get_node(copy).labels
        again = [e for e in store.iter_edges()
                 if e.dst == copy and e.src == ids.column_id(NS, "crm.users", "id")]  # fmt: skip
        assert again and again[0].props["stale"] is False
    finally:
        store.close()


def test_a_misspelt_keyword_is_reported_and_fails_the_ingest(tmp_path: Path) -> None:
    """Issue 19.3: ``SELEC`` made sqlglot keep the CREATE as an opaque command; the ingest
    said "3 statements, 0 bad" and stage.b never appeared."""
    script = tmp_path / "typo.sql"
    script.write_text(
        "CREATE TABLE stage.a AS SELECT id FROM raw.users;\n"
        "CREATE TABLE stage.b AS SELEC id, FROM raw.users WHERE;\n"
        "INSERT INTO stage.c SELECT id FROM raw.users;\n"
    )
    store_dir = tmp_path / "store"
    result = _run(store_dir, "ingest", "sql", str(script), "-n", NS, "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["files"][str(script)]["errors"] == 1
    assert [p["source_ref"] for p in report["problems"] if p["severity"] == "error"] == [
        f"{script}:2"
    ]
    partial = _run(store_dir, "ingest", "sql", str(script), "-n", NS, "--allow-partial")
    assert partial.exit_code == 0
    store = open_store(store_dir)
    try:  # what was understood landed
        assert store.get_node(ids.dataset_id(NS, "stage.c")) is not None
    finally:
        store.close()
