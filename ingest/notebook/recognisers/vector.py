"""Vector stores: direct clients and LangChain/LlamaIndex wrappers, and RAG apps (embedchain).

Clients become values that know their engine and server namespace; collections become
VectorIndex nodes (``vectorindex:<engine ns>:<collection>``). Writes are ``embed`` flows from
what was written; searches return values that carry the index (so what is retrieved flows on
with kind ``retrieve``). An index learns its embedding model from the data written to it
(values produced by an embedding model carry it) or from the wrapper's ``embedding`` argument.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ingest.notebook.recognisers.common import (
    dataset_at,
    inputs_of,
    is_model,
    read_location,
    write_location,
)
from ingest.notebook.recognisers.registry import Call, Rule
from ingest.notebook.values import Val, union
from ingest.vector_config.naming import engine_namespace, model_uid, vector_index_uid
from lineage import ids
from lineage.model import EdgeKind, Kind

__all__ = ["RULES", "collection", "embed_into", "find", "index_for"]

_COLLECTION_KWS = ("collection_name", "collection", "index_name", "index", "name", "table_name")
_DEFAULT_COLLECTION = {
    "chroma": "langchain",
    "pgvector": "langchain",
    "opensearch": "langchain",
    "redis": "llama_index",  # LlamaIndex RedisVectorStore's default index name
    "lancedb": "vectorstore",  # langchain_community LanceDB(table_name="vectorstore")
    "milvus": "LangChainCollection",  # langchain Milvus(collection_name=...)
}
# LlamaIndex stores whose default differs from LangChain's wrapper of the same engine
_LLAMA_DEFAULT_COLLECTION = {
    "lancedb": "vectors",  # LanceDBVectorStore(table_name="vectors")
    "milvus": "llamacollection",  # MilvusVectorStore(collection_name="llamacollection")
}


def _client(engine: str, url_pos: int | None = 0, *url_kws: str):
    """A server/client handle; where it points decides the namespace of its collections."""
    kws = url_kws or ("url", "uri", "host", "location", "hosts", "opensearch_url", "es_url")

    def handler(call: Call) -> Val | None:
        url = call.text(url_pos, *kws)
        path = call.text(None, "path", "persist_directory", "persist_path")
        port = call.arg(None, "port").const
        embedded = engine in ("qdrant", "chroma", "milvus", "lancedb", "faiss", "llama_index")
        given = call.arg(url_pos, *kws)  # a URL known only at run time is still a server
        runtime_url = url is None and bool(given.tag or given.data)
        persistence = (
            "memory"
            if embedded and url in (None, ":memory:") and not path and not runtime_url
            else "server"
        )
        if path or (url and "://" not in url and ("/" in url or url.endswith(".db"))):
            persistence, path, url = "local", path or url, None
        namespace = engine_namespace(engine, url, host=call.text(None, "host"), port=port)
        if engine == "chroma" and call.qual.endswith("HttpClient"):
            persistence = "server"
            if namespace == engine:  # HttpClient() talks to localhost:8000 by default
                namespace = engine_namespace(engine, "http://localhost")
        if call.qual.endswith("connect_to_local") and namespace == engine:
            namespace = engine_namespace(engine, "http://localhost", port=port or 8080)
        cluster = call.text(None, "cluster_url")  # Weaviate Cloud
        if url is None and cluster:
            namespace = engine_namespace(
                engine, cluster if "://" in cluster else f"https://{cluster}"
            )
        return Val(tag=call.qual).with_attrs(
            role="vector_client",
            engine=engine,
            namespace=namespace,
            persistence=persistence,
            persist_path=path or "",
        )

    return handler


def _not_methods(handler):
    """The client constructor itself, not methods on what it returns: ``*`` in
    ``weaviate.connect_to_*`` also matches ``weaviate.connect_to_local.collections.create``."""

    def guarded(call: Call) -> Val | None:
        _, _, rest = call.qual.partition(".connect_to_")
        return None if "." in rest else handler(call)

    return guarded


def _find(value: Val | None, role: str) -> Val | None:
    while value is not None:
        if value.attrs.get("role") == role:
            return value
        value = value.attrs.get("recv")
    return None


def find(value: Val | None, role: str) -> Val | None:
    """The value itself or the receiver it was reached through that plays ``role``."""
    return _find(value, role)


def collection(call: Call) -> Val | None:
    """The index a collection call (create/get/open) addresses, with its settings."""
    return _collection(call)


def index_for(call: Call, client: Val, collection: str) -> Val:
    """The index ``collection`` on ``client`` (for other tables' rows, e.g. ES bulk)."""
    return _index(call, client, collection)


def _index(call: Call, client: Val, collection: str, **props: Any) -> Val:
    engine = client.attrs["engine"]
    uid = vector_index_uid(client.attrs["namespace"], collection)
    database = None
    if engine == "mongodb_atlas" and "." in collection:  # client["db"]["coll"]: id keeps both
        database, collection = collection.split(".", 1)
    call.ctx.out.node(
        uid,
        engine=engine,
        collection=collection,
        database=database,
        persistence=client.attrs.get("persistence"),
        persist_path=client.attrs.get("persist_path") or None,
        **props,
    )
    server = client.attrs["namespace"]
    if "://" in server:
        source = ids.source_id(server)
        call.ctx.out.node(source, platform=engine)
        call.ctx.out.edge(source, _contains(), uid)
    return Val(tag=f"vector.{engine}.Collection", asset=uid).with_attrs(
        role="vector_index", engine=engine, namespace=client.attrs["namespace"]
    )


def _contains():
    from lineage.model import Rel

    return Rel.CONTAINS


def _target_index(call: Call, pos: int | None = 0) -> Val | None:
    """The index a call addresses: its receiver, or the client plus a collection argument."""
    found = _find(call.recv, "vector_index")
    if found is not None and found.attrs.get("pending"):  # first use of a raw FAISS index
        collection = ids.parse(found.asset).name
        return _index(call, found.with_attrs(persistence="memory"), collection)
    if found is not None:
        return found
    client = _find(call.recv, "vector_client")
    if client is None:
        return None
    collection = call.text(pos, *_COLLECTION_KWS)
    if collection is None and "." in client.attrs.get("mongo_path", ""):
        collection = client.attrs["mongo_path"]  # client["db"]["collection"]
    if collection is None:
        return None
    return _index(call, client, collection)


def _collection(call: Call) -> Val | None:
    index = _target_index(call)
    if index is None:
        return None
    if call.method == "create_table" and ("data" in call.kwargs or len(call.args) > 1):
        _embed(call, index, call.arg(1, "data"))  # LanceDB: created with rows
    distance = next(
        (v.attrs["distance"] for v in call.kwargs.values() if "distance" in v.attrs), None
    )
    distance = distance or call.text(None, "metric", "metric_type")
    if distance:
        call.ctx.out.node(index.asset, distance=str(distance).lower())
    given = call.arg(None, "embedding_function", "embedding", "embed_model")
    embedder = _embedder_of(given)
    if embedder:
        call.ctx.out.node(index.asset, embedding_model=embedder)
        # what the collection adds and queries goes through its own embedding function
        return index.with_attrs(embedder=given, collection_embedder=True)
    return index


def _embedder_of(value: Val) -> str:
    if value.attrs.get("role") == "embedding" and value.asset:
        return value.asset
    return next(iter(_embedders(value)), "")


def _embedders(value: Val, out: object = None) -> list[str]:
    """Models that produced a value, embedding models first, in a stable order."""
    models = sorted(m for m in value.models if ids.kind_of(m) is Kind.MODEL)
    if out is not None:
        typed = [m for m in models if out.node_props(m).get("model_type") == "embedding"]  # type: ignore[attr-defined]
        return typed or models
    return models


def _write(call: Call) -> Val | None:
    index = _target_index(call, None)
    if index is None:
        return None
    written = inputs_of(call, *_COLLECTION_KWS)
    embedder = index.attrs.get("embedder") if index.attrs.get("collection_embedder") else None
    _embed(call, index, written, embedder)
    return Val()


def _embed(call: Call, index: Val, written: Val, embedder: Val | None = None) -> None:
    model = _embedder_of(embedder) if embedder is not None else ""
    found = [model] if model else _embedders(written, call.ctx.out)
    model = found[0] if found else ""
    if model:
        call.ctx.out.node(index.asset, embedding_model=model)
        if len(found) > 1:  # named vectors: one model per vector (dense, ColBERT...)
            call.ctx.out.node(index.asset, embedding_models=found)
        if embedder is not None and embedder.attrs.get("provider") not in (None, "local"):
            call.ctx.flow_into(written.carried(), model, EdgeKind.INFER)
    sources = (written.carried() | call.ctx.loop_data) - {*found, index.asset}
    # a model that shaped the rows without embedding them (a KMeans grouping the chunks)
    # is not where the vectors come from
    sources = {
        u
        for u in sources
        if ids.kind_of(u) is not Kind.MODEL
        or call.ctx.out.node_props(u).get("model_type") == "embedding"
    }
    call.ctx.flow_into(sources, index.asset, EdgeKind.EMBED)
    _persisted(call, index)
    explicit = _embedder_of(embedder) if embedder is not None else ""
    if explicit and not sources and index.attrs.get("collection_embedder"):
        # literal documents through the collection's embedding function: the vectors come
        # from that model alone
        call.ctx.flow_into([explicit], index.asset, EdgeKind.EMBED)


def _persisted(call: Call, index: Val) -> None:
    """Vectors written into a store kept on a local path (``PersistentClient(path="db")``,
    ``lancedb.connect("/tmp/lancedb")``) land in files there: the directory is written. A
    path the code does not name (a library default, ``implied``) is not claimed."""
    props = call.ctx.out.node_props(index.asset)
    path = props.get("persist_path")
    if props.get("persistence") != "local" or not path or props.get("implied"):
        return
    uid = dataset_at(call, str(path), format="vector_store")
    if uid:
        call.ctx.out.writes(uid)


def embed_into(call: Call, index: Val, written: Val) -> None:
    """Record ``written`` being embedded into ``index`` (for other tables' rows)."""
    _embed(call, index, written)


def _search(call: Call) -> Val | None:
    index = _target_index(call, None)
    if index is None:
        return None
    return Val(data=frozenset({index.asset})).with_attrs(role="retrieved")


def _retriever(call: Call) -> Val | None:
    index = _find(call.recv, "vector_index")
    if index is None:
        return None
    # LlamaIndex: ``as_query_engine(llm=None, **kwargs)`` takes the LLM first
    engine = call.method in ("as_query_engine", "as_chat_engine")
    llm = call.arg(0 if engine else None, "llm")
    if index.attrs.get("framework") == "llama_index" and call.method != "as_retriever":
        if not is_model(llm):  # a query/chat engine answers with Settings.llm
            llm = call.ctx.defaults.get("llm") or _llama_default(call, "llm")
        if is_model(llm):
            call.ctx.flow_into([index.asset], llm.asset, EdgeKind.RETRIEVE)
    return Val(
        tag=call.qual,
        data=frozenset({index.asset}),
        models=frozenset({llm.asset}) if is_model(llm) else frozenset(),
    ).with_attrs(role="retriever")


def _wrapper(engine: str, *, from_docs: bool):
    """LangChain/LlamaIndex vector store classes (constructor or ``from_documents``)."""

    def handler(call: Call) -> Val | None:
        handle = _find(call.arg(None, *_INDEX_HANDLE_KWS), "vector_index") or _find(
            call.arg(0) if not from_docs else Val(), "vector_index"
        )  # OpensearchVectorStore(client): a store over a client wrapper's index
        if handle is not None:  # PineconeVectorStore(pinecone_index=pc.Index("quickstart"))
            return _wrapped_index(call, handle, from_docs=from_docs)
        client = _find(
            call.arg(
                None, "client", "qdrant_client", "chroma_client", "es_connection", "connection"
            ),
            "vector_client",
        )  # LangChain LanceDB(connection=lancedb.connect(...))
        if client is None:
            url = call.text(
                None,
                "url",
                "es_url",
                "opensearch_url",
                "uri",
                "host",
                "location",
                "connection",
                "connection_string",
            )
            conn = call.arg(None, "connection_args").const
            if isinstance(conn, dict):
                url = url or conn.get("uri") or conn.get("host")
            if engine == "pgvector" and url:
                from ingest.notebook.recognisers.data_io import sql_target

                url = "http://" + sql_target(url)[0].partition("://")[2] if "://" in url else url
            client = _client(engine, None, "url")(call).with_attrs(  # type: ignore[union-attr]
                namespace=engine_namespace(engine, url) if url else engine
            )
        collection = call.text(None, *_COLLECTION_KWS)
        if collection is None and engine == "redis":  # RedisVectorStore(schema=IndexSchema)
            collection = call.arg(None, "schema").attrs.get("redis_index")
        if collection is None and engine == "mongodb_atlas":
            coll = call.arg(None, "collection")
            collection = coll.attrs.get("mongo_path")
        if collection is None:
            # No name given: the library default, else the variable in this notebook.
            defaults = _DEFAULT_COLLECTION
            if call.qual.startswith("llama_index"):
                defaults = {**_DEFAULT_COLLECTION, **_LLAMA_DEFAULT_COLLECTION}
            collection = defaults.get(engine) or (
                f"{call.ctx.notebook}#{call.ctx.target or 'index'}"
            )
        index = _index(call, client, collection)
        return _wrapped_index(call, index, from_docs=from_docs)

    return handler


# keywords that hand a wrapper an index object opened elsewhere (identity through handles)
_INDEX_HANDLE_KWS = (
    "pinecone_index",
    "index",
    "collection",
    "table",
    "chroma_collection",
    "weaviate_collection",
    "lance_table",
    "faiss_index",
)


def _wrapped_index(call: Call, index: Val, *, from_docs: bool) -> Val:
    embedder = call.arg(
        1 if from_docs else None, "embedding", "embeddings", "embedding_function", "embed_model"
    )
    if from_docs:
        _embed(call, index, call.arg(0, "documents", "texts", "nodes", "data"), embedder)
    elif _embedder_of(embedder):
        call.ctx.out.node(index.asset, embedding_model=_embedder_of(embedder))
    return index.with_attrs(embedder=embedder)


def _add_documents(call: Call) -> Val | None:
    index = _find(call.recv, "vector_index")
    if index is None:
        return None
    _embed(call, index, union(call.args + tuple(call.kwargs.values())), index.attrs.get("embedder"))
    return Val()


def _ingestion_pipeline(call: Call) -> Val | None:
    """``IngestionPipeline(transformations=[...], vector_store=store)`` (LlamaIndex): its
    ``run(documents=...)`` chunks, embeds and writes into ``store``."""
    index = _find(call.arg(None, "vector_store"), "vector_index")
    if index is None:
        return None
    return replace(index, tag=call.qual).with_attrs(recv=index)


def _pipeline_run(call: Call) -> Val | None:
    index = _find(call.recv, "vector_index")
    if index is None:
        return None
    _embed(call, index, call.arg(0, "documents", "nodes"))
    return Val()


def _compose(call: Call) -> Val | None:
    """``chain.assign(answer=llm_chain)`` / ``RunnableParallel({...})``: a composed chain."""
    parts = [call.recv, *call.args, *call.kwargs.values()]
    return call.ctx.compose(parts)


def _engine_from(call: Call) -> Val | None:
    """``CitationQueryEngine.from_args(index, llm=...)``: a retriever over ``index``."""
    index = _find(call.arg(0, "index"), "vector_index")
    if index is None:
        return None
    llm = call.arg(None, "llm")
    return Val(
        tag=call.qual,
        data=frozenset({index.asset}),
        models=frozenset({llm.asset}) if is_model(llm) else frozenset(),
    ).with_attrs(role="retriever")


def _dspy_embeddings(call: Call) -> Val | None:
    """``dspy.retrievers.Embeddings(embedder=..., corpus=..., k=5)``: an in-memory index of
    the corpus, built by dspy with FAISS (brute-force numpy below ``brute_force_threshold``
    documents, 20,000 by default: the corpus size is a run-time fact, so FAISS is recorded
    with the threshold); calling it searches."""
    client = Val().with_attrs(engine="faiss", namespace="faiss", persistence="memory")
    name = f"{call.ctx.notebook}#{call.ctx.target or 'search'}"
    index = _index(
        call,
        client,
        name,
        built_by="dspy.retrievers.Embeddings",
        faiss_from_documents=call.arg(None, "brute_force_threshold").const or 20_000,
    )
    embedder = call.arg(None, "embedder")
    _embed(call, index, call.arg(0, "corpus"), embedder if is_model(embedder) else None)
    return index


def _faiss_write(call: Call) -> Val | None:
    """``faiss.write_index(index, "x.index")``: the index's vectors saved to a file."""
    path = call.text(1, "fname", "f")
    uid = dataset_at(call, path, format="faiss") if path else None
    if uid is None:
        return None
    call.ctx.out.writes(uid)
    index = _find(call.arg(0, "index"), "vector_index")
    if index is not None and not index.attrs.get("pending"):
        call.ctx.flow_into([index.asset], uid, EdgeKind.EXPORT)
    return Val()


def _faiss_read(call: Call) -> Val | None:
    """``faiss.read_index("x.index")``: an in-memory index loaded from a saved file."""
    path = call.text(0, "fname", "f")
    uid = dataset_at(call, path, format="faiss") if path else None
    if uid is None:
        return None
    call.ctx.out.reads(uid)
    client = Val().with_attrs(engine="faiss", namespace="faiss", persistence="local")
    index = _index(call, client, f"{call.ctx.notebook}#{call.ctx.target or 'index'}")
    call.ctx.flow_into([uid], index.asset, EdgeKind.TRANSFORM)
    return index


def _milvus_orm_collection(call: Call) -> Val | None:
    """pymilvus ORM: ``connections.connect(host=..., port=...)`` then ``Collection("name",
    schema)``: a collection on the connected server (the connection is a process-wide
    alias, not a value the collection is built from, so the index carries no host)."""
    name = call.text(0, "name")
    if not name:
        return None
    client = Val().with_attrs(engine="milvus", namespace="milvus", persistence="server")
    return _index(call, client, name)


def _pinecone_module_index(call: Call) -> Val | None:
    """``pinecone.init(...)`` then ``pinecone.Index("name")`` (the v2 module-level client)."""
    name = call.text(0, "name", "index_name")
    if not name:
        return None
    client = Val().with_attrs(engine="pinecone", namespace="pinecone", persistence="server")
    return _index(call, client, name)


def _pinecone_dataset(call: Call) -> Val | None:
    """``pinecone_datasets.load_dataset("name")``: a public dataset of pre-embedded documents
    (its ``documents`` frame is what gets upserted)."""
    name = call.text(0, "dataset_id", "name")
    if not name:
        return None
    uid = ids.dataset_id("pinecone-datasets", name)
    call.ctx.out.node(uid, platform="pinecone-datasets")
    call.ctx.out.reads(uid)
    return Val(tag=call.qual, data=frozenset({uid}))


def _faiss_index(call: Call) -> Val | None:
    """``faiss.IndexFlatL2(d)``: an in-memory index named by its variable. The node appears
    when data goes in or a search comes out (:func:`_target_index`), so the flat index that
    only serves as another's coarse quantizer (``IndexIVFFlat(quantizer, d, nlist)``) is
    part of that index, not an index of its own."""
    uid = vector_index_uid("faiss", f"{call.ctx.notebook}#{call.ctx.target or 'index'}")
    return Val(tag="vector.faiss.Collection", asset=uid).with_attrs(
        role="vector_index", engine="faiss", namespace="faiss", pending=True
    )


def _vector_params(call: Call) -> Val | None:
    distance = call.arg(None, "distance")
    name = distance.text or distance.tag.rsplit(".", 1)[-1]
    return Val(tag=call.qual).with_attrs(distance=name) if name else None


def _storage_context(call: Call) -> Val | None:
    store = call.arg(None, "vector_store")
    if store.attrs.get("role") == "vector_index":
        return store
    if "vector_store" in call.kwargs:  # a store given, but one the analysis cannot see
        return Val(tag=call.qual).with_attrs(unseen_store=True)
    return None


def _llama_index(call: Call) -> Val | None:
    if "()" in call.qual or not (
        call.method.endswith("VectorStoreIndex") or call.method.startswith("from_")
    ):
        return None  # a method on what an unresolved constructor returned, not a new index
    given = call.arg(None, "storage_context", "vector_store")
    store = _find(given, "vector_index")
    if store is None and call.qual.endswith("from_vector_store"):
        store = _find(call.arg(0), "vector_index")
    unseen = given.attrs.get("unseen_store") or (
        ("storage_context" in call.kwargs or "vector_store" in call.kwargs)
        and not (given.tag or given.data or given.attrs)
    )
    if store is None and unseen:
        return None  # a store the analysis cannot see (a cell that failed): not in memory
    if store is None:
        client = Val().with_attrs(
            engine="llama_index", namespace="llama_index", persistence="memory"
        )
        store = _index(call, client, f"{call.ctx.notebook}#{call.ctx.target or 'index'}")
    embedder = call.arg(None, "embed_model")
    if not _embedder_of(embedder) and "embed_model" in call.ctx.defaults:
        embedder = call.ctx.defaults["embed_model"]
    if not _embedder_of(embedder) and not (embedder.tag or embedder.data):
        embedder = _llama_default(call, "embed_model")
    if not call.qual.endswith("from_vector_store"):
        _embed(call, store, call.arg(0, "documents", "nodes"), embedder)
    return store.with_attrs(embedder=embedder, framework="llama_index")


# LlamaIndex's ``Settings`` defaults: what runs when the code names no model
_LLAMA_DEFAULTS = {
    "embed_model": ("text-embedding-ada-002", "embedding"),
    "llm": ("gpt-3.5-turbo", "llm"),
}


def _llama_default(call: Call, setting: str) -> Val:
    name, model_type = _LLAMA_DEFAULTS[setting]
    uid = model_uid("openai", name)
    call.ctx.out.node(
        uid,
        provider="openai",
        model_type=model_type,
        origin="third_party_api",
        implied=True,
        implied_by=f"LlamaIndex Settings.{setting} default",
    )
    return Val(tag="llama_index.core.Settings." + setting, asset=uid).with_attrs(
        role="embedding" if model_type == "embedding" else "model",
        provider="openai",
        origin="third_party_api",
    )


def _embedchain_app(call: Call) -> Val | None:
    from ingest.vector_config.embedchain import app_from_config

    config = call.arg(None, "config").const
    path = call.text(None, "config_path", "yaml_path")
    return app_from_config(call, config if isinstance(config, dict) else None, path)


def _embedchain_add(call: Call) -> Val | None:
    app = _find(call.recv, "rag_app")
    if app is None:
        return None
    if not app.asset:
        return Val()
    source = call.arg(0, "source")
    found = set(source.carried())
    if source.text:
        uid = dataset_at(call, source.text)
        if uid:
            call.ctx.out.reads(uid)
            found.add(uid)
    index = Val(asset=app.asset)
    _embed(call, index, Val(data=frozenset(found)), app.attrs.get("embedder"))
    return Val()


def _embedchain_query(call: Call) -> Val | None:
    app = _find(call.recv, "rag_app")
    if app is None:
        return None
    llm = app.attrs.get("llm")
    sent = inputs_of(call).carried() | ({app.asset} if app.asset else set())
    if isinstance(llm, Val) and llm.asset:
        if llm.attrs.get("provider") == "remote":
            call.ctx.flow_into(sent, llm.asset, EdgeKind.INFER)
        elif app.asset:
            call.ctx.flow_into([app.asset], llm.asset, EdgeKind.RETRIEVE)
        return Val(data=frozenset(sent | {llm.asset}), models=frozenset({llm.asset}))
    return Val(data=frozenset(sent))


_LC = "langchain*"
_WRAPPERS = {
    "qdrant": ("Qdrant", "QdrantVectorStore"),
    "chroma": ("Chroma", "ChromaVectorStore"),
    "faiss": ("FAISS", "FaissVectorStore"),
    "milvus": ("Milvus", "Zilliz", "MilvusVectorStore"),
    "weaviate": ("Weaviate", "WeaviateVectorStore"),
    "pinecone": ("Pinecone", "PineconeVectorStore"),
    "elasticsearch": ("ElasticsearchStore", "ElasticVectorSearch"),
    "opensearch": ("OpenSearchVectorSearch", "OpensearchVectorClient", "OpensearchVectorStore"),
    "lancedb": ("LanceDB", "LanceDBVectorStore"),
    "mongodb_atlas": ("MongoDBAtlasVectorSearch",),
    "pgvector": ("PGVector", "PGVectorStore"),
    "redis": ("Redis", "RedisVectorStore"),
}


def _wrapper_rules() -> list[Rule]:
    rules: list[Rule] = []
    for engine, classes in _WRAPPERS.items():
        docs = tuple(
            f"{lib}.{c}.{m}"
            for lib in (_LC, "llama_index*")
            for c in classes
            for m in ("from_documents", "from_texts", "afrom_documents")
        )
        ctors = tuple(f"{lib}.{c}" for lib in (_LC, "llama_index*") for c in classes)
        rules.append(Rule(docs, _wrapper(engine, from_docs=True), f"{engine} from documents"))
        rules.append(Rule(ctors, _wrapper(engine, from_docs=False), f"{engine} wrapper"))
    # any other LangChain vector store (SKLearnVectorStore, DocArrayInMemorySearch...): an
    # index all the same, its engine named after the class
    rules.append(
        Rule(
            tuple(f"{_LC}.vectorstores.*.{m}" for m in ("from_documents", "from_texts")),
            _any_store(from_docs=True),
            "other LangChain vector stores from documents",
        )
    )
    return rules


_STORE_SUFFIX = re.compile(r"(?:VectorStore|VectorSearch|InMemorySearch|HnswSearch|Search|Store)$")


def _any_store(*, from_docs: bool):
    def handler(call: Call) -> Val | None:
        cls = call.qual.rsplit(".", 2)[-2] if from_docs else call.qual.rsplit(".", 1)[-1]
        engine = _STORE_SUFFIX.sub("", cls).lower() or cls.lower()
        return _wrapper(engine, from_docs=from_docs)(call)

    return handler


RULES: tuple[Rule, ...] = (
    Rule(
        ("qdrant_client.QdrantClient", "qdrant_client.AsyncQdrantClient"),
        _client("qdrant", 0, "url", "location", "host", "path"),
        "Qdrant",
    ),
    Rule(
        (
            "chromadb.Client",
            "chromadb.EphemeralClient",
            "chromadb.PersistentClient",
            "chromadb.HttpClient",
        ),
        _client("chroma", None, "host"),
        "Chroma",
    ),
    Rule(("pymilvus.MilvusClient",), _client("milvus", 0, "uri"), "Milvus"),
    Rule(
        ("weaviate.Client", "weaviate.WeaviateClient", "weaviate.connect_to_*"),
        _not_methods(_client("weaviate", 0, "url", "cluster_url", "host")),
        "Weaviate",
    ),
    Rule(
        (
            "pinecone.Pinecone",
            "pinecone.PineconeAsyncio",
            "pinecone.grpc.PineconeGRPC",
            "pinecone.PineconeGRPC",
        ),
        _client("pinecone", None, "host"),
        "Pinecone (not its methods: pc.Index(name) is the index)",
    ),
    Rule(("elasticsearch.Elasticsearch",), _client("elasticsearch", 0, "hosts", "url"), "ES"),
    Rule(("opensearchpy.OpenSearch",), _client("opensearch", 0, "hosts"), "OpenSearch"),
    Rule(("lancedb.connect",), _client("lancedb", 0, "uri"), "LanceDB"),
    Rule(("pymongo.MongoClient",), _client("mongodb_atlas", 0, "host"), "MongoDB Atlas"),
    # Lance, LanceDB's columnar format: datasets on a path (``x.lance``)
    Rule(("lance.write_dataset",), write_location(1, "uri", data_pos=0, fmt="lance"), "Lance"),
    Rule(("lance.dataset",), read_location(0, "uri", fmt="lance"), "Lance datasets read"),
    Rule(("faiss.write_index",), _faiss_write, "FAISS index files written"),
    Rule(("faiss.read_index",), _faiss_read, "FAISS index files read"),
    Rule(("faiss.Index*",), _faiss_index, "FAISS indexes"),
    Rule(("dspy.retrievers.Embeddings", "dspy.Embeddings"), _dspy_embeddings, "dspy indexes"),
    Rule(("vector.*.Collection.__call__",), _search, "callable indexes (dspy search)"),
    Rule(("pinecone.Index", "pinecone.GRPCIndex"), _pinecone_module_index, "Pinecone v2 indexes"),
    Rule(("pymilvus.Collection",), _milvus_orm_collection, "pymilvus ORM collections"),
    Rule(("pinecone_datasets.load_dataset",), _pinecone_dataset, "Pinecone public datasets"),
    Rule(("qdrant_client.*VectorParams",), _vector_params, "Qdrant vector params"),
    Rule(
        ("embedchain.App", "embedchain.App.from_config", "embedchain.Pipeline*"),
        _embedchain_app,
        "embedchain apps",
    ),
    Rule(("*.add",), _embedchain_add, "embedchain app.add"),
    Rule(("*.query", "*.chat"), _embedchain_query, "embedchain app.query"),
    Rule(("llama_index*.StorageContext.from_defaults",), _storage_context, "LlamaIndex storage"),
    Rule(
        (
            "llama_index*.VectorStoreIndex*",
            "llama_index*.VectorStoreIndex.from_*",
            "llama_index*.GPTVectorStoreIndex*",
        ),
        _llama_index,
        "LlamaIndex indexes",
    ),
    *_wrapper_rules(),
    Rule(
        (
            "*.create_collection",
            "*.recreate_collection",
            "*.get_or_create_collection",
            "*.get_collection",
            "*.collections.create",
            "*.collections.get",
            "*.create_index",
            "*.create_index_for_model",  # Pinecone index with integrated (hosted) embedding
            "*.indices.create",  # Elasticsearch/OpenSearch
            "*.Index",
            "*.create_table",
            "*.open_table",
        ),
        _collection,
        "collections",
    ),
    Rule(("llama_index*.IngestionPipeline",), _ingestion_pipeline, "LlamaIndex ingestion"),
    Rule(("llama_index*.IngestionPipeline.*run",), _pipeline_run, "LlamaIndex ingestion runs"),
    Rule(("*.add_documents", "*.add_texts", "*.aadd_documents"), _add_documents, "wrapper adds"),
    Rule(
        (
            "*.upsert",
            "*.upsert_from_dataframe",  # Pinecone
            "*.upsert_records",  # Pinecone integrated embedding: raw text, embedded server-side
            "*.add_object",  # Weaviate v4 batch writer
            "*.bulk",  # Elasticsearch/OpenSearch client.bulk(index=..., operations=...)
            "*.upload_points",
            "*.upload_collection",
            "*.upload_records",
            "*.add",
            "*.insert",
            "*.insert_many",
            "*.insert_one",
            "*.index",
            "*.data.insert*",
            "*.batch*",
        ),
        _write,
        "writes to a collection",
    ),
    Rule(("*.as_retriever", "*.as_query_engine", "*.as_chat_engine"), _retriever, "retrievers"),
    Rule(("llama_index*.*Engine.from_args", "llama_index*.*Retriever"), _engine_from, "engines"),
    Rule(
        (
            "*.assign",
            "*.pipe",
            "langchain*.RunnableParallel",
            "langchain*.RunnableSequence",
            "langchain*.from_llm",
            "langchain*.from_chain_type",
            "langchain*.create_retrieval_chain",
            "langchain*.create_stuff_documents_chain",
            "langchain*.RetrievalQA*",
            "langchain*.ConversationalRetrievalChain*",
            "llama_index*.RetrieverQueryEngine*",
        ),
        _compose,
        "LangChain composition and retrieval chains",
    ),
    Rule(
        (
            "*.search",
            "*.query_points",
            "*.query",
            "*.recommend",
            "*.similarity_search*",
            "*.max_marginal_relevance_search*",
            "*.query.near_*",
            "*.query.hybrid",
            "*.query.bm25",
            "*.aggregate",
            "*.find",
            "*.retrieve",
            "*.get_relevant_documents",
        ),
        _search,
        "searches",
    ),
)
