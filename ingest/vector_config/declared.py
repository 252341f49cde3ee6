"""LangChain pipelines declared as data: ``dumpd``/``dumps`` JSON (``{"lc": 1, ...}``) and
LlamaIndex-style ``vector_store``/``embed_model``/``llm`` blocks in YAML/JSON.

A serialized LangChain object is a tree of ``{"lc": 1, "type": "constructor", "id": [...],
"kwargs": {...}}``. Vector stores, embeddings and chat models are recognised by the last
element of ``id`` (their class name); the tree's root is the app that retrieves.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ingest.notebook.values import Collector
from ingest.vector_config.naming import endpoint_uid, engine_namespace, model_uid, vector_index_uid
from lineage.model import EdgeKind

__all__ = ["declared_facts", "is_declared"]

_STORES = {
    "Qdrant": "qdrant",
    "QdrantVectorStore": "qdrant",
    "Chroma": "chroma",
    "FAISS": "faiss",
    "Milvus": "milvus",
    "Weaviate": "weaviate",
    "WeaviateVectorStore": "weaviate",
    "Pinecone": "pinecone",
    "PineconeVectorStore": "pinecone",
    "ElasticsearchStore": "elasticsearch",
    "OpenSearchVectorSearch": "opensearch",
    "LanceDB": "lancedb",
    "PGVector": "pgvector",
    "MongoDBAtlasVectorSearch": "mongodb_atlas",
    "Redis": "redis",
}
_EMBEDDINGS = {
    "OpenAIEmbeddings": "openai",
    "AzureOpenAIEmbeddings": "azure_openai",
    "HuggingFaceEmbeddings": "huggingface",
    "CohereEmbeddings": "cohere",
    "OllamaEmbeddings": "ollama",
    "HuggingFaceEmbedding": "huggingface",
    "OpenAIEmbedding": "openai",
}
_LLMS = {
    "ChatOpenAI": "openai",
    "OpenAI": "openai",
    "AzureChatOpenAI": "azure_openai",
    "ChatAnthropic": "anthropic",
    "ChatOllama": "ollama",
    "Ollama": "ollama",
    "ChatCohere": "cohere",
    "ChatMistralAI": "mistral",
    "ChatGroq": "groq",
    "HuggingFaceEndpoint": "huggingface",
    "ChatGoogleGenerativeAI": "google",
}
_LOCAL = {"ollama"}


def is_declared(doc: Any) -> bool:
    if isinstance(doc, Mapping) and doc.get("lc") == 1 and "id" in doc:
        return True
    return (
        isinstance(doc, Mapping)
        and isinstance(doc.get("vector_store"), Mapping)
        and ("type" in doc["vector_store"] or "class_name" in doc["vector_store"])
    )


def _walk(node: Any) -> Iterator[Mapping[str, Any]]:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            if item.get("lc") == 1 and isinstance(item.get("id"), list):
                yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def declared_facts(out: Collector, doc: Mapping[str, Any], path: str) -> None:
    if doc.get("lc") != 1:
        doc = _llamaindex_as_lc(doc)
    root = str(doc["id"][-1]) if doc.get("id") else "app"
    endpoint = endpoint_uid("langchain", f"{path}#{root}")
    out.node(endpoint, framework="langchain", exposure="unknown", chain=root)
    indexes: list[str] = []
    llms: list[tuple[str, bool]] = []
    embedders: list[str] = []
    for obj in _walk(doc):
        cls = str(obj["id"][-1])
        raw = obj.get("kwargs")
        kwargs: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        if cls in _STORES:
            engine = _STORES[cls]
            url = kwargs.get("url") or kwargs.get("host") or kwargs.get("es_url")
            collection = str(
                kwargs.get("collection_name") or kwargs.get("index_name") or f"{path}#{cls}"
            )
            uid = vector_index_uid(engine_namespace(engine, str(url) if url else None), collection)
            out.node(uid, engine=engine, collection=collection)
            indexes.append(uid)
        elif cls in _EMBEDDINGS:
            name = kwargs.get("model") or kwargs.get("model_name") or "unspecified"
            provider = _EMBEDDINGS[cls]
            uid = model_uid(provider, str(name))
            out.node(
                uid,
                provider=provider,
                model_type="embedding",
                origin="local" if provider in _LOCAL else "third_party_api",
            )
            embedders.append(uid)
        elif cls in _LLMS:
            name = kwargs.get("model") or kwargs.get("model_name") or kwargs.get("repo_id")
            provider = _LLMS[cls]
            uid = model_uid(provider, str(name or "unspecified"))
            out.node(
                uid,
                provider=provider,
                model_type="llm",
                origin="local" if provider in _LOCAL else "third_party_api",
            )
            llms.append((uid, provider not in _LOCAL))
    for index in indexes:
        for embedder in embedders:
            out.node(index, embedding_model=embedder)
        out.flow(index, endpoint, EdgeKind.RETRIEVE)
        for llm, _remote in llms:
            out.flow(index, llm, EdgeKind.RETRIEVE)
    for llm, _ in llms:
        out.flow(llm, endpoint, EdgeKind.SERVE)


def _llamaindex_as_lc(doc: Mapping[str, Any]) -> dict[str, Any]:
    """``{vector_store: {type: QdrantVectorStore, ...}, embed_model: {...}, llm: {...}}``."""
    parts = []
    for key in ("vector_store", "embed_model", "llm"):
        block = doc.get(key)
        if isinstance(block, Mapping):
            cls = str(block.get("type") or block.get("class_name") or "")
            parts.append({"lc": 1, "id": [cls], "kwargs": dict(block)})
    return {"lc": 1, "id": ["llama_index", "app"], "kwargs": {"parts": parts}}
