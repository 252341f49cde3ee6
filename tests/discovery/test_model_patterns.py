"""Issue 15, models called through SDKs: the provider follows the SDK's real API (which
service the client reaches), each pattern on a real file from tests/corpus/real (sources and
licences in the cases' expected.yaml files)."""

from __future__ import annotations

from pathlib import Path

from ingest.notebook import notebook_facts
from lineage.model import Node

NOTEBOOKS = Path(__file__).resolve().parents[1] / "corpus" / "real" / "notebooks"


def _models(slug: str) -> dict[str, Node]:
    path = NOTEBOOKS / f"{slug}.ipynb"
    return {
        f.uid: f
        for f in notebook_facts(path, ref=path.name)
        if isinstance(f, Node) and f.uid.startswith("model:")
    }


def test_google_genai_client_with_a_project_calls_vertex_ai() -> None:
    """``genai.Client(project=..., location=...)`` then ``client.models.generate_content``."""
    models = _models("googlecloudplatform-generative-ai__intro_rag_engine")
    gemini = models["model:vertex:gemini-3.6-flash"]
    assert gemini.props["provider"] == "vertex"
    assert gemini.props["origin"] == "third_party_api"


def test_langchain_google_genai_with_a_project_is_vertex_not_the_gemini_api() -> None:
    """``ChatGoogleGenerativeAI(model=..., project=PROJECT_ID, enterprise=True)`` and the
    embeddings class alike."""
    models = _models("googlecloudplatform-generative-ai__intro_langchain_gemini")
    assert "model:vertex:gemini-3.6-flash" in models
    assert models["model:vertex:gemini-embedding-001"].props["model_type"] == "embedding"
    assert not [u for u in models if u.startswith("model:google:")]


def test_vertex_sdk_and_llamaindex_vertex_classes() -> None:
    """``GenerativeModel(GENERATIVE_MODEL)`` (vertexai SDK) and LlamaIndex's
    ``VertexTextEmbedding(model_name=...)``."""
    assert "model:vertex:gemini-2.0-flash" in _models(
        "googlecloudplatform-generative-ai__rag_embeddings_and_index_with_alloydb"
    )
    models = _models("googlecloudplatform-generative-ai__llamaindex_workflows")
    assert models["model:vertex:text-embedding-005"].props["model_type"] == "embedding"


def test_anthropic_bedrock_client_sends_to_bedrock() -> None:
    """``AnthropicBedrock(...).messages.create(model="anthropic.claude-...")``."""
    models = _models("elastic-elasticsearch-labs__bedrock_anthropic_es_client")
    assert "model:bedrock:anthropic.claude-3-sonnet-20240229-v1:0" in models
    assert not [u for u in models if u.startswith("model:anthropic:")]
