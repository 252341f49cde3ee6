"""Lineage: what a node is built from (upstream) or feeds (downstream), at dataset or
column level, to a depth.

Lineage answers "where does this come from", so every ``FLOWS_TO`` edge counts, INDIRECT
ones included (a filter or join key is a dependency even when no value is copied). At
dataset level the walk follows dataset, model, index and endpoint edges; at column level it
follows column edges only (from a dataset, starting at all of its columns).

>>> # lin = lineage(store, "dataset:snowflake://acme:marts.orders", direction="up", depth=3)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from lineage.errors import LineageError, NodeNotFound
from queries.cypher import COLUMNS_OF
from queries.results import Hop, NodeInfo, fetch_nodes, hops_of
from queries.traverse import edge_details, traverse

__all__ = ["Level", "Lineage", "LineageNode", "lineage"]

type Level = Literal["dataset", "column"]


@dataclass(frozen=True, slots=True)
class LineageNode:
    node: NodeInfo
    depth: int

    def to_dict(self) -> dict[str, Any]:
        return {**self.node.to_dict(), "depth": self.depth}


@dataclass(frozen=True, slots=True)
class Lineage:
    origin: NodeInfo
    direction: str
    level: Level
    max_depth: int
    depth_reached: int
    nodes: tuple[LineageNode, ...]
    edges: tuple[Hop, ...]
    truncated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "origin": self.origin.to_dict(),
            "direction": self.direction,
            "level": self.level,
            "max_depth": self.max_depth,
            "depth_reached": self.depth_reached,
            "truncated": self.truncated,
            "nodes": [n.to_dict() for n in self.nodes],
            "edges": [e.to_dict() for e in self.edges],
        }


def lineage(
    store: Any,
    uid: str,
    *,
    direction: Literal["up", "down"] = "up",
    level: Level = "dataset",
    depth: int = 5,
    include_stale: bool = False,
    max_nodes: int = 100_000,
) -> Lineage:
    """Up- or downstream lineage of ``uid``. Raises :class:`NodeNotFound` if it is absent."""
    if direction not in ("up", "down"):
        raise LineageError(f"direction must be 'up' or 'down', not {direction!r}")
    if level not in ("dataset", "column"):
        raise LineageError(f"level must be 'dataset' or 'column', not {level!r}")
    found = fetch_nodes(store, [uid])
    if uid not in found:
        raise NodeNotFound(uid)
    origin = found[uid]
    starts: dict[str, str] = {uid: origin.kind}
    if level == "dataset" and origin.kind == "Column":
        starts = {r["dataset"]: "Dataset" for r in store.query(COLUMNS_OF, {"uid": uid})} or starts
    elif level == "column" and origin.kind == "Dataset":
        starts = {r["column"]: "Column" for r in store.query(COLUMNS_OF, {"uid": uid})}
    reach = traverse(
        store,
        starts,
        way="out" if direction == "down" else "in",
        integrity=True,
        include_stale=include_stale,
        depth=depth,
        columns=False,
        max_states=max_nodes,
    )
    depth_of: dict[str, int] = {}
    for (u, _l, _t), d in reach.depth.items():
        if u != uid and u not in starts:
            depth_of[u] = min(d, depth_of.get(u, d))
    edges = {}
    for _a, _b, s in reach.steps:
        if level == "column" and s.granularity == "dataset":
            continue  # column level: column edges only (a column's dataset edges are coarse)
        edges[(s.src, s.dst, s.code)] = s
    if level == "column":
        keep = {s.src for s in edges.values()} | {s.dst for s in edges.values()}
        depth_of = {u: d for u, d in depth_of.items() if u in keep}
    nodes = fetch_nodes(store, [*depth_of])
    details = edge_details(store, edges.values())
    return Lineage(
        origin=origin,
        direction=direction,
        level=level,
        max_depth=depth,
        depth_reached=max(depth_of.values(), default=0),
        nodes=tuple(
            sorted(
                (LineageNode(nodes.get(u) or NodeInfo(u, "", u), d) for u, d in depth_of.items()),
                key=lambda n: (n.depth, n.node.kind, n.node.uid),
            )
        ),
        edges=tuple(
            hops_of(
                details.get(k, edges[k]) for k in sorted(edges, key=lambda k: tuple(map(str, k)))
            )
        ),
        truncated=reach.truncated,
    )
