"""lineage/pipeline.py edges no test in the mutation selection pinned, found by the mutants
that survived it (BENCHMARKS.md, "Mutation score of the core packages"): the bounded,
resumable write of a huge event, the strict-mode error and the report's JSON form.
Expected values are literals."""

from __future__ import annotations

import pytest

from lineage import ids, pipeline
from lineage.model import Edge, Kind, Label, Labeling, Node, Problem, Rel, Severity
from lineage.pipeline import (
    Change,
    IngestReport,
    StrictModeError,
    _Batch,
    batches,
    delete,
    ingest,
    ingest_bounded,
)
from lineage.store import Store

NS = "postgres://db:5432"
SEEN = "2026-01-01T00:00:00.000Z"


def _nodes(n: int) -> list[Node]:
    return [
        Node(ids.dataset_id(NS, f"s.t{i}"), Kind.DATASET, f"s.t{i}", NS, {}, f"f.sql:{i}")
        for i in range(1, n + 1)
    ]


def test_strict_mode_error_is_the_problem_in_words(store: Store) -> None:
    problem = Problem(Severity.ERROR, "no such table", "f.sql:3")
    with pytest.raises(StrictModeError) as caught:
        ingest(store, [problem], strict=True, seen=SEEN)
    assert str(caught.value) == "error: f.sql:3: no such table"
    assert caught.value.problem is problem


def test_report_to_dict() -> None:
    report = IngestReport(2, 1, 0, [Problem(Severity.WARNING, "odd", "a.yml:4", "x: 1")])
    assert report.to_dict() == {
        "nodes": 2,
        "edges": 1,
        "labelings": 0,
        "problems": [
            {"severity": "warning", "message": "odd", "source_ref": "a.yml:4", "snippet": "x: 1"}
        ],
    }


def test_bounded_ingest_commits_in_chunks_and_says_how_far(store: Store) -> None:
    done: list[int] = []
    report = ingest_bounded(
        store, _nodes(5), rows=2, seconds=3600, on_commit=done.append, seen=SEEN
    )
    assert done == [2, 4, 5]
    assert report.nodes == 5
    stored = store.get_node(ids.dataset_id(NS, "s.t5"))
    assert stored is not None
    assert stored.props["last_seen"] == SEEN


def test_bounded_ingest_resumes_where_it_stopped(store: Store) -> None:
    done: list[int] = []
    ingest_bounded(store, _nodes(5), rows=2, seconds=3600, start=3, on_commit=done.append)
    assert done == [5]
    assert store.get_node(ids.dataset_id(NS, "s.t3")) is None


def test_slow_chunks_keep_the_floor_of_rows(store: Store) -> None:
    done: list[int] = []
    ingest_bounded(store, _nodes(10), rows=4, seconds=0, on_commit=done.append, seen=SEEN)
    assert done == [4, 8, 10]  # every chunk is "slow": halving stops at min(500, rows)


def _failing_on(store: Store, monkeypatch: pytest.MonkeyPatch, call: int) -> None:
    real = store.upsert_nodes
    calls = []

    def upsert(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == call:
            raise RuntimeError("store down")
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "upsert_nodes", upsert)


def test_a_failed_chunk_says_exactly_what_was_committed(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _failing_on(store, monkeypatch, 2)
    with pytest.raises(RuntimeError) as caught:
        ingest_bounded(store, _nodes(5), rows=2, seconds=3600, seen=SEEN)
    assert caught.value.__notes__ == [
        "facts 1-2 were committed in 1 chunk(s); facts 3-4 (the chunk that failed) and the "
        "rest, up to 5, are not known to be committed"
    ]


def test_a_failed_first_chunk_of_a_resumed_attempt(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _failing_on(store, monkeypatch, 1)
    with pytest.raises(RuntimeError) as caught:
        ingest_bounded(store, _nodes(5), rows=2, seconds=3600, start=2, seen=SEEN)
    assert caught.value.__notes__ == [
        "facts 1-2 were committed by an earlier attempt; none of this attempt's chunks was "
        "committed; facts 3-4 (the chunk that failed) and the rest, up to 5, are not known "
        "to be committed"
    ]


def test_observers_get_exactly_what_was_written_and_deleted(store: Store) -> None:
    a, b = ids.dataset_id(NS, "s.a"), ids.dataset_id(NS, "s.b")
    edge = Edge(a, Rel.FLOWS_TO, b, {"kind": "transform"}, source_ref="f.sql:1")
    found = Labeling(a, Label("PII", "EMAIL_ADDRESS"), "presidio", 0.97, 97, 100)
    changes: list[Change] = []
    stores: list[Store] = []
    pipeline.on_change(lambda got, change: (stores.append(got), changes.append(change)))
    observer = pipeline._OBSERVERS[-1]
    try:
        report = ingest(store, [edge, found], seen=SEEN)
        assert (report.nodes, report.edges, report.labelings) == (0, 1, 1)
        assert changes[-1] == Change(frozenset({a, b}), (edge,), (found,))
        assert delete(store, edges=[(a, "FLOWS_TO", b, "")]) == 1
        assert changes[-1] == Change(
            frozenset({b}), (), (), frozenset(), ((a, Rel.FLOWS_TO, b, ""),)
        )
        assert stores == [store, store]
    finally:
        pipeline._OBSERVERS.remove(observer)


def test_nothing_to_delete_is_zero(store: Store) -> None:
    assert delete(store) == 0


class _Clock:
    """``time.monotonic`` for ingest_bounded: each chunk takes the next scripted duration."""

    def __init__(self, durations: list[float]) -> None:
        self.durations, self.now, self.started = list(durations), 0.0, False

    def monotonic(self) -> float:
        if self.started:
            self.now += self.durations.pop(0)
        self.started = not self.started
        return self.now


def test_chunks_halve_when_slow_down_to_the_floor_and_grow_back_when_quick(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chunks: list[int] = []
    whole: list[bool] = []

    def ingest(_store: Store, facts: list, *, batch_size: int, **_kw: object) -> None:
        chunks.append(len(facts))
        whole.append(batch_size >= len(facts))  # one transaction per chunk

    monkeypatch.setattr(pipeline, "ingest", ingest)
    # slow (> 10 s) five times, then between 2.5 and 10 s (kept), then quick (< 2.5 s)
    monkeypatch.setattr(pipeline, "time", _Clock([20, 20, 20, 20, 20, 5, 1, 1, 1, 1]))
    done: list[int] = []
    ingest_bounded(None, list(range(17875)), rows=5000, seconds=10, on_commit=done.append)  # type: ignore[arg-type]
    assert chunks == [5000, 2500, 1250, 625, 500, 500, 500, 1000, 2000, 4000]
    assert done[-1] == 17875
    assert all(whole)


def test_a_node_or_edge_seen_twice_in_a_batch_keeps_its_first_source_and_latest_time() -> None:
    uid, other = ids.dataset_id(NS, "s.a"), ids.dataset_id(NS, "s.b")
    first = Node(uid, Kind.DATASET, "s.a", NS, {"owner": "x"}, "a.sql:1", "2026-01-02")
    again = Node(uid, Kind.DATASET, "s.a", NS, {"doc": "y"}, "b.sql:7", "2026-01-01")
    edge = Edge(uid, Rel.FLOWS_TO, other, {"kind": "copy"}, "", "a.sql:2", "2026-01-01")
    edge_again = Edge(uid, Rel.FLOWS_TO, other, {"via": "j"}, "", "b.sql:8", "2026-01-03")
    batch = _Batch()
    for fact in (first, again, edge, edge_again):
        batch.add(fact)
    assert batch.nodes == {
        uid: Node(uid, Kind.DATASET, "s.a", NS, {"owner": "x", "doc": "y"}, "a.sql:1", "2026-01-02")
    }
    assert list(batch.edges.values()) == [
        Edge(uid, Rel.FLOWS_TO, other, {"kind": "copy", "via": "j"}, "", "a.sql:2", "2026-01-03")
    ]
    unsourced = Node(uid, Kind.DATASET, "s.a", NS)
    batch = _Batch()
    batch.add(unsourced)
    batch.add(again)
    assert batch.nodes[uid].source_ref == "b.sql:7"


def test_an_unusable_id_is_reported_in_the_parsers_words() -> None:
    report = IngestReport()
    bad = Edge("nonsense", Rel.FLOWS_TO, ids.dataset_id(NS, "s.ok"), source_ref="a.sql:9")
    assert [len(b) for b in batches([bad], batch_size=10, report=report)] == [0]
    (problem,) = report.problems
    assert problem.severity is Severity.ERROR and problem.source_ref == "a.sql:9"
    assert problem.message == (
        "'nonsense': unknown id kind 'nonsense' (expected one of ['column', 'dataset', "
        "'endpoint', 'job', 'model', 'principal', 'source', 'vectorindex'])"
    )


def test_batches_go_on_after_a_problem_and_are_full_at_exactly_batch_size() -> None:
    report = IngestReport()
    error = Problem(Severity.ERROR, "unparseable", "b.sql:4")
    got = batches([error, *_nodes(4)], batch_size=2, report=report)  # not strict by default
    assert [sorted(b.nodes) for b in got] == [
        sorted(n.uid for n in _nodes(2)),
        sorted(n.uid for n in _nodes(4)[2:]),
        [],
    ]
    assert report.problems == [error]


def test_the_default_batch_is_5000_facts(store: Store) -> None:
    changes: list[Change] = []
    pipeline.on_change(lambda _store, change: changes.append(change))
    observer = pipeline._OBSERVERS[-1]
    try:
        ingest(store, _nodes(5001), seen=SEEN)
    finally:
        pipeline._OBSERVERS.remove(observer)
    assert [len(c.nodes) for c in changes] == [5000, 1]


def test_a_chunk_exactly_at_the_limit_or_at_a_quarter_of_it_keeps_the_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chunks: list[int] = []
    monkeypatch.setattr(pipeline, "ingest", lambda _store, facts, **_kw: chunks.append(len(facts)))
    # slow (halves), exactly the limit (kept), exactly a quarter (kept), under it (grows)
    monkeypatch.setattr(pipeline, "time", _Clock([20, 10, 2.5, 2.4, 1]))
    ingest_bounded(None, list(range(14000)), rows=4000, seconds=10)  # type: ignore[arg-type]
    assert chunks == [4000, 2000, 2000, 2000, 4000]


def test_strict_mode_stops_at_an_unusable_fact_with_the_problem(store: Store) -> None:
    bad = Edge("nonsense", Rel.FLOWS_TO, ids.dataset_id(NS, "s.ok"), source_ref="a.sql:9")
    with pytest.raises(StrictModeError) as caught:
        ingest(store, [*_nodes(2), bad, *_nodes(3)], strict=True, seen=SEEN)
    assert caught.value.problem == Problem(
        Severity.ERROR,
        "'nonsense': unknown id kind 'nonsense' (expected one of ['column', 'dataset', "
        "'endpoint', 'job', 'model', 'principal', 'source', 'vectorindex'])",
        "a.sql:9",
    )
