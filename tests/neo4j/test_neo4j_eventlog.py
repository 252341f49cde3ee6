"""The Neo4j-backed OpenLineage event log.

Its Cypher is portable, so the append and paging transaction functions are executed for real
on the embedded engine through the driver's transaction interface (``run`` -> ``data()`` /
``consume()``). The class itself, with its cross-replica ordering, runs against a real Neo4j
under the ``neo4j`` marker.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lineage.store.falkor import FalkorStore
from lineage.store.neo4j_eventlog import (
    MARK_APPLIED,
    PAGE_EVENTS,
    PAGE_UNAPPLIED,
    _append,
    _page,
)


class _Result:
    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self._rows = rows

    def data(self) -> list[dict[str, Any]]:
        return self._rows

    def consume(self) -> None:
        return None


class EngineTx:
    """The driver's ManagedTransaction interface, executing on the embedded FalkorDB engine."""

    def __init__(self, store: FalkorStore) -> None:
        self.store = store

    def run(self, query: str, parameters: dict[str, Any] | None = None) -> _Result:
        return _Result(self.store.execute(query, parameters or {}))


@pytest.fixture
def tx(tmp_path: Path) -> Iterator[EngineTx]:
    store = FalkorStore(tmp_path / "g")
    try:
        yield EngineTx(store)
    finally:
        store.close()


def _event(run: str, kind: str = "COMPLETE") -> dict[str, Any]:
    return {"eventType": kind, "run": {"runId": run}, "job": {"name": "étape", "namespace": "a"}}


def test_append_numbers_new_events_and_skips_known_keys(tx: EngineTx) -> None:
    first = _append(tx, [("k1", _event("r1")), ("k2", _event("r2")), ("k1", _event("r1"))], "t1")
    assert [r.seq if r else None for r in first] == [1, 2, None]
    second = _append(tx, [("k2", _event("r2")), ("k3", _event("r3"))], "t2")
    assert [r.seq if r else None for r in second] == [None, 3]
    (counter,) = tx.store.query("MATCH (m:LineageMeta {key: 'eventlog'}) RETURN m.seq AS seq")
    assert counter["seq"] == 3
    assert tx.store.counts() == {}  # events are not assets: exports and queries never see them


def test_pages_round_trip_events_in_order_and_track_applied(tx: EngineTx) -> None:
    events = [(f"k{i:03d}", _event(f"r{i}")) for i in range(5)]
    _append(tx, events, "2026-01-01T00:00:00.000Z")
    rows = _page(tx, PAGE_EVENTS, 0)
    assert [r["seq"] for r in rows] == [1, 2, 3, 4, 5]
    assert [r["key"] for r in rows] == [k for k, _ in events]
    assert json.loads(rows[0]["event"]) == events[0][1]  # unicode kept as is
    tx.run(MARK_APPLIED, {"seqs": [1, 2, 4]})
    assert [r["seq"] for r in _page(tx, PAGE_UNAPPLIED, 0)] == [3, 5]
    assert [r["seq"] for r in _page(tx, PAGE_UNAPPLIED, 3)] == [5]


# -- against a real Neo4j ---------------------------------------------------------------------
@pytest.fixture
def neo4j_log(neo4j_store):
    log = neo4j_store.event_log()
    neo4j_store.execute("MATCH (e:LineageEvent) DETACH DELETE e")
    neo4j_store.execute("MATCH (m:LineageMeta {key: 'eventlog'}) DETACH DELETE m")
    return log


@pytest.mark.neo4j
def test_neo4j_event_log_contract(neo4j_log) -> None:
    got = neo4j_log.append([("a", _event("1")), ("b", _event("2")), ("a", _event("1"))])
    assert [r.seq if r else None for r in got] == [1, 2, None]
    assert neo4j_log.append([("b", _event("2"))]) == [None]
    assert neo4j_log.count() == 2
    neo4j_log.mark_applied([1])
    assert [r.key for r in neo4j_log.unapplied()] == ["b"]
    assert [r.event for r in neo4j_log.records()] == [_event("1"), _event("2")]


@pytest.mark.neo4j
def test_neo4j_event_log_orders_concurrent_appenders(neo4j_log) -> None:
    def writer(name: str) -> None:
        for i in range(20):
            neo4j_log.append([(f"{name}-{i}", _event(f"{name}{i}")), ("shared", _event("s"))])

    threads = [threading.Thread(target=writer, args=(n,)) for n in "abcd"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    seqs = [r.seq for r in neo4j_log.records()]
    assert seqs == list(range(1, 82))  # 80 own events + one "shared": gap-free, no duplicates


def test_the_intake_keeps_its_log_in_neo4j_with_the_neo4j_store(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from neo4j_driver_double import RecordingDriver

    from lineage.intake import Intake
    from lineage.settings import Settings
    from lineage.store.neo4j import Neo4jStore
    from lineage.store.neo4j_eventlog import Neo4jEventLog

    monkeypatch.delenv("LINEAGE_EVENT_LOG", raising=False)
    monkeypatch.chdir(tmp_path)
    store = Neo4jStore("neo4j://g:7687", settings=Settings(), driver=RecordingDriver())  # type: ignore[arg-type]
    intake = Intake.open(store)
    assert isinstance(intake.log, Neo4jEventLog)
    assert list(tmp_path.iterdir()) == []  # nothing written to local disk
