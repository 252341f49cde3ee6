"""Golden summaries of ingest facts: what a reviewer checks by reading the artefact.

A summary keeps what the issue asks to verify (datasets read and written, models trained or
called, embedding models, vector indexes, endpoints, secrets, data flows) in a stable, diffable
shape. Golden files hold the expected summary plus a ``checked`` note written by hand; set
``LINEAGE_REGEN_GOLDEN=1`` to rewrite the expected part (the note is kept) and review the diff.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lineage.model import Edge, Fact, Kind, Labeling, Node, Problem, Rel

REGEN = os.environ.get("LINEAGE_REGEN_GOLDEN") == "1"
_MODEL_KEYS = ("provider", "model_type", "origin")
_SOURCE_KEYS = (
    "platform",
    "vector_engine",
    "bind",
    "tls",
    "api_key_set",
    "persistence",
    "published_ports",
)
_INDEX_KEYS = ("engine", "collection", "embedding_model", "distance", "persistence")


def summarise(facts: Iterable[Fact]) -> dict[str, Any]:
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []
    labels: list[Labeling] = []
    problems: list[Problem] = []
    for fact in facts:
        if isinstance(fact, Node):
            nodes[fact.uid] = fact
        elif isinstance(fact, Edge):
            edges.append(fact)
        elif isinstance(fact, Labeling):
            labels.append(fact)
        else:
            problems.append(fact)

    def pick(uid: str, keys: tuple[str, ...]) -> dict[str, Any]:
        props = nodes[uid].props if uid in nodes else {}
        return {k: props[k] for k in keys if k in props}

    return {
        "datasets_read": sorted(e.dst for e in edges if e.rel is Rel.READS),
        "datasets_written": sorted(e.dst for e in edges if e.rel is Rel.WRITES),
        "models": {u: pick(u, _MODEL_KEYS) for u in sorted(nodes) if nodes[u].kind is Kind.MODEL},
        "vector_indexes": {
            u: pick(u, _INDEX_KEYS) for u in sorted(nodes) if nodes[u].kind is Kind.VECTOR_INDEX
        },
        "endpoints": {
            u: pick(u, ("exposure",)) for u in sorted(nodes) if nodes[u].kind is Kind.ENDPOINT
        },
        "sources": {
            u: pick(u, _SOURCE_KEYS) for u in sorted(nodes) if nodes[u].kind is Kind.SOURCE
        },
        "flows": sorted(
            f"{e.src} -{e.props['kind']}-> {e.dst}"
            for e in edges
            if e.rel is Rel.FLOWS_TO and not e.src.startswith("column:")
        ),
        "secrets": sorted(f"{lab.label} @ {lab.source_ref.rsplit('#', 1)[-1]}" for lab in labels),
        "problems": sorted(f"{p.severity.value}: {p.message}" for p in problems),
    }


def check(golden: Path, actual: dict[str, Any]) -> None:
    """Compare against the golden file (or rewrite it, keeping the hand-written note)."""
    if REGEN or not golden.exists():
        note = json.loads(golden.read_text())["checked"] if golden.exists() else "TODO"
        golden.write_text(
            json.dumps({"checked": note, "expected": actual}, indent=2, ensure_ascii=False) + "\n"
        )
    expected = json.loads(golden.read_text())
    assert expected["checked"] != "TODO", f"{golden.name}: write what was checked by hand"
    assert actual == expected["expected"], golden.name
