"""The fixpoint: labels of a downstream-closed region, computed in memory.

Given a region (a set of nodes closed under "downstream"), the states of its nodes and of
their predecessors, and every hop into the region, :func:`solve` computes each region node's
tokens and provenance from scratch. Nodes outside the region keep their stored tokens: since
nothing in the region flows out of it, they cannot depend on it. Semi-naive evaluation pushes
only new tokens along each hop, so the cost is O(hops x tokens) and cycles terminate.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping

from lineage.sensitivity.policy import Policy
from lineage.sensitivity.rules import strip_declassified
from lineage.sensitivity.state import Flow, NodeState

__all__ = ["arrivals", "solve"]


def arrivals(
    flow: Flow, src: NodeState, tokens: Iterable[str], dst: NodeState, policy: Policy
) -> set[str]:
    """Tokens that ``flow`` delivers to ``dst`` when ``src`` holds ``tokens``."""
    if flow.rule is None:  # column -> its dataset: the union, unchanged
        passed = set(tokens)
    else:
        if flow.rule.own_only:
            tokens = src.own
        passed = flow.rule.passes(tokens, policy)
    return strip_declassified(passed, dst.declassified) if dst.declassified else passed


def solve(
    region: Iterable[str],
    states: Mapping[str, NodeState],
    flows: Iterable[Flow],
    policy: Policy,
) -> dict[str, NodeState]:
    """Recompute ``sources`` of every region node (in place) and return the region's states.

    ``flows`` must hold every hop into a region node; hops from outside read the source's
    stored tokens.
    """
    inside = set(region)
    tokens: dict[str, set[str]] = {uid: set(states[uid].own) for uid in inside}
    out_of: dict[str, list[Flow]] = defaultdict(list)
    into: dict[str, list[Flow]] = defaultdict(list)
    pending: deque[tuple[str, set[str]]] = deque()

    def deliver(flow: Flow, moved: Iterable[str]) -> None:
        got = arrivals(flow, states[flow.src], moved, states[flow.dst], policy)
        new = got - tokens[flow.dst]
        if new:
            tokens[flow.dst] |= new
            pending.append((flow.dst, new))

    for flow in flows:
        if flow.dst not in inside or flow.src not in states:
            continue
        into[flow.dst].append(flow)
        if flow.src not in inside:
            deliver(flow, states[flow.src].tokens())
        elif flow.rule is not None and flow.rule.own_only:
            deliver(flow, ())  # own tokens are fixed inputs: deliver once
        else:
            out_of[flow.src].append(flow)
    pending.extend((uid, set(toks)) for uid, toks in tokens.items() if toks)
    while pending:
        uid, delta = pending.popleft()
        for flow in out_of.get(uid, ()):
            deliver(flow, delta)

    result: dict[str, NodeState] = {}
    for uid in inside:
        state = states[uid]
        sources: dict[str, set[str]] = defaultdict(set)
        for flow in into.get(uid, ()):
            src = states[flow.src]
            held = tokens[flow.src] if flow.src in inside else src.tokens()
            for token in arrivals(flow, src, held, state, policy):
                sources[token].add(flow.src)
        state.sources = dict(sources)
        result[uid] = state
    return result
