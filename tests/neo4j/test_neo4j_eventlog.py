"""The OpenLineage event log kept in Neo4j (``:LineageEvent`` nodes), on a real Neo4j 5.

The same promises as the file log (tests/openlineage/test_ol_eventlog.py): idempotent keys,
gap-free order across concurrent appenders, applied marks, records surviving a reopen, the
source of each record kept; and the intake picks this log for a Neo4j store.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from lineage.intake import Intake
from lineage.store.neo4j import Neo4jStore
from lineage.store.neo4j_eventlog import Neo4jEventLog

pytestmark = pytest.mark.neo4j


def _event(run: str, kind: str = "COMPLETE") -> dict[str, Any]:
    return {"eventType": kind, "run": {"runId": run}, "job": {"name": "étape", "namespace": "a"}}


@pytest.fixture
def neo4j_log(neo4j_store: Neo4jStore) -> Neo4jEventLog:
    return neo4j_store.event_log()


def test_append_numbers_new_events_and_skips_known_keys(neo4j_log: Neo4jEventLog) -> None:
    got = neo4j_log.append([("a", _event("1")), ("b", _event("2")), ("a", _event("1"))])
    assert [r.seq if r else None for r in got] == [1, 2, None]
    assert neo4j_log.append([("b", _event("2")), ("c", _event("3"))])[0] is None
    assert neo4j_log.count() == 3
    assert [r.event for r in neo4j_log.records()] == [_event("1"), _event("2"), _event("3")]


def test_events_are_not_assets(neo4j_store: Neo4jStore, neo4j_log: Neo4jEventLog) -> None:
    neo4j_log.append([("a", _event("1"))])
    assert neo4j_store.counts() == {}  # exports, counts and queries never see the log


def test_the_source_of_each_record_is_kept(neo4j_log: Neo4jEventLog) -> None:
    (record,) = neo4j_log.append([("a", _event("1"))], source="runs/étape.ndjson")
    assert record is not None and record.source == "runs/étape.ndjson"
    neo4j_log.append([("b", _event("2"))])  # over HTTP: no source
    assert [(r.key, r.source) for r in neo4j_log.records()] == [
        ("a", "runs/étape.ndjson"),
        ("b", ""),
    ]


def test_applied_marks_and_unapplied_in_order(neo4j_log: Neo4jEventLog) -> None:
    neo4j_log.append([(f"k{i:02d}", _event(str(i))) for i in range(10)])
    neo4j_log.mark_applied([1, 2, 3, 5])
    assert [r.seq for r in neo4j_log.unapplied()] == [4, 6, 7, 8, 9, 10]
    neo4j_log.mark_applied(range(4, 11))
    assert list(neo4j_log.unapplied()) == []


def test_paging_crosses_page_boundaries(neo4j_log: Neo4jEventLog) -> None:
    neo4j_log.append([(f"k{i:04d}", _event(str(i))) for i in range(2500)])
    assert [r.seq for r in neo4j_log.records()] == list(range(1, 2501))
    neo4j_log.mark_applied(range(1, 1200))
    assert [r.seq for r in neo4j_log.unapplied()] == list(range(1200, 2501))


def test_a_second_store_on_the_same_graph_sees_the_log(
    neo4j_store: Neo4jStore, neo4j_log: Neo4jEventLog
) -> None:
    neo4j_log.append([("a", _event("1"))])
    other = Neo4jStore(neo4j_store.location)  # another replica: keys and order are shared
    try:
        assert other.event_log().append([("a", _event("1")), ("b", _event("2"))])[0] is None
        assert [r.seq for r in neo4j_log.records()] == [1, 2]
    finally:
        other.close()


def test_concurrent_appenders_get_gap_free_sequence_numbers(neo4j_log: Neo4jEventLog) -> None:
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


def test_the_intake_keeps_its_log_in_neo4j_and_applies_through_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, neo4j_store: Neo4jStore
) -> None:
    monkeypatch.delenv("LINEAGE_EVENT_LOG", raising=False)
    monkeypatch.chdir(tmp_path)
    intake = Intake.open(neo4j_store)
    assert isinstance(intake.log, Neo4jEventLog)
    event = {
        "eventType": "COMPLETE",
        "eventTime": "2026-01-01T00:00:00Z",
        "producer": "https://example.com/tests",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": "0190a9f2-7d7c-7c3e-9c1e-3c1f2c4d5e6f"},
        "job": {"namespace": "airflow", "name": "etl.load"},
        "inputs": [{"namespace": "postgres://db:5432", "name": "app.users"}],
        "outputs": [{"namespace": "postgres://db:5432", "name": "app.users_copy"}],
    }
    result = intake.submit(Intake.read(json.dumps(event)), source_ref="events.ndjson")
    assert (result.accepted, result.duplicates, result.rejected) == (1, 0, [])
    assert [r.source for r in intake.log.records()] == ["events.ndjson"]
    assert list(intake.log.unapplied()) == []
    assert neo4j_store.get_node("job:airflow:etl.load") is not None
    assert list(tmp_path.iterdir()) == []  # nothing written to local disk
