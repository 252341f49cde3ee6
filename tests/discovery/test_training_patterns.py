"""Issue 15, training side: each pattern on a real notebook from tests/corpus/real (sources
and licences in the cases' expected.yaml files)."""

from __future__ import annotations

from pathlib import Path

from ingest.notebook import notebook_facts
from lineage.model import Edge, Node, Rel

NOTEBOOKS = Path(__file__).resolve().parents[1] / "corpus" / "real" / "notebooks"


def _facts(name: str) -> tuple[dict[str, Node], set[tuple[str, str, str]]]:
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []
    for fact in notebook_facts(NOTEBOOKS / name, ref=name):
        if isinstance(fact, Node):
            nodes[fact.uid] = fact
        elif isinstance(fact, Edge):
            edges.append(fact)
    flows = {(e.src, e.dst, str(e.props.get("kind"))) for e in edges if e.rel is Rel.FLOWS_TO}
    return nodes, flows


def test_trl_trainer_given_a_hub_id_fine_tunes_it_and_the_merged_adapter_is_a_new_model() -> None:
    """huggingface/trl GRPO notebook: ``GRPOTrainer(model="Qwen/...", peft_config=...)``,
    the adapter reloaded from the Hub, ``merge_and_unload()`` saved and pushed; a tokenizer
    pushed beside it is not a dataset; ``report_to="trackio"`` is an egress."""
    nb = "huggingface-trl__grpo_trl_lora_qlora.ipynb"
    nodes, flows = _facts(nb)
    trained = f"model:notebook:{nb}#t4-Qwen2-7B-Instruct-GRPO"
    base = "model:huggingface:Qwen/Qwen2-7B-Instruct"
    assert nodes[trained].props["origin"] == "fine_tuned"
    assert (base, trained, "fine_tune") in flows
    assert ("dataset:huggingface:AI-MO/NuminaMath-TIR", trained, "fine_tune") in flows
    adapter = "model:huggingface:sergiopaniego/t4-Qwen2-7B-Instruct-GRPO"
    assert nodes[adapter].props["origin"] == "fine_tuned"
    merged = "model:file:./t4-Qwen2-7B-Instruct-GRPO-merged"
    assert nodes[merged].props["origin"] == "fine_tuned"
    assert (adapter, merged, "transform") in flows
    pushed = "model:huggingface:sergiopaniego/t4-Qwen2-7B-Instruct-GRPO-merged"
    assert (merged, pushed, "export") in flows
    assert not [u for u in nodes if u.startswith("dataset:") and "merged" in u]
    assert nodes["endpoint:egress:other"].props["egress"] == "other"


def test_a_manual_loop_with_optimizer_step_fine_tunes_the_peft_model() -> None:
    """huggingface/peft LoRA.ipynb: ``AdamW(params=model.parameters())`` then
    ``optimizer.step()`` inside ``for batch in tqdm(train_dataloader)``."""
    nb = "huggingface-peft__sequence_classification_lora.ipynb"
    nodes, flows = _facts(nb)
    trained = f"model:notebook:{nb}#model"
    assert nodes[trained].props["origin"] == "fine_tuned"
    assert ("model:huggingface:roberta-large", trained, "fine_tune") in flows
    assert ("dataset:huggingface:glue", trained, "fine_tune") in flows
    assert (trained, "model:huggingface:smangrul/roberta-large-peft-lora", "export") in flows
