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
import csv
import hashlib
import io
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lineage import ids, pipeline
from lineage.errors import LineageError, NodeNotFound
from lineage.model import Edge, Fact, Kind, Node, Rel
from lineage.policy import audit, findings
from lineage.policy import cypher as q
from lineage.policy.audit import AuditEntry
from lineage.policy.notify import post_webhook
from lineage.policy.redact import Redactor, masking_facts, masking_view_sql
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
class _Context:
    actor: str
    reason: str
    policy: str = ""
    finding: str = ""
    track: bool = True  # update the finding here (False: the caller does, in one write)


def _record(
    store: Store,
    ctx: _Context,
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
        _mark_finding(store, ctx.finding, action_id, in_force=not dry_run and action != "notify")
    return Outcome(action_id, action, target, dry_run, before, after, entry)


def _mark_finding(store: Store, fp: str, action_id: str, *, in_force: bool) -> None:
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


def _edge_dict(src: str, dst: str, props: Mapping[str, Any]) -> dict[str, Any]:
    rest = {k: v for k, v in props.items() if k != "key"}
    return {"src": src, "rel": "CAN_ACCESS", "dst": dst, "key": props.get("key", ""), "props": rest}


def _node(store: Store, uid: str) -> Any:
    node = store.get_node(uid)
    if node is None:
        raise NodeNotFound(uid)
    return node


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
    node = _node(store, uid)
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
    ctx = _Context(actor, reason, policy, finding, track_finding)
    if not dry_run:
        store.set_props(uid, props)
        _delete_edges(store, edges)
    return _record(
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
    ctx = _Context(actor, reason, policy, finding, track_finding)
    return _record(
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


# -- redact --------------------------------------------------------------------------------
def _columns(store: Store, dataset: str, fields: object) -> list[tuple[str, tuple[str, ...]]]:
    """Columns with their labels, in the dataset's ``fields`` order when it is known."""
    found = {
        ids.parse(nb.node.uid).field: nb.node.labels
        for nb in store.neighbours(dataset, direction="out", rels=[Rel.HAS_COLUMN])
    }
    order = [f for f in fields if f in found] if isinstance(fields, list) else []
    order += sorted(set(found) - set(order))
    return [(name, found[name]) for name in order]


def _wanted(labels: Iterable[str], categories: Sequence[str] | None) -> list[str]:
    """Matching labels, the most specific (with an entity) first."""
    from lineage.sensitivity.rules import matches

    hits = [x for x in labels if not categories or any(matches(c, x) for c in categories)]
    return sorted(hits, key=lambda x: (":" not in x, x))


def _new_facts(
    store: Store, facts: Iterable[Fact]
) -> tuple[list[Fact], list[str], list[list[str]]]:
    """Keep the facts that add something (existing nodes and edges are left untouched, so
    that undo can remove exactly what was added). Returns facts, new node ids, new edges."""
    kept: list[Fact] = []
    nodes: list[str] = []
    edges: list[list[str]] = []
    exists: dict[str, bool] = {}

    def present(uid: str) -> bool:
        if uid not in exists:
            exists[uid] = store.get_node(uid) is not None
        return exists[uid]

    for fact in facts:
        if isinstance(fact, Node):
            if present(fact.uid):
                continue
            nodes.append(fact.uid)
        elif isinstance(fact, Edge):
            if present(fact.src) and present(fact.dst):
                same = [
                    nb
                    for nb in store.neighbours(fact.src, direction="out", rels=[fact.rel])
                    if nb.node.uid == fact.dst and nb.edge.key == fact.key
                ]
                if same:
                    continue
            for uid in (fact.src, fact.dst):
                if not present(uid) and uid not in nodes:
                    nodes.append(uid)
            edges.append([fact.src, fact.rel.value, fact.dst, fact.key])
        kept.append(fact)
    return kept, nodes, edges


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def redact_view(
    store: Store,
    dataset: str,
    *,
    actor: str,
    reason: str,
    operator: str = "replace",
    dialect: str = "ansi",
    output: str | Path | None = None,
    categories: Sequence[str] | None = None,
    dry_run: bool = False,
    policy: str = "",
    finding: str = "",
    track_finding: bool = True,
) -> Outcome:
    """The masking view of a table over its labelled columns, as SQL (in the audit entry, and
    written to ``output`` when given). The graph is not changed: the view exists only once
    someone runs the SQL, and the SQL ingestor then records it."""
    node = _node(store, dataset)
    if node.kind is not Kind.DATASET:
        raise LineageError(f"{dataset}: only datasets have masking views")
    cols = _columns(store, dataset, node.props.get("fields"))
    masked = {
        name: _wanted(labels, categories)[0] for name, labels in cols if _wanted(labels, categories)
    }
    if not masked:
        raise LineageError(f"no column of {dataset} holds a matching label: nothing to mask")
    parsed = ids.parse(dataset)
    view = ids.dataset_id(parsed.namespace, parsed.name + "_masked")
    sql = masking_view_sql(
        parsed.name,
        [name for name, _ in cols],
        masked,
        view=ids.parse(view).name,
        dialect=dialect,
        operator=operator,
    )
    path = Path(output) / f"{ids.parse(view).name}.sql" if output else None
    before = {
        "dataset": dataset,
        "file": str(path) if path else None,
        "file_existed": bool(path and path.exists()),
    }
    after: dict[str, Any] = {
        "dataset": dataset,
        "view": view,
        "sql": sql,
        "masked": sorted(masked),
        "file": str(path) if path else None,
    }
    if path is not None and path.exists():
        raise LineageError(f"{path} exists: remove it or choose another output folder")
    if not dry_run and path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sql, encoding="utf-8")
        after["sha256"] = _sha256(path)
    ctx = _Context(actor, reason, policy, finding, track_finding)
    return _record(store, ctx, "redact", dataset, before=before, after=after, dry_run=dry_run)


def _file_of(node: Any) -> Path:
    for key in ("path", "location", "uri", "sample_path"):
        value = node.props.get(key)
        if isinstance(value, str) and value:
            return Path(value.removeprefix("file://"))
    parsed = ids.parse(node.uid)
    if parsed.namespace == "file" or parsed.namespace.startswith("file://"):
        return Path(parsed.name)
    raise LineageError(f"{node.uid}: no sampled file known (no path/location property)")


def _redact_file_content(
    path: Path, redactor: Redactor, operator: str
) -> tuple[str, list[str], set[str], int]:
    text = path.read_text(encoding="utf-8")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        reader = csv.DictReader(io.StringIO(text), delimiter="\t" if suffix == ".tsv" else ",")
        fields = list(reader.fieldnames or [])
        out = io.StringIO()
        writer = csv.DictWriter(
            out, fieldnames=fields, delimiter=reader.reader.dialect.delimiter, lineterminator="\n"
        )
        writer.writeheader()
        masked: set[str] = set()
        count = 0
        for record, items in redactor.redact_records(reader, operator):
            writer.writerow(record)
            masked |= set(items)
            count += 1
        return out.getvalue(), fields, masked, count
    if suffix in (".jsonl", ".ndjson"):
        lines, fields_seen, masked, count = [], [], set(), 0
        records = [json.loads(line) for line in text.splitlines() if line.strip()]
        for record, items in redactor.redact_records(records, operator):
            lines.append(json.dumps(record, ensure_ascii=False))
            fields_seen.extend(k for k in record if k not in fields_seen)
            masked |= set(items)
            count += 1
        return "\n".join(lines) + "\n", fields_seen, masked, count
    done = redactor.redact(text, operator)
    return done.text, [], set(), 1


def redact_file(
    store: Store,
    dataset: str,
    *,
    actor: str,
    reason: str,
    redactor: Redactor,
    operator: str = "replace",
    output: str | Path | None = None,
    dry_run: bool = False,
    policy: str = "",
    finding: str = "",
    track_finding: bool = True,
) -> Outcome:
    """A redacted copy of the dataset's sampled file (CSV, TSV, JSON Lines or text), and the
    copy in the graph behind a masking edge."""
    node = _node(store, dataset)
    source = _file_of(node)
    if not source.is_file():
        raise LineageError(f"{dataset}: sampled file {source} not found")
    folder = Path(output) if output else source.parent
    target = folder / f"{source.stem}.redacted{source.suffix}"
    if target.exists():
        raise LineageError(f"{target} exists: remove it or choose another output folder")
    content, fields, masked, count = _redact_file_content(source, redactor, operator)
    copy = ids.dataset_id("file", str(target.resolve()))
    facts, new_nodes, new_edges = _new_facts(
        store, masking_facts(dataset, copy, operator=operator, fields=fields, masked=masked)
    )
    before = {"dataset": dataset, "file": str(target), "file_existed": False}
    after: dict[str, Any] = {
        "dataset": dataset,
        "copy": copy,
        "file": str(target),
        "records": count,
        "masked_fields": sorted(masked),
        "created_nodes": new_nodes,
        "created_edges": new_edges,
    }
    if not dry_run:
        folder.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        after["sha256"] = _sha256(target)
        pipeline.ingest(store, facts)
    ctx = _Context(actor, reason, policy, finding, track_finding)
    return _record(store, ctx, "redact", dataset, before=before, after=after, dry_run=dry_run)


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
    ctx = _Context(actor, reason, policy, finding, track_finding)
    return _record(store, ctx, "notify", url, before={"url": url}, after=after, dry_run=dry_run)


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
    ctx = _Context(actor, reason, policy, finding, track_finding)
    return _record(
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
        node = _node(store, uid)
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
            if after.get("sha256") and _sha256(path) != after["sha256"] and not force:
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
    if original.finding:
        with contextlib.suppress(LineageError):
            _mark_finding(store, original.finding, action_id, in_force=False)
    return Outcome(
        entry.action_id, original.action, original.target, False, current, restored, entry
    )
