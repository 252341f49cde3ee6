"""Issue 15's failure patterns, each on a real file from tests/corpus/real (sources and
licences in the cases' expected.yaml files)."""

from __future__ import annotations

from pathlib import Path

from ingest.notebook import notebook_facts
from lineage.model import Edge, Node, Rel

REAL = Path(__file__).resolve().parents[1] / "corpus" / "real"
NOTEBOOKS = REAL / "notebooks"


def _facts(path: Path) -> tuple[dict[str, Node], list[Edge]]:
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []
    for fact in notebook_facts(path, ref=path.name):
        if isinstance(fact, Node):
            nodes[fact.uid] = fact
        elif isinstance(fact, Edge):
            edges.append(fact)
    return nodes, edges


def _flows(edges: list[Edge]) -> set[tuple[str, str, str]]:
    return {(e.src, e.dst, str(e.props.get("kind"))) for e in edges if e.rel is Rel.FLOWS_TO}


def test_fstring_output_names_resolve_and_each_training_is_its_own_model() -> None:
    """``model_name = model_checkpoint.split("/")[-1]``; ``f"{model_name}-finetuned-..."``,
    with ``model_checkpoint`` reassigned between two trainings (huggingface/notebooks)."""
    nb = "huggingface-notebooks__language_modeling.ipynb"
    nodes, edges = _facts(NOTEBOOKS / nb)
    assert not [u for u in nodes if "{" in u], "raw placeholders in ids"
    gpt2 = f"model:notebook:{nb}#distilgpt2-finetuned-wikitext2"
    roberta = f"model:notebook:{nb}#distilroberta-base-finetuned-wikitext2"
    assert nodes[gpt2].props["origin"] == "fine_tuned"
    assert nodes[roberta].props["origin"] == "fine_tuned"
    flows = _flows(edges)
    assert ("model:huggingface:distilgpt2", gpt2, "fine_tune") in flows
    assert ("model:huggingface:distilroberta-base", roberta, "fine_tune") in flows
    assert ("dataset:huggingface:wikitext", roberta, "fine_tune") in flows


def test_a_literal_flag_picks_its_branch() -> None:
    """``load_dataset("squad_v2" if squad_v2 else "squad")`` with ``squad_v2 = False``."""
    nodes, _ = _facts(NOTEBOOKS / "huggingface-notebooks__question_answering_ort.ipynb")
    assert "dataset:huggingface:squad" in nodes
    assert "dataset:huggingface:squad_v2" not in nodes
