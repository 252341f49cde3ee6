"""Haystack 1.x YAML pipelines (issue 15): the component type decides the fact, on real files
from tests/corpus/real/configs (deepset-ai/haystack and deepset-ai/haystack-demos)."""

from __future__ import annotations

from config_facts import REAL, config_facts

from lineage.model import Kind, Node


def _facts(name: str) -> tuple[dict[str, Node], set[tuple[str, str, str]]]:
    return config_facts(REAL / name)


def _indexes(nodes: dict[str, Node]) -> dict[str, Node]:
    return {n.props["collection"]: n for n in nodes.values() if n.kind is Kind.VECTOR_INDEX}


def test_v1_store_without_index_writes_the_default_index_and_readers_are_not_llms() -> None:
    nodes, flows = _facts("deepset-ai-haystack__v1_rest_api_pipelines.yml")
    index = _indexes(nodes)["document"]  # ElasticsearchDocumentStore's default index
    assert index.props["implied"] is True
    reader = nodes["model:huggingface:deepset/roberta-base-squad2"]
    assert reader.props["model_type"] == "reader"  # extractive QA, not a generator
    assert (index.uid, "retrieve", reader.uid) in flows


def test_v1_embedding_retriever_embeds_its_store_and_benchmark_data_is_read() -> None:
    nodes, flows = _facts("deepset-ai-haystack__v1_benchmark_minilm_weaviate.yml")
    index = _indexes(nodes)["Document"]  # WeaviateDocumentStore's default class
    model = "model:huggingface:sentence-transformers/multi-qa-MiniLM-L6-cos-v1"
    assert (model, "embed", index.uid) in flows
    docs = [u for u in nodes if u.startswith("dataset:") and u.endswith("txt")]
    assert len(docs) == 1 and (docs[0], "embed", index.uid) in flows
    assert any("evalset_full.csv" in u for u in nodes)


def test_v1_prompt_node_with_an_openai_model_is_openai() -> None:
    nodes, _ = _facts("deepset-ai-haystack__v1_rest_api_pipelines_web_lfqa.yaml")
    assert nodes["model:openai:gpt-3.5-turbo"].props["origin"] == "third_party_api"
    assert "model:local:gpt-3.5-turbo" not in nodes


def test_v1_reader_from_a_local_directory_is_a_local_model() -> None:
    nodes, _ = _facts("deepset-ai-haystack-demos__airgapped_retriever_reader.yml")
    reader = nodes["model:local:/opt/models/fine-tuned-reader"]
    assert reader.props["provider"] == "local"
