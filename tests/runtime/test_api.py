"""``POST /api/v1/access-log``: streamed NDJSON lands as usage; auth, gzip and limits hold."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from lineage.api import create_app
from lineage.settings import Settings
from lineage.store import Store
from queries.runtime import endpoint_usage

from . import traffic

TOKEN = "runtime-write-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("LINEAGE_EVENT_LOG", str(tmp_path / "eventlog"))
    settings = Settings(
        store=str(tmp_path / "unused"), api_token=TOKEN, max_request_bytes=4_000_000
    )
    with TestClient(create_app(settings, store=store)) as c:
        yield c


def _body(records: int = 12_000) -> tuple[bytes, int]:
    lines = list(traffic.as_jsonl(traffic.normal_traffic(days=1, callers=6)))[:records]
    return ("\n".join(lines) + "\n").encode(), len(lines)


def test_stream_lands_with_malformed_lines_reported(client: TestClient, store: Store) -> None:
    body, n = _body()
    body = body.replace(b"\n", b"\n{oops\n", 1)  # line 2 is bad
    r = client.post(
        "/api/v1/access-log",
        content=iter([body[i : i + 65536] for i in range(0, len(body), 65536)]),
        headers=AUTH,
    )
    assert r.status_code == 202, r.text
    out = r.json()
    assert (out["records"], out["malformed"], out["format"]) == (n, 1, "jsonl")
    assert out["problems"][0]["where"] == "<request>:2"
    assert sum(u.requests for u in endpoint_usage(store)) == n
    assert out["findings"] == 0  # refreshed: normal traffic
    node = store.get_node(traffic.CHAT)
    assert node is not None and node.props["runtime_requests"] > 0
    # a second post adds, not replaces; findings are not recomputed within 30 s
    again = client.post("/api/v1/access-log", content=body, headers=AUTH)
    assert again.json()["findings"] is None
    assert sum(u.requests for u in endpoint_usage(store)) == 2 * n


def test_gzip_and_explicit_format(client: TestClient, store: Store) -> None:
    nginx = (Path(__file__).parent / "fixtures" / "nginx.jsonl").read_bytes()
    r = client.post(
        "/api/v1/access-log?format=nginx",
        content=gzip.compress(nginx),
        headers={**AUTH, "Content-Encoding": "gzip"},
    )
    assert r.status_code == 202, r.text
    assert r.json()["records"] == 4
    assert store.counts()["CAN_ACCESS"] == 3  # lines 3 and 4: one anonymous caller, one route


def test_write_scope_and_size_limit(client: TestClient) -> None:
    body, _ = _body(100)
    assert client.post("/api/v1/access-log", content=body).status_code == 401
    bad = client.post("/api/v1/access-log", content=body, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    big = b"{}\n" * 1_400_000
    assert client.post("/api/v1/access-log", content=big, headers=AUTH).status_code == 413
    assert client.post("/api/v1/access-log?window=0", content=body, headers=AUTH).status_code == 422
