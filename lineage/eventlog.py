"""The durable, append-only event log: an event is on disk before it is acknowledged.

Raw events are logged before they are applied to the graph, so a server killed mid-load
loses nothing it acknowledged: on restart, what was logged but not applied is applied
(:meth:`EventLog.unapplied`), and ``lineage replay`` rebuilds the graph from the whole log.
Each event has an idempotency key (run id + event type + event time); appending a key
already logged is a no-op, so a re-sent event changes nothing.

:class:`EventLog` is the contract (a Neo4j-backed log can implement it); :class:`FileEventLog`
is the default, a folder beside the embedded store::

    events.log    a record a line: seq TAB crc32 TAB key TAB received TAB source TAB event
                  (key and source as JSON strings, event as JSON; crc32 of the event)
    applied.log   ranges of applied sequence numbers, "first-last" a line

``append`` writes a whole batch with one ``write`` and one ``fsync``. A torn last line (the
process died mid-write, before the fsync, so it was never acknowledged) is cut off when the
log is next opened. Several processes may append (``lineage serve`` and a CLI beside it):
an exclusive ``flock`` orders them, and each catches up on the others' records first.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import threading
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import orjson

from lineage.errors import StoreError
from lineage.timeutil import now_iso

__all__ = ["EventLog", "FileEventLog", "LogRecord"]


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One logged event. ``event`` is the JSON object exactly as received (re-serialised)."""

    seq: int
    key: str
    received: str
    event: Mapping[str, Any]
    source: str = ""  # where it came from (a file for the CLI; empty over HTTP)


class EventLog(Protocol):
    """What the intake needs from a durable event log."""

    location: str

    def append(
        self, entries: Sequence[tuple[str, Mapping[str, Any]]], *, source: str = ""
    ) -> list[LogRecord | None]:
        """Log ``(key, event)`` pairs durably; ``None`` for a key already logged.

        Returns only once every new record is on stable storage.
        """

    def mark_applied(self, seqs: Iterable[int]) -> None:
        """Record that these records are in the graph (need not be durable: re-applying is
        idempotent)."""

    def unapplied(self) -> Iterator[LogRecord]:
        """Records logged but not yet applied, in log order."""

    def records(self) -> Iterator[LogRecord]:
        """Every record, in log order."""

    def count(self) -> int: ...

    def close(self) -> None: ...


def _digest(key: str) -> bytes:
    return hashlib.blake2b(key.encode(), digest_size=16).digest()


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _ranges(seqs: Iterable[int]) -> list[tuple[int, int]]:
    return _merge([(s, s) for s in seqs])


def _covered(seq: int, ranges: list[tuple[int, int]]) -> bool:
    lo, hi = 0, len(ranges)
    while lo < hi:
        mid = (lo + hi) // 2
        if ranges[mid][1] < seq:
            lo = mid + 1
        else:
            hi = mid
    return lo < len(ranges) and ranges[lo][0] <= seq


class FileEventLog:
    """The event log as two append-only files in a folder (see the module docstring)."""

    def __init__(self, folder: str | Path) -> None:
        self.root = Path(folder).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.location = str(self.root)
        self._events = self.root / "events.log"
        self._applied = self.root / "applied.log"
        self._fd = os.open(self._events, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        self._applied_fd = os.open(self._applied, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        self._lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._synced = 0  # bytes of events.log known to be on stable storage
        self._keys: set[bytes] = set()
        self._seq = 0
        self._end = 0  # bytes of events.log already read
        self._count = 0
        with self._locked():
            self._repair_tail()
            self._catch_up()

    # -- locking and reading -----------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with self._lock:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _repair_tail(self) -> None:
        """Cut a torn last line (never acknowledged: the fsync had not returned)."""
        size = os.fstat(self._fd).st_size
        if not size:
            return
        with self._events.open("rb") as f:
            back = min(size, 1 << 20)
            f.seek(size - back)
            tail = f.read()
        if tail.endswith(b"\n"):
            return
        cut = tail.rfind(b"\n")
        keep = size - back + cut + 1 if cut != -1 else (0 if back == size else None)
        if keep is None:
            raise StoreError(f"{self._events}: last record longer than 1 MiB and torn")
        os.ftruncate(self._fd, keep)
        os.fsync(self._fd)

    def _parse(self, line: bytes) -> tuple[int, str, str, str, bytes] | None:
        parts = line.rstrip(b"\n").split(b"\t", 5)
        if len(parts) != 6:
            return None
        seq, crc, key, received, source, body = parts
        if zlib.crc32(body) != int(crc):
            return None
        return int(seq), json.loads(key), received.decode(), json.loads(source), body

    def _catch_up(self) -> None:
        """Read records appended since we last looked (by us or by another process)."""
        size = os.fstat(self._fd).st_size
        if size <= self._end:
            return
        with self._events.open("rb") as f:
            f.seek(self._end)
            for line in f:
                if not line.endswith(b"\n"):
                    break  # another writer's record in flight; read it next time
                self._end += len(line)
                parsed = self._parse(line)
                if parsed is None:
                    continue
                seq, key = parsed[0], parsed[1]
                self._keys.add(_digest(key))
                self._seq = max(self._seq, seq)
                self._count += 1

    def _iter(self, skip: list[tuple[int, int]] | None = None) -> Iterator[LogRecord]:
        """Records in log order; those whose seq falls in ``skip`` are not decoded."""
        with self._events.open("rb") as f:
            for line in f:
                if not line.endswith(b"\n"):
                    return
                if skip:
                    head = line[: line.find(b"\t")]
                    if head.isdigit() and _covered(int(head), skip):
                        continue
                parsed = self._parse(line)
                if parsed is not None:
                    seq, key, received, source, body = parsed
                    yield LogRecord(seq, key, received, orjson.loads(body), source)

    def _applied_ranges(self) -> list[tuple[int, int]]:
        ranges: list[tuple[int, int]] = []
        with self._applied.open("rb") as f:
            for line in f:
                lo, sep, hi = line.strip().partition(b"-")
                if sep and lo.isdigit() and hi.isdigit():
                    ranges.append((int(lo), int(hi)))
        return _merge(ranges)

    # -- the contract ------------------------------------------------------------------
    def append(
        self, entries: Sequence[tuple[str, Mapping[str, Any]]], *, source: str = ""
    ) -> list[LogRecord | None]:
        out: list[LogRecord | None] = []
        lines: list[bytes] = []
        new_keys: set[bytes] = set()
        received = now_iso()
        src = json.dumps(source)
        with self._locked():
            self._catch_up()
            seq = self._seq
            for key, event in entries:
                digest = _digest(key)
                if digest in self._keys or digest in new_keys:
                    out.append(None)
                    continue
                new_keys.add(digest)
                seq += 1
                body = orjson.dumps(event)
                head = f"{seq}\t{zlib.crc32(body)}\t{json.dumps(key)}\t{received}\t{src}\t"
                lines.append(head.encode() + body + b"\n")
                out.append(LogRecord(seq, key, received, event, source))
            if not lines:
                return out
            data = b"".join(lines)
            try:
                written = os.write(self._fd, data)
                while written < len(data):
                    written += os.write(self._fd, data[written:])
            except OSError as exc:
                # Nothing is acknowledged: cut what was written, forget the keys.
                with contextlib.suppress(OSError):
                    os.ftruncate(self._fd, self._end)
                raise StoreError(f"event log write failed: {exc.strerror}") from exc
            self._keys |= new_keys
            self._seq = seq
            self._end += len(data)
            self._count += len(lines)
            end = self._end
        self._sync(end)
        return out

    def _sync(self, end: int) -> None:
        """Group commit: one ``fsync`` covers every writer that wrote before it started, so
        concurrent single-event requests share a disk flush instead of queueing for one."""
        with self._sync_lock:
            if self._synced >= end:
                return  # another caller's fsync covered our bytes
            target = self._end
            try:
                os.fsync(self._fd)
            except OSError as exc:
                raise StoreError(f"event log fsync failed: {exc.strerror}") from exc
            self._synced = target

    def mark_applied(self, seqs: Iterable[int]) -> None:
        text = "".join(f"{lo}-{hi}\n" for lo, hi in _ranges(seqs))
        if text:
            with self._lock:
                os.write(self._applied_fd, text.encode())

    def unapplied(self) -> Iterator[LogRecord]:
        return self._iter(skip=self._applied_ranges())

    def records(self) -> Iterator[LogRecord]:
        return self._iter()

    def count(self) -> int:
        with self._locked():
            self._catch_up()
        return self._count

    def close(self) -> None:
        for fd in (self._fd, self._applied_fd):
            with contextlib.suppress(OSError):
                os.close(fd)

    def __enter__(self) -> FileEventLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
