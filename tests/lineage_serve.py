"""A real ``lineage serve`` in a subprocess on loopback, for end-to-end tests and benchmarks.

We start it, so we may stop it (SIGTERM), kill it (SIGKILL, as a crash would) and clean up
the embedded store's server a killed owner leaves behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

_CLI = "from lineage.cli import main; main()"
# Settings a test must state explicitly: never inherit them from the caller's environment.
_SCRUBBED = ("LINEAGE_API_TOKEN", "LINEAGE_READ_TOKEN", "LINEAGE_GRAPHIQL")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LineageServe:
    def __init__(
        self,
        store: Path,
        env: dict[str, str] | None = None,
        port: int = 0,
        *,
        log_dir: Path | None = None,
    ) -> None:
        """``store`` is an embedded store's folder; for a Neo4j URI pass it as ``env``'s
        ``LINEAGE_STORE`` and a ``log_dir`` for the server's output."""
        self.store = store
        self.env = dict(env or {})
        self.port = port
        self.log_dir = log_dir or store.parent
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> LineageServe:
        self.port = self.port or free_port()
        env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
        env.update({"LINEAGE_STORE": str(self.store), **self.env})
        log = (self.log_dir / f"serve-{self.port}.log").open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _CLI, "serve", "--port", str(self.port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"lineage serve exited with {self.proc.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/healthz", timeout=1.0).status_code == 200:
                    return self
            time.sleep(0.05)
        raise RuntimeError("lineage serve did not come up")

    def kill(self) -> None:
        """kill -9: no shutdown hooks, no flush; the store's own server survives it."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def stop_store_server(self) -> None:
        """Stop the embedded store's redis-server left behind by a killed owner."""
        pidfile = self.store / "falkordb.pid"
        with contextlib.suppress(OSError, ValueError):
            pid = int(pidfile.read_text().strip())
            if b"redis-server" in Path(f"/proc/{pid}/cmdline").read_bytes():
                os.kill(pid, signal.SIGKILL)

    def gql(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers,
            timeout=30,
        )
