"""Small graphs for the policy tests, built with real facts through the pipeline."""

from __future__ import annotations

from lineage import ids, pipeline
from lineage.model import Edge, Kind, Label, Labeling, Node, Rel
from lineage.store import Store

SEEN = "2026-02-01T08:00:00.000Z"
NS = "postgres://db:5432"


def uid(kind: Kind, name: str, namespace: str = NS) -> str:
    return ids.make(kind, namespace, name)


def flow(src: str, dst: str, kind: str = "transform", via: str = "job:airflow:j") -> Edge:
    return Edge(
        src,
        Rel.FLOWS_TO,
        dst,
        {"kind": kind, "via": via, "granularity": "dataset", "transformation_type": "DIRECT"},
        key=via,
    )


def node(u: str, **props: object) -> Node:
    p = ids.parse(u)
    return Node(u, p.kind, p.name or p.namespace, p.namespace, props)


def label(u: str, text: str, confidence: float = 0.9) -> Labeling:
    return Labeling(u, Label.parse(text), "presidio", confidence, 5, 10)


def write(store: Store, *facts: object) -> None:
    pipeline.ingest(store, facts, seen=SEEN)  # type: ignore[arg-type]
