"""``lineage migrate`` / ``backup`` / ``restore`` between real stores.

Embedded to embedded always runs (a lineage-shaped estate through the real pipeline, moved
and compared record by record); the Neo4j leg runs under the ``neo4j`` marker.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.estate import load
from lineage.cli import app
from lineage.eventlog import FileEventLog
from lineage.store import open_store
from lineage.transfer import export_lines

runner = CliRunner()


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 600-node synthetic estate in an embedded store, plus a small event log beside it."""
    root = tmp_path_factory.mktemp("estate") / "store"
    store = open_store(root)
    try:
        load(store, 600)
    finally:
        store.close()
    with FileEventLog(root / "eventlog") as log:
        log.append([(f"run-{i}", {"eventType": "COMPLETE", "run": {"runId": str(i)}})
                    for i in range(7)])  # fmt: skip
    return root


def _export(location: str | Path) -> list[str]:
    store = open_store(location)
    try:
        return list(export_lines(store))
    finally:
        store.close()


def _run(*args: str) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_migrate_copies_graph_and_event_log_exactly(estate: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy"
    out = _run("migrate", "--from", str(estate), "--to", str(target))
    assert out["verified"] is True and out["events"] == 7 and out["nodes"] > 500
    assert _export(target) == _export(estate)  # record for record, props and labels included
    with FileEventLog(target / "eventlog") as log:
        assert [r.key for r in log.records()] == [f"run-{i}" for i in range(7)]
        assert list(log.unapplied()) == []  # the graph came along: nothing left to apply


def test_migrate_refuses_a_non_empty_target_unless_forced(estate: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy"
    _run("migrate", "--from", str(estate), "--to", str(target))
    refused = runner.invoke(app, ["migrate", "--from", str(estate), "--to", str(target)])
    assert refused.exit_code == 1 and "already holds a graph" in refused.output
    again = _run("migrate", "--from", str(estate), "--to", str(target), "--force")
    assert again["events_already_there"] == 7 and again["events"] == 0
    assert _export(target) == _export(estate)  # merging the same graph is idempotent


def test_backup_is_atomic_gzip_and_restores_to_the_same_graph(estate: Path, tmp_path: Path) -> None:
    archive = tmp_path / "lineage.jsonl.gz"
    info = _run("--store", str(estate), "backup", str(archive))
    assert archive.exists() and not list(tmp_path.glob(".*.partial"))
    with gzip.open(archive, "rt", encoding="utf-8") as f:
        assert sum(1 for _ in f) == info["records"]
    restored = tmp_path / "restored"
    _run("--store", str(restored), "restore", str(archive))
    assert _export(restored) == _export(estate)
    refused = runner.invoke(app, ["--store", str(restored), "restore", str(archive)])
    assert refused.exit_code == 1


def test_restore_reports_bad_lines_and_fails(tmp_path: Path) -> None:
    # a path longer than a terminal line: the report used to wrap inside "line 1"
    deep = tmp_path.joinpath(*["exports-from-the-warehouse"] * 4)
    deep.mkdir(parents=True)
    bad = deep / "bad.jsonl"
    bad.write_text('{"type": "node", "uid": "dataset:s3://b:x", "kind": "Model"}\n')
    result = runner.invoke(app, ["--store", str(tmp_path / "s"), "restore", str(bad)])
    assert result.exit_code == 1
    assert f"rejected {bad}:line 1: " in result.output  # what and where, on one line


@pytest.mark.neo4j
def test_migrate_to_neo4j_and_back(estate: Path, tmp_path: Path, neo4j_store) -> None:
    uri = neo4j_store.location
    neo4j_store.execute("MATCH (e:LineageEvent) DETACH DELETE e")
    _run("migrate", "--from", str(estate), "--to", uri)
    back = tmp_path / "back"
    _run("migrate", "--from", uri, "--to", str(back))
    assert _export(back) == _export(estate)


def _cli_export(location: str | Path, out: Path) -> list[str]:
    """``lineage export`` as a user runs it, sorted (the comparison the docs promise)."""
    result = runner.invoke(app, ["--store", str(location), "export", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return sorted(out.read_text(encoding="utf-8").splitlines())


@pytest.fixture(scope="module")
def demo_estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's estate (artefacts, labels, policies, findings) in an embedded store."""
    root = tmp_path_factory.mktemp("demo")
    result = runner.invoke(
        app, ["--store", str(root / "store"), "demo", "--report", str(root / "r.html"), "--json"]
    )
    assert result.exit_code == 0, result.output
    return root / "store"


@pytest.mark.neo4j
def test_demo_estate_embedded_to_neo4j_to_embedded_exports_the_same(
    demo_estate: Path, tmp_path: Path, neo4j_store
) -> None:
    uri = neo4j_store.location
    before = _cli_export(demo_estate, tmp_path / "before.jsonl")
    assert len(before) > 100
    there = _run("migrate", "--from", str(demo_estate), "--to", uri)
    assert there["verified"] is True
    assert _cli_export(uri, tmp_path / "neo4j.jsonl") == before
    back = tmp_path / "back"
    again = _run("migrate", "--from", uri, "--to", str(back))
    assert again["verified"] is True and again["events"] == there["events"]
    assert _cli_export(back, tmp_path / "after.jsonl") == before


@pytest.mark.neo4j
def test_backup_and_restore_on_neo4j(demo_estate: Path, tmp_path: Path, neo4j_store) -> None:
    uri = neo4j_store.location
    _run("migrate", "--from", str(demo_estate), "--to", uri)
    before = _cli_export(uri, tmp_path / "before.jsonl")
    archive = tmp_path / "neo4j.jsonl.gz"
    info = _run("--store", uri, "backup", str(archive))
    assert info["records"] == len(before)
    refused = runner.invoke(app, ["--store", uri, "restore", str(archive)])
    assert refused.exit_code == 1  # never over a graph that holds data
    neo4j_store.clear()
    _run("--store", uri, "restore", str(archive))
    assert _cli_export(uri, tmp_path / "after.jsonl") == before
    into_embedded = tmp_path / "embedded"
    _run("--store", str(into_embedded), "restore", str(archive))  # Neo4j backup, embedded store
    assert _cli_export(into_embedded, tmp_path / "embedded.jsonl") == before
