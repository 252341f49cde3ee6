"""Haystack pipeline YAML (1.x ``components``/``pipelines`` and 2.x ``components``/``connections``).

Document stores become VectorIndex nodes; retriever and generator models are Model nodes;
a query pipeline's retrieved context flows into its generators and readers.

A pipeline file is not an Endpoint by itself: it is a definition that some process loads
(the Haystack 1.x REST API container, a ``hayhooks`` server, a Python script), and that
process is what serves requests. The endpoint is therefore recorded where serving is
evidenced (the ``hayhooks``/``haystack-api`` service of a docker-compose file, a
``hayhooks`` wrapper in Python); here the pipeline's name and, for a hayhooks YAML deploy
(top-level ``inputs``/``outputs``), the request fields it would accept are kept as props of
the config's job so a policy can still ask for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ingest.notebook.values import Collector
from ingest.vector_config.naming import (
    dataset_for_location,
    engine_namespace,
    model_uid,
    vector_index_uid,
)
from lineage import ids
from lineage.model import EdgeKind, Problem, Severity

__all__ = ["haystack_facts", "is_haystack"]

_STORES = {
    "FAISSDocumentStore": "faiss",
    "InMemoryDocumentStore": "haystack_inmemory",
    "ElasticsearchDocumentStore": "elasticsearch",
    "OpenSearchDocumentStore": "opensearch",
    "WeaviateDocumentStore": "weaviate",
    "PineconeDocumentStore": "pinecone",
    "QdrantDocumentStore": "qdrant",
    "MilvusDocumentStore": "milvus",
    "ChromaDocumentStore": "chroma",
    "PgvectorDocumentStore": "pgvector",
    "MongoDBAtlasDocumentStore": "mongodb_atlas",
    "SQLDocumentStore": "sql",
}
# Haystack 1.x stores' default index (what a store with no ``index`` param writes to)
_V1_DEFAULT_INDEX = {
    "ElasticsearchDocumentStore": "document",
    "OpenSearchDocumentStore": "document",
    "WeaviateDocumentStore": "Document",
}
# 1.x components calling a hosted API: the model name's prefix says whose
_API_PREFIXES = (
    (("gpt-", "text-davinci", "text-embedding", "o1", "o3", "o4"), "openai"),
    (("claude",), "anthropic"),
    (("command",), "cohere"),
)
_API_COMPONENTS = ("PromptNode", "PromptModel", "AnswerGenerator", "Generator")
_MODEL_PARAMS = {
    "embedding_model": "embedding",
    "query_embedding_model": "embedding",
    "passage_embedding_model": "embedding",
    "model": "llm",
    "model_name_or_path": "llm",
    "model_name": "llm",
}


def is_haystack(doc: Any) -> bool:
    if not isinstance(doc, Mapping) or "components" not in doc:
        return False
    comps = doc["components"]
    if isinstance(comps, list):  # 1.x
        return all(isinstance(c, Mapping) and "type" in c for c in comps) and "pipelines" in doc
    return isinstance(comps, Mapping) and all(
        isinstance(c, Mapping) and "type" in c for c in comps.values()
    )


def _short(type_name: str) -> str:
    return str(type_name).rsplit(".", 1)[-1]


def haystack_facts(out: Collector, doc: Mapping[str, Any], path: str) -> None:
    comps = doc["components"]
    if isinstance(comps, list):
        table = {str(c.get("name")): c for c in comps}
        params = {n: dict(c.get("params") or {}) for n, c in table.items()}
    else:
        table = {str(n): c for n, c in comps.items()}
        params = {n: dict(c.get("init_parameters") or {}) for n, c in table.items()}
    stores: dict[str, str] = {}
    models: dict[str, list[str]] = {}
    for name, comp in table.items():
        kind = _short(comp.get("type", ""))
        if kind in _STORES:
            fallback = f"{path}#{name}"
            v1_default = _V1_DEFAULT_INDEX.get(kind) if isinstance(comps, list) else None
            if v1_default and not _index_param(params[name]):
                fallback = v1_default
            stores[name] = _store(out, kind, params[name], fallback)
            if fallback == v1_default:
                out.node(stores[name], implied=True, implied_by=f"{kind} default index")
        found = []
        typed = _component_provider(kind)
        for key, model_type in _MODEL_PARAMS.items():
            value = params[name].get(key)
            if isinstance(value, str) and value and "DocumentStore" not in value:
                found.append(_model(out, kind, value, typed, model_type))
        if not found and typed is not None and typed[1]:  # the component's default model
            uid = _model(out, kind, typed[1], typed, typed[3])
            out.node(uid, implied=True, implied_by=f"{kind} default model")
            found.append(uid)
        models[name] = found
    # 2.x: document stores nested in a retriever's init parameters
    for name in table:
        nested = params[name].get("document_store")
        if isinstance(nested, Mapping) and "type" in nested:
            stores[name + ".document_store"] = _store(
                out,
                _short(nested["type"]),
                dict(nested.get("init_parameters") or {}),
                f"{path}#{name}",
            )
    uses = {n: _store_of(params[n], stores, n) for n in table}
    for name in table:  # a 1.x retriever embeds the documents of its store with its model
        for model in models.get(name, ()):
            if out.node_props(model).get("model_type") == "embedding":
                for store in uses.get(name, ()):
                    out.flow(model, store, EdgeKind.EMBED)
    _benchmark_data(out, doc, stores)
    _declared_api(out, doc)
    _written_embeddings(out, doc, table, models, uses)
    for pipeline in _pipelines(doc, table):
        name, nodes, entry = pipeline
        retrievers = [n for n in nodes if uses.get(n)]
        if entry == "Query" or (entry is None and retrievers):
            for node in nodes:
                for model in models.get(node, ()):
                    if out.node_props(model).get("model_type") in ("llm", "reader"):
                        for retriever in retrievers:  # retrieved context reaches the model
                            for store in uses.get(retriever, ()):
                                out.flow(store, model, EdgeKind.RETRIEVE)
        else:  # an indexing pipeline: what it converts feeds the stores it writes
            feeders = sorted(
                {
                    _short(table[n].get("type", ""))
                    for n in nodes
                    if n in table and n not in stores and not uses.get(n)
                }
            )
            for node in nodes:
                targets = uses.get(node) or ([stores[node]] if node in stores else [])
                for store in targets:
                    for model in models.get(node, ()):
                        out.node(store, embedding_model=model)
                    out.node(store, fed_by=feeders or None, input=entry or None)
    if not stores:
        out.problems.append(
            Problem(Severity.INFO, "Haystack pipeline declares no document store", path)
        )


def _written_embeddings(
    out: Collector,
    doc: Mapping[str, Any],
    table: Mapping[str, Any],
    models: Mapping[str, list[str]],
    uses: Mapping[str, list[str]],
) -> None:
    """2.x indexing: a document embedder whose documents reach a ``DocumentWriter``
    (through ``connections``, possibly via other components) embeds into the writer's store.
    A text embedder feeding a retriever embeds the query only: no flow into the store."""
    links: dict[str, set[str]] = {}
    for conn in doc.get("connections") or []:
        if isinstance(conn, Mapping):
            sender = str(conn.get("sender", "")).split(".", 1)[0]
            links.setdefault(sender, set()).add(str(conn.get("receiver", "")).split(".", 1)[0])
    for name in table:
        embedders = [
            m for m in models.get(name, ()) if out.node_props(m).get("model_type") == "embedding"
        ]
        if not embedders or not _short(table[name].get("type", "")).endswith("DocumentEmbedder"):
            continue
        seen, frontier = {name}, [name]
        while frontier:
            for nxt in links.get(frontier.pop(), ()):
                if nxt in seen or nxt not in table:
                    continue
                seen.add(nxt)
                frontier.append(nxt)
                if _short(table[nxt].get("type", "")).endswith("DocumentWriter"):
                    for store in uses.get(nxt, ()):
                        for model in embedders:
                            out.flow(model, store, EdgeKind.EMBED)


def _declared_api(out: Collector, doc: Mapping[str, Any]) -> None:
    """A hayhooks YAML deploy names its request and response fields (``inputs``/``outputs``):
    what the pipeline would accept once served, kept on the config's job."""
    fields = {
        key: sorted(map(str, doc[key]))
        for key in ("inputs", "outputs")
        if isinstance(doc.get(key), Mapping) and doc[key]
    }
    if fields:
        out.node(
            out.job_uid,
            serving="hayhooks",
            api_inputs=fields.get("inputs"),
            api_outputs=fields.get("outputs"),
        )


def _component_provider(kind: str) -> tuple[str, str, bool, str] | None:
    """(provider, default model, runs locally, model type) for a 2.x component class: the
    provider follows the component type (the same table the Python API rules use)."""
    from ingest.notebook.recognisers.haystack import EMBEDDERS, GENERATORS

    if kind in GENERATORS:
        provider, default, local = GENERATORS[kind]
        return provider, default, local, "llm"
    for suffix in ("DocumentEmbedder", "TextEmbedder", "Embedder"):
        if kind.endswith(suffix) and kind[: -len(suffix)] in EMBEDDERS:
            provider, default, local = EMBEDDERS[kind[: -len(suffix)]]
            return provider, default, local, "embedding"
    return None


def _model(
    out: Collector,
    kind: str,
    value: str,
    typed: tuple[str, str, bool, str] | None,
    model_type: str,
) -> str:
    if typed is None and kind.endswith("Reader"):
        model_type = "reader"  # extractive QA: it picks spans, it generates nothing
    api = _api_provider(kind, value) if typed is None else None
    if api is not None:
        uid = model_uid(api, value)
        out.node(uid, provider=api, model_type=model_type, origin="third_party_api", component=kind)
        return uid
    if typed is None:  # 1.x readers/retrievers and unknown components: Hub weights run here
        path = value.startswith(("/", "./", "../", "~"))  # a saved model on this machine
        provider = "huggingface" if "/" in value and not path else "local"
        uid = model_uid(provider, value)
        out.node(uid, provider=provider, model_type=model_type, origin="local", component=kind)
        return uid
    provider, _, local, typed_kind = typed
    uid = model_uid("huggingface" if provider == "huggingface" else provider, value)
    out.node(
        uid,
        provider=provider,
        model_type=typed_kind,
        origin="local" if local else "third_party_api",
        component=kind,
    )
    return uid


def _api_provider(kind: str, value: str) -> str | None:
    if not kind.endswith(_API_COMPONENTS) or "/" in value:
        return None
    return next((p for prefixes, p in _API_PREFIXES if value.lower().startswith(prefixes)), None)


def _index_param(params: Mapping[str, Any]) -> Any:
    return params.get("index") or params.get("collection_name") or params.get("index_name")


def _benchmark_data(out: Collector, doc: Mapping[str, Any], stores: Mapping[str, str]) -> None:
    """1.x benchmark configs name the corpus they index and the labels they score against:
    both are read; the documents directory is what the stores are filled from."""
    bench = doc.get("benchmark_config")
    if not isinstance(bench, Mapping):
        return
    for key, value in bench.items():
        if not isinstance(value, str) or not str(key).endswith(("_url", "_directory", "_file")):
            continue
        where = dataset_for_location(value)
        if where is None:
            continue
        dataset = out.node(ids.dataset_id(*where), source="haystack benchmark_config", key=key)
        out.reads(dataset)
        if str(key) == "documents_directory":
            for store in sorted(set(stores.values())):
                out.flow(dataset, store, EdgeKind.EMBED)


def _store(out: Collector, kind: str, params: Mapping[str, Any], fallback: str) -> str:
    engine = _STORES.get(kind, kind.lower())
    host = params.get("host") or params.get("url") or params.get("location")
    namespace = engine_namespace(engine, str(host) if host else None, port=params.get("port"))
    collection = (
        params.get("index")
        or params.get("collection_name")
        or params.get("index_name")
        or params.get("faiss_index_path")
        or fallback
    )
    uid = vector_index_uid(namespace, str(collection))
    out.node(
        uid,
        engine=engine,
        collection=str(collection),
        distance=str(params["similarity"]) if params.get("similarity") else None,
        persistence="local" if params.get("faiss_index_path") or params.get("sql_url") else None,
        persist_path=params.get("faiss_index_path"),
        dimensions=params.get("embedding_dim"),
    )
    return uid


def _store_of(params: Mapping[str, Any], stores: Mapping[str, str], name: str) -> list[str]:
    ref = params.get("document_store")
    if isinstance(ref, str) and ref in stores:
        return [stores[ref]]
    if name + ".document_store" in stores:
        return [stores[name + ".document_store"]]
    return []


def _pipelines(doc: Mapping[str, Any], table: Mapping[str, Any]):
    if isinstance(doc.get("pipelines"), list):
        for pipe in doc["pipelines"]:
            nodes = [str(n.get("name")) for n in pipe.get("nodes") or [] if isinstance(n, Mapping)]
            entries = {i for n in pipe.get("nodes") or [] for i in (n.get("inputs") or [])}
            entry = "Query" if "Query" in entries else ("File" if "File" in entries else "")
            yield str(pipe.get("name") or "pipeline"), nodes, entry
    else:
        yield "pipeline", list(table), None
