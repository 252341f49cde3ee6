"""Recovery never wedges: an event that cannot be applied is dead-lettered with its reason,
and everything logged around it is applied (issue 14, point 1).

The poison records are written straight into the event log, as a version without the
intake's checks did: the store really refuses them (FalkorDB cannot take a NUL parameter).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx
from ol_events import as_json, run_events
from ol_server import Server

from ingest.openlineage import idempotency_key
from lineage.eventlog import FileEventLog
from lineage.intake import Intake
from lineage.store import Store, open_store

TOKEN = "dead-letter-token"


def _poison(event: dict[str, Any]) -> dict[str, Any]:
    bad = copy.deepcopy(event)
    bad["job"]["name"] = "nul\u0000job"
    return bad


def _nul_description(event: dict[str, Any]) -> dict[str, Any]:
    """A NUL in a property (not in an id): the store itself refuses the write."""
    bad = copy.deepcopy(event)
    bad["outputs"][0].setdefault("facets", {})["documentation"] = {
        "_producer": "https://example.com/p",
        "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/DocumentationDatasetFacet.json",
        "description": "orders\u0000table",
    }
    return bad


def _job(event: dict[str, Any]) -> str:
    return f"job:spark:{event['job']['name']}"


def _dead(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_record_the_store_refuses_is_dead_lettered_and_the_rest_applied(
    store: Store, tmp_path: Path
) -> None:
    good = [as_json(e) for e in run_events(4, 1, seed=31)]
    poison = _nul_description(good[0] | {"eventTime": "2024-06-01T00:00:00Z"})
    entries = [good[1], poison, good[2], good[3]]
    log = FileEventLog(tmp_path / "eventlog")
    intake = Intake(store, log)
    try:
        records = [r for r in log.append([(idempotency_key(e), e) for e in entries]) if r]
        report = intake.apply(records)  # the live path: no re-check, the store refuses it
        for event in (good[1], good[2], good[3]):
            assert store.get_node(_job(event)) is not None, _job(event)
        dead = _dead(tmp_path / "eventlog" / "deadletter.jsonl")
        assert [d["seq"] for d in dead] == [records[1].seq]
        assert "parameter" in dead[0]["reason"], dead[0]["reason"]
        assert dead[0]["key"] == records[1].key
        assert any("dead-lettered" in str(p) for p in report.problems)
        assert list(log.unapplied()) == []  # nothing left for recovery to trip on
        assert (tmp_path / "eventlog" / "deadletter.jsonl").stat().st_mode & 0o777 == 0o600
        # Applying the same records again adds no second dead letter.
        intake.apply(records)
        assert len(_dead(tmp_path / "eventlog" / "deadletter.jsonl")) == 1
    finally:
        intake.close()


def test_serve_starts_over_a_poisoned_log_and_readyz_reports_it(tmp_path: Path) -> None:
    """Before: recovery replayed the poison at every start and ``serve`` never came up."""
    store = tmp_path / "store"
    events = [as_json(e) for e in run_events(3, 1, seed=41)]
    # Distinct jobs: only recovery can have put them in the graph.
    for i, event in enumerate(events):
        event["job"]["name"] = f"recovered_only_{i}"
    poison = _poison(events[0] | {"eventTime": "2024-06-02T00:00:00Z"})
    long_id = copy.deepcopy(events[1]) | {"eventTime": "2024-06-03T00:00:00Z"}
    long_id["outputs"][0]["name"] = "t" * 4099  # crashed FalkorDB's unique-constraint check
    logged = [events[0], poison, events[1], long_id, *events[2:]]
    with FileEventLog(store / "eventlog") as log:
        log.append([(idempotency_key(e), e) for e in logged])

    server = Server(store, TOKEN)
    try:
        server.start()
        ready = httpx.get(f"{server.url}/readyz", timeout=10).json()
        assert ready["status"] == "ready"
        assert ready["dead_letters"]["count"] == 2
        assert "outputs[0].name" in ready["dead_letters"]["last_reason"]
        server.stop()
        guest = open_store(store)
        try:
            for event in events:
                assert guest.get_node(_job(event)) is not None, _job(event)
        finally:
            guest.close()
        dead = _dead(store / "eventlog" / "deadletter.jsonl")
        assert [d["event"]["job"]["name"] for d in dead] == ["nul\0job", "recovered_only_1"]
        assert all(d["reason"] for d in dead)
    finally:
        server.stop()
        server.stop_store_server()
