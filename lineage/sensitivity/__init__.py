"""Sensitivity labels on the graph: own labels, propagation with provenance, declassification.

The pipeline calls :func:`after_batch` after every committed batch and :func:`before_delete`
/ :func:`refresh` around deletions, so every write returns with labels consistent. Nothing
here imports Presidio: classification lives in ``ingest.sensitivity``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from lineage.model import Edge, Labeling, Rel
from lineage.sensitivity.own import (
    DECLARED,
    apply_labelings,
    declare,
    declassify,
    evidence,
    reclassify,
    replace_detected,
    undeclare,
)
from lineage.sensitivity.policy import Action, Policy, load_policy
from lineage.sensitivity.propagate import (
    Outcome,
    current_policy,
    recompute,
    refresh,
    refresh_edges,
    seeds_of_edges,
    set_policy,
)
from lineage.sensitivity.state import read_flows
from lineage.sensitivity.why import Hop, LabelPath, why
from lineage.store.base import Store

__all__ = [
    "DECLARED",
    "Action",
    "Hop",
    "LabelPath",
    "Outcome",
    "Policy",
    "after_batch",
    "apply_labelings",
    "before_delete",
    "current_policy",
    "declare",
    "declassify",
    "evidence",
    "load_policy",
    "reclassify",
    "recompute",
    "refresh",
    "refresh_edges",
    "replace_detected",
    "set_policy",
    "undeclare",
    "why",
]


def after_batch(
    store: Store, edges: Sequence[Edge], labelings: Sequence[Labeling], *, seen: str = ""
) -> Outcome:
    """Record detector findings and update labels after a committed ingest batch."""
    pairs = set()
    for edge in edges:
        if edge.rel is Rel.FLOWS_TO:
            pairs.add((edge.src, edge.dst))
        elif edge.rel is Rel.HAS_COLUMN:
            pairs.add((edge.dst, edge.src))  # labels go column -> dataset
    labelled = apply_labelings(store, labelings, at=seen) if labelings else set()
    return refresh_edges(store, pairs, labelled)


def before_delete(
    store: Store, nodes: Iterable[str], edges: Iterable[tuple[str, Rel, str, str]]
) -> set[str]:
    """Nodes whose labels may lose support once ``nodes`` and ``edges`` are gone.

    Read before deleting (afterwards the hops are gone); pass to ``refresh(lossy=True)``.
    """
    nodes = set(nodes)
    seeds = seeds_of_edges(edges)
    seeds |= {flow.dst for flow in read_flows(store, nodes, outgoing=True)}
    return seeds - nodes
