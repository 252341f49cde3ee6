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


def test_sagemaker_estimator_fit_channels_base_model_and_deploy() -> None:
    """huggingface/notebooks SageMaker 01: ``HuggingFace(hyperparameters={"model_name":
    ...})``, ``fit({"train": s3, "test": s3})`` on f-string S3 paths, ``deploy()``."""
    nb = "huggingface-notebooks__sagemaker_01_getting_started_pytorch.ipynb"
    nodes, flows = _facts(nb)
    trained = f"model:notebook:{nb}#huggingface_estimator"
    assert nodes[trained].props["provider"] == "sagemaker"
    assert nodes[trained].props["origin"] == "fine_tuned"
    train = "dataset:s3://{sess.default_bucket()}:samples/datasets/imdb/train"
    test = "dataset:s3://{sess.default_bucket()}:samples/datasets/imdb/test"
    assert (train, trained, "fine_tune") in flows
    assert (test, trained, "fine_tune") not in flows  # a test channel does not train
    assert ("model:huggingface:distilbert-base-uncased", trained, "fine_tune") in flows
    endpoint = f"endpoint:sagemaker:{nb}#predictor"
    assert nodes[endpoint].props["platform"] == "sagemaker"
    assert (trained, endpoint, "serve") in flows


def test_sagemaker_jumpstart_models_and_s3_uploads() -> None:
    """aws/amazon-sagemaker-examples JumpStart Llama 3: ``JumpStartModel(model_id).deploy()``
    serves the base; ``S3Uploader.upload`` writes the prefix ``JumpStartEstimator.fit``
    reads."""
    nb = "aws-amazon-sagemaker-examples__sm-jumpstart_foundation_llama_3_finetuning.ipynb"
    nodes, flows = _facts(nb)
    base = "model:sagemaker:meta-textgeneration-llama-3-8b"
    assert nodes[base].props["source"] == "jumpstart"
    assert (base, f"endpoint:sagemaker:{nb}#pretrained_predictor", "serve") in flows
    trained = f"model:notebook:{nb}#estimator"
    assert (base, trained, "fine_tune") in flows
    assert (trained, f"endpoint:sagemaker:{nb}#finetuned_predictor", "serve") in flows
    uploaded = {d for s, d, k in flows if s == "dataset:file:./train.jsonl"}
    assert len(uploaded) == 1
    assert (uploaded.pop(), trained, "fine_tune") in flows


def test_sagemaker_boto3_jobs_from_a_params_dict_and_endpoints_never_hold_placeholders() -> None:
    """aws/amazon-sagemaker-examples XGBoost regression: ``create_training_job(**params)``
    with ``InputDataConfig`` channels; ``create_model`` / ``create_endpoint_config`` /
    ``create_endpoint`` with names built at run time (templates kept in props)."""
    nb = "aws-amazon-sagemaker-examples__sm-regression_xgboost.ipynb"
    nodes, flows = _facts(nb)
    jobs = [n for n in nodes.values() if "DEMO-xgboost-regression" in n.uid]
    assert len(jobs) == 1 and jobs[0].props["unresolved"] is True
    assert jobs[0].props["template"].startswith("DEMO-xgboost-regression-{strftime(")
    assert any(s.endswith("/train") and d == jobs[0].uid and k == "train" for s, d, k in flows)
    endpoints = [n for n in nodes.values() if n.uid.startswith("endpoint:sagemaker:")]
    assert len(endpoints) == 1 and "{" not in endpoints[0].uid
    served = {s for s, d, k in flows if d == endpoints[0].uid and k == "serve"}
    assert [nodes[s].props["template"] for s in served] == [
        "{training_of_model_to_be_hosted}-model"
    ]
