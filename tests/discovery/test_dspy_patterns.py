"""DSPy's data side on real tutorials from tests/corpus/real (stanfordnlp/dspy; source and
licence in the cases' expected.yaml files)."""

from __future__ import annotations

from real_facts import NOTEBOOKS
from real_facts import flows as _flows
from real_facts import notebook as _facts

from lineage.model import Rel


def _writes(edges: list) -> set[str]:
    return {e.dst for e in edges if e.rel is Rel.WRITES}


def test_downloads_and_an_optimised_program_saved_from_its_trainset() -> None:
    """tutorial_rag: ``download(url)`` twice, the examples opened and split into a trainset,
    ``tp.compile(RAG(), trainset=trainset)``, ``optimized_rag.save("optimized_rag.json")``."""
    nodes, edges = _facts(NOTEBOOKS / "stanfordnlp-dspy__tutorial_rag.ipynb")
    url = "dataset:https://huggingface.co:/dspy/cache/resolve/main/ragqa_arena_tech_examples.jsonl"
    local = "dataset:file:./ragqa_arena_tech_examples.jsonl"
    saved = "dataset:file:./optimized_rag.json"
    assert url in nodes and {local, saved} <= _writes(edges)
    flows = _flows(edges)
    assert (url, local, "transform") in flows
    assert (local, saved, "train") in flows
    assert not [f for f in flows if f[1] == saved and f[0].startswith("model:")]


def test_a_dataloader_reads_a_hub_dataset_that_trains_the_saved_program() -> None:
    """tutorial_multihop_search: ``DataLoader().from_huggingface(dataset_name=
    "vincentkoc/hover-parquet", ...)``, compiled on it, ``optimized.save("optimized_hop.json")``."""
    _, edges = _facts(NOTEBOOKS / "stanfordnlp-dspy__tutorial_multihop_search.ipynb")
    hover = "dataset:huggingface:vincentkoc/hover-parquet"
    assert (hover, "dataset:file:./optimized_hop.json", "train") in _flows(edges)
