"""The durable, append-only event log: an event is on disk before it is acknowledged.

Raw events are logged before they are applied to the graph, so a server killed mid-load
loses nothing it acknowledged: on restart, what was logged but not applied is applied
(:meth:`EventLog.unapplied`), and ``lineage replay`` rebuilds the graph from the whole log.
Each event has an idempotency key (run id + event type + event time); appending a key
already logged is a no-op, so a re-sent event changes nothing.

:class:`EventLog` is the contract (a Neo4j-backed log can implement it); :class:`FileEventLog`
is the default, a folder beside the embedded store::

    events.log    a record a line: RS seq TAB len TAB crc32 TAB key TAB received TAB source
                  TAB event LF (RS is the byte 0x1e, as in RFC 7464 JSON text sequences; key
                  and source are JSON strings, event is JSON, len its byte length; the crc32
                  covers every field but itself)
    applied.log   ranges of applied sequence numbers, "first-last" a line
    progress.log  how far a huge event's bounded chunks got, "seq done total" a line (the
                  last line for a seq wins): a re-apply after a crash resumes there

Why this shape: JSON never contains a raw RS or LF byte, so a record is self-delimiting and a
reader can resynchronise on the next RS after damage; the length and the CRC over the whole
record (not only the event) reject a torn or spliced record instead of misreading it.
Records written before this format (no RS, the CRC over the event only) are still read.

Several processes may append (``lineage serve`` and a CLI beside it). Every write happens
under an exclusive ``flock``, so whoever holds the lock and finds the file ending without a
LF is looking at the torn tail of a writer that died mid-write (before its fsync returned:
never acknowledged). It is cut off, with a warning, before anything is appended after it, so
the next acknowledged record can never be glued to it. A damaged record in the middle of the
log (a corrupted disk block, or a torn record left by an older version) is skipped with a
warning and the readable record that follows it on the same line is recovered;
:attr:`FileEventLog.skipped` lists every record a pass skipped, for ``lineage replay`` to
report. ``append`` writes a whole batch with one ``write`` and one ``fsync``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import threading
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import orjson

from lineage.errors import StoreError
from lineage.timeutil import now_iso

__all__ = ["EventLog", "FileEventLog", "LogRecord", "Skipped"]

log = logging.getLogger(__name__)

_RS = b"\x1e"
# Where a record of the first format may start inside a damaged line: digits, TAB, digits,
# TAB, a JSON string (the key).
_V1_START = re.compile(rb"(?<![0-9])[0-9]+\t[0-9]+\t\"")
_RESYNC_TRIES = 64  # bounded work on a pathological line


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One logged event. ``event`` is the JSON object exactly as received (re-serialised)."""

    seq: int
    key: str
    received: str
    event: Mapping[str, Any]
    source: str = ""  # where it came from (a file for the CLI; empty over HTTP)


@dataclass(frozen=True, slots=True)
class Skipped:
    """Bytes of the log that held no readable record: where, how many, and why."""

    offset: int
    length: int
    reason: str

    def __str__(self) -> str:
        return f"event log: skipped {self.length} bytes at offset {self.offset}: {self.reason}"


type _Parsed = tuple[int, str, str, str, bytes]


def _encode(seq: int, key: str, received: str, src: str, body: bytes) -> bytes:
    head = f"{seq}\t{len(body)}".encode()
    meta = f"{json.dumps(key)}\t{received}\t{src}\t".encode()
    crc = zlib.crc32(body, zlib.crc32(meta, zlib.crc32(head + b"\t")))
    return _RS + head + f"\t{crc}\t".encode() + meta + body + b"\n"


def _parse_v2(rec: bytes) -> _Parsed | None:
    """A record of the current format, without its RS and LF."""
    parts = rec.split(b"\t", 6)
    if len(parts) != 7:
        return None
    seq, length, crc, key, received, source, body = parts
    if not (seq.isdigit() and length.isdigit() and crc.isdigit()) or int(length) != len(body):
        return None
    meta_at = len(seq) + len(length) + len(crc) + 3
    if zlib.crc32(rec[meta_at:], zlib.crc32(seq + b"\t" + length + b"\t")) != int(crc):
        return None
    return _fields(seq, key, received, source, body)


def _parse_v1(rec: bytes) -> _Parsed | None:
    """A record of the first format: seq, crc32 of the event, key, received, source, event."""
    parts = rec.split(b"\t", 5)
    if len(parts) != 6:
        return None
    seq, crc, key, received, source, body = parts
    if not (seq.isdigit() and crc.isdigit()) or zlib.crc32(body) != int(crc):
        return None
    return _fields(seq, key, received, source, body)


def _fields(seq: bytes, key: bytes, received: bytes, source: bytes, body: bytes) -> _Parsed | None:
    try:
        k, src = json.loads(key), json.loads(source)
        if not isinstance(k, str) or not isinstance(src, str):
            return None
        return int(seq), k, received.decode(), src, body
    except ValueError:  # JSON or UTF-8 damage the CRC missed
        return None


def _parse_at(line: bytes, at: int) -> _Parsed | None:
    if line.startswith(_RS, at):
        return _parse_v2(line[at + 1 :])
    return _parse_v1(line[at:])


def _parse_line(line: bytes) -> tuple[_Parsed | None, int]:
    """The record a line (without its LF) holds, and how many bytes before it were damage.

    A line that does not parse as a whole may be a torn record with a good one spliced
    after it: the good one is found at a later record start and kept.
    """
    parsed = _parse_at(line, 0)
    if parsed is not None:
        return parsed, 0
    starts = [m.start() for m in re.finditer(re.escape(_RS), line) if m.start() > 0]
    starts += [m.start() for m in _V1_START.finditer(line, 1)]
    for at in sorted(starts)[:_RESYNC_TRIES]:
        parsed = _parse_at(line, at)
        if parsed is not None:
            return parsed, at
    return None, len(line)


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

    def mark_progress(self, seq: int, done: int, total: int) -> None:
        """Record that the first ``done`` of the ``total`` facts of record ``seq`` are
        committed (a huge event is applied in chunks; need not be durable either)."""

    def progress(self, seq: int) -> tuple[int, int] | None:
        """``(done, total)`` last recorded for ``seq`` by :meth:`mark_progress`, or None."""

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


def _why(parsed: _Parsed | None) -> str:
    if parsed is None:
        return "unreadable record (bad length, checksum or fields)"
    return f"damaged bytes before record {parsed[0]} (a torn record; the one after it is kept)"


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
        self._progress = self.root / "progress.log"
        self._lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._synced = 0  # bytes of events.log known to be on stable storage
        self._keys: set[bytes] = set()
        self._seq = 0
        self._end = 0  # bytes of events.log already read
        self._count = 0
        self.skipped: list[Skipped] = []  # what the last records()/unapplied() pass skipped
        with self._locked():
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

    def _catch_up(self) -> None:
        """Read records appended since we last looked (by us or by another process).

        Called with the lock held: a tail without its LF is then a dead writer's torn record
        (every writer writes under the lock), and is cut off before anyone appends after it.
        """
        size = os.fstat(self._fd).st_size
        if size <= self._end:
            return
        with self._events.open("rb") as f:
            f.seek(self._end)
            for line in f:
                if not line.endswith(b"\n"):
                    break
                parsed, damaged = _parse_line(line[:-1])
                if damaged:
                    log.warning("%s", Skipped(self._end, damaged, _why(parsed)))
                self._end += len(line)
                if parsed is None:
                    # a whole record lost on disk still held a sequence number, maybe already
                    # marked applied: never hand it out again (a gap is harmless)
                    self._seq += 1
                    continue
                seq, key = parsed[0], parsed[1]
                self._keys.add(_digest(key))
                self._seq = max(self._seq, seq)
                self._count += 1
        if size > self._end:
            log.warning(
                "%s: cutting a torn last record of %d bytes (a writer died mid-write; it was "
                "never acknowledged)",
                self._events,
                size - self._end,
            )
            os.ftruncate(self._fd, self._end)
            os.fsync(self._fd)

    def _iter(self, skip: list[tuple[int, int]] | None = None) -> Iterator[LogRecord]:
        """Records in log order; those whose seq falls in ``skip`` are not decoded.

        Damaged bytes met on the way are listed in :attr:`skipped` (reset at each pass).
        """
        self.skipped = []
        offset = 0
        with self._events.open("rb") as f:
            for line in f:
                at, offset = offset, offset + len(line)
                if not line.endswith(b"\n"):
                    # A record in flight, or a dead writer's torn tail the next append cuts.
                    self.skipped.append(Skipped(at, len(line), "incomplete last record"))
                    return
                if skip:
                    head = line[line.startswith(_RS) : line.find(b"\t")]
                    if head.isdigit() and _covered(int(head), skip):
                        continue
                parsed, damaged = _parse_line(line[:-1])
                if damaged:
                    self.skipped.append(Skipped(at, damaged, _why(parsed)))
                if parsed is None:
                    continue
                seq, key, received, source, body = parsed
                if skip and _covered(seq, skip):
                    continue
                yield LogRecord(seq, key, received, orjson.loads(body), source)

    def _applied_ranges(self) -> list[tuple[int, int]]:
        ranges: list[tuple[int, int]] = []
        with self._applied.open("rb") as f:
            for line in f:
                lo, sep, hi = line.strip().partition(b"-")
                if sep and lo.isdigit() and hi.isdigit() and int(lo) <= int(hi):
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
                lines.append(_encode(seq, key, received, src, orjson.dumps(event)))
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
        text = "".join(f"{lo}-{hi}\n" for lo, hi in _ranges(seqs)).encode()
        if not text:
            return
        with self._lock:
            fcntl.flock(self._applied_fd, fcntl.LOCK_EX)
            try:
                size = os.fstat(self._applied_fd).st_size
                if size and os.pread(self._applied_fd, 1, size - 1) != b"\n":
                    text = b"\n" + text  # a writer died mid-line: never extend its line
                os.write(self._applied_fd, text)
            finally:
                fcntl.flock(self._applied_fd, fcntl.LOCK_UN)

    def mark_progress(self, seq: int, done: int, total: int) -> None:
        line = f"{seq} {done} {total}\n".encode()
        fd = os.open(self._progress, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:  # one short O_APPEND write: whole or (torn by a crash) unreadable, never wrong
            os.write(fd, line)
        finally:
            os.close(fd)

    def progress(self, seq: int) -> tuple[int, int] | None:
        try:
            text = self._progress.read_bytes()
        except FileNotFoundError:
            return None
        found = None
        for line in text.split(b"\n"):
            parts = line.split()
            if len(parts) == 3 and all(p.isdigit() for p in parts) and int(parts[0]) == seq:
                found = (int(parts[1]), int(parts[2]))
        return found

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
