"""embedchain and mem0 app configs: a vector DB, an LLM, an embedder, one RAG app.

embedchain: ``app``/``pipeline``, ``llm``, ``vectordb``, ``embedder`` (or the older
``embedding_model``), ``chunker``. mem0: ``vector_store``, ``llm``, ``embedder``,
``graph_store``. Each section is ``{provider, config}``. Only what the file declares is
recorded: a section that is absent yields no node (the library's defaults are not guessed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ingest.notebook.values import Collector, Val
from ingest.vector_config.naming import (
    endpoint_uid,
    engine_namespace,
    model_uid,
    vector_index_uid,
)
from lineage.model import EdgeKind

__all__ = [
    "ENGINES",
    "LOCAL_PROVIDERS",
    "RagApp",
    "app_from_config",
    "app_name",
    "declares_assets",
    "is_embedchain",
    "mem0_memory",
    "rag_app",
    "sections",
]

# embedchain/mem0 provider -> our engine word
ENGINES = {
    "chroma": "chroma",
    "chromadb": "chroma",
    "qdrant": "qdrant",
    "weaviate": "weaviate",
    "pinecone": "pinecone",
    "elasticsearch": "elasticsearch",
    "opensearch": "opensearch",
    "zilliz": "milvus",
    "milvus": "milvus",
    "lancedb": "lancedb",
    "pgvector": "pgvector",
    "redis": "redis",
    "faiss": "faiss",
    "mongodb": "mongodb_atlas",
    "supabase": "pgvector",
    "azure_ai_search": "azure_ai_search",
    "vertex_ai_vector_search": "vertex_ai",
}
# Providers that run the model on the user's own machine: inference is not a data egress.
# (embedchain's ``llama2`` provider is not one: it calls Llama 2 on Replicate's API.)
LOCAL_PROVIDERS = frozenset({"gpt4all", "ollama", "vllm", "huggingface_local", "lmstudio"})
# embedchain/mem0 provider words -> the service that runs the model
_PROVIDER_WORDS = {"aws_bedrock": "bedrock", "llama2": "replicate", "gpt4all": "local"}
# the model an embedder section without ``model`` uses (embedchain's embedder classes)
_EMBEDDER_DEFAULTS = {
    "gpt4all": "all-MiniLM-L6-v2-f16.gguf",  # GPT4AllEmbedder
    "openai": "text-embedding-ada-002",  # OpenAIEmbedder
}
_SECTIONS = {
    "app",
    "pipeline",
    "llm",
    "vectordb",
    "embedder",
    "embedding_model",
    "chunker",
    "vector_store",
    "graph_store",
    "cache",
    "memory",
    "history_db_path",
}


def sections(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The document with each top-level key as the author meant it: a section key typed with a
    doubled colon (``embedder::``) parses as ``"embedder:"``, and is still that section."""
    return {k.rstrip(":") if isinstance(k, str) else k: v for k, v in doc.items()}


def is_embedchain(doc: Any) -> bool:
    """An embedchain/mem0 config: only known top-level sections, and at least one of them."""
    if not isinstance(doc, Mapping) or not doc:
        return False
    keys = set(sections(doc))
    return keys <= _SECTIONS and bool(keys & (_SECTIONS - {"history_db_path"}))


def declares_assets(doc: Mapping[str, Any]) -> bool:
    return bool(set(doc) & {"llm", "vectordb", "embedder", "embedding_model", "vector_store"})


@dataclass(frozen=True, slots=True)
class RagApp:
    endpoint: str
    index: str = ""
    llm: str = ""
    llm_remote: bool = False
    embedder: str = ""
    embedder_remote: bool = False


def _section(doc: Mapping[str, Any], *names: str) -> tuple[str, Mapping[str, Any]] | None:
    for name in names:
        section = doc.get(name)
        if isinstance(section, Mapping):
            config = section.get("config") or {}
            return str(section.get("provider") or ""), config if isinstance(config, Mapping) else {}
    return None


def _model(out: Collector, provider: str, config: Mapping[str, Any], model_type: str) -> str:
    name = config.get("model") or config.get("model_name") or config.get("deployment_name")
    implied = None
    if not name and model_type == "embedding" and provider in _EMBEDDER_DEFAULTS:
        name = _EMBEDDER_DEFAULTS[provider]
        implied = f"embedchain {provider} embedder default model"
    given = provider or "unspecified"
    provider = _PROVIDER_WORDS.get(given, given)
    local = given in LOCAL_PROVIDERS or (
        # embedchain runs Hugging Face *embedders* in-process unless an endpoint is set
        provider == "huggingface" and model_type == "embedding" and not config.get("endpoint")
    )
    namespace = "local" if local else provider
    if provider == "huggingface" and not config.get("endpoint"):
        namespace = "huggingface"
    uid = model_uid(namespace, str(name or "unspecified"))
    out.node(
        uid,
        provider=provider,
        model_type=model_type,
        origin="local" if local else "third_party_api",
        deployment_name=str(config["deployment_name"]) if config.get("deployment_name") else None,
        framework_provider=given if given != provider else None,
        implied=True if implied else None,
        implied_by=implied,
    )
    return uid


def _index(out: Collector, provider: str, config: Mapping[str, Any], app_name: str) -> str:
    engine = ENGINES.get(provider.lower(), provider.lower() or "unspecified")
    url = config.get("url") or config.get("opensearch_url") or config.get("es_url")
    host = config.get("host")
    namespace = engine_namespace(
        engine,
        str(url) if url else None,
        host=str(host) if host else None,
        port=config.get("port"),
    )
    persist = config.get("dir") or config.get("path")
    collection = str(config.get("collection_name") or config.get("index_name") or app_name)
    uid = vector_index_uid(namespace, collection)
    out.node(
        uid,
        engine=engine,
        collection=collection,
        distance=str(config["metric"]).lower() if config.get("metric") else None,
        dimensions=config.get("vector_dimension") or config.get("embedding_model_dims"),
        persistence="local" if persist else ("server" if url or host else "unknown"),
        persist_path=str(persist) if persist else None,
    )
    return uid


# what an embedchain app uses when its config leaves a section out
EMBEDCHAIN_DEFAULTS = {"vectordb": "embedchain_store", "embedder": "text-embedding-ada-002"}


def app_name(doc: Mapping[str, Any]) -> str | None:
    """The app's own name (``app.config.id``/``name``), if the config gives one."""
    app_conf = doc.get("app") or doc.get("pipeline") or {}
    app_conf = app_conf.get("config", {}) if isinstance(app_conf, Mapping) else {}
    if not isinstance(app_conf, Mapping):
        return None
    named = app_conf.get("id") or app_conf.get("name")
    return str(named) if named else None


def rag_app(
    out: Collector, doc: Mapping[str, Any], name: str, *, serves: bool = True, mem0: bool = False
) -> RagApp:
    """Nodes and edges for one app config; ``name`` names the app when the file does not.

    ``serves=False``: the config describes components only (no app identity, no process
    known to run it), so no Endpoint is invented; its index, models and the flows between
    them are still facts. ``mem0``: a mem0 config for sure (no embedchain defaults).
    """
    doc = sections(doc)
    label = app_name(doc) or name
    endpoint = endpoint_uid("embedchain", label) if serves else ""
    if endpoint:
        out.node(
            endpoint,
            framework="embedchain" if "vector_store" not in doc else "mem0",
            exposure="unknown",
        )
    app = {"endpoint": endpoint}
    embedchain = not mem0 and (
        ("vector_store" not in doc and "app" not in doc) or "vectordb" in doc
    )
    vdb = _section(doc, "vectordb", "vector_store")
    if vdb is None and embedchain and declares_assets(doc):  # embedchain's default store
        vdb = ("chroma", {"collection_name": EMBEDCHAIN_DEFAULTS["vectordb"]})
        app["index_implied"] = "embedchain default vectordb (chroma, embedchain_store)"
    if vdb is not None:
        app["index"] = _index(out, vdb[0], vdb[1], label)
        if app.get("index_implied"):
            out.node(app["index"], implied=True, implied_by=app["index_implied"])
        if endpoint:
            out.flow(app["index"], endpoint, EdgeKind.RETRIEVE)
    if (llm := _section(doc, "llm")) is not None:
        app["llm"] = _model(out, llm[0], llm[1], "llm")
        if endpoint:
            out.flow(app["llm"], endpoint, EdgeKind.SERVE)
        if "index" in app:  # the retrieved context reaches the model (an API or a local one)
            out.flow(app["index"], app["llm"], EdgeKind.RETRIEVE)
    emb = _section(doc, "embedder", "embedding_model")
    implied_emb = emb is None and embedchain and "index" in app
    if implied_emb:  # embedchain embeds with OpenAI unless told otherwise
        emb = ("openai", {"model": EMBEDCHAIN_DEFAULTS["embedder"]})
    if emb is not None:
        app["embedder"] = _model(out, emb[0], emb[1], "embedding")
        if implied_emb:
            out.node(app["embedder"], implied=True, implied_by="embedchain default embedder")
        if "index" in app:
            out.node(app["index"], embedding_model=app["embedder"])
            out.flow(app["embedder"], app["index"], EdgeKind.EMBED)  # the vectors come from it
    return RagApp(
        endpoint=endpoint,
        index=app.get("index", ""),
        llm=app.get("llm", ""),
        llm_remote=llm is not None and llm[0] not in LOCAL_PROVIDERS,
        embedder=app.get("embedder", ""),
        embedder_remote=emb is not None
        and emb[0] not in LOCAL_PROVIDERS
        and emb[0] != "huggingface",
    )


# what ``mem0.Memory`` uses for a section its config leaves out (mem0's MemoryConfig)
MEM0_DEFAULTS: dict[str, tuple[str, dict[str, Any]]] = {
    "vector_store": ("qdrant", {"collection_name": "mem0", "path": "/tmp/qdrant"}),  # noqa: S108
    "embedder": ("openai", {"model": "text-embedding-3-small"}),
    "llm": ("openai", {"model": "gpt-5-mini"}),
}


def mem0_memory(out: Collector, doc: Mapping[str, Any]) -> tuple[str, str, str]:
    """(index, embedder, llm) of a ``mem0.Memory`` built from ``doc`` (``{}`` for
    ``Memory()``): sections left out are mem0's defaults, recorded as implied. Every vector
    store's default collection is ``mem0``."""
    found: dict[str, str] = {}
    for key, model_type in (("vector_store", ""), ("embedder", "embedding"), ("llm", "llm")):
        section = _section(doc, key)
        implied = section is None
        provider, config = section or MEM0_DEFAULTS[key]
        if key == "vector_store":
            uid = _index(out, provider, {"collection_name": "mem0", **config}, "mem0")
        else:
            uid = _model(out, provider, config, model_type)
        if implied:
            out.node(uid, implied=True, implied_by=f"mem0 default {key}")
        found[key] = uid
    out.node(found["vector_store"], embedding_model=found["embedder"])
    return found["vector_store"], found["embedder"], found["llm"]


def app_from_config(call: Any, config: Mapping[str, Any] | None, path: str | None) -> Val | None:
    """The notebook side: ``App.from_config(config={...})`` as a RAG app value."""
    ctx = call.ctx
    name = f"{ctx.notebook}#{ctx.target or 'app'}"
    if config is None and path:
        from ingest.vector_config.load import read_config

        try:
            docs = read_config(path)
        except Exception:
            docs = []
        config = docs[0] if docs and isinstance(docs[0], Mapping) else None
    if config is not None and not (is_embedchain(config) and declares_assets(config)):
        from lineage.model import Problem, Severity

        ctx.out.problems.append(
            Problem(
                Severity.WARNING,
                "embedchain config has none of llm/vectordb/embedder at the top level; not guessed",
                ctx.out.ref,
            )
        )
        return None  # embedchain itself rejects such a config: no app exists
    app = rag_app(ctx.out, config or {}, name)
    llm = Val(asset=app.llm).with_attrs(provider="remote" if app.llm_remote else "local")
    embedder = Val(asset=app.embedder).with_attrs(
        role="embedding", provider="remote" if app.embedder_remote else "local"
    )
    return Val(tag="embedchain.App", asset=app.index or "").with_attrs(
        role="rag_app",
        endpoint=app.endpoint,
        llm=llm if app.llm else None,
        embedder=embedder if app.embedder else None,
    )
