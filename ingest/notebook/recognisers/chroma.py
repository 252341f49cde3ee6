"""Chroma's embedding functions: the model a collection embeds its documents with.

``client.create_collection(name, embedding_function=ef)`` makes every ``add`` and ``query``
of that collection go through ``ef``. Each class in ``chromadb.utils.embedding_functions``
calls one provider; a class given no ``model_name`` uses its own default, recorded with
``implied: true`` (defaults as in chromadb's classes).
"""

from __future__ import annotations

from ingest.notebook.recognisers.registry import Call, Rule
from ingest.notebook.values import Val
from ingest.vector_config.naming import model_uid

__all__ = ["EMBEDDING_FUNCTIONS", "RULES"]

# class -> (model namespace, default model, runs on this machine)
EMBEDDING_FUNCTIONS: dict[str, tuple[str, str, bool]] = {
    "OpenAIEmbeddingFunction": ("openai", "text-embedding-ada-002", False),
    "CohereEmbeddingFunction": ("cohere", "large", False),
    "HuggingFaceEmbeddingFunction": (
        "huggingface",
        "sentence-transformers/all-MiniLM-L6-v2",
        False,
    ),
    "InstructorEmbeddingFunction": ("huggingface", "hkunlp/instructor-base", True),
    "SentenceTransformerEmbeddingFunction": ("huggingface", "all-MiniLM-L6-v2", True),
    "DefaultEmbeddingFunction": ("local", "all-MiniLM-L6-v2", True),  # ONNX MiniLM
    "ONNXMiniLM_L6_V2": ("local", "all-MiniLM-L6-v2", True),
    "GoogleGenerativeAiEmbeddingFunction": ("google", "models/embedding-001", False),
    "JinaEmbeddingFunction": ("jina", "jina-embeddings-v2-base-en", False),
    "AmazonBedrockEmbeddingFunction": ("bedrock", "amazon.titan-embed-text-v1", False),
    "OllamaEmbeddingFunction": ("ollama", "", True),
    "VoyageAIEmbeddingFunction": ("voyage", "", False),
}


def _embedding_function(call: Call) -> Val | None:
    found = EMBEDDING_FUNCTIONS.get(call.method)
    if found is None:
        return None
    namespace, default, local = found
    name = call.text(None, "model_name", "model")
    if not name and not default:
        return None
    uid = model_uid(namespace, name or default)
    call.ctx.out.node(
        uid,
        provider=namespace,
        model_type="embedding",
        origin="local" if local else "third_party_api",
        implied=None if name else True,
        implied_by=None if name else f"chromadb {call.method} default model",
    )
    return Val(tag=call.qual, asset=uid).with_attrs(
        role="embedding", provider="local" if local else namespace
    )


RULES: tuple[Rule, ...] = (
    Rule(
        ("chromadb.utils.embedding_functions.*", "chromadb.utils.embedding_functions*.*"),
        _embedding_function,
        "Chroma embedding functions",
    ),
)
