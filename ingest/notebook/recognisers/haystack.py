"""Haystack 2.x components in Python: document stores, embedders, generators, pipelines.

The provider follows the component *type* (an ``OpenAIChatGenerator`` is OpenAI whatever
model it names; a ``HuggingFaceLocalGenerator`` runs Hub weights here), so each component
family is one row of :data:`GENERATORS` / :data:`EMBEDDERS` / :data:`STORES`. A component
built without a model uses the library's default model: recorded with ``implied=True`` and
the rule that implied it (``implied_by``), because data still goes to that provider.

Pipelines: components added to a pipeline meet there. A retriever's document store feeds the
pipeline's generators (``retrieve``); a writer's store receives what the pipeline's document
embedders embed (``embed``); data passed to ``run`` flows into the stores it writes and into
remote generators (``infer``).
"""

from __future__ import annotations

from ingest.notebook.recognisers.common import dataset_at, model_node
from ingest.notebook.recognisers.registry import Call, Rule
from ingest.notebook.values import Val, union
from ingest.vector_config.naming import engine_namespace, vector_index_uid
from lineage import ids
from lineage.model import EdgeKind, Kind

__all__ = ["EMBEDDERS", "GENERATORS", "RULES", "STORES", "V1_DEFAULT_INDEX"]

_HS = ("haystack*", "haystack_integrations*")

# component class name -> (provider, namespace, default model or "", local?)
GENERATORS: dict[str, tuple[str, str, bool]] = {
    "OpenAIGenerator": ("openai", "gpt-5-mini", False),
    "OpenAIChatGenerator": ("openai", "gpt-5-mini", False),
    "OpenAIResponsesChatGenerator": ("openai", "gpt-5-mini", False),
    "AzureOpenAIGenerator": ("azure_openai", "gpt-4o-mini", False),
    "AzureOpenAIChatGenerator": ("azure_openai", "gpt-4o-mini", False),
    "AnthropicGenerator": ("anthropic", "claude-sonnet-4-20250514", False),
    "AnthropicChatGenerator": ("anthropic", "claude-sonnet-4-20250514", False),
    "MistralChatGenerator": ("mistral", "mistral-small-latest", False),
    "CohereGenerator": ("cohere", "command-r-08-2024", False),
    "CohereChatGenerator": ("cohere", "command-r-08-2024", False),
    "OllamaGenerator": ("ollama", "orca-mini", True),
    "OllamaChatGenerator": ("ollama", "orca-mini", True),
    "AmazonBedrockGenerator": ("bedrock", "", False),
    "AmazonBedrockChatGenerator": ("bedrock", "", False),
    "GoogleAIGeminiGenerator": ("google", "gemini-2.0-flash", False),
    "GoogleAIGeminiChatGenerator": ("google", "gemini-2.0-flash", False),
    "GoogleGenAIChatGenerator": ("google", "gemini-2.0-flash", False),
    "VertexAIGeminiGenerator": ("vertex", "gemini-1.5-flash", False),
    "VertexAIGeminiChatGenerator": ("vertex", "gemini-1.5-flash", False),
    "HuggingFaceAPIGenerator": ("hf_inference", "", False),
    "HuggingFaceAPIChatGenerator": ("hf_inference", "", False),
    "HuggingFaceLocalGenerator": ("huggingface", "google/flan-t5-base", True),
    "HuggingFaceLocalChatGenerator": ("huggingface", "HuggingFaceH4/zephyr-7b-beta", True),
    "TransformersChatGenerator": ("huggingface", "", True),
    "LlamaCppGenerator": ("llamacpp", "", True),
    "LlamaCppChatGenerator": ("llamacpp", "", True),
    "OpenRouterChatGenerator": ("other", "openai/gpt-5-mini", False),
    "TogetherAIGenerator": ("together", "", False),
    "TogetherAIChatGenerator": ("together", "", False),
    "NvidiaGenerator": ("other", "", False),
    "NvidiaChatGenerator": ("other", "", False),
    "WatsonxGenerator": ("other", "", False),
    "WatsonxChatGenerator": ("other", "", False),
    "MetaLlamaChatGenerator": ("other", "", False),
    # LLM-based evaluators run an OpenAIChatGenerator unless given another
    "FaithfulnessEvaluator": ("openai", "gpt-5-mini", False),
    "ContextRelevanceEvaluator": ("openai", "gpt-5-mini", False),
    "LLMEvaluator": ("openai", "gpt-5-mini", False),
}
EMBEDDERS: dict[str, tuple[str, str, bool]] = {
    "SentenceTransformers": ("huggingface", "sentence-transformers/all-mpnet-base-v2", True),
    "OpenAI": ("openai", "text-embedding-ada-002", False),
    "AzureOpenAI": ("azure_openai", "text-embedding-ada-002", False),
    "Cohere": ("cohere", "embed-english-v2.0", False),
    "Ollama": ("ollama", "nomic-embed-text", True),
    "Mistral": ("mistral", "mistral-embed", False),
    "Jina": ("jina", "jina-embeddings-v3", False),
    "Voyage": ("voyage", "voyage-3", False),
    "AmazonBedrock": ("bedrock", "", False),
    "Fastembed": ("huggingface", "BAAI/bge-small-en-v1.5", True),
    "FastembedSparse": ("huggingface", "prithivida/Splade_PP_en_v1", True),
    "HuggingFaceAPI": ("hf_inference", "", False),
    "GoogleGenAI": ("google", "text-embedding-004", False),
    "VertexAI": ("vertex", "text-embedding-005", False),
    "Nvidia": ("other", "", False),
    "Optimum": ("huggingface", "sentence-transformers/all-mpnet-base-v2", True),
}
# document store class -> (engine, collection keywords, default collection or None)
STORES: dict[str, tuple[str, tuple[str, ...], str | None]] = {
    "InMemoryDocumentStore": ("inmemory", (), None),
    "ChromaDocumentStore": ("chroma", ("collection_name",), "documents"),
    "QdrantDocumentStore": ("qdrant", ("index",), "Document"),
    "PineconeDocumentStore": ("pinecone", ("index",), "default"),
    "ElasticsearchDocumentStore": ("elasticsearch", ("index",), "default"),
    "OpenSearchDocumentStore": ("opensearch", ("index",), "default"),
    "WeaviateDocumentStore": ("weaviate", ("collection_settings", "index"), "Default"),
    "PgvectorDocumentStore": ("pgvector", ("table_name",), "haystack_documents"),
    "MongoDBAtlasDocumentStore": ("mongodb_atlas", ("collection_name",), None),
    "MilvusDocumentStore": ("milvus", ("collection_name",), "HaystackCollection"),
    "AstraDocumentStore": ("other", ("collection_name",), "documents"),
    "AzureAISearchDocumentStore": ("other", ("index_name",), "default"),
    "LanceDBDocumentStore": ("lancedb", ("table_name",), None),
}
# Haystack 1.x stores (``haystack.document_stores.<Class>``; 2.x ships them as integrations)
# and their default ``index``: what a 1.x store given none writes to
V1_DEFAULT_INDEX = {
    "WeaviateDocumentStore": "Document",
    "ElasticsearchDocumentStore": "document",
    "OpenSearchDocumentStore": "document",
    "PineconeDocumentStore": "document",
    "MilvusDocumentStore": "document",
}
_REMOTE_URL_KWS = ("url", "api_base_url", "hosts", "host", "connection_string", "uri")
_MODEL_KWS = ("model", "model_name", "model_id", "model_path", "azure_deployment")


def _api_params_model(call: Call) -> str | None:
    """The Hugging Face API components name their model in ``api_params={"model": ...}``
    (serverless inference; an endpoint or TGI server gives ``url`` there instead)."""
    params = call.arg(None, "api_params").const
    model = params.get("model") if isinstance(params, dict) else None
    return model if isinstance(model, str) else None


def _model(call: Call, provider: str, default: str, local: bool, role: str) -> Val | None:
    name = call.text(None, *_MODEL_KWS) or _api_params_model(call)
    given = call.arg(None, *_MODEL_KWS, "api_params")
    implied = not name and not (given.tag or given.data or given.const is not None)
    if not name and not implied:
        return Val(tag=call.qual).with_attrs(role=role, provider=provider)
    name = name or default
    if not name:
        return Val(tag=call.qual).with_attrs(role=role, provider=provider)
    if provider == "huggingface" and call.qual.rsplit(".", 1)[-1].startswith("HuggingFaceLocal"):
        pipe = call.arg(None, "huggingface_pipeline_kwargs").const
        if isinstance(pipe, dict) and isinstance(pipe.get("model"), str):
            name, implied = pipe["model"], False
    origin = "local" if local else "third_party_api"
    value = model_node(
        call,
        provider,
        name,
        role="model",
        tag=call.qual,
        provider=provider,
        model_type="embedding" if role == "embedder" else "llm",
        origin=origin,
        implied=True if implied else None,
        implied_by=f"{call.qual.rsplit('.', 1)[-1]}() default model" if implied else None,
    )
    return value.with_attrs(provider="local" if local else provider, origin=origin, hs=role)


def _generator(provider: str, default: str, local: bool):
    def handler(call: Call) -> Val | None:
        return _model(call, provider, default, local, "generator")

    return handler


def _embedder(provider: str, default: str, local: bool):
    def handler(call: Call) -> Val | None:
        return _model(call, provider, default, local, "embedder")

    return handler


def _store(engine: str, kws: tuple[str, ...], default: str | None):
    def handler(call: Call) -> Val | None:
        collection = call.text(None, *kws) if kws else None
        if kws and collection is None:
            settings = call.arg(None, *kws).const
            if isinstance(settings, dict) and isinstance(settings.get("class"), str):
                collection = settings["class"]
        if collection is None:
            given = call.arg(None, *kws) if kws else Val()
            known = given.tag or given.data or given.const is not None
            fallback = default
            if call.qual.startswith("haystack.document_stores."):
                fallback = V1_DEFAULT_INDEX.get(call.method, default)
            collection = fallback if fallback and not known else None
        url = call.text(None, *_REMOTE_URL_KWS)
        namespace = engine_namespace(engine, url) if url and "://" in url else engine
        name = collection or f"{call.ctx.notebook}#{call.ctx.target or 'document_store'}"
        uid = vector_index_uid(namespace, name)
        call.ctx.out.node(
            uid,
            engine=engine,
            collection=name,
            collection_known=collection is not None,
            framework="haystack",
        )
        return Val(tag=call.qual, asset=uid).with_attrs(
            role="vector_index", engine=engine, namespace=namespace, hs="store"
        )

    return handler


def _store_of(call: Call) -> Val | None:
    for value in (call.arg(0, "document_store"), *call.kwargs.values(), *call.args):
        if value.attrs.get("role") == "vector_index":
            return value
    return None


def _retriever(call: Call) -> Val | None:
    store = _store_of(call)
    if store is None:
        return None
    return Val(tag=call.qual, data=frozenset({store.asset})).with_attrs(
        hs="retriever", store=store.asset
    )


def _writer(call: Call) -> Val | None:
    store = _store_of(call)
    if store is None:
        return None
    return Val(tag=call.qual).with_attrs(hs="writer", store=store.asset)


def _pipeline(call: Call) -> Val | None:
    return Val(tag="haystack.Pipeline").with_attrs(hs="pipeline", parts=())


def _add_component(call: Call) -> Val | None:
    pipe = call.recv
    if pipe.attrs.get("hs") != "pipeline":
        return None
    part = call.arg(1, "instance")
    parts = (*pipe.attrs.get("parts", ()), part)
    grown = pipe.with_attrs(parts=parts)
    if call.recv_name:
        call.ctx.rebind(call.recv_name, grown)
    _wire(call, parts)
    return Val()


def _wire(call: Call, parts: tuple[Val, ...]) -> None:
    """What components of one pipeline do to each other (order of adding does not matter)."""
    retrieved = [p.attrs["store"] for p in parts if p.attrs.get("hs") == "retriever"]
    written = [p.attrs["store"] for p in parts if p.attrs.get("hs") == "writer"]
    generators = [p for p in parts if p.attrs.get("hs") == "generator" and p.asset]
    embedders = [p for p in parts if p.attrs.get("hs") == "embedder" and p.asset]
    for gen in generators:
        call.ctx.flow_into(retrieved, gen.asset, EdgeKind.RETRIEVE)
    for store in written:
        for emb in embedders:
            call.ctx.out.node(store, embedding_model=emb.asset)


def _fetcher(call: Call) -> Val | None:
    return Val(tag=call.qual).with_attrs(hs="fetcher")


def _urls(value: object) -> list[str]:
    """The URL strings in a run's literal inputs (``{"fetcher": {"urls": [...]}}``)."""
    if isinstance(value, str):
        return [value] if "://" in value else []
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [u for item in value for u in _urls(item)]
    return []


def _fetched(call: Call) -> set[str]:
    """What a ``LinkContentFetcher`` in the pipeline is given to fetch: web pages read."""
    found: set[str] = set()
    for value in (*call.args, *call.kwargs.values()):
        for url in _urls(value.const):
            uid = dataset_at(call, url)
            if uid is not None:
                call.ctx.out.reads(uid)
                found.add(uid)
    return found


def _run(call: Call) -> Val | None:
    pipe = call.recv
    if pipe.attrs.get("hs") != "pipeline":
        return None
    parts: tuple[Val, ...] = pipe.attrs.get("parts", ())
    sent = union([*call.args, *call.kwargs.values()]).carried() | call.ctx.loop_data
    sent = {u for u in sent if ids.kind_of(u) is Kind.DATASET}
    if any(p.attrs.get("hs") == "fetcher" for p in parts):
        sent |= _fetched(call)
    for part in parts:
        if part.attrs.get("hs") == "writer":
            call.ctx.flow_into(sent, part.attrs["store"], EdgeKind.EMBED)
        elif part.attrs.get("hs") == "generator" and part.attrs.get("origin") == "third_party_api":
            call.ctx.flow_into(sent, part.asset, EdgeKind.INFER)
    stores = {p.attrs.get("store") for p in parts} - {None}
    models = {p.asset for p in parts if p.asset}
    return Val(data=frozenset(sent | stores | models), models=frozenset(models))


def _component_run(call: Call) -> Val | None:
    """``generator.run(messages)`` / ``embedder.run(docs)``: the result carries the model."""
    part = call.recv
    if part.attrs.get("hs") not in ("generator", "embedder") or not part.asset:
        return None
    sent = union([*call.args, *call.kwargs.values()]).carried() | call.ctx.loop_data
    sent = {u for u in sent if ids.kind_of(u) is not Kind.MODEL}  # vectors are not sent
    if part.attrs.get("hs") == "generator":
        if part.attrs.get("origin") == "third_party_api":
            call.ctx.flow_into(sent, part.asset, EdgeKind.INFER)
        else:
            indexes = [u for u in sent if ids.kind_of(u) is Kind.VECTOR_INDEX]
            call.ctx.flow_into(indexes, part.asset, EdgeKind.RETRIEVE)
    return Val(data=frozenset(sent | {part.asset}), models=frozenset({part.asset}))


def _rows() -> list[Rule]:
    rules: list[Rule] = []
    for cls, (provider, default, local) in GENERATORS.items():
        pats = tuple(f"{lib}.{cls}" for lib in _HS)
        rules.append(Rule(pats, _generator(provider, default, local), f"Haystack {cls}"))
    for prefix, (provider, default, local) in EMBEDDERS.items():
        pats = tuple(
            f"{lib}.{prefix}{kind}Embedder" for lib in _HS for kind in ("Document", "Text", "")
        )
        what = f"Haystack {prefix} embedders"
        rules.append(Rule(pats, _embedder(provider, default, local), what))
    for cls, (engine, kws, default) in STORES.items():
        pats = tuple(f"{lib}.{cls}" for lib in _HS)
        rules.append(Rule(pats, _store(engine, kws, default), f"Haystack {cls}"))
    return rules


def _write_documents(call: Call) -> Val | None:
    from ingest.notebook.recognisers.vector import embed_into

    store = call.recv
    if store.attrs.get("role") != "vector_index":
        return None
    embed_into(call, store, union([*call.args, *call.kwargs.values()]))
    return Val()


RULES: tuple[Rule, ...] = (
    *_rows(),
    Rule(tuple(f"{lib}.*Retriever" for lib in _HS), _retriever, "Haystack retrievers"),
    Rule(tuple(f"{lib}.DocumentWriter" for lib in _HS), _writer, "Haystack writers"),
    Rule(tuple(f"{lib}.LinkContentFetcher" for lib in _HS), _fetcher, "Haystack web fetcher"),
    Rule(("haystack.Pipeline", "haystack.AsyncPipeline", "haystack.core.*Pipeline"), _pipeline, ""),
    Rule(("haystack.*Pipeline.add_component",), _add_component, "pipeline components"),
    Rule(("haystack.*Pipeline.run", "haystack.*Pipeline.run_async"), _run, "pipeline runs"),
    Rule(tuple(f"{lib}.*.run" for lib in _HS), _component_run, "component runs"),
    Rule(("*.write_documents",), _write_documents, "document store writes"),
)
