"""Issue 15's vector/RAG config patterns, each on a real file from tests/corpus/real/configs
(source repository, path, commit and licence in each case's expected.yaml)."""

from __future__ import annotations

from pathlib import Path

from ingest.vector_config import vector_config_facts
from lineage.model import Edge, Kind, Node, Rel

REAL = Path(__file__).parents[1] / "corpus" / "real" / "configs"
CONFIGS = Path(__file__).parents[1] / "corpus" / "vector_configs"


def _facts(path: Path) -> tuple[dict[str, Node], set[tuple[str, str, str]]]:
    facts = list(vector_config_facts(path, ref=path.name))
    nodes = {f.uid: f for f in facts if isinstance(f, Node)}
    flows = {
        (f.src, str(f.props["kind"]), f.dst)
        for f in facts
        if isinstance(f, Edge) and f.rel is Rel.FLOWS_TO
    }
    return nodes, flows


def _endpoints(nodes: dict[str, Node]) -> list[str]:
    return [u for u, n in nodes.items() if n.kind is Kind.ENDPOINT]


def test_a_haystack_pipeline_file_alone_is_no_endpoint() -> None:
    """deepset-ai-hayhooks__basic_rag_pipeline: a 2.x pipeline with hayhooks ``inputs`` and
    ``outputs``. The file is loaded by a server; it serves nothing itself. Its retrieval into
    the generator stays, and the request fields it declares are kept on the config's job."""
    nodes, flows = _facts(REAL / "deepset-ai-hayhooks__basic_rag_pipeline.yml")
    assert _endpoints(nodes) == []
    assert not [f for f in flows if f[1] == "serve"]
    store = next(u for u, n in nodes.items() if n.kind is Kind.VECTOR_INDEX)
    assert (store, "retrieve", "model:openai:gpt-4o-mini") in flows
    job = next(n for n in nodes.values() if n.kind is Kind.JOB)
    assert job.props["serving"] == "hayhooks"
    assert job.props["api_inputs"] == ["question"]


def test_a_haystack_1x_query_pipeline_is_no_endpoint_either() -> None:
    """deepset-ai-haystack__v1_rest_api_pipelines: the REST API container loads this file;
    the reader still receives what the retriever returns."""
    nodes, flows = _facts(REAL / "deepset-ai-haystack__v1_rest_api_pipelines.yml")
    assert _endpoints(nodes) == []
    assert any(k == "retrieve" and d.endswith("deepset/roberta-base-squad2") for _, k, d in flows)


def test_an_unnamed_embedchain_config_is_no_endpoint_a_named_app_is() -> None:
    """mem0ai-mem0__embedchain_configs_ollama (no ``app`` section) configures components;
    embedchain's configs/chroma.yaml names its app (``app.config.id: my-app``)."""
    nodes, flows = _facts(REAL / "mem0ai-mem0__embedchain_configs_ollama.yaml")
    assert _endpoints(nodes) == []
    assert ("vectorindex:chroma:embedchain_store", "retrieve", "model:local:llama2") in flows
    named, _ = _facts(CONFIGS / "embedchain__configs_chroma.yaml")
    assert _endpoints(named) == ["endpoint:embedchain:my-app"]
