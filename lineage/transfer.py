"""``lineage export`` / ``lineage import``: the whole graph as JSON Lines.

One object per line, nodes first (sorted by uid), then edges (sorted by source, type,
target, key)::

    {"type": "node", "uid", "kind", "name", "namespace", "labels": [...], "props": {...}}
    {"type": "edge", "rel", "src", "dst", "props": {...}}      (+ "key" when not empty)

This format is a stable interface (backup/restore, moving between stores, scoring). Import
reports each bad line by number and loads every good one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from lineage import ids
from lineage.errors import StoreError
from lineage.model import Kind, Rel
from lineage.store.base import Store, StoredEdge, StoredNode

__all__ = ["ImportReport", "export_lines", "export_to", "import_from"]


def _node_obj(node: StoredNode) -> dict[str, Any]:
    return {
        "type": "node",
        "uid": node.uid,
        "kind": node.kind.value,
        "name": node.name,
        "namespace": node.namespace,
        "labels": sorted(node.labels),
        "props": dict(sorted(node.props.items())),
    }


def _edge_obj(edge: StoredEdge) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "edge",
        "rel": edge.rel.value,
        "src": edge.src,
        "dst": edge.dst,
        "props": dict(sorted(edge.props.items())),
    }
    if edge.key:
        obj["key"] = edge.key
    return obj


def export_lines(store: Store) -> Iterator[str]:
    for node in store.iter_nodes():
        yield json.dumps(_node_obj(node), ensure_ascii=False, separators=(",", ":"))
    for edge in store.iter_edges():
        yield json.dumps(_edge_obj(edge), ensure_ascii=False, separators=(",", ":"))


def export_to(store: Store, out: IO[str]) -> int:
    count = 0
    for line in export_lines(store):
        out.write(line + "\n")
        count += 1
    return count


@dataclass
class ImportReport:
    nodes: int = 0
    edges: int = 0
    errors: list[str] = field(default_factory=list)


def _parse_node(obj: dict[str, Any]) -> StoredNode:
    if ids.kind_of(str(obj["uid"])) is not Kind(obj["kind"]):
        raise ValueError(f"uid {obj['uid']!r} does not match kind {obj['kind']!r}")
    return StoredNode(
        uid=str(obj["uid"]),
        kind=Kind(obj["kind"]),
        name=str(obj.get("name", "")),
        namespace=str(obj.get("namespace", "")),
        labels=tuple(obj.get("labels") or ()),
        props=dict(obj.get("props") or {}),
    )


def _parse_edge(obj: dict[str, Any]) -> StoredEdge:
    ids.parse(str(obj["src"]))  # InvalidId is a ValueError: reported with the line number
    ids.parse(str(obj["dst"]))
    return StoredEdge(
        src=str(obj["src"]),
        rel=Rel(obj["rel"]),
        dst=str(obj["dst"]),
        key=str(obj.get("key", "")),
        props=dict(obj.get("props") or {}),
    )


def import_from(
    store: Store, lines: Iterable[str], *, batch_size: int = 5000, bulk: bool = False
) -> ImportReport:
    """Load an export. Nodes are written before edges, whatever the order in the file.

    ``bulk``: the store must be empty (else :class:`~lineage.errors.StoreNotEmpty`, nothing
    written) and have a bulk insert; the result is the same as the statement path's.
    """
    report = ImportReport()
    nodes: list[StoredNode] = []
    edges: list[StoredEdge] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if obj.get("type") == "node":
                nodes.append(_parse_node(obj))
            elif obj.get("type") == "edge":
                edges.append(_parse_edge(obj))
            else:
                raise ValueError(f"unknown type {obj.get('type')!r}")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            report.errors.append(f"line {number}: {type(exc).__name__}: {exc}")
    report.nodes, report.edges = len(nodes), len(edges)
    if bulk:
        _bulk_restore(store, nodes, edges)
        return report
    for start in range(0, len(nodes), batch_size):
        with store.batch():
            store.restore_nodes(nodes[start : start + batch_size])
    # An edge whose endpoints are not in the file (or store) must not vanish silently.
    store.ensure_nodes(sorted({e.src for e in edges} | {e.dst for e in edges}))
    for start in range(0, len(edges), batch_size):
        with store.batch():
            store.restore_edges(edges[start : start + batch_size])
    return report


def _bulk_restore(store: Store, nodes: list[StoredNode], edges: list[StoredEdge]) -> None:
    """What restore_nodes, ensure_nodes and restore_edges leave, built in memory and
    created at once (a later record of the same node or edge updates the earlier one)."""
    if not hasattr(store, "bulk_create"):
        raise StoreError(f"store {store.location} has no bulk insert; import without --bulk")
    records: dict[str, dict[str, Any]] = {}
    for node in nodes:
        record = records.setdefault(node.uid, {"uid": node.uid})
        _plus(record, node.props)
        record.update(kind=node.kind.value, name=node.name, namespace=node.namespace,
                      labels=list(node.labels))  # fmt: skip
    ends = {e.src for e in edges} | {e.dst for e in edges}
    for uid in sorted(ends - records.keys()):
        parsed = ids.parse(uid)
        records[uid] = {"uid": uid, "kind": parsed.kind.value, "name": parsed.display,
                        "namespace": parsed.namespace, "stub": True}  # fmt: skip
    links: dict[tuple[str, Rel, str, str], dict[str, Any]] = {}
    for edge in edges:
        record = links.setdefault((edge.src, edge.rel, edge.dst, edge.key), {"key": edge.key})
        _plus(record, edge.props)
    store.bulk_create(  # type: ignore[attr-defined]
        list(records.values()), [(rel, s, d, p) for (s, rel, d, _k), p in links.items()]
    )


def _plus(record: dict[str, Any], props: Mapping[str, Any]) -> None:
    """``SET x += props``: a null value removes the property."""
    for key, value in props.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
