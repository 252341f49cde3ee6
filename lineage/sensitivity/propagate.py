"""Keep effective labels consistent with the graph: full recompute and incremental updates.

* ``refresh_edges`` (after every ingest batch): only hops whose source holds a label are
  read; new tokens are pushed downstream level by level, touching only nodes whose labels
  grow. A written hop that now carries less than its target recorded from that source
  (``masking``/``stale``/``column_detail`` changed) falls back to the region solve.
* ``refresh(store, seeds)`` (own labels, declassifications, deletions): recompute the seeds
  locally from their predecessors' stored tokens; if no (token, predecessor) support was
  lost, push the additions; otherwise, or when the caller says ``lossy``, recompute the
  downstream-closed region of the seeds from scratch with
  :func:`~lineage.sensitivity.engine.solve`, everything upstream held fixed. That is exact,
  retracts what lost support, and terminates on cycles.
* ``recompute(store)``: semi-naive evaluation from all own labels, writing only differences.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from lineage.model import Edge, Rel
from lineage.sensitivity import cypher
from lineage.sensitivity.engine import arrivals, solve
from lineage.sensitivity.policy import Policy, load_policy
from lineage.sensitivity.state import (
    Flow,
    NodeState,
    parse_state,
    read_carrying,
    read_flows,
    read_states,
    write_states,
)
from lineage.store.base import Store

__all__ = [
    "Outcome",
    "current_policy",
    "recompute",
    "refresh",
    "refresh_edges",
    "seeds_of_edges",
    "set_policy",
]

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


def _downstream(
    store: Store, seeds: Iterable[str], states: dict[str, NodeState]
) -> tuple[set[str], list[Flow]]:
    """The downstream closure of ``seeds`` and every hop out of it (breadth-first, bulk);
    the states of the nodes reached are added to ``states``."""
    region = set(seeds)
    frontier = list(region)
    flows: list[Flow] = []
    while frontier:
        got = read_flows(store, frontier, outgoing=True, states=states)
        flows.extend(got)
        fresh = {f.dst for f in got} - region
        region |= fresh
        frontier = sorted(fresh)
    return region, flows


def _solve_region(store: Store, seeds: Iterable[str], policy: Policy) -> Outcome:
    """Recompute the downstream closure of ``seeds``, everything upstream held fixed."""
    states = read_states(store, set(seeds))
    region, flows = _downstream(store, set(states), states)  # every node reached has a state
    inbound = read_flows(store, region, outgoing=False, states=states)
    flows.extend(f for f in inbound if f.src not in region)
    solved = solve(region, states, flows, policy)
    written = write_states(store, solved.values())
    return Outcome("region", len(region), written)


def recompute(store: Store, policy: Policy | None = None) -> Outcome:
    """Recompute every label from own labels, declassifications and the graph.

    Semi-naive evaluation from scratch: starting from own labels, each level reads only
    the hops out of nodes that just gained a token, so the cost follows the labelled part
    of the graph, not its size. Then every node that holds, held or now gets a label is
    compared with what is stored, and only the differences are written.
    """
    policy = policy or current_policy()
    rows = store.query(cypher.LABELLED_NODES)
    cache = {row["uid"]: parse_state(row, with_sources=False) for row in rows}
    tokens: dict[str, set[str]] = {uid: set(st.own) for uid, st in cache.items() if st.own}
    fresh: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    frontier = {uid: set(held) for uid, held in tokens.items()}
    blank = NodeState("")  # nodes not in LABELLED_NODES hold and stop nothing
    while frontier:
        nxt: dict[str, set[str]] = defaultdict(set)
        for flow in read_carrying(store, frontier):
            dst = cache.get(flow.dst, blank)
            got = arrivals(flow, cache[flow.src], frontier[flow.src], dst, policy)
            if not got:
                continue
            if dst is blank:
                dst = cache[flow.dst] = NodeState(flow.dst)
            for token in got:
                fresh[flow.dst][token].add(flow.src)
            held = tokens.setdefault(flow.dst, set(dst.own))
            if got - held:
                nxt[flow.dst] |= got - held
                held |= got
        frontier = dict(nxt)
    for uid, state in cache.items():
        state.sources = {t: set(p) for t, p in fresh[uid].items()} if uid in fresh else {}
    written = write_states(store, cache.values())
    return Outcome("full", len(tokens), written)


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
        return _solve_region(store, seeds, policy)
    cache = read_states(store, seeds)
    seeds &= cache.keys()
    inbound = read_flows(store, seeds, outgoing=False, states=cache)
    local: dict[str, dict[str, set[str]]] = {uid: defaultdict(set) for uid in seeds}
    for flow in inbound:
        if flow.src in cache and flow.dst in local:
            src = cache[flow.src]
            for token in arrivals(flow, src, src.tokens(), cache[flow.dst], policy):
                local[flow.dst][token].add(flow.src)
    for uid in seeds:
        old = cache[uid].sources
        if any(not preds <= local[uid].get(token, set()) for token, preds in old.items()):
            return _solve_region(store, seeds, policy)
    for uid in seeds:
        cache[uid].sources = dict(local[uid])
    frontier = {uid: cache[uid].tokens() for uid in seeds}
    return _grow(store, cache, frontier, set(seeds), policy)


def _grow(
    store: Store,
    cache: dict[str, NodeState],
    frontier: dict[str, set[str]],
    touched: set[str],
    policy: Policy,
) -> Outcome:
    """Push tokens downstream from ``frontier`` until nothing new arrives (additions only)."""
    while frontier:
        flows = read_flows(store, frontier, outgoing=True, states=cache)
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


def refresh_edges(
    store: Store,
    pairs: Iterable[tuple[str, str]],
    labelled: Iterable[str] = (),
    *,
    policy: Policy | None = None,
) -> Outcome:
    """Update labels after hops ``(src, dst)`` were written and ``labelled`` nodes gained own
    labels (one ingest batch).

    Cheaper than :func:`refresh` for bulk loads: only hops whose source holds a label are
    read at all. A written hop that now carries less than its target recorded from that
    source (a flag such as ``masking`` or ``stale`` was set) falls back to the region solve.
    """
    policy = policy or current_policy()
    pairs = set(pairs)
    labelled = set(labelled)
    cache = read_states(store, {src for src, _ in pairs} | labelled)
    active = {uid for uid, state in cache.items() if state.own or state.sources}
    if not active:
        return Outcome("noop", 0, 0)
    by_pair: dict[tuple[str, str], list[Flow]] = defaultdict(list)
    for flow in read_flows(store, active, outgoing=True, states=cache):
        if flow.src in labelled or (flow.src, flow.dst) in pairs:
            by_pair[flow.src, flow.dst].append(flow)
    frontier: dict[str, set[str]] = defaultdict(set)
    touched = labelled & cache.keys()  # their own labels grew
    for (src_uid, dst_uid), flows in by_pair.items():
        src, dst = cache[src_uid], cache.get(dst_uid)
        if dst is None:
            continue
        held = src.tokens()
        got: set[str] = set()
        for flow in flows:
            got |= arrivals(flow, src, held, dst, policy)
        recorded = {t for t, preds in dst.sources.items() if src_uid in preds}
        if recorded - got:
            return _solve_region(store, {d for _, d in by_pair}, policy)
        before = dst.tokens()
        for token in got - recorded:
            dst.sources.setdefault(token, set()).add(src_uid)
            touched.add(dst_uid)
        if got - before:
            frontier[dst_uid] |= got - before
    return _grow(store, cache, dict(frontier), touched, policy)
