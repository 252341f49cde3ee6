"""What the tool reports for one config file, as the pattern tests read it: nodes by uid and
data flows as (src, kind, dst)."""

from __future__ import annotations

from pathlib import Path

from ingest.vector_config import vector_config_facts
from lineage.model import Edge, Node, Rel

REAL = Path(__file__).parents[1] / "corpus" / "real" / "configs"


def config_facts(path: Path) -> tuple[dict[str, Node], set[tuple[str, str, str]]]:
    facts = list(vector_config_facts(path, ref=path.name))
    nodes = {f.uid: f for f in facts if isinstance(f, Node)}
    flows = {
        (f.src, str(f.props["kind"]), f.dst)
        for f in facts
        if isinstance(f, Edge) and f.rel is Rel.FLOWS_TO
    }
    return nodes, flows
