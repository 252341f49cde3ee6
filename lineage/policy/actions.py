"""Responses to findings, each audited and each reversible with :func:`undo`.

=============  ==============================================================  ===========
action         what it changes                                                 destructive
=============  ==============================================================  ===========
quarantine     sets ``quarantined: true`` (+ when, by which action) on a        yes
               model, index or endpoint and removes its CAN_ACCESS edges,
               keeping them (whole, with every property) in the audit entry
revoke         removes one principal's CAN_ACCESS edges to one asset            yes
redact         writes the masking view SQL of a table (the graph learns of the  no
               view when the SQL is run and ingested), or a redacted copy of a
               dataset's sampled file, recorded in the graph behind a masking
               edge (so propagation stops there)
notify         POSTs the finding to a webhook, with retries                    no
recommend      records a recommendation on the finding                         no
=============  ==============================================================  ===========

A dry run computes the same before/after and audits it, changing nothing. Every applied
action's audit entry holds what :func:`undo` needs to restore the exact prior state; undo
refuses when the state moved on since (unless forced) and is audited itself.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from lineage import ids, pipeline
from lineage.errors import LineageError
from lineage.model import Kind, Rel
from lineage.policy import audit, findings
from lineage.policy import cypher as q
from lineage.policy.audit import AuditEntry
from lineage.policy.notify import post_webhook
from lineage.policy.record import (
    Context,
    Outcome,
    mark_finding,
    new_action_id,
    node_or_raise,
    record,
    sha256_file,
)
from lineage.policy.redaction import redact_file, redact_view
from lineage.store.base import Store, StoredEdge
from lineage.timeutil import now_iso

__all__ = [
    "QUARANTINABLE",
    "Outcome",
    "new_action_id",
    "notify",
    "quarantine",
    "recommend",
    "redact_file",
    "redact_view",
    "revoke",
    "undo",
]

QUARANTINABLE = frozenset({Kind.MODEL, Kind.VECTOR_INDEX, Kind.ENDPOINT})
_QUARANTINE_PROPS = ("quarantined", "quarantined_at", "quarantine_action", "quarantine_reason")


def _edge_dict(src: str, dst: str, props: Mapping[str, Any]) -> dict[str, Any]:
    rest = {k: v for k, v in props.items() if k != "key"}
    return {"src": src, "rel": "CAN_ACCESS", "dst": dst, "key": props.get("key", ""), "props": rest}


# -- quarantine / revoke -------------------------------------------------------------------
def quarantine(
    store: Store,
    uid: str,
    *,
    actor: str,
    reason: str,
    dry_run: bool = True,
    policy: str = "",
    finding: str = "",
    track_finding: bool = True,
) -> Outcome:
    """Quarantine a model, vector index or endpoint (see the module table)."""
    node = node_or_raise(store, uid)
    if node.kind not in QUARANTINABLE:
        raise LineageError(f"{uid}: only models, vector indexes and endpoints are quarantined")
    if node.props.get("quarantined") is True:
        raise LineageError(f"{uid} is already quarantined ({node.props.get('quarantine_action')})")
    edges = [
        _edge_dict(r["src"], uid, r["props"]) for r in store.query(q.CAN_ACCESS_INTO, {"uid": uid})
    ]
    before = {
        "node": uid,
        "props": {k: node.props.get(k) for k in _QUARANTINE_PROPS},
        "can_access": edges,
    }
    action_id = new_action_id()
    props = {
        "quarantined": True,
        "quarantined_at": now_iso(),
        "quarantine_action": action_id,
        "quarantine_reason": reason[:500],
    }
    after = {"node": uid, "props": props, "can_access": [], "removed": len(edges)}
    ctx = Context(actor, reason, policy, finding, track_finding)
    if not dry_run:
        store.set_props(uid, props)
        _delete_edges(store, edges)
    return record(
        store,
        ctx,
        "quarantine",
        uid,
        before=before,
        after=after,
        dry_run=dry_run,
        action_id=action_id,
    )


def revoke(
    store: Store,
    principal: str,
    asset: str,
    *,
    actor: str,
    reason: str,
    dry_run: bool = True,
    policy: str = "",
    finding: str = "",
    track_finding: bool = True,
) -> Outcome:
    """Remove ``principal``'s CAN_ACCESS edges to ``asset`` (all of them, every key)."""
    if ids.kind_of(principal) is not Kind.PRINCIPAL:
        raise LineageError(f"{principal}: not a principal id")
    rows = store.query(q.CAN_ACCESS_BETWEEN, {"src": principal, "dst": asset})
    if not rows:
        raise LineageError(f"{principal} has no access to {asset}")
    edges = [_edge_dict(principal, asset, r["props"]) for r in rows]
    before = {"principal": principal, "asset": asset, "can_access": edges}
    after = {"principal": principal, "asset": asset, "can_access": [], "removed": len(edges)}
    if not dry_run:
        _delete_edges(store, edges)
    ctx = Context(actor, reason, policy, finding, track_finding)
    return record(
        store, ctx, "revoke", f"{principal}->{asset}", before=before, after=after, dry_run=dry_run
    )


def _delete_edges(store: Store, edges: Sequence[Mapping[str, Any]]) -> None:
    if edges:
        pipeline.delete(store, edges=[(e["src"], Rel(e["rel"]), e["dst"], e["key"]) for e in edges])


def _restore_edges(store: Store, edges: Sequence[Mapping[str, Any]]) -> None:
    if edges:
        with store.batch():
            store.restore_edges(
                StoredEdge(e["src"], Rel(e["rel"]), e["dst"], e["key"], dict(e["props"]))
                for e in edges
            )


# -- notify / recommend --------------------------------------------------------------------
def notify(
    store: Store,
    url: str,
    payload: Mapping[str, Any],
    *,
    actor: str,
    reason: str,
    retries: int = 3,
    backoff: float = 0.5,
    timeout: float = 5.0,
    dry_run: bool = False,
    policy: str = "",
    finding: str = "",
    track_finding: bool = True,
) -> Outcome:
    """POST ``payload`` to ``url`` (see :mod:`lineage.policy.notify`); audited either way."""
    delivery = None
    if not dry_run:
        delivery = post_webhook(url, payload, retries=retries, backoff=backoff, timeout=timeout)
    after = {"url": url, "delivery": delivery.to_dict() if delivery else None}
    ctx = Context(actor, reason, policy, finding, track_finding)
    return record(store, ctx, "notify", url, before={"url": url}, after=after, dry_run=dry_run)


def recommend(
    store: Store,
    target: str,
    message: str,
    *,
    actor: str,
    reason: str,
    policy: str = "",
    finding: str = "",
    track_finding: bool = True,
) -> Outcome:
    """Record a recommendation (on the finding, when there is one); change nothing else."""
    if finding and track_finding:
        f = findings.get_finding(store, finding)
        if f is not None and message not in f.recommendations:
            f.recommendations.append(message)
            findings.save(store, f)
    ctx = Context(actor, reason, policy, finding, track_finding)
    return record(
        store, ctx, "recommend", target, before={}, after={"message": message}, dry_run=False
    )


# -- undo ----------------------------------------------------------------------------------
def _original(store: Store, action_id: str) -> AuditEntry:
    entries = audit.by_action(store, action_id)
    done = [e for e in entries if e.kind == "action" and e.action_id == action_id]
    if not done:
        raise LineageError(f"no action {action_id!r} in the audit log")
    undone = [e for e in entries if e.kind == "undo" and e.undoes == action_id]
    if undone:
        raise LineageError(f"{action_id} was already undone (audit entry {undone[0].seq})")
    if done[0].dry_run:
        raise LineageError(f"{action_id} was a dry run: it changed nothing to undo")
    return done[0]


def undo(
    store: Store, action_id: str, *, actor: str, reason: str = "", force: bool = False
) -> Outcome:
    """Restore the state before ``action_id`` exactly, and audit it.

    Refuses (``LineageError``) when the state moved on since the action (someone lifted the
    quarantine, re-granted access, edited the redacted copy), unless ``force``.
    """
    original = _original(store, action_id)
    before, after = original.before, original.after
    current: Any
    if original.action == "quarantine":
        uid = before["node"]
        node = node_or_raise(store, uid)
        current = {"node": uid, "props": {k: node.props.get(k) for k in _QUARANTINE_PROPS}}
        if node.props.get("quarantine_action") != action_id and not force:
            raise LineageError(f"{uid} is no longer under quarantine {action_id}; use force")
        store.set_props(uid, dict(before["props"]))
        _restore_edges(store, before["can_access"])
        restored: Any = before
    elif original.action == "revoke":
        rows = store.query(
            q.CAN_ACCESS_BETWEEN, {"src": before["principal"], "dst": before["asset"]}
        )
        current = {
            "can_access": [
                _edge_dict(before["principal"], before["asset"], r["props"]) for r in rows
            ]
        }
        if rows and not force:
            raise LineageError("access was granted again since; use force to overwrite it")
        _restore_edges(store, before["can_access"])
        restored = before
    elif original.action == "redact":
        path = Path(after["file"]) if after.get("file") else None
        current = {"file_exists": bool(path and path.exists())}
        if path is not None and path.exists():
            if after.get("sha256") and sha256_file(path) != after["sha256"] and not force:
                raise LineageError(f"{path} changed since it was written; use force")
            path.unlink()
        created = set(after.get("created_nodes") or ())
        edges = [
            (s, Rel(r), d, k)
            for s, r, d, k in after.get("created_edges") or ()
            if s not in created and d not in created
        ]
        existing = [uid for uid in created if store.get_node(uid) is not None]
        pipeline.delete(store, nodes=existing, edges=edges)
        restored = before
    elif original.action in ("notify", "recommend"):
        current = {}
        restored = {"note": f"a {original.action} cannot be taken back; nothing to restore"}
        if original.action == "recommend" and original.finding:
            f = findings.get_finding(store, original.finding)
            if f is not None:
                f.recommendations = [m for m in f.recommendations if m != after.get("message")]
                findings.save(store, f)
    else:
        raise LineageError(f"{action_id}: unknown action {original.action!r}")
    entry = audit.append(
        store,
        actor=actor,
        kind="undo",
        action=original.action,
        action_id=new_action_id(),
        target=original.target,
        reason=reason or f"undo {action_id}",
        before=current,
        after=restored,
        policy=original.policy,
        finding=original.finding,
        undoes=action_id,
    )
    # every finding this action contained (another finding on the same endpoint, too)
    contained = {
        r["props"]["fingerprint"]
        for r in store.query(q.FINDINGS_WITH_ACTION, {"action_id": action_id})
    }
    for fp in sorted(contained | ({original.finding} if original.finding else set())):
        with contextlib.suppress(LineageError):
            mark_finding(store, fp, action_id, in_force=False)
    return Outcome(
        entry.action_id, original.action, original.target, False, current, restored, entry
    )
