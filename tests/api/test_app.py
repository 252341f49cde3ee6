"""The application shell: liveness, readiness, and error mapping in one place."""

from __future__ import annotations

import contextlib
from pathlib import Path

import redis
from fastapi.testclient import TestClient

from lineage.api import create_app
from lineage.settings import Settings
from lineage.store import Store


def test_health_and_readiness(store: Store) -> None:
    app = create_app(Settings(store=store.location), store=store)
    with TestClient(app) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/readyz").json() == {
            "status": "ready",
            "dead_letters": {"count": 0, "last_reason": None, "last_at": None},
        }


def test_readiness_fails_when_the_store_does_not_answer(store: Store) -> None:
    """A server that went away is restarted (ready again); one that cannot be restarted (its
    append-only file damaged) makes /readyz and /healthz answer 503 with the reason."""
    app = create_app(Settings(store=store.location), store=store)
    with TestClient(app) as client:
        with contextlib.suppress(redis.ConnectionError):  # the server hangs up as it goes
            store._server.client.execute_command("SHUTDOWN", "NOSAVE")  # type: ignore[attr-defined]
        assert client.get("/readyz").status_code == 200  # healed
        with contextlib.suppress(redis.ConnectionError):
            store._server.client.execute_command("SHUTDOWN", "NOSAVE")  # type: ignore[attr-defined]
        for aof in Path(store.location, "data").rglob("*.incr.aof"):
            aof.write_bytes(b"*3\r\n$3\r\nSET\r\ngarbage" + aof.read_bytes())
        resp = client.get("/readyz")
        health = client.get("/healthz")
    assert health.status_code == 503 and "FalkorDB exited" in health.json()["store"]
    assert resp.status_code == 503 and resp.json()["status"] == "unavailable"
