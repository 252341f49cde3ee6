"""Dead letters: logged events that could not be applied, kept aside with the reason.

Recovery must never wedge. An event that the store refuses (or that the intake's checks
now refuse, for a record logged by an older version) would otherwise be retried at every
write and at every start, blocking everything behind it. Such a record is appended here and
marked applied in the event log, and the rest goes on. ``/readyz`` reports how many there
are and the last reason.

The file is JSON lines, one dead letter a line, created 0600 (it holds raw events, like
``events.log``)::

    {"dead_at": "...", "seq": 12, "key": "...", "received": "...", "source": "...",
     "reason": "...", "event": {...}}

An event already dead-lettered (same idempotency key) is not written twice, so a replay
that meets it again adds nothing.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import orjson

from lineage.eventlog import LogRecord
from lineage.timeutil import now_iso

__all__ = ["DeadLetters"]

_MAX_REASON = 2000


class DeadLetters:
    """The dead-letter file of one event log."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._keys: set[str] = set()
        self._last: dict[str, Any] | None = None
        if self.path.exists():
            with self.path.open("rb") as f:
                for line in f:
                    try:
                        entry = orjson.loads(line)
                    except orjson.JSONDecodeError:
                        continue  # a torn last line: the next add starts a new one
                    self._keys.add(str(entry.get("key")))
                    self._last = entry

    def add(self, record: LogRecord, reason: str) -> bool:
        """Keep ``record`` with ``reason`` (durably); False if it was already kept."""
        with self._lock:
            if record.key in self._keys:
                return False
            entry: dict[str, Any] = {
                "dead_at": now_iso(),
                "seq": record.seq,
                "key": record.key,
                "received": record.received,
                "source": record.source,
                "reason": reason[:_MAX_REASON],
            }
            try:
                body = orjson.dumps({**entry, "event": record.event})
            except (TypeError, orjson.JSONEncodeError):
                body = orjson.dumps({**entry, "event": None, "event_error": "not serialisable"})
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                os.write(fd, body + b"\n")
                os.fsync(fd)
            finally:
                os.close(fd)
            self._keys.add(record.key)
            self._last = entry
            return True

    def summary(self) -> dict[str, Any]:
        """For ``/readyz`` (unauthenticated): how many, the last one's reason (short) and
        time; not the file's path."""
        with self._lock:
            last = self._last or {}
            reason = last.get("reason")
            return {
                "count": len(self._keys),
                "last_reason": reason[:300] if isinstance(reason, str) else None,
                "last_at": last.get("dead_at"),
            }

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"DeadLetters({json.dumps(str(self.path))}, count={len(self)})"
