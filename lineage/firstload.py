"""First load: facts into an empty store at bulk speed, with the same result as ``ingest``.

``ingest`` MERGEs batch after batch and brings labels up to date after each one; on an
empty store most of that work is look-ups that find nothing. Here the facts go through the
very same batching and checks (:class:`lineage.pipeline.IngestReport` says the same), but
each batch is applied to records held in memory with the semantics of the upsert statements
in :mod:`lineage.store.cypher` (first/last seen, source refs, stubs for edge ends, ``+=``
props). The final records are then created at once by the store's bulk insert, detector
findings are recorded, and labels are computed by ONE full recompute. ``lineage export``
of the result is identical to the MERGE path's (``tests/test_firstload.py``).

Stores without a bulk insert (Neo4j) and stores that are not empty get ``ingest`` itself,
unless the caller asked for bulk strictly (``fallback=False``), then :class:`StoreNotEmpty`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lineage import ids, sensitivity
from lineage.errors import LineageError, StoreNotEmpty
from lineage.model import Edge, Fact, Kind, Labeling, Node, Rel
from lineage.pipeline import (
    Change,
    IngestReport,
    _Batch,
    batches,
    ingest,
    notify,
)
from lineage.store.base import Store
from lineage.timeutil import now_iso

__all__ = ["bulk_capable", "first_load"]


def bulk_capable(store: Store) -> bool:
    """Whether the store has a bulk insert and holds nothing yet."""
    return hasattr(store, "bulk_create") and store.is_empty()  # type: ignore[attr-defined]


def _seen(record: dict[str, Any], seen: str, ref: str) -> None:
    """The ``_SEEN`` clause of the upsert statements, on a record in memory."""
    first = record.get("first_seen")
    if first is None or seen < first:
        record["first_seen"] = seen
    last = record.get("last_seen")
    if last is None or seen > last:
        record["last_seen"] = seen
    refs = record.get("source_refs") or []
    record["source_refs"] = refs if ref == "" or ref in refs else [*refs, ref]


class _Checker:
    """``pipeline._check`` with each id parsed once: an id recurs in every edge that names it
    (parsing was a fifth of a first load)."""

    def __init__(self) -> None:
        self.kinds: dict[str, Kind | None] = {}  # uid -> its kind, None if not an id
        self.errors: dict[str, str] = {}

    def kind(self, uid: str) -> Kind | None:
        if uid in self.kinds:
            return self.kinds[uid]
        try:
            found: Kind | None = ids.kind_of(uid)
        except LineageError as exc:
            found = None
            self.errors[uid] = str(exc)
        self.kinds[uid] = found
        return found

    def __call__(self, fact: Node | Edge | Labeling) -> str | None:
        if isinstance(fact, Node):
            kind = self.kind(fact.uid)
            if kind is None:
                return self.errors[fact.uid]
            return None if kind is fact.kind else f"node {fact.uid!r} is declared {fact.kind.value}"
        for uid in (fact.src, fact.dst) if isinstance(fact, Edge) else (fact.uid,):
            if self.kind(uid) is None:
                return self.errors[uid]
        return None


class _Graph:
    """Nodes and edges as the MERGE statements would leave them."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        self.labelings: list[Labeling] = []
        self.one_per_rel: dict[Rel, Edge] = {}  # for observers (see _write)

    def apply(self, batch: _Batch, seen: str) -> None:
        """One batch, in the order ``pipeline._flush`` writes it."""
        for node in batch.nodes.values():
            record = self.nodes.get(node.uid)
            if record is None:  # ON CREATE SET n.source_ref = row.ref
                record = self.nodes[node.uid] = {"uid": node.uid, "source_ref": node.source_ref}
            record.update(kind=node.kind.value, name=node.name, namespace=node.namespace)
            _seen(record, node.observed_at or seen, node.source_ref)
            record.update(node.props)  # facts hold no nulls (model.check_props drops them)
        edges = list(batch.edges.values())
        ends = {e.src for e in edges} | {e.dst for e in edges} | {x.uid for x in batch.labelings}
        for uid in sorted(ends - batch.nodes.keys()):
            if uid not in self.nodes:  # ensure_nodes: MERGE ... ON CREATE only
                parsed = ids.parse(uid)
                self.nodes[uid] = {"uid": uid, "kind": parsed.kind.value,
                                   "name": parsed.display, "namespace": parsed.namespace,
                                   "stub": True}  # fmt: skip
        for edge in edges:
            record = self.edges.get(edge.ident)
            if record is None:
                record = self.edges[edge.ident] = {"key": edge.key, "source_ref": edge.source_ref}
            _seen(record, edge.observed_at or seen, edge.source_ref)
            record.update(edge.props)
            self.one_per_rel.setdefault(edge.rel, edge)
        self.labelings.extend(batch.labelings)


def first_load(
    store: Store,
    facts: Iterable[Fact],
    *,
    batch_size: int = 5000,
    seen: str | None = None,
    strict: bool = False,
    fallback: bool = True,
) -> IngestReport:
    """Load ``facts`` into an empty store in bulk; the result equals ``ingest``'s.

    A store that is not empty (or has no bulk insert) gets ``ingest`` when ``fallback``,
    else :class:`StoreNotEmpty` is raised before anything is read from ``facts``.
    """
    if not bulk_capable(store):
        if not fallback:
            raise StoreNotEmpty(f"store {store.location} is not empty (or has no bulk insert)")
        return ingest(store, facts, batch_size=batch_size, seen=seen, strict=strict)
    report = IngestReport()
    seen = seen or now_iso()
    graph = _Graph()
    check = _Checker()
    for batch in batches(facts, batch_size=batch_size, report=report, strict=strict, check=check):
        _count(report, batch)
        graph.apply(batch, seen)
    _write(store, graph, seen)
    return report


def _count(report: IngestReport, batch: _Batch) -> None:
    report.nodes += len(batch.nodes)
    report.edges += len(batch.edges)
    report.labelings += len(batch.labelings)


def _write(store: Store, graph: _Graph, seen: str) -> None:
    edges = [(rel, s, d, props) for (s, rel, d, _key), props in graph.edges.items()]
    store.bulk_create(list(graph.nodes.values()), edges)  # type: ignore[attr-defined]
    if graph.labelings:
        sensitivity.apply_labelings(store, graph.labelings, at=seen)
    sensitivity.recompute(store)
    # Every node is in the change; one edge per type tells observers (policy.enforce.affects)
    # which types were written without holding millions of edge objects.
    edges_seen = tuple(graph.one_per_rel.values())
    notify(store, Change(frozenset(graph.nodes), edges_seen, tuple(graph.labelings)))
