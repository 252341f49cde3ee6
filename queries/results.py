"""The small frozen values every question returns, and how they become JSON.

A result always carries its evidence: the nodes and the hops (with the transformation on
each edge) that make it true, so a reader can check it against the graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from queries.cypher import NODE_LABELS, NODES_BY_UID
from queries.traverse import (
    COLUMN_DETAIL,
    DATASET_LEVEL,
    INDIRECT,
    MASKING,
    STALE,
    Step,
    edge_details,
)

__all__ = [
    "Hop",
    "NodeInfo",
    "Path",
    "fetch_labels",
    "fetch_nodes",
    "hops_of",
    "path_of",
    "with_details",
]


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """What a result shows about a node: identity, labels and the risk inputs."""

    uid: str
    kind: str
    name: str
    namespace: str = ""
    labels: tuple[str, ...] = ()
    own_labels: tuple[str, ...] = ()
    coarse_labels: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    exposure: str | None = None
    registered: bool | None = None
    provider: str | None = None
    principals: tuple[str, ...] = ()  # Principal uids with CAN_ACCESS to this node
    runtime_score: float = 0.0  # from gateway logs and model scans (queries.runtime)
    runtime_findings: tuple[str, ...] = ()
    quarantined: bool = False  # a remediation took it out of service (lineage.policy)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> NodeInfo:
        return cls(
            uid=row["uid"],
            kind=row["kind"],
            name=row.get("name") or row["uid"],
            namespace=row.get("namespace") or "",
            labels=tuple(row.get("labels") or ()),
            own_labels=tuple(row.get("own_labels") or ()),
            coarse_labels=tuple(row.get("coarse_labels") or ()),
            evidence=tuple(row.get("evidence") or ()),
            exposure=row.get("exposure"),
            registered=row.get("registered"),
            provider=row.get("provider"),
            principals=tuple(sorted(row.get("principals") or ())),
            runtime_score=float(row.get("runtime_score") or 0.0),
            runtime_findings=tuple(row.get("runtime_findings") or ()),
            quarantined=bool(row.get("quarantined")),
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "uid": self.uid,
            "kind": self.kind,
            "name": self.name,
            "namespace": self.namespace,
            "labels": list(self.labels),
            "own_labels": list(self.own_labels),
        }
        if self.exposure is not None:
            out["exposure"] = self.exposure
        if self.registered is not None:
            out["registered"] = self.registered
        if self.principals:
            out["principals"] = list(self.principals)
        if self.runtime_findings:
            out["runtime_findings"] = list(self.runtime_findings)
        if self.quarantined:
            out["quarantined"] = True
        return out


@dataclass(frozen=True, slots=True)
class Hop:
    """One edge of a path, in data-flow order, with what the edge does to the data."""

    src: str
    dst: str
    rel: str  # FLOWS_TO, or HAS_COLUMN for the column/dataset steps
    kind: str | None = None
    via: str | None = None
    granularity: str | None = None
    transformation_type: str | None = None
    transformation_subtype: str | None = None
    masking: bool = False
    stale: bool = False
    coarse: bool = False
    detail: bool = False  # a dataset edge whose columns' edges are known

    @classmethod
    def of(cls, step: Step) -> Hop:
        return cls(
            src=step.src,
            dst=step.dst,
            rel="FLOWS_TO" if step.step == "flow" else "HAS_COLUMN",
            kind=step.edge_kind,
            via=step.via,
            granularity=step.granularity,
            transformation_type=step.ttype,
            transformation_subtype=step.subtype,
            masking=step.masking,
            stale=step.stale,
            coarse=step.coarse,
            detail=step.detail,
        )

    @property
    def transformation(self) -> str:
        """``DIRECT/IDENTITY``-style text for tables, or the structural relation."""
        if self.rel != "FLOWS_TO":
            return "part of"
        text = "/".join(t for t in (self.transformation_type, self.transformation_subtype) if t)
        text = text or "unspecified"
        if self.masking:
            text += " (masked)"
        if self.coarse:
            text += " (dataset-level)"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "src": self.src,
            "dst": self.dst,
            "rel": self.rel,
            "kind": self.kind,
            "via": self.via,
            "granularity": self.granularity,
            "transformation_type": self.transformation_type,
            "transformation_subtype": self.transformation_subtype,
            "masking": self.masking,
            "stale": self.stale,
            "coarse": self.coarse,
        }


@dataclass(frozen=True, slots=True)
class Path:
    """A path as evidence: its nodes in data-flow order and the hops between them."""

    nodes: tuple[NodeInfo, ...]
    hops: tuple[Hop, ...]

    @property
    def flow_hops(self) -> int:
        return sum(1 for h in self.hops if h.rel == "FLOWS_TO")

    @property
    def coarse_hops(self) -> int:
        return sum(1 for h in self.hops if h.coarse)

    def text(self) -> str:
        """``a -[transform DIRECT/IDENTITY]-> b`` for terminals and logs."""
        if not self.nodes:
            return ""
        parts = [self.nodes[0].name]
        for hop, node in zip(self.hops, self.nodes[1:], strict=False):
            parts.append(f" -[{hop.kind or hop.rel.lower()} {hop.transformation}]-> {node.name}")
        return "".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "nodes": [n.to_dict() for n in self.nodes],
            "hops": [h.to_dict() for h in self.hops],
        }


def with_details(store: Any, hops: list[Hop]) -> list[Hop]:
    """The same hops with each FLOWS_TO edge's kind, job and subtype filled (one round trip)."""
    steps = [_step_of(h) for h in hops]
    found = edge_details(store, steps)
    return [
        Hop.of(found[(s.src, s.dst, s.code)]) if (s.src, s.dst, s.code) in found else h
        for s, h in zip(steps, hops, strict=True)
    ]


def _step_of(hop: Hop) -> Step:
    code = (
        (DATASET_LEVEL if hop.granularity == "dataset" else 0)
        | (COLUMN_DETAIL if hop.detail else 0)
        | (MASKING if hop.masking else 0)
        | (STALE if hop.stale else 0)
        | (INDIRECT if hop.transformation_type == "INDIRECT" else 0)
    )
    step = "flow" if hop.rel == "FLOWS_TO" else "column"
    return Step(hop.src, hop.dst, step, code)


def hops_of(steps: Iterable[Step]) -> list[Hop]:
    return [Hop.of(s) for s in steps]


def fetch_labels(store: Any, uids: Iterable[str]) -> dict[str, NodeInfo]:
    """Kind, name and labels of many nodes in one round trip."""
    wanted = sorted(set(uids))
    if not wanted:
        return {}
    return {
        row["uid"]: NodeInfo(
            row["uid"], row["kind"], row["name"] or row["uid"], labels=tuple(row["labels"])
        )
        for row in store.query(NODE_LABELS, {"uids": wanted})
    }


def fetch_nodes(store: Any, uids: Iterable[str]) -> dict[str, NodeInfo]:
    """Node facts for many uids in one round trip (missing uids are simply absent)."""
    wanted = sorted(set(uids))
    if not wanted:
        return {}
    rows = store.query(NODES_BY_UID, {"uids": wanted})
    return {row["uid"]: NodeInfo.from_row(row) for row in rows}


def path_of(steps: list[Step], nodes: Mapping[str, NodeInfo], start: str) -> Path:
    """Build a :class:`Path` from data-ordered steps; ``start`` is its first node."""
    order = [start] + [s.dst for s in steps]
    infos = tuple(nodes.get(uid) or NodeInfo(uid, "", uid) for uid in order)
    return Path(infos, tuple(hops_of(steps)))
