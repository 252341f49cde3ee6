"""What the tool reports for one real corpus case, split the way the pattern tests read it
(nodes by uid, edges in order, data flows as (src, dst, kind))."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ingest.notebook import notebook_facts
from ingest.vector_config import vector_config_facts
from lineage.model import Edge, Fact, Node, Rel

REAL = Path(__file__).resolve().parents[1] / "corpus" / "real"
NOTEBOOKS = REAL / "notebooks"
CONFIGS = REAL / "configs"

type Split = tuple[dict[str, Node], list[Edge]]


def split(facts: Iterable[Fact]) -> Split:
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []
    for fact in facts:
        if isinstance(fact, Node):
            nodes[fact.uid] = fact
        elif isinstance(fact, Edge):
            edges.append(fact)
    return nodes, edges


def notebook(name: str | Path) -> Split:
    """A notebook of the corpus, by file name (or a path)."""
    path = name if isinstance(name, Path) else NOTEBOOKS / name
    return split(notebook_facts(path, ref=path.name))


def config(name: str) -> Split:
    """A RAG/vector/compose config of the corpus, by file name."""
    return split(vector_config_facts(CONFIGS / name, ref=name))


def flows(edges: Iterable[Edge]) -> set[tuple[str, str, str]]:
    return {(e.src, e.dst, str(e.props.get("kind"))) for e in edges if e.rel is Rel.FLOWS_TO}
