"""Kubernetes manifests and Helm values (issue 15): real files from tests/corpus/real/configs.

Each was 0% recall before this reader: the file was reported as an unknown format.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.vector_config import vector_config_facts
from lineage.model import Kind, Node

REAL = Path(__file__).parents[1] / "corpus" / "real" / "configs"


def _nodes(name: str, kind: Kind) -> list[Node]:
    facts = vector_config_facts(REAL / name, ref=name)
    return [f for f in facts if isinstance(f, Node) and f.kind is kind]


def _by_service(name: str) -> dict[str, dict[str, Any]]:
    return {str(n.props["service"]): dict(n.props) for n in _nodes(name, Kind.ENDPOINT)}


def test_qdrant_chart_defaults_internal_without_api_key() -> None:
    eps = _by_service("qdrant-qdrant-helm__charts_qdrant_values.yaml")
    assert eps["qdrant"]["service_kind"] == "qdrant"
    assert eps["qdrant"]["exposure"] == "internal"  # ClusterIP, ingress disabled
    assert eps["qdrant"]["ports"] == [6333, 6334, 6335]
    assert eps["qdrant"]["auth"] == "off"
    indexes = _nodes("qdrant-qdrant-helm__charts_qdrant_values.yaml", Kind.VECTOR_INDEX)
    assert [i.props["engine"] for i in indexes] == ["qdrant"]


def test_weaviate_chart_load_balancer_with_anonymous_access() -> None:
    eps = _by_service("weaviate-weaviate-helm__weaviate_values.yaml")
    assert set(eps) == {"weaviate", "weaviate-grpc"}  # disabled modules are not endpoints
    for ep in eps.values():
        assert (ep["service_kind"], ep["exposure"], ep["auth"]) == ("weaviate", "published", "off")
    assert "ANONYMOUS_ACCESS" in eps["weaviate"]["auth_setting"]


def test_vllm_production_stack_model_specs() -> None:
    name = "vllm-project-production-stack__values_04_multiple_models.yaml"
    models = {(n.name, n.props["provider"]) for n in _nodes(name, Kind.MODEL)}
    assert models == {
        ("meta-llama/Llama-3.1-8B-Instruct", "vllm"),
        ("mistralai/Mistral-7B-Instruct-v0.2", "vllm"),
    }
    eps = _by_service(name)
    assert {k: v["auth"] for k, v in eps.items()} == {"llama3": "off", "mistral": "off"}
    secure = _by_service("vllm-project-production-stack__values_11_secure_vllm.yaml")
    assert "auth" not in secure["opt125m"]  # vllmApiKey set
    assert secure["router"]["service_kind"] == "other"  # routerSpec: the stack's front door
    assert "router" not in eps  # no routerSpec in that file


def test_vllm_lora_adapter_from_the_hub() -> None:
    name = "vllm-project-production-stack__values_09_lora_helm.yaml"
    models = {n.name: n.props for n in _nodes(name, Kind.MODEL)}
    assert models["nvidia/llama-3.1-nemoguard-8b-topic-control"]["provider"] == "huggingface"
    assert models["meta-llama/Llama-3.1-8B-Instruct"]["provider"] == "vllm"


def test_opea_chart_sections_serve_models() -> None:
    name = "opea-project-genaiexamples__chatqna_helm_cpu_tgi_values.yaml"
    models = {
        n.name: (n.props["provider"], n.props["model_type"]) for n in _nodes(name, Kind.MODEL)
    }
    assert models == {
        "meta-llama/Meta-Llama-3-8B-Instruct": ("tgi", "llm"),
        "BAAI/bge-reranker-base": ("tei", "reranker"),
        "BAAI/bge-base-en-v1.5": ("tei", "embedding"),
    }
    assert {k: v["service_kind"] for k, v in _by_service(name).items()} == {
        "tgi": "tgi",
        "teirerank": "tei",
        "tei": "tei",
    }  # vllm: enabled: false


def test_opea_milvus_overlay_names_the_collection() -> None:
    name = "opea-project-genaiexamples__chatqna_helm_cpu_milvus_values.yaml"
    indexes = [
        (i.props["engine"], i.props.get("collection")) for i in _nodes(name, Kind.VECTOR_INDEX)
    ]
    assert indexes == [("milvus", "rag_milvus")]  # redis-vector-db disabled


def test_manifest_stream_services_and_auth() -> None:
    eps = _by_service("elastic-elasticsearch-labs__k8s_manifest_elastic.yml")
    assert {k: v["service_kind"] for k, v in eps.items()} == {
        "elasticsearch": "elasticsearch",
        "kibana": "kibana",
        "otel-collector": "otel-collector",
    }  # the setup Deployment listens on nothing
    assert {v["exposure"] for v in eps.values()} == {"internal"}  # ClusterIP only
    assert eps["elasticsearch"]["ports"] == [9200]
