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

import contextlib
import functools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from lineage import ids
from lineage.errors import LineageError, NodeNotFound
from queries.cypher import EDGE_DETAILS, NODES_BY_UID
from queries.graph_index import Snapshot, index_for
from queries.results import Hop, NodeInfo, Path, fetch_labels, fetch_nodes, hops_of, path_of
from queries.risk import Risk, risk
from queries.traverse import (
    Reach,
    Step,
    Wanted,
    details_from_rows,
    details_request,
    edge_details,
    traverse,
)

__all__ = ["Affected", "BlastRadius", "Direction", "Mode", "Ranked", "blast_radius"]

type Direction = Literal["down", "up"]
type Mode = Literal["confidentiality", "integrity"]

_RANKED_KINDS = ("Endpoint", "Model", "VectorIndex")
_SMALL = 64  # radii up to this size fetch every node's facts in one round trip


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


@dataclass(frozen=True)
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
    steps: tuple[Step, ...]  # the traversed edges; ``edges`` shows them as hops
    truncated: bool = False

    @cached_property
    def edges(self) -> tuple[Hop, ...]:
        """The traversed edges (the subgraph), in data-flow order, built when first asked."""
        return tuple(hops_of(self.steps))

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


def _parents(reach: Reach, depth_of: dict[str, int]) -> dict[str, str]:
    """Column -> its dataset, for every column in the radius (from the id: one scheme)."""
    out: dict[str, str] = {}
    for u in depth_of:
        if reach.kind.get(u) == "Column":
            with contextlib.suppress(LineageError):
                out[u] = _dataset_of(u)
    return out


def _step_graph(reach: Reach) -> dict[str, list[tuple[str, Step]]]:
    """The traversed steps as adjacency (built once per radius, shared by every witness)."""
    out: dict[str, list[tuple[str, Step]]] = {}
    for a, b, step in reach.steps:
        out.setdefault(a[0], []).append((b[0], step))
    return out


@functools.lru_cache(maxsize=1 << 16)
def _dataset_of(column: str) -> str:
    return ids.parse(column).dataset


def _labelled_witness(
    reach: Reach,
    origin: str,
    target: str,
    nodes: dict[str, NodeInfo],
    graph: dict[str, dict[str, list[tuple[str, Step]]]],
) -> list[Step] | None:
    """A shortest path from ``origin`` to ``target`` through nodes that carry a label both
    ends hold, so the evidence for "this endpoint gets the email" runs through the email
    column, not through whichever column the BFS happened to reach first. ``None`` when
    the ends share no entity label or no such path exists (the BFS witness then stands).
    """
    wanted = {
        label for label in set(nodes[origin].labels) & set(nodes[target].labels) if ":" in label
    }
    if not wanted:
        return None
    out = graph.get("out")
    if out is None:  # built once per radius, shared by every witness
        out = graph["out"] = _step_graph(reach)
    parent: dict[str, tuple[str, Step]] = {}
    frontier, seen = [origin], {origin}
    while frontier and target not in parent:
        following: list[str] = []
        for u in frontier:
            for v, step in out.get(u, ()):
                if v in seen or (v != target and wanted.isdisjoint(nodes[v].labels)):
                    continue
                seen.add(v)
                parent[v] = (u, step)
                following.append(v)
        frontier = following
    if target not in parent:
        return None
    path: list[Step] = []
    at = target
    while at != origin:
        at, step = parent[at]
        path.append(step)
    if reach.way == "out":
        path.reverse()
    return path


def _brief(snap: Snapshot, uids: list[str]) -> dict[str, NodeInfo]:
    """What :func:`fetch_labels` returns, from the index (values made once per snapshot:
    it never changes, and building a frozen value costs more than the whole BFS step)."""
    kind, name, labels, made = snap.kind, snap.name, snap.labels, snap.infos
    out: dict[str, NodeInfo] = {}
    for u in uids:
        info = made.get(u)
        if info is None:
            if u not in kind:
                continue
            info = made[u] = NodeInfo(u, kind[u], name.get(u) or u, labels=labels.get(u, ()))
        out[u] = info
    return out


def _fetch_at(
    store: Any,
    version: int,
    uids: list[str],
    witness_steps: list[Step],
    all_steps: Iterable[Step] | None,
) -> tuple[dict[str, NodeInfo], Wanted, Wanted | None] | None:
    """Node facts and edge details in one round trip with the store's write counter;
    ``None`` when the counter is not ``version`` (the index's copy is out of date)."""
    wanted, params = details_request(witness_steps)
    reads: list[tuple[str, dict[str, Any]]] = [
        (NODES_BY_UID, {"uids": sorted(set(uids))}),
        (EDGE_DETAILS, params),
    ]
    wanted_all: Wanted = {}
    if all_steps is not None:
        wanted_all, params_all = details_request(all_steps)
        reads.append((EDGE_DETAILS, params_all))
    now, rows = store.query_many(reads)
    if now != version:
        return None
    facts = {row["uid"]: NodeInfo.from_row(row) for row in rows[0]}
    details = details_from_rows(rows[1], wanted)
    return facts, details, (details_from_rows(rows[2], wanted_all) if len(rows) > 2 else None)


def blast_radius(
    store: Any,
    uid: str,
    *,
    direction: Direction = "down",
    mode: Mode = "confidentiality",
    depth: int = 10,
    include_stale: bool = False,
    max_nodes: int = 250_000,
    with_edge_details: bool = False,
    use_index: bool = True,
) -> BlastRadius:
    """The radius of ``uid``. Raises :class:`NodeNotFound` for an unknown id.

    Ranking: endpoints, models and vector indexes by :func:`queries.risk.risk` over the
    labels they hold (their own view of sensitivity), their exposure and access, and the
    coarse hops on the witness path. Witness paths always carry each edge's job and
    transformation; ``with_edge_details`` fetches them for every edge of the radius too
    (one more round trip; reports want it, quick answers do not). ``use_index`` lets the
    in-process graph index (:mod:`queries.graph_index`) answer the traversal and labels when
    it holds the store's present state; the answer is the same either way.
    """
    if direction not in ("down", "up"):
        raise LineageError(f"direction must be 'down' or 'up', not {direction!r}")
    if mode not in ("confidentiality", "integrity"):
        raise LineageError(f"mode must be 'confidentiality' or 'integrity', not {mode!r}")
    found = index_for(store) if use_index else None
    snap = found.latest() if found is not None else None  # its version is checked below
    if found is not None and snap is None:
        found.current()  # starts reading one
    args = {"direction": direction, "mode": mode, "depth": depth, "include_stale": include_stale,
            "max_nodes": max_nodes, "with_edge_details": with_edge_details}  # fmt: skip
    reach: Reach = traverse(
        store,
        {uid: ""},  # kind unknown yet: the node facts come in one fetch at the end
        way="out" if direction == "down" else "in",
        integrity=mode == "integrity",
        include_stale=include_stale,
        depth=depth,
        max_states=max_nodes,
        index=snap,
    )
    depth_of = {state[0]: d for state, d in reach.depth.items() if state[0] != uid}
    parents = _parents(reach, depth_of)
    for col, ds in parents.items():  # a table is hit when one of its columns is
        if ds != uid and col in depth_of:
            depth_of[ds] = min(depth_of[col], depth_of.get(ds, depth_of[col]))
    small = len(depth_of) <= _SMALL  # then every node's full facts are fetched
    nodes: dict[str, NodeInfo] = {}
    if snap is not None:
        brief = _brief(snap, [*depth_of, uid])
        if uid not in brief:  # unknown, or new since the snapshot: the store decides
            return blast_radius(store, uid, use_index=False, **args)  # type: ignore[arg-type]
    elif small:  # one round trip for everything
        brief = nodes = fetch_nodes(store, [*depth_of, uid])
    else:  # kind and labels for all, the full facts only for what is ranked
        brief = fetch_labels(store, [*depth_of, uid])
    if uid not in brief:
        raise NodeNotFound(uid)
    ranked_uids = [u for u in depth_of if u in brief and brief[u].kind in _RANKED_KINDS]
    graph: dict[str, dict[str, list[tuple[str, Step]]]] = {}
    witnesses = {
        u: _labelled_witness(reach, uid, u, brief, graph) or reach.witness((u, None, None))
        for u in ranked_uids
    }
    witness_steps = [s for steps in witnesses.values() for s in steps]
    edges = {(s.src, s.dst, s.step, s.code): s for _a, _b, s in reach.steps}
    all_details: dict[tuple[str, str, int], Step] | None = None
    if snap is not None:
        wanted = [*depth_of, uid] if small else [*ranked_uids, uid]
        fetched = _fetch_at(
            store,
            snap.version,
            wanted,
            witness_steps,
            edges.values() if with_edge_details else None,
        )
        if fetched is None:  # the store moved on: answer from it, read a fresh copy
            found.refresh()  # type: ignore[union-attr]
            return blast_radius(store, uid, use_index=False, **args)  # type: ignore[arg-type]
        facts, details, all_details = fetched
        nodes = facts if small else {**brief, **facts}
    else:
        if not small:
            nodes = {**brief, **fetch_nodes(store, [*ranked_uids, uid])}
        details = edge_details(store, witness_steps)
        if with_edge_details:
            all_details = edge_details(store, edges.values())
    origin = nodes[uid]
    affected = tuple(
        sorted(
            (
                Affected(
                    nodes.get(u) or NodeInfo(u, reach.kind.get(u, ""), u),
                    d,
                    parents.get(u),
                )
                for u, d in depth_of.items()
            ),
            key=lambda a: (a.depth, a.node.kind, a.node.uid),
        )
    )
    by_kind = Counter(a.node.kind for a in affected)
    ranked: list[Ranked] = []
    for u in ranked_uids:
        node = nodes[u]
        steps = [details.get((s.src, s.dst, s.code), s) for s in witnesses[u]]
        path = path_of(steps, nodes, uid if direction == "down" else u)
        score = risk(
            node.labels,
            kind=node.kind,
            exposure_value=node.exposure,
            registered=node.registered,
            principals=len(node.principals),
            coarse_hops=path.coarse_hops,
            runtime_score=node.runtime_score,
            runtime_findings=node.runtime_findings,
        )
        ranked.append(Ranked(node, depth_of[u], score, path, node.principals))
    ranked.sort(key=lambda r: (-r.risk.score, r.depth, r.node.uid))
    if all_details is not None:
        details = all_details
    steps = tuple(
        details.get((s.src, s.dst, s.code), s)
        for s in (edges[k] for k in sorted(edges, key=lambda k: (k[0], k[1], k[2], str(k[3]))))
    )
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
        steps=steps,
        truncated=reach.truncated,
    )
