"""The application shell: liveness, readiness, and error mapping in one place."""

from __future__ import annotations

import contextlib

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
    app = create_app(Settings(store=store.location), store=store)
    with TestClient(app) as client:
        with contextlib.suppress(redis.ConnectionError):  # the server hangs up as it goes
            store._server.client.execute_command("SHUTDOWN", "NOSAVE")  # type: ignore[attr-defined]
        resp = client.get("/readyz")
    assert resp.status_code == 503 and resp.json()["status"] == "unavailable"
