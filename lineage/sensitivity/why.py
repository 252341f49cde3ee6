"""``why(store, uid, label)``: the paths that bring a label to a node, from its origins.

It walks the stored provenance (``label_sources``) backwards over (node, token) pairs,
re-checking at each hop which predecessor token the edge turns into the one seen
(masking may turn ``PII:EMAIL_ADDRESS`` into ``PSEUDONYMISED:PII:EMAIL_ADDRESS``), until it
reaches nodes that own the label. Breadth-first, so each origin comes with a shortest path.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from lineage.errors import NodeNotFound
from lineage.sensitivity.engine import arrivals
from lineage.sensitivity.own import evidence
from lineage.sensitivity.propagate import current_policy
from lineage.sensitivity.rules import label_of, matches
from lineage.sensitivity.state import Flow, read_flows, read_states
from lineage.store.base import Store

__all__ = ["Hop", "LabelPath", "why"]


@dataclass(frozen=True, slots=True)
class Hop:
    """One node on a path, the label as it holds it, and the edge that brought it there."""

    uid: str
    label: str
    coarse: bool = False
    edge: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"uid": self.uid, "label": self.label}
        if self.coarse:
            out["coarse"] = True
        if self.edge:
            out["edge"] = self.edge
        return out


@dataclass(frozen=True, slots=True)
class LabelPath:
    """A path from an origin (a node owning the label) to the asked node."""

    origin: str
    hops: tuple[Hop, ...]
    evidence: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "evidence": list(self.evidence),
            "hops": [h.to_dict() for h in self.hops],
        }


def _edge_info(flow: Flow) -> dict[str, Any]:
    if flow.rule is None:
        return {"rel": "HAS_COLUMN"}
    return {"rel": "FLOWS_TO", **dict(flow.props)}


def why(store: Store, uid: str, label: str, *, limit: int = 20) -> list[LabelPath]:
    """Paths bringing ``label`` (``PII``, ``PII:EMAIL_ADDRESS``...) to ``uid``; [] if none."""
    policy = current_policy()
    states = read_states(store, [uid])
    if uid not in states:
        raise NodeNotFound(uid)
    pattern = label.strip().upper()
    start = [(uid, t) for t in sorted(states[uid].tokens()) if matches(pattern, label_of(t))]
    parent: dict[tuple[str, str], tuple[tuple[str, str], Flow] | None] = dict.fromkeys(start)
    queue = deque(start)
    origins: list[tuple[str, str]] = []
    while queue and len(origins) < limit:
        node, token = queue.popleft()
        state = states[node]
        if token in state.own:
            origins.append((node, token))
            continue
        preds = state.sources.get(token, set())
        missing = preds - states.keys()
        states.update(read_states(store, missing))
        for flow in read_flows(store, [node], outgoing=False):
            if flow.src not in preds or flow.src not in states:
                continue
            src = states[flow.src]
            for held in sorted(src.tokens()):
                key = (flow.src, held)
                if key in parent or token not in arrivals(flow, src, [held], state, policy):
                    continue
                parent[key] = ((node, token), flow)
                queue.append(key)
    paths = []
    proof = evidence(store, {o for o, _ in origins})
    for origin in origins:
        hops: list[Hop] = []
        step: tuple[str, str] | None = origin
        edge: dict[str, Any] = {}
        while step is not None:
            node, token = step
            hops.append(Hop(node, label_of(token), token != label_of(token), edge))
            link = parent[step]
            step, edge = (link[0], _edge_info(link[1])) if link else (None, {})
        ev = tuple(r for r in proof.get(origin[0], ()) if r["label"] == label_of(origin[1]))
        paths.append(LabelPath(origin[0], tuple(hops), ev))
    return paths
