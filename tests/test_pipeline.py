"""The one write path: batching, stubs, problems, strict mode, idempotent re-ingest."""

from __future__ import annotations

import pytest

from lineage import ids
from lineage.model import Edge, Kind, Node, Problem, Rel, Severity
from lineage.pipeline import Change, StrictModeError, ingest, on_change
from lineage.store import Store
from lineage.transfer import export_lines

pytestmark = pytest.mark.all_stores  # embedded and Neo4j

NS = "postgres://db:5432"
SEEN = "2026-01-01T00:00:00.000Z"


def _facts(n: int = 30):
    prev = None
    for i in range(n):
        uid = ids.dataset_id(NS, f"s.t{i}")
        yield Node(uid, Kind.DATASET, f"s.t{i}", NS, {"fields": ["id"]}, f"f.sql:{i + 1}")
        if prev:
            yield Edge(prev, Rel.FLOWS_TO, uid, {"kind": "transform"}, source_ref=f"f.sql:{i + 1}")
        prev = uid


def test_ingest_writes_in_batches_and_reports_counts(store: Store) -> None:
    report = ingest(store, _facts(), batch_size=7, seen=SEEN)
    assert (report.nodes, report.edges, report.problems) == (30, 29, [])
    assert store.counts() == {"Dataset": 30, "FLOWS_TO": 29}


def test_reingest_changes_nothing(store: Store) -> None:
    ingest(store, _facts(), seen=SEEN)
    first = list(export_lines(store))
    ingest(store, _facts(), batch_size=4, seen=SEEN)
    assert list(export_lines(store)) == first


def test_edge_endpoints_become_stubs(store: Store) -> None:
    job, out = ids.job_id(NS, "etl"), ids.dataset_id(NS, "s.out")
    ingest(store, [Edge(job, Rel.WRITES, out)], seen=SEEN)
    node = store.get_node(out)
    assert node is not None and node.kind is Kind.DATASET and node.props["stub"] is True
    assert store.counts() == {"Job": 1, "Dataset": 1, "WRITES": 1}


def test_bad_facts_are_reported_and_the_rest_lands(store: Store) -> None:
    facts = [
        Node(ids.dataset_id(NS, "s.ok"), Kind.DATASET, "s.ok", NS),
        Node("dataset:pg:x", Kind.MODEL, "x", "pg", source_ref="a.sql:3"),  # kind mismatch
        Edge("nonsense", Rel.FLOWS_TO, ids.dataset_id(NS, "s.ok"), source_ref="a.sql:9"),
        Problem(Severity.WARNING, "could not resolve column x", "a.sql:12"),
    ]
    report = ingest(store, facts, seen=SEEN)
    assert report.nodes == 1
    assert [p.source_ref for p in report.problems] == ["a.sql:3", "a.sql:9", "a.sql:12"]
    assert len(report.errors) == 2
    assert store.counts() == {"Dataset": 1}


def test_strict_mode_stops_at_the_first_error(store: Store) -> None:
    facts = [*_facts(3), Problem(Severity.ERROR, "unparseable", "b.sql:4"), *_facts(5)]
    with pytest.raises(StrictModeError, match=r"b\.sql:4"):
        ingest(store, facts, strict=True, seen=SEEN)


def test_same_node_twice_in_a_batch_merges_props(store: Store) -> None:
    uid = ids.dataset_id(NS, "s.a")
    ingest(
        store,
        [
            Node(uid, Kind.DATASET, "s.a", NS, {"owner": "x"}),
            Node(uid, Kind.DATASET, "s.a", NS, {"doc": "y"}),
        ],
        seen=SEEN,
    )
    node = store.get_node(uid)
    assert node is not None and (node.props["owner"], node.props["doc"]) == ("x", "y")


def test_observers_see_each_committed_batch(store: Store) -> None:
    seen_changes: list[Change] = []

    def observer(_store: Store, change: Change) -> None:
        seen_changes.append(change)

    on_change(observer)
    try:
        ingest(store, _facts(10), batch_size=8, seen=SEEN)
    finally:
        from lineage import pipeline

        pipeline._OBSERVERS.remove(observer)
    assert len(seen_changes) >= 2
    assert ids.dataset_id(NS, "s.t9") in set().union(*(c.nodes for c in seen_changes))
