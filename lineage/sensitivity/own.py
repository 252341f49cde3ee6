"""Own labels and declassifications: every change is recorded, then labels are refreshed.

Own labels come from detectors (``Labeling`` facts: entity type, confidence, hits, sample
size, detector) or are declared by a person (who, when, why). Each (label, detector) pair
keeps one evidence record on the node, as JSON text in ``label_evidence``; ``own_labels`` is
the union of their labels. Declassification on a node or a ``FLOWS_TO`` edge stops labels
there, with who/when/why appended to ``declassification_log``. Each call updates effective
labels before it returns.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from lineage.errors import LineageError, NodeNotFound
from lineage.model import Label, Labeling
from lineage.sensitivity import cypher
from lineage.sensitivity.propagate import Outcome, refresh
from lineage.sensitivity.state import chunks
from lineage.store.base import Store
from lineage.timeutil import now_iso

__all__ = [
    "DECLARED",
    "apply_labelings",
    "declare",
    "declassify",
    "evidence",
    "reclassify",
    "replace_detected",
    "undeclare",
]

DECLARED = "declared"


def _record(lab: Labeling, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "label": str(lab.label),
        "detector": lab.detector,
        "confidence": round(float(lab.confidence), 4),
        "hits": int(lab.hits),
        "sampled": int(lab.sampled),
    }
    if lab.source_ref:
        rec["source_ref"] = lab.source_ref
    rec.update(extra or {})
    return rec


def evidence(store: Store, uids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """The evidence records of ``uids`` (present nodes only)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for part in chunks(uids):
        for row in store.query(cypher.GET_OWN, {"uids": part}):
            out[str(row["uid"])] = [json.loads(e) for e in row["evidence"] or ()]
    return out


def _write(store: Store, records: Mapping[str, list[dict[str, Any]]]) -> None:
    rows = []
    for uid, unsorted in records.items():
        recs = sorted(unsorted, key=lambda r: (r["label"], r["detector"]))
        own = sorted({r["label"] for r in recs})
        rows.append(
            {
                "uid": uid,
                "own": own or None,
                "evidence": [json.dumps(r, sort_keys=True) for r in recs] or None,
            }
        )
    with store.batch():
        for i in range(0, len(rows), 5000):
            store.execute(cypher.SET_OWN, {"rows": rows[i : i + 5000]})


def _merge(
    current: list[dict[str, Any]], new: Iterable[dict[str, Any]], drop_detector: str | None
) -> list[dict[str, Any]]:
    keep = {(r["label"], r["detector"]): r for r in current if r["detector"] != drop_detector}
    for rec in new:
        keep[(rec["label"], rec["detector"])] = rec
    return list(keep.values())


def apply_labelings(store: Store, labelings: Sequence[Labeling], *, at: str = "") -> set[str]:
    """Add detector findings as own labels (the pipeline calls this); no propagation here."""
    at = at or now_iso()
    current = evidence(store, {lab.uid for lab in labelings})
    merged = {
        uid: _merge(recs, (_record(lab, {"at": at}) for lab in labelings if lab.uid == uid), None)
        for uid, recs in current.items()
    }
    _write(store, merged)
    return set(merged)


def replace_detected(
    store: Store, results: Mapping[str, Sequence[Labeling]], detector: str, *, at: str = ""
) -> Outcome:
    """Make ``results`` the whole verdict of ``detector`` on each node (a re-scan).

    Labels the detector found before and no longer finds are retracted, downstream too.
    """
    at = at or now_iso()
    current = evidence(store, results)
    missing = set(results) - current.keys()
    if missing:
        raise NodeNotFound(sorted(missing)[0])
    merged: dict[str, list[dict[str, Any]]] = {}
    lossy = False
    for uid, recs in current.items():
        new = [_record(lab, {"at": at}) for lab in results[uid]]
        before = {r["label"] for r in recs if r["detector"] == detector}
        lossy |= bool(before - {r["label"] for r in new})
        merged[uid] = _merge(recs, new, detector)
    _write(store, merged)
    return refresh(store, merged, lossy=lossy)


def declare(store: Store, uid: str, label: Label | str, *, reason: str, who: str) -> Outcome:
    """Declare an own label by hand, with who and why."""
    label = Label.parse(str(label))
    if not reason.strip():
        raise LineageError("a declared label needs a reason")
    current = evidence(store, [uid])
    if uid not in current:
        raise NodeNotFound(uid)
    rec = _record(
        Labeling(uid, label, DECLARED),
        {"at": now_iso(), "by": who, "reason": reason},
    )
    _write(store, {uid: _merge(current[uid], [rec], None)})
    return refresh(store, [uid])


def undeclare(store: Store, uid: str, label: Label | str, *, detector: str = DECLARED) -> Outcome:
    """Remove an own label (by default the declared one); what it fed is retracted."""
    text = str(Label.parse(str(label)))
    current = evidence(store, [uid])
    if uid not in current:
        raise NodeNotFound(uid)
    kept = [r for r in current[uid] if not (r["label"] == text and r["detector"] == detector)]
    _write(store, {uid: kept})
    return refresh(store, [uid], lossy=True)


def _log(previous: Iterable[str] | None, entry: Mapping[str, Any]) -> list[str]:
    return [*(previous or ()), json.dumps(dict(entry), sort_keys=True)]


def _pattern(label: str) -> str:
    label = label.strip()
    return "*" if label == "*" else str(Label.parse(label))


def declassify(
    store: Store,
    target: str | tuple[str, str, str],
    labels: Sequence[str],
    *,
    reason: str,
    who: str,
    undo: bool = False,
) -> Outcome:
    """Stop ``labels`` (``PII``, ``PII:EMAIL_ADDRESS`` or ``*``) at a node or an edge.

    ``target`` is a node uid or a ``FLOWS_TO`` edge as ``(src, dst, key)``. ``undo`` lifts a
    declassification (also logged). Both need a reason.
    """
    if not reason.strip():
        raise LineageError("a declassification needs a reason")
    pats = [_pattern(x) for x in labels]
    entry = {
        "action": "reclassify" if undo else "declassify",
        "labels": pats,
        "by": who,
        "at": now_iso(),
        "reason": reason,
    }
    if isinstance(target, str):
        rows = store.query(cypher.GET_NODE_DECLASSIFIED, {"uid": target})
        if not rows:
            raise NodeNotFound(target)
        params: dict[str, Any] = {"uid": target}
        statement = cypher.SET_NODE_DECLASSIFIED
        seed = target
    else:
        src, dst, key = target
        params = {"src": src, "dst": dst, "key": key}
        rows = store.query(cypher.GET_EDGE_DECLASSIFIED, params)
        if not rows:
            raise NodeNotFound(f"{src} -[FLOWS_TO {key!r}]-> {dst}")
        statement = cypher.SET_EDGE_DECLASSIFIED
        seed = dst
    current = set(rows[0]["patterns"] or ())
    patterns = current - set(pats) if undo else current | set(pats)
    params |= {"patterns": sorted(patterns) or None, "log": _log(rows[0]["log"], entry)}
    store.execute(statement, params)
    return refresh(store, [seed], lossy=True)


def reclassify(
    store: Store,
    target: str | tuple[str, str, str],
    labels: Sequence[str],
    *,
    reason: str,
    who: str,
) -> Outcome:
    """Lift a declassification (logged like one)."""
    return declassify(store, target, labels, reason=reason, who=who, undo=True)
