"""Keep effective labels consistent with the graph: full recompute and incremental updates.

``refresh(store, seeds)`` is called with the nodes whose inputs just changed (targets of
written edges, labelled nodes, datasets that gained a column). It first recomputes each
seed locally from its predecessors' stored tokens:

* if no seed lost a (token, predecessor) support, the change only *adds*; new tokens are
  pushed downstream level by level, touching only nodes whose labels actually grow;
* otherwise (a removal, a masking or stale flag, a declassification), the downstream-closed
  region of the seeds is recomputed from scratch by :func:`~lineage.sensitivity.engine.solve`
  with everything upstream of it held fixed. That is exact, retracts what lost support, and
  terminates on cycles.

``recompute(store)`` is the same region solve seeded with every node that has or had a
label: one bulk read of the reachable FLOWS_TO/HAS_COLUMN graph, one in-memory fixpoint,
and writes of only the changed nodes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from lineage.model import Edge, Rel
from lineage.sensitivity import cypher
from lineage.sensitivity.engine import arrivals, solve
from lineage.sensitivity.policy import Policy, load_policy
from lineage.sensitivity.state import Flow, NodeState, read_flows, read_states, write_states
from lineage.store.base import Store

__all__ = ["Outcome", "current_policy", "recompute", "refresh", "seeds_of_edges", "set_policy"]

_POLICY: list[Policy] = []


def current_policy() -> Policy:
    """The process-wide policy (``LINEAGE_LABEL_POLICY`` or the default), loaded once."""
    if not _POLICY:
        _POLICY.append(load_policy())
    return _POLICY[0]


def set_policy(policy: Policy) -> None:
    """Replace the process-wide policy; call :func:`recompute` afterwards."""
    _POLICY[:] = [policy]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one update did: how it went, how much it read, how many nodes it rewrote."""

    mode: str  # "noop" | "grow" | "region" | "full"
    region: int
    written: int


def seeds_of_edges(edges: Iterable[Edge | tuple[str, Rel, str, str]]) -> set[str]:
    """Nodes whose label inputs an edge change touches (FLOWS_TO target, column's dataset)."""
    seeds: set[str] = set()
    for edge in edges:
        src, rel, dst = (edge.src, edge.rel, edge.dst) if isinstance(edge, Edge) else edge[:3]
        if rel in (Rel.FLOWS_TO, Rel.HAS_COLUMN):
            seeds.add(dst if rel is Rel.FLOWS_TO else src)
    return seeds


def _downstream(store: Store, seeds: Iterable[str]) -> tuple[set[str], list[Flow]]:
    """The downstream closure of ``seeds`` and every hop out of it (breadth-first, bulk)."""
    region = set(seeds)
    frontier = list(region)
    flows: list[Flow] = []
    while frontier:
        got = read_flows(store, frontier, outgoing=True)
        flows.extend(got)
        fresh = {f.dst for f in got} - region
        region |= fresh
        frontier = sorted(fresh)
    return region, flows


def _solve_region(store: Store, seeds: Iterable[str], policy: Policy, *, full: bool) -> Outcome:
    region, flows = _downstream(store, seeds)
    states = read_states(store, region)
    region &= states.keys()
    if not full:  # hops into the region from outside it; a full solve has none that carry
        inbound = [f for f in read_flows(store, region, outgoing=False) if f.src not in region]
        states.update(read_states(store, {f.src for f in inbound} - states.keys()))
        flows.extend(inbound)
    solved = solve(region, states, flows, policy)
    written = write_states(store, solved.values())
    return Outcome("full" if full else "region", len(region), written)


def recompute(store: Store, policy: Policy | None = None) -> Outcome:
    """Recompute every label from own labels, declassifications and the graph."""
    seeds = [str(row["uid"]) for row in store.query(cypher.LABELLED_NODES)]
    return _solve_region(store, seeds, policy or current_policy(), full=True)


def refresh(
    store: Store, seeds: Iterable[str], *, lossy: bool = False, policy: Policy | None = None
) -> Outcome:
    """Bring labels up to date after the inputs of ``seeds`` changed (see module doc).

    ``lossy`` says the change may have removed support (deletions, own-label removal,
    declassification), which skips straight to the region solve.
    """
    policy = policy or current_policy()
    seeds = set(seeds)
    if not seeds:
        return Outcome("noop", 0, 0)
    if lossy:
        return _solve_region(store, seeds, policy, full=False)
    cache = read_states(store, seeds)
    seeds &= cache.keys()
    inbound = read_flows(store, seeds, outgoing=False)
    cache.update(read_states(store, {f.src for f in inbound} - cache.keys()))
    local: dict[str, dict[str, set[str]]] = {uid: defaultdict(set) for uid in seeds}
    for flow in inbound:
        if flow.src in cache and flow.dst in local:
            src = cache[flow.src]
            for token in arrivals(flow, src, src.tokens(), cache[flow.dst], policy):
                local[flow.dst][token].add(flow.src)
    for uid in seeds:
        old = cache[uid].sources
        if any(not preds <= local[uid].get(token, set()) for token, preds in old.items()):
            return _solve_region(store, seeds, policy, full=False)
    for uid in seeds:
        cache[uid].sources = dict(local[uid])
    return _grow(store, cache, seeds, policy)


def _grow(store: Store, cache: dict[str, NodeState], seeds: set[str], policy: Policy) -> Outcome:
    """Push tokens downstream from ``seeds`` until nothing new arrives (additions only)."""
    frontier: dict[str, set[str]] = {uid: cache[uid].tokens() for uid in seeds}
    touched = set(seeds)
    while frontier:
        flows = read_flows(store, frontier, outgoing=True)
        cache.update(read_states(store, {f.dst for f in flows} - cache.keys()))
        nxt: dict[str, set[str]] = defaultdict(set)
        for flow in flows:
            dst = cache.get(flow.dst)
            if dst is None:
                continue
            got = arrivals(flow, cache[flow.src], frontier[flow.src], dst, policy)
            if not got:
                continue
            held = dst.tokens()
            for token in got:
                preds = dst.sources.setdefault(token, set())
                if flow.src not in preds:
                    preds.add(flow.src)
                    touched.add(flow.dst)
            if got - held:
                nxt[flow.dst] |= got - held
        frontier = dict(nxt)
    written = write_states(store, (cache[uid] for uid in touched))
    return Outcome("grow", len(touched), written)
