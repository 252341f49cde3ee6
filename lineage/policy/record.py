"""What every response shares: its outcome, its audit entry, its mark on the finding."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lineage.errors import NodeNotFound
from lineage.policy import audit, findings
from lineage.policy.audit import AuditEntry
from lineage.store.base import Store

__all__ = [
    "CONTAINING",
    "Context",
    "Outcome",
    "mark_finding",
    "new_action_id",
    "node_or_raise",
    "record",
    "sha256_file",
]


# Responses that contain a violation while in force (its finding is then "mitigated"). A
# masking view's SQL or a redacted copy does not: the original still flows until someone
# switches to it, and the next evaluation says whether they did.
CONTAINING = frozenset({"quarantine", "revoke"})


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an action did (or, dry run, would do), with its audit entry."""

    action_id: str
    action: str
    target: str
    dry_run: bool
    before: Any
    after: Any
    entry: AuditEntry

    def to_dict(self) -> dict[str, Any]:
        return {
            "action_id": self.action_id,
            "action": self.action,
            "target": self.target,
            "dry_run": self.dry_run,
            "before": self.before,
            "after": self.after,
            "audit_seq": self.entry.seq,
            "audit_hash": self.entry.hash,
        }


def new_action_id() -> str:
    return "act_" + secrets.token_hex(8)


@dataclass(frozen=True, slots=True)
class Context:
    actor: str
    reason: str
    policy: str = ""
    finding: str = ""
    track: bool = True  # update the finding here (False: the caller does, in one write)


def record(
    store: Store,
    ctx: Context,
    action: str,
    target: str,
    *,
    before: Any,
    after: Any,
    dry_run: bool,
    action_id: str | None = None,
) -> Outcome:
    action_id = action_id or new_action_id()
    entry = audit.append(
        store,
        actor=ctx.actor,
        kind="action",
        action=action,
        action_id=action_id,
        target=target,
        reason=ctx.reason,
        before=before,
        after=after,
        dry_run=dry_run,
        policy=ctx.policy,
        finding=ctx.finding,
    )
    if ctx.finding and ctx.track:
        mark_finding(store, ctx.finding, action_id, in_force=not dry_run and action in CONTAINING)
    return Outcome(action_id, action, target, dry_run, before, after, entry)


def mark_finding(store: Store, fp: str, action_id: str, *, in_force: bool) -> None:
    finding = findings.get_finding(store, fp)
    if finding is None:
        return
    if action_id not in finding.actions:
        finding.actions.append(action_id)
    if in_force:
        if action_id not in finding.in_force:
            finding.in_force.append(action_id)
        if finding.status == "open":
            finding.status = "mitigated"
    else:
        finding.in_force = [a for a in finding.in_force if a != action_id]
        if finding.status == "mitigated" and not finding.in_force:
            finding.status = "open"
    findings.save(store, finding)


def node_or_raise(store: Store, uid: str) -> Any:
    node = store.get_node(uid)
    if node is None:
        raise NodeNotFound(uid)
    return node


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
