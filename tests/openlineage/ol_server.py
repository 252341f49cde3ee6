"""Run a real ``lineage serve`` in a subprocess on loopback, for end-to-end tests and bench."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

_CLI = "from lineage.cli import main; main()"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A ``lineage serve`` process we started (and therefore may stop or kill)."""

    store: Path
    token: str
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> Server:
        self.port = self.port or free_port()
        env = {
            **os.environ,
            "LINEAGE_STORE": str(self.store),
            "LINEAGE_API_TOKEN": self.token,
        }
        log = (self.store.parent / f"serve-{self.port}.log").open("ab")
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
