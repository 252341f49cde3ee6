"""NUL and other unstorable input on the REST routes is a 4xx, never a 500 (issue 14,
point 1): FalkorDB refuses a NUL in any query parameter, so before these fixes a filter,
a finding id, a cursor or a dataset id holding one ended as a StoreError 500."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from lineage.api import create_app
from lineage.settings import Settings
from lineage.store import Store

TOKEN = "nul-write-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("LINEAGE_EVENT_LOG", str(tmp_path / "eventlog"))
    settings = Settings(store=str(tmp_path / "unused"), api_token=TOKEN)
    app = create_app(settings, store=store)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _cursor(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/findings?policy=a%00b",
        "/api/v1/findings?subject=dataset:pg:a%00b",
        "/api/v1/findings?severity=%00",
        "/api/v1/findings?status=open%00",
        "/api/v1/findings/abc%00def",
        "/api/v1/audit?action=a%00b",
        f"/api/v1/findings?after={_cursor([1.0, 'fp\u0000x'])}",
        "/api/v1/findings?after=not-a-cursor",
        "/api/v1/findings?status=closed",
    ],
)
def test_bad_query_and_path_values_are_400(client: TestClient, url: str) -> None:
    r = client.get(url, headers=AUTH)
    assert r.status_code == 400, (url, r.status_code, r.text[:200])
    assert r.json().get("message") or r.json().get("detail")


def test_nul_in_redact_and_access_log_bodies_is_a_4xx_or_handled(client: TestClient) -> None:
    masking = {"source": "dataset:pg:a\u0000b", "destination": "dataset:pg:c"}
    r = client.post("/api/v1/redact", json={"records": [{"email": "x"}], **masking}, headers=AUTH)
    assert r.status_code == 422 and "U+0000" in r.json()["detail"][0]["msg"], r.text[:200]
    r = client.post("/api/v1/redact", json={"text": "call 555\u0000 now"}, headers=AUTH)
    assert r.status_code == 200, r.text[:200]
    line = {"timestamp": "2024-05-01T00:00:00Z", "principal": "u\u0000", "endpoint": "e"}
    r = client.post("/api/v1/access-log", content=json.dumps(line).encode() + b"\n", headers=AUTH)
    assert r.status_code == 202, r.text[:200]
    assert r.json()["malformed"] == 1 and "U+0000" in r.json()["problems"][0]["message"]
    # The store still answers: nothing was left half-written.
    assert client.get("/api/v1/findings", headers=AUTH).status_code == 200
