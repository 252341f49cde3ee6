"""A store that fails is healed, or says so (issue 14, point 5), against a real ``lineage
serve``: its FalkorDB server is killed with SIGKILL underneath it."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from ol_events import as_json, run_events
from ol_server import Server

from lineage.model import Rel
from lineage.store import open_store

TOKEN = "heal-write-token"
_AUTH = {"Authorization": f"Bearer {TOKEN}"}
_JOB = "{ search(text: $t) { edges { node { uid } } } }"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    s = Server(tmp_path / "store", TOKEN)
    try:
        yield s.start()
    finally:
        s.stop()
        s.stop_store_server()


def _kill_store_server(store: Path) -> int:
    pid = int((store / "falkordb.pid").read_text())
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        if "zombie" in Path(f"/proc/{pid}/status").read_text().lower():
            break
        time.sleep(0.02)
    return pid


def _post(server: Server, event: dict) -> tuple[httpx.Response, float]:
    start = time.monotonic()
    r = httpx.post(f"{server.url}/api/v1/lineage", json=event, headers=_AUTH, timeout=60)
    return r, time.monotonic() - start


def _search(server: Server, text: str) -> httpx.Response:
    query = "query($t: String!) " + _JOB
    return server.gql(query, {"t": text})


def test_a_killed_store_server_is_restarted_and_nothing_is_lost(server: Server) -> None:
    events = [as_json(e) for e in run_events(3, 1, seed=31)]
    assert _post(server, events[0])[0].status_code == 201
    old = _kill_store_server(server.store)

    r, took = _post(server, events[1])  # healed on the way: restarted from its files
    assert r.status_code == 201
    assert took < 3.0, f"a write after the kill took {took:.1f} s"
    assert int((server.store / "falkordb.pid").read_text()) != old
    assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
    assert httpx.get(f"{server.url}/readyz", timeout=10).status_code == 200

    _kill_store_server(server.store)
    found = _search(server, events[0]["job"]["name"])  # a read heals too
    assert found.status_code == 200 and "errors" not in found.json(), found.text
    assert found.json()["data"]["search"]["edges"]
    assert _post(server, events[2])[0].status_code == 201

    server.stop()
    store = open_store(server.store)
    try:
        for event in events[:3]:  # written before and after both kills
            job = f"job:spark:{event['job']['name']}"
            assert store.neighbours(job, direction="out", rels=[Rel.WRITES]), job
    finally:
        store.close()


def test_a_store_that_cannot_be_restarted_refuses_writes_and_says_so(server: Server) -> None:
    """The append-only file is damaged, so the server cannot start again: writes get 503 at
    once (never a 201 for an event that cannot be committed), health checks say why."""
    events = [as_json(e) for e in run_events(2, 1, seed=32)]
    assert _post(server, events[0])[0].status_code == 201
    _kill_store_server(server.store)
    for aof in (server.store / "data").rglob("*.incr.aof"):
        aof.write_bytes(b"*3\r\n$3\r\nSET\r\ngarbage" + aof.read_bytes())

    r, took = _post(server, events[1])
    assert r.status_code == 503, r.text
    assert r.headers.get("retry-after") == "1"
    assert "writes refused" in r.json()["message"]
    assert "FalkorDB exited" in r.json()["message"]
    for _ in range(3):  # every later write is refused fast, not after seconds of retries
        r, took = _post(server, events[1])
        assert r.status_code == 503 and took < 1.5
    batch = httpx.post(f"{server.url}/api/v1/lineage/batch", json=events, headers=_AUTH, timeout=30)
    assert batch.status_code == 503
    health = httpx.get(f"{server.url}/healthz", timeout=10)
    assert health.status_code == 503 and "FalkorDB exited" in health.json()["store"]
    assert httpx.get(f"{server.url}/readyz", timeout=10).status_code == 503
    # Nothing refused was logged as acknowledged.
    log = (server.store / "eventlog" / "events.log").read_bytes()
    assert log.count(b"\n") == 1  # only the event accepted before the damage
