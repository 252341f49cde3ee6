"""Auth before body, size limits while streaming, and no tokens in URLs, against a real
``lineage serve`` spoken to over raw sockets (so we decide what is sent, and when)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from gql_server import Serve

from lineage.store import open_store

READ, WRITE = "read-token-guard", "write-token-guard"
LIMIT = 64 * 1024
POSTS = ["/api/v1/redact", "/api/v1/unredact", "/graphql", "/api/v1/lineage"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serve]:
    root = tmp_path_factory.mktemp("guard")
    open_store(root / "store").close()
    env = {
        "LINEAGE_API_TOKEN": WRITE,
        "LINEAGE_READ_TOKEN": READ,
        "LINEAGE_MAX_REQUEST_BYTES": str(LIMIT),
        "LINEAGE_POLICIES": "off",
    }
    serve = Serve(root / "store", env)
    serve.start()
    try:
        yield serve
    finally:
        serve.stop()


def _exchange(server: Serve, head: str, body_parts: list[bytes] = (), wait: float = 5.0) -> bytes:
    """Send a request head (and maybe some body), then read what the server answers
    within ``wait`` seconds without sending the rest of the body."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=wait) as sock:
        sock.sendall(head.encode())
        for part in body_parts:
            try:
                sock.sendall(part)
            except OSError:  # the server answered and hung up: that is the point
                break
        received = b""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and not _complete(received):
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            except OSError:
                break
            if not chunk:
                break
            received += chunk
        return received


def _complete(raw: bytes) -> bool:
    head, sep, body = raw.partition(b"\r\n\r\n")
    for line in head.lower().split(b"\r\n"):
        if line.startswith(b"content-length:"):
            return bool(sep) and len(body) >= int(line.split(b":")[1])
    return False


def _status(raw: bytes) -> int | None:
    if not raw.startswith(b"HTTP/1.1 "):
        return None
    return int(raw[9:12])


def _head(path: str, length: int, token: str | None = None, chunked: bool = False) -> str:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    lines.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {length}")
    return "\r\n".join(lines) + "\r\n\r\n"


@pytest.mark.parametrize("path", POSTS)
def test_unauthenticated_is_refused_before_the_body_is_sent(server: Serve, path: str) -> None:
    """512 MiB announced, nothing sent: the 401 must come from the headers alone."""
    raw = _exchange(server, _head(path, 512 * 1024 * 1024))
    assert _status(raw) == 401, raw[:200]
    assert b"www-authenticate: Bearer" in raw.lower().replace(b"bearer", b"Bearer")


def test_read_token_cannot_start_a_write_upload(server: Serve) -> None:
    raw = _exchange(server, _head("/api/v1/redact", 512 * 1024 * 1024, token=READ))
    assert _status(raw) == 401


@pytest.mark.parametrize("path", POSTS)
def test_declared_length_over_the_limit_is_413_before_reading(server: Serve, path: str) -> None:
    raw = _exchange(server, _head(path, LIMIT + 1, token=WRITE))
    assert _status(raw) == 413, raw[:200]
    assert str(LIMIT).encode() in raw


@pytest.mark.parametrize("path", POSTS)
def test_streamed_body_over_the_limit_is_413_while_it_streams(server: Serve, path: str) -> None:
    """Chunked: no length announced. The server counts and answers 413 once the limit is
    passed, without waiting for the end of the body (which never comes here)."""
    chunk = b"x" * 16384
    parts = [b"%x\r\n%s\r\n" % (len(chunk), chunk)] * (LIMIT // len(chunk) + 2)
    raw = _exchange(server, _head(path, 0, token=WRITE, chunked=True), parts)
    assert _status(raw) == 413, raw[:200]


def test_bodies_under_the_limit_still_work(server: Serve) -> None:
    auth = {"Authorization": f"Bearer {WRITE}"}
    r = httpx.post(f"{server.url}/api/v1/redact", json={"text": "call 212-555-0100"}, headers=auth)
    assert r.status_code == 200, r.text
    r = server.gql("{ __typename }", token=READ)
    assert r.json() == {"data": {"__typename": "Query"}}


def test_health_stays_open(server: Serve) -> None:
    assert httpx.get(f"{server.url}/healthz").status_code == 200
    assert httpx.get(f"{server.url}/readyz").status_code == 200


@pytest.mark.parametrize("name", ["access_token", "token", "api_key"])
def test_tokens_in_the_query_string_are_refused_and_never_logged(server: Serve, name: str) -> None:
    secret = f"{WRITE}"
    r = httpx.post(
        f"{server.url}/api/v1/policies/check?{name}={secret}&x=1",
        headers={"Authorization": f"Bearer {WRITE}"},
    )
    assert r.status_code == 400
    assert "query string" in r.json()["detail"]
    r = httpx.get(f"{server.url}/api/v1/policies?{name}={READ}")
    assert r.status_code == 400
    time.sleep(0.2)  # the access log line is written after the response
    log = (Path(server.store).parent / f"serve-{server.port}.log").read_text()
    assert f"/api/v1/policies/check?{name}=***&x=1" in log
    assert WRITE not in log and READ not in log
