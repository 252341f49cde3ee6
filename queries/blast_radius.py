"""Blast radius: what a poisoned or leaked node hits downstream, or what an endpoint can
leak upstream, grouped by kind, with the endpoints and models ranked by risk.

Two modes, because the two threats travel differently:

* ``confidentiality`` (leaks): only edges that carry values (not INDIRECT, not masking);
  dataset edges with column detail are replaced by their column edges;
* ``integrity`` (poisoning): every FLOWS_TO edge, INDIRECT and masking included, since a
  poisoned filter or join key changes which rows arrive even when no value is copied.

Stale edges (``stale: true``) are left out unless ``include_stale``. Columns are counted
with their dataset (``HAS_COLUMN``) so the grouping speaks in tables, not fields.

>>> # r = blast_radius(store, "dataset:postgres://db:5432:crm.public.customers")
>>> # r.by_kind["Endpoint"], r.endpoints[0].risk.explain()
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

from lineage.errors import LineageError, NodeNotFound
from queries.results import Hop, NodeInfo, Path, fetch_nodes, hops_of, path_of
from queries.risk import Risk, risk
from queries.traverse import Reach, traverse

__all__ = ["Affected", "BlastRadius", "Direction", "Mode", "Ranked", "blast_radius"]

type Direction = Literal["down", "up"]
type Mode = Literal["confidentiality", "integrity"]

_RANKED_KINDS = ("Endpoint", "Model", "VectorIndex")


@dataclass(frozen=True, slots=True)
class Affected:
    """One node in the radius. For a column, ``dataset`` is the table it rolls up to."""

    node: NodeInfo
    depth: int
    dataset: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**self.node.to_dict(), "depth": self.depth, "dataset": self.dataset}


@dataclass(frozen=True, slots=True)
class Ranked:
    """An endpoint, model or index in the radius, its risk, and a witness path to it."""

    node: NodeInfo
    depth: int
    risk: Risk
    path: Path
    principals: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "node": self.node.to_dict(),
            "depth": self.depth,
            "risk": self.risk.to_dict(),
            "path": self.path.to_dict(),
            "principals": list(self.principals),
        }


@dataclass(frozen=True, slots=True)
class BlastRadius:
    origin: NodeInfo
    direction: Direction
    mode: Mode
    include_stale: bool
    max_depth: int
    depth_reached: int
    by_kind: dict[str, int]
    affected: tuple[Affected, ...]
    ranked: tuple[Ranked, ...]
    edges: tuple[Hop, ...]
    truncated: bool = False

    @property
    def endpoints(self) -> tuple[Ranked, ...]:
        return tuple(r for r in self.ranked if r.node.kind == "Endpoint")

    @property
    def models(self) -> tuple[Ranked, ...]:
        return tuple(r for r in self.ranked if r.node.kind == "Model")

    @property
    def datasets(self) -> tuple[Affected, ...]:
        return tuple(a for a in self.affected if a.node.kind == "Dataset")

    @property
    def labels(self) -> tuple[str, ...]:
        """Every sensitivity label held by something in the radius (the origin included)."""
        found = set(self.origin.labels)
        for a in self.affected:
            found.update(a.node.labels)
        return tuple(sorted(found))

    def to_dict(self) -> dict[str, Any]:
        return {
            "origin": self.origin.to_dict(),
            "direction": self.direction,
            "mode": self.mode,
            "include_stale": self.include_stale,
            "max_depth": self.max_depth,
            "depth_reached": self.depth_reached,
            "truncated": self.truncated,
            "by_kind": dict(self.by_kind),
            "labels": list(self.labels),
            "ranked": [r.to_dict() for r in self.ranked],
            "affected": [a.to_dict() for a in self.affected],
            "edges": [e.to_dict() for e in self.edges],
        }


def blast_radius(
    store: Any,
    uid: str,
    *,
    direction: Direction = "down",
    mode: Mode = "confidentiality",
    depth: int = 10,
    include_stale: bool = False,
    max_nodes: int = 250_000,
) -> BlastRadius:
    """The radius of ``uid``. Raises :class:`NodeNotFound` for an unknown id.

    Ranking: endpoints, models and vector indexes by :func:`queries.risk.risk` over the
    labels they hold (their own view of sensitivity), their exposure and access, and the
    coarse hops on the witness path.
    """
    if direction not in ("down", "up"):
        raise LineageError(f"direction must be 'down' or 'up', not {direction!r}")
    if mode not in ("confidentiality", "integrity"):
        raise LineageError(f"mode must be 'confidentiality' or 'integrity', not {mode!r}")
    reach: Reach = traverse(
        store,
        {uid: ""},  # kind unknown yet: the node facts come in one fetch at the end
        way="out" if direction == "down" else "in",
        integrity=mode == "integrity",
        include_stale=include_stale,
        depth=depth,
        max_states=max_nodes,
    )
    depth_of = {state[0]: d for state, d in reach.depth.items() if state[0] != uid}
    nodes = fetch_nodes(store, [*depth_of, uid])
    if uid not in nodes:
        raise NodeNotFound(uid)
    origin = nodes[uid]
    parents: dict[str, str] = {}  # column -> its dataset, from the HAS_COLUMN steps
    for _src, _dst, step in reach.steps:
        if step.step != "flow":
            col, ds = (step.src, step.dst)
            if reach.kind.get(col) != "Column":
                col, ds = ds, col
            parents[col] = ds
    affected = tuple(
        sorted(
            (
                Affected(
                    nodes.get(u) or NodeInfo(u, reach.kind.get(u, ""), u),
                    d,
                    parents.get(u) if reach.kind.get(u) == "Column" else None,
                )
                for u, d in depth_of.items()
            ),
            key=lambda a: (a.depth, a.node.kind, a.node.uid),
        )
    )
    by_kind = Counter(a.node.kind for a in affected)
    ranked: list[Ranked] = []
    for a in affected:
        if a.node.kind not in _RANKED_KINDS:
            continue
        steps = reach.witness((a.node.uid, None, None))
        start = uid if direction == "down" else a.node.uid
        path = path_of(steps, nodes, start)
        score = risk(
            a.node.labels,
            kind=a.node.kind,
            exposure_value=a.node.exposure,
            registered=a.node.registered,
            principals=len(a.node.principals),
            coarse_hops=path.coarse_hops,
        )
        ranked.append(Ranked(a.node, a.depth, score, path, a.node.principals))
    ranked.sort(key=lambda r: (-r.risk.score, r.depth, r.node.uid))
    edges = {(s.src, s.dst, s.step, s.via): s for _a, _b, s in reach.steps}
    return BlastRadius(
        origin=origin,
        direction=direction,
        mode=mode,
        include_stale=include_stale,
        max_depth=depth,
        depth_reached=max(depth_of.values(), default=0),
        by_kind=dict(sorted(by_kind.items())),
        affected=affected,
        ranked=tuple(ranked),
        edges=tuple(hops_of(edges[k] for k in sorted(edges, key=lambda k: tuple(map(str, k))))),
        truncated=reach.truncated,
    )
