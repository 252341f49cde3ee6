"""Abstract values the analysis tracks through variables, and the fact collector.

The analysis is an abstract interpreter: every expression evaluates to a :class:`Val` that
says what is known statically: the callable or type it names (``tag``, a dotted qualified
name such as ``transformers.Trainer``), a folded constant, the asset it *is* (a model, an
index, an endpoint), and the provenance it *carries* (``data``: uids of the datasets, indexes
and models its content came from). Unknown things evaluate to the empty ``Val``, so missing
knowledge degrades to fewer facts, never to wrong ones.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from lineage import ids
from lineage.model import Edge, EdgeKind, Fact, Kind, Labeling, Node, Problem, Rel

__all__ = ["UNKNOWN", "Collector", "Val", "union"]

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(slots=True, eq=False)
class Val:
    """What the analysis knows about one value. Treated as immutable (never assigned to);
    not declared frozen because a frozen dataclass's ``__init__`` costs several times more,
    and the interpreter makes one per expression."""

    tag: str = ""
    const: Any = None
    asset: str = ""
    data: frozenset[str] = frozenset()
    models: frozenset[str] = frozenset()
    attrs: Mapping[str, Any] = field(default=_EMPTY)
    func: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | None = None

    @property
    def text(self) -> str | None:
        """The folded string constant, if this value is one."""
        return self.const if isinstance(self.const, str) else None

    def carried(self) -> frozenset[str]:
        """Everything this value's content came from, including the asset it is."""
        return self.data | {self.asset} if self.asset else self.data

    def with_attrs(self, **attrs: Any) -> Val:
        return replace(self, attrs=MappingProxyType({**self.attrs, **attrs}))


UNKNOWN = Val()


def union(vals: Iterable[Val], *, tag: str = "") -> Val:
    """A value derived from others: it carries all their provenance and models."""
    data: set[str] = set()
    models: set[str] = set()
    for v in vals:
        data |= v.carried()
        models |= v.models
        if v.asset and (v.asset.startswith("model:") or v.attrs.get("role") == "model"):
            models.add(v.asset)
    return Val(tag=tag, data=frozenset(data), models=frozenset(models))


_FLOW_PROPS = {
    EdgeKind.TRAIN: "TRANSFORMATION",
    EdgeKind.FINE_TUNE: "TRANSFORMATION",
    EdgeKind.EMBED: "TRANSFORMATION",
    EdgeKind.RETRIEVE: "IDENTITY",
    EdgeKind.SERVE: "TRANSFORMATION",
    EdgeKind.INFER: "IDENTITY",
    EdgeKind.EXPORT: "IDENTITY",
    EdgeKind.TRANSFORM: "TRANSFORMATION",
    EdgeKind.TRACE: "IDENTITY",
}


class Collector:
    """Collects facts for one artefact, merging repeats (a node seen in many cells is one node).

    Node props merge (first value wins, so the earliest, most specific sighting is kept);
    an edge is kept once per (src, rel, dst, key).
    """

    def __init__(self, job_uid: str, path: str) -> None:
        self.job_uid = job_uid
        self.path = path
        self._nodes: dict[str, Node] = {}
        self._edges: dict[tuple[str, str, str, str], Edge] = {}
        self._labelings: dict[tuple[str, str, str], Labeling] = {}
        self._alternatives: dict[str, set[str]] = {}  # asset -> its group (itself included)
        self.problems: list[Problem] = []
        self.ref = path

    def at(self, ref: str) -> None:
        """Set the ``source_ref`` (path and cell) later facts carry."""
        self.ref = ref

    def node(self, uid: str, **props: Any) -> str:
        clean = {k: v for k, v in props.items() if v is not None and v != ""}
        prior = self._nodes.get(uid)
        if prior is not None:
            merged = {**clean, **prior.props}
            if merged != dict(prior.props):
                self._nodes[uid] = replace(prior, props=merged)
            return uid
        parsed = ids.parse(uid)
        self._nodes[uid] = Node(
            uid, parsed.kind, parsed.name or parsed.namespace, parsed.namespace, clean, self.ref
        )
        return uid

    def edge(self, src: str, rel: Rel, dst: str, *, key: str = "", **props: Any) -> None:
        if src == dst:
            return
        ident = (src, rel.value, dst, key)
        if ident not in self._edges:
            self._edges[ident] = Edge(src, rel, dst, props, key, self.ref)

    def alternative(self, asset: str, other: str) -> None:
        """``asset`` stands where ``other`` stood (the same variable, another cell): flows
        into or out of one are flows of each (one group, however many alternatives)."""
        group = self._alternatives.get(asset, {asset}) | self._alternatives.get(other, {other})
        for uid in group:
            self._alternatives[uid] = group

    def flow(self, src: str, dst: str, kind: EdgeKind) -> None:
        """A dataset-level ``FLOWS_TO`` through this notebook's job, and through each
        alternative of either end (:meth:`alternative`)."""
        for a in self._alternatives.get(src, (src,)):
            for b in self._alternatives.get(dst, (dst,)):
                self._flow(a, b, kind)

    def _flow(self, src: str, dst: str, kind: EdgeKind) -> None:
        """A dataset-level ``FLOWS_TO`` through this notebook's job (contract props).

        An app *served by* a third-party API model depends on it (integrity) but receives
        none of our data through it: what we send the vendor for one call does not reach the
        vendor's other callers. So that edge is INDIRECT; without it, every app using
        ``gpt-4o-mini`` would appear to leak whatever any notebook ever sent to it.
        """
        if not (ids.kind_of(src).holds_data and ids.kind_of(dst).holds_data):
            return
        source = self._nodes.get(src)
        vendor = source is not None and source.props.get("origin") == "third_party_api"
        indirect = kind is EdgeKind.SERVE and vendor
        self.edge(
            src,
            Rel.FLOWS_TO,
            dst,
            key=self.job_uid,
            kind=kind.value,
            via=self.job_uid,
            granularity="dataset",
            transformation_type="INDIRECT" if indirect else "DIRECT",
            transformation_subtype="CONDITIONAL" if indirect else _FLOW_PROPS[kind],
            masking=False,
        )

    def reads(self, dataset: str) -> None:
        if ids.kind_of(dataset) is Kind.DATASET:
            self.edge(self.job_uid, Rel.READS, dataset, key=self.job_uid)

    def writes(self, dataset: str) -> None:
        if ids.kind_of(dataset) is Kind.DATASET:
            self.edge(self.job_uid, Rel.WRITES, dataset, key=self.job_uid)

    def label(self, labeling: Labeling) -> None:
        key = (labeling.uid, str(labeling.label), labeling.source_ref)
        self._labelings.setdefault(key, labeling)

    def update(self, uid: str, **props: Any) -> None:
        """Overwrite props of a node already collected (later, stronger evidence)."""
        node = self._nodes[uid]
        self._nodes[uid] = replace(node, props={**node.props, **props})

    def absorb(self, fact: Fact) -> None:
        """Take a fact from another ingestor (the SQL one) as is, merging repeats."""
        if isinstance(fact, Node):
            prior = self._nodes.get(fact.uid)
            props = {**fact.props, **(prior.props if prior else {})}
            self._nodes[fact.uid] = replace(prior or fact, props=props)
        elif isinstance(fact, Edge):
            self._edges.setdefault(fact.ident, fact)
        elif isinstance(fact, Labeling):
            self.label(fact)
        else:
            self.problems.append(fact)

    def catalog(self, namespace: str) -> dict[str, list[str]]:
        """Columns of the datasets seen so far in ``namespace`` (a schema for SQL)."""
        return {
            node.name: list(node.props["fields"])  # type: ignore[arg-type]
            for node in self._nodes.values()
            if node.kind is Kind.DATASET
            and node.namespace == namespace
            and node.props.get("fields")
        }

    def uids(self) -> list[str]:
        return list(self._nodes)

    def props(self, uid: str) -> Mapping[str, Any]:
        """The props collected so far for ``uid`` (empty when not collected)."""
        node = self._nodes.get(uid)
        return node.props if node is not None else _EMPTY

    def flows_from(self, uid: str) -> bool:
        """Whether anything flows out of ``uid`` (it was saved, served or used for output)."""
        return any(e.src == uid and e.rel is Rel.FLOWS_TO for e in self._edges.values())

    def discard(self, uid: str) -> None:
        """Forget a node and every edge touching it (an asset that turned out not to be one)."""
        self._nodes.pop(uid, None)
        for ident in [i for i, e in self._edges.items() if uid in (e.src, e.dst)]:
            del self._edges[ident]

    def has_node(self, uid: str) -> bool:
        return uid in self._nodes

    def node_props(self, uid: str) -> Mapping[str, Any]:
        node = self._nodes.get(uid)
        return node.props if node else _EMPTY

    def facts(self) -> Iterator[Fact]:
        """Nodes first (so edges always have their ends), then edges, labels, problems."""
        yield from self._nodes.values()
        yield from self._edges.values()
        yield from self._labelings.values()
        yield from self.problems
