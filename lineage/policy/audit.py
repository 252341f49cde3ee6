"""The append-only, hash-chained audit log of remediations (and of their undoing).

Each entry records who (a user, or ``policy:<id>``), what (action, target), when, why,
and the state before and after, and carries ``hash = sha256(prev_hash + canonical JSON of
the entry)``. :func:`verify` recomputes the chain: an entry edited, removed or re-ordered
breaks it at that point, and the head (sequence number and hash of the last entry, kept in
an ``:AuditHead`` node) catches a truncated tail. Print the head hash (``lineage audit
--verify``) and keep it elsewhere to anchor the chain against someone who can rewrite the
whole graph.

Entries are ``:AuditEntry`` nodes written through the store, so they live in Neo4j too.
Appends are compare-and-set on the head, retried, so concurrent writers never fork it.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from lineage.errors import StoreError
from lineage.policy import cypher as q
from lineage.store.base import Store
from lineage.timeutil import now_iso

__all__ = [
    "GENESIS",
    "AuditEntry",
    "Verification",
    "append",
    "by_action",
    "default_actor",
    "entries",
    "verify",
]

GENESIS = "0" * 64
_FIELDS = (
    "seq",
    "at",
    "actor",
    "kind",
    "action",
    "action_id",
    "target",
    "policy",
    "finding",
    "reason",
    "dry_run",
    "undoes",
    "before",
    "after",
    "prev_hash",
)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: str
    actor: str
    kind: str  # "action" or "undo"
    action: str
    action_id: str
    target: str
    policy: str
    finding: str
    reason: str
    dry_run: bool
    undoes: str
    before: Any
    after: Any
    prev_hash: str
    hash: str

    def body(self) -> dict[str, Any]:
        """The hashed fields, with before/after as the canonical JSON text stored."""
        out = {f: getattr(self, f) for f in _FIELDS}
        out["before"], out["after"] = _canon(self.before), _canon(self.after)
        return out

    @classmethod
    def from_props(cls, p: Mapping[str, Any]) -> AuditEntry:
        return cls(
            seq=int(p["seq"]),
            at=p.get("at", ""),
            actor=p.get("actor", ""),
            kind=p.get("kind", ""),
            action=p.get("action", ""),
            action_id=p.get("action_id", ""),
            target=p.get("target", ""),
            policy=p.get("policy", ""),
            finding=p.get("finding", ""),
            reason=p.get("reason", ""),
            dry_run=bool(p.get("dry_run", False)),
            undoes=p.get("undoes", ""),
            before=json.loads(p.get("before") or "null"),
            after=json.loads(p.get("after") or "null"),
            prev_hash=p.get("prev_hash", ""),
            hash=p.get("hash", ""),
        )

    def to_dict(self) -> dict[str, Any]:
        out = {f: getattr(self, f) for f in _FIELDS}
        out["hash"] = self.hash
        return out


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _digest(body: Mapping[str, Any]) -> str:
    return hashlib.sha256(_canon(body).encode()).hexdigest()


def default_actor() -> str:
    """``user:<login>`` of whoever runs the command (``LINEAGE_ACTOR`` overrides)."""
    explicit = os.environ.get("LINEAGE_ACTOR")
    if explicit:
        return explicit
    try:
        return f"user:{getpass.getuser()}"
    except (KeyError, OSError):
        return "user:unknown"


def _head(store: Store) -> tuple[int, str]:
    rows = store.query(q.AUDIT_HEAD)
    if not rows:
        rows = store.execute(q.AUDIT_INIT, {"genesis": GENESIS})
    return int(rows[0]["seq"]), str(rows[0]["hash"])


def append(
    store: Store,
    *,
    actor: str,
    kind: str,
    action: str,
    action_id: str,
    target: str,
    reason: str,
    before: Any,
    after: Any,
    dry_run: bool = False,
    policy: str = "",
    finding: str = "",
    undoes: str = "",
    at: str | None = None,
) -> AuditEntry:
    """Append one entry at the head of the chain; returns it with its seq and hash.

    Must not run inside ``store.batch()`` (the compare-and-set needs its answer).
    """
    for _ in range(50):
        prev_seq, prev_hash = _head(store)
        entry = AuditEntry(
            seq=prev_seq + 1,
            at=at or now_iso(),
            actor=actor,
            kind=kind,
            action=action,
            action_id=action_id,
            target=target,
            policy=policy,
            finding=finding,
            reason=reason,
            dry_run=dry_run,
            undoes=undoes,
            before=before,
            after=after,
            prev_hash=prev_hash,
            hash="",
        )
        body = entry.body()
        digest = _digest(body)
        rows = store.execute(
            q.AUDIT_APPEND,
            {
                "seq": entry.seq,
                "prev_seq": prev_seq,
                "prev_hash": prev_hash,
                "hash": digest,
                "entry": {**body, "hash": digest},
            },
        )
        if rows:
            return AuditEntry.from_props({**body, "hash": digest})
    raise StoreError("audit log: could not append after 50 attempts (contention)")


def entries(store: Store, *, after: int = 0, page: int = 1000) -> Iterator[AuditEntry]:
    """Every entry in chain order."""
    while True:
        rows = store.query(q.AUDIT_ENTRIES, {"after": after, "limit": page})
        for row in rows:
            yield AuditEntry.from_props(row["props"])
        if len(rows) < page:
            return
        after = int(rows[-1]["props"]["seq"])


def by_action(store: Store, action_id: str) -> list[AuditEntry]:
    """The entry of an action and the entries that undid it, in order."""
    rows = store.query(q.AUDIT_BY_ACTION, {"action_id": action_id})
    return [AuditEntry.from_props(r["props"]) for r in rows]


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    broken_at: int | None = None
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "broken_at": self.broken_at,
            "reason": self.reason,
        }


def verify(store: Store) -> Verification:
    """Recompute the chain from the first entry; say where and why it breaks, if it does."""
    rows = store.query(q.AUDIT_HEAD)
    head_seq, head_hash = (int(rows[0]["seq"]), str(rows[0]["hash"])) if rows else (0, GENESIS)
    prev, expected_seq, count = GENESIS, 1, 0

    def broken(seq: int, reason: str) -> Verification:
        return Verification(False, count, head_seq, head_hash, seq, reason)

    for props in _raw_entries(store):
        count += 1
        seq = int(props.get("seq", -1))
        if seq != expected_seq:
            return broken(expected_seq, f"entry {expected_seq} is missing (found {seq} next)")
        body = {f: props.get(f) for f in _FIELDS}
        if props.get("prev_hash") != prev:
            return broken(seq, "prev_hash does not match the previous entry")
        if _digest(body) != props.get("hash"):
            return broken(seq, "entry content does not match its hash (edited)")
        prev, expected_seq = str(props["hash"]), seq + 1
    if expected_seq - 1 != head_seq or prev != head_hash:
        return broken(
            expected_seq, f"the chain ends at {expected_seq - 1} but the head is {head_seq}"
        )
    return Verification(True, count, head_seq, head_hash)


def _raw_entries(store: Store) -> Iterator[dict[str, Any]]:
    after = -1
    while True:
        rows = store.query(q.AUDIT_ENTRIES, {"after": after, "limit": 1000})
        for row in rows:
            yield dict(row["props"])
        if len(rows) < 1000:
            return
        after = int(rows[-1]["props"]["seq"])
