"""The OpenLineage event log inside Neo4j, so that the service keeps no state of its own.

Implements :class:`lineage.eventlog.EventLog` with one ``:LineageEvent`` node per event
(``key``, ``seq``, ``received``, ``event`` as JSON text, ``applied``), outside the ``Asset``
label so graph queries, exports and counts never see it. With it, any number of
``lineage serve`` replicas behind a load balancer share one log: an event acknowledged by one
replica and not yet applied when it died is applied by the next replica's ``recover()``.

Appends are serialised by a write lock on one counter node (``LineageMeta {key:
'eventlog'}``), taken first in the transaction: sequence numbers are gap-free and in commit
order across replicas, and the duplicate check (idempotency key) sees every committed append.
The whole append is one managed transaction: durable (committed to the transaction log) when
``append`` returns, retried by the driver on transient errors, and re-run from the start if
so (the transaction function recomputes everything).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import neo4j

from lineage.eventlog import LogRecord
from lineage.timeutil import now_iso

if TYPE_CHECKING:
    from lineage.store.neo4j import Neo4jStore

__all__ = [
    "COUNT_EVENTS",
    "CREATE_EVENTS",
    "EXISTING_KEYS",
    "GET_PROGRESS",
    "LOCK_EVENT_COUNTER",
    "MARK_APPLIED",
    "MARK_PROGRESS",
    "PAGE_EVENTS",
    "PAGE_UNAPPLIED",
    "SET_EVENT_COUNTER",
    "Neo4jEventLog",
]

_PAGE: Final = 1000

# Taking the counter's write lock first orders concurrent appenders (across replicas).
LOCK_EVENT_COUNTER = """
MERGE (m:LineageMeta {key: 'eventlog'})
ON CREATE SET m.seq = 0
SET m.locked_at = $at
RETURN m.seq AS seq"""

EXISTING_KEYS = """
UNWIND $keys AS k
MATCH (e:LineageEvent {key: k})
RETURN e.key AS key"""

CREATE_EVENTS = """
UNWIND $rows AS row
CREATE (e:LineageEvent {key: row.key, seq: row.seq, received: row.received,
                        source: row.source, event: row.event, applied: false})"""

SET_EVENT_COUNTER = """
MATCH (m:LineageMeta {key: 'eventlog'})
SET m.seq = $seq
RETURN m.seq AS seq"""

MARK_APPLIED = """
UNWIND $seqs AS s
MATCH (e:LineageEvent {seq: s})
SET e.applied = true"""

MARK_PROGRESS = """
MATCH (e:LineageEvent {seq: $seq})
SET e.progress_done = $done, e.progress_total = $total"""

GET_PROGRESS = """
MATCH (e:LineageEvent {seq: $seq})
RETURN e.progress_done AS done, e.progress_total AS total"""

PAGE_EVENTS = """
MATCH (e:LineageEvent)
WHERE e.seq > $after
RETURN e.seq AS seq, e.key AS key, e.received AS received, e.source AS source,
       e.event AS event
ORDER BY e.seq
LIMIT $limit"""

PAGE_UNAPPLIED = """
MATCH (e:LineageEvent)
WHERE e.applied = false AND e.seq > $after
RETURN e.seq AS seq, e.key AS key, e.received AS received, e.source AS source,
       e.event AS event
ORDER BY e.seq
LIMIT $limit"""

COUNT_EVENTS = """
MATCH (e:LineageEvent)
RETURN count(e) AS n"""


def _append(
    tx: neo4j.ManagedTransaction,
    entries: Sequence[tuple[str, Mapping[str, Any]]],
    received: str,
    source: str = "",
) -> list[LogRecord | None]:
    """The append transaction; recomputes everything, so the driver may re-run it."""
    (row,) = tx.run(LOCK_EVENT_COUNTER, {"at": received}).data()
    seq = int(row["seq"])
    keys = sorted({key for key, _ in entries})
    seen = {r["key"] for r in tx.run(EXISTING_KEYS, {"keys": keys}).data()}
    out: list[LogRecord | None] = []
    rows: list[dict[str, Any]] = []
    for key, event in entries:
        if key in seen:
            out.append(None)
            continue
        seen.add(key)
        seq += 1
        body = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
        rows.append({"key": key, "seq": seq, "received": received, "source": source, "event": body})
        out.append(LogRecord(seq, key, received, event, source))
    if rows:
        for start in range(0, len(rows), _PAGE):
            tx.run(CREATE_EVENTS, {"rows": rows[start : start + _PAGE]}).consume()
        tx.run(SET_EVENT_COUNTER, {"seq": seq}).consume()
    return out


def _page(tx: neo4j.ManagedTransaction, statement: str, after: int) -> list[dict[str, Any]]:
    return tx.run(statement, {"after": after, "limit": _PAGE}).data()


class Neo4jEventLog:
    """:class:`lineage.eventlog.EventLog` on the store's Neo4j database (see module doc)."""

    def __init__(self, store: Neo4jStore) -> None:
        self._store = store
        self.location = f"{store.location} (LineageEvent nodes)"

    def append(
        self, entries: Sequence[tuple[str, Mapping[str, Any]]], *, source: str = ""
    ) -> list[LogRecord | None]:
        if not entries:
            return []
        return self._store.run_transaction(_append, list(entries), now_iso(), source)

    def mark_applied(self, seqs: Iterable[int]) -> None:
        ordered = sorted(set(seqs))
        for start in range(0, len(ordered), _PAGE):
            chunk = ordered[start : start + _PAGE]
            self._store.run_transaction(
                lambda tx, c: tx.run(MARK_APPLIED, {"seqs": c}).consume(), chunk
            )

    def mark_progress(self, seq: int, done: int, total: int) -> None:
        params = {"seq": seq, "done": done, "total": total}
        self._store.run_transaction(lambda tx: tx.run(MARK_PROGRESS, params).consume())

    def progress(self, seq: int) -> tuple[int, int] | None:
        rows = self._store.run_transaction(
            lambda tx: tx.run(GET_PROGRESS, {"seq": seq}).data(), write=False
        )
        if not rows or rows[0]["done"] is None:
            return None
        return int(rows[0]["done"]), int(rows[0]["total"])

    def _iter(self, statement: str) -> Iterator[LogRecord]:
        after = 0
        while True:
            rows = self._store.run_transaction(_page, statement, after, write=False)
            for row in rows:
                yield LogRecord(
                    int(row["seq"]),
                    row["key"],
                    row["received"],
                    json.loads(row["event"]),
                    row.get("source") or "",  # absent on events logged before 0.1.x
                )
            if len(rows) < _PAGE:
                return
            after = int(rows[-1]["seq"])

    def unapplied(self) -> Iterator[LogRecord]:
        return self._iter(PAGE_UNAPPLIED)

    def records(self) -> Iterator[LogRecord]:
        return self._iter(PAGE_EVENTS)

    def count(self) -> int:
        rows = self._store.run_transaction(lambda tx: tx.run(COUNT_EVENTS).data(), write=False)
        return int(rows[0]["n"]) if rows else 0

    def close(self) -> None:
        """Nothing to release: the store owns the driver."""

    def __enter__(self) -> Neo4jEventLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
