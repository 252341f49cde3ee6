"""First load through GRAPH.BULK: the same graph as the MERGE path, or a clear refusal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.estate import SEEN, generate
from lineage import ids
from lineage.errors import StoreError, StoreNotEmpty
from lineage.firstload import first_load
from lineage.model import Edge, Kind, Label, Labeling, Node, Problem, Rel, Severity
from lineage.pipeline import ingest
from lineage.store import open_store
from lineage.store.falkor import FalkorStore
from lineage.transfer import export_lines, import_from

NS = "snowflake://acme"


def _tricky() -> list:
    """What batching makes subtle: an edge naming a node before the node arrives (a stub that
    later gets its node), a node and an edge seen again in a later batch at other times and
    with other refs and props, a labelling, a bad fact, a prop of
    every type."""
    a, b, c = (ids.dataset_id(NS, f"db.s.t{i}") for i in range(3))
    col = ids.column_id(NS, "db.s.t0", "email")
    return [
        Edge(a, Rel.FLOWS_TO, b, {"masking": False, "w": 1.5}, key="job:x:j", source_ref="r1"),
        Node(
            a,
            Kind.DATASET,
            "db.s.t0",
            NS,
            {"rows": 10, "tags": ["x", "y"], "ns": [1, 2], "ok": True},
            "f.sql:1",
            "2026-02-01T00:00:00.000Z",
        ),
        Node(col, Kind.COLUMN, "db.s.t0.email", NS),
        Edge(a, Rel.HAS_COLUMN, col),
        Labeling(col, Label("PII", "EMAIL_ADDRESS"), "synthetic", 0.9, 9, 10),
        Edge(ids.column_id(NS, "db.s.t0", "email"), Rel.FLOWS_TO, c, key="job:x:k"),
        Problem(Severity.ERROR, "a bad line", "f.sql:3"),
        Node("nonsense", Kind.DATASET, "x", NS),
        Node(
            a,
            Kind.DATASET,
            "db.s.t0",
            NS,
            {"rows": 11, "ratio": 0.5, "tags": []},
            "g.sql:2",
            "2026-01-15T00:00:00.000Z",
        ),
        Node(b, Kind.DATASET, "db.s.t1", NS, {}, "", "2026-03-01T00:00:00.000Z"),
        Edge(
            a,
            Rel.FLOWS_TO,
            b,
            {"masking": True},
            key="job:x:j",
            source_ref="r2",
            observed_at="2026-01-10T00:00:00.000Z",
        ),
    ]


def _pair(tmp_path: Path) -> tuple[FalkorStore, FalkorStore]:
    merge, bulk = open_store(tmp_path / "merge"), open_store(tmp_path / "bulk")
    assert isinstance(merge, FalkorStore) and isinstance(bulk, FalkorStore)
    return merge, bulk


@pytest.mark.parametrize("batch_size", [3, 5000])
def test_tricky_facts_give_the_same_export(tmp_path: Path, batch_size: int) -> None:
    facts = _tricky()
    merge, bulk = _pair(tmp_path)
    try:
        want = ingest(merge, facts, batch_size=batch_size, seen=SEEN)
        got = first_load(bulk, facts, batch_size=batch_size, seen=SEEN, fallback=False)
        assert (got.nodes, got.edges, got.labelings) == (want.nodes, want.edges, want.labelings)
        assert [p.message for p in got.problems] == [p.message for p in want.problems]
        exported = list(export_lines(merge))
        assert list(export_lines(bulk)) == exported
        assert any('"stub":true' in line for line in exported)  # the case is exercised
        assert any('"labels":["PII","PII:EMAIL_ADDRESS"]' in line for line in exported)
    finally:
        merge.close()
        bulk.close()


def test_seeded_estate_gives_the_same_export(tmp_path: Path) -> None:
    """The benchmark estate (a 100k version of this is in bench/store_load.py --compare)."""
    merge, bulk = _pair(tmp_path)
    try:
        ingest(merge, generate(3000), batch_size=1000, seen=SEEN)
        first_load(bulk, generate(3000), batch_size=1000, seen=SEEN, fallback=False)
        exported = list(export_lines(merge))
        assert len(exported) > 8000
        assert list(export_lines(bulk)) == exported
    finally:
        merge.close()
        bulk.close()


def test_a_store_that_is_not_empty_is_refused_or_gets_the_merge_path(tmp_path: Path) -> None:
    merge, bulk = _pair(tmp_path)
    try:
        seed = [Node(ids.dataset_id(NS, "db.s.seed"), Kind.DATASET, "db.s.seed", NS)]
        ingest(bulk, seed, seen=SEEN)
        ingest(merge, seed, seen=SEEN)
        before = list(export_lines(bulk))
        with pytest.raises(StoreNotEmpty, match="not empty"):
            first_load(bulk, generate(300), seen=SEEN, fallback=False)
        assert list(export_lines(bulk)) == before  # nothing written
        first_load(bulk, generate(300), seen=SEEN)  # falls back to MERGE
        ingest(merge, generate(300), seen=SEEN)
        assert list(export_lines(bulk)) == list(export_lines(merge))
    finally:
        merge.close()
        bulk.close()


def test_bulk_loaded_store_reopens_with_everything(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s")
    first_load(store, generate(1000), seen=SEEN, fallback=False)
    exported = list(export_lines(store))
    store.close()
    again = open_store(tmp_path / "s")
    try:
        assert list(export_lines(again)) == exported
        # The uid index and its uniqueness hold after a bulk load: MERGE finds, not adds.
        ingest(again, generate(1000), seen=SEEN)
        assert list(export_lines(again)) == exported
    finally:
        again.close()


def test_a_value_the_store_cannot_hold_leaves_it_empty(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s")
    try:
        bad = [Node(ids.dataset_id(NS, "db.s.a"), Kind.DATASET, "db.s.a", NS, {"x": "a\x00b"})]
        with pytest.raises(StoreError, match="NUL"):
            first_load(store, bad, seen=SEEN, fallback=False)
        assert store.is_empty()
    finally:
        store.close()


def test_bulk_import_equals_statement_import(tmp_path: Path) -> None:
    merge, bulk = _pair(tmp_path)
    try:
        ingest(merge, _tricky(), seen=SEEN)
        exported = list(export_lines(merge))
        # An edge to a node missing from the file becomes a stub, as on the statement path.
        lines = [
            *exported,
            '{"type":"edge","rel":"READS","src":"job:snowflake://acme:j",'
            '"dst":"dataset:snowflake://acme:db.s.zz","props":{}}',
        ]
        target = open_store(tmp_path / "statement")
        try:
            import_from(target, lines)
            report = import_from(bulk, lines, bulk=True)
            assert report.errors == []
            assert list(export_lines(bulk)) == list(export_lines(target))
            with pytest.raises(StoreNotEmpty):
                import_from(bulk, lines, bulk=True)
        finally:
            target.close()
    finally:
        merge.close()
        bulk.close()


def test_cli_import_bulk_loads_an_empty_store_and_refuses_a_full_one(tmp_path: Path) -> None:
    source = open_store(tmp_path / "source")
    try:
        ingest(source, _tricky(), seen=SEEN)
        exported = list(export_lines(source))
    finally:
        source.close()
    path = tmp_path / "export.jsonl"
    path.write_text("".join(line + "\n" for line in exported), encoding="utf-8")
    lineage = str(Path(sys.executable).with_name("lineage"))
    target = str(tmp_path / "target")
    command = [lineage, "--store", target, "import", "--bulk", str(path)]
    done = subprocess.run(command, check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    again = subprocess.run(command, check=False, capture_output=True, text=True)
    assert again.returncode != 0
    assert "not empty" in again.stdout + again.stderr
    store = open_store(target)
    try:
        assert list(export_lines(store)) == exported
    finally:
        store.close()
