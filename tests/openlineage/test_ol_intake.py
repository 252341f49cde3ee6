"""The intake service: concurrent callers applied together, and a store failure after the
log write loses nothing (the event is acknowledged, then applied on recovery)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from ol_events import as_json, run_events

from ingest.openlineage import read_events
from lineage.intake import Intake
from lineage.model import Rel
from lineage.store import Store, open_store

pytestmark = pytest.mark.all_stores  # embedded and Neo4j


def test_concurrent_submits_all_land_once(store: Store) -> None:
    intake = Intake.open(store)  # the store's own log on Neo4j, a file log beside it otherwise
    events = [as_json(e) for e in run_events(40, 2, seed=21)]
    chunks = [events[i::4] for i in range(4)]
    results = []
    try:

        def send(chunk: list[dict]) -> None:
            for event in chunk:
                results.append(intake.submit(read_events(json.dumps(event))))

        threads = [threading.Thread(target=send, args=(c,)) for c in chunks]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert all(r.applied and r.accepted == 1 for r in results)
        assert intake.log.count() == len(events)
        for event in events:
            job = f"job:spark:{event['job']['name']}"
            assert store.neighbours(job, direction="out", rels=[Rel.WRITES])
        assert list(intake.log.unapplied()) == []
    finally:
        intake.close()


def test_a_store_failure_after_logging_is_repaired_by_recovery(tmp_path: Path) -> None:
    events = [as_json(e) for e in run_events(2, 1, seed=8)]
    store = open_store(tmp_path / "store")
    intake = Intake.open(store, tmp_path / "eventlog")
    store.close()  # the store goes away between the log write and the apply
    result = intake.submit(read_events(json.dumps(events)))
    assert result.accepted == len(events) and not result.applied  # logged: acknowledged
    assert len(list(intake.log.unapplied())) == len(events)
    intake.close()

    store = open_store(tmp_path / "store")
    try:
        recovered = Intake.open(store, tmp_path / "eventlog")
        assert recovered.recover() == len(events)
        for event in events:
            job = f"job:spark:{event['job']['name']}"
            assert store.neighbours(job, direction="out", rels=[Rel.WRITES])
        assert list(recovered.log.unapplied()) == []
        recovered.close()
    finally:
        store.close()


def test_replay_reports_every_record_it_skips(tmp_path: Path) -> None:
    """A damaged record is not silently dropped by ``replay``: it is named with its offset."""
    events = [as_json(e) for e in run_events(3, 1, seed=4)]
    store = open_store(tmp_path / "store")
    try:
        intake = Intake.open(store, tmp_path / "eventlog")
        intake.submit(read_events(json.dumps(events)))
        intake.close()
        path = tmp_path / "eventlog" / "events.log"
        lines = path.read_bytes().split(b"\n")
        offset = len(lines[0]) + 1
        lines[1] = lines[1][:40] + b"X" + lines[1][41:]  # one flipped byte in record 2
        path.write_bytes(b"\n".join(lines))
        intake = Intake.open(store, tmp_path / "eventlog")
        report = intake.replay()
        intake.close()
        skipped = [p for p in report.problems if "skipped" in p.message]
        assert len(skipped) == 1
        assert f"at offset {offset}" in skipped[0].message
    finally:
        store.close()
