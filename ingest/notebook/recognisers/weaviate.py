"""Weaviate: the v3 client's schema and object calls, v4 batch writers, and the modules
(server-side models) a collection is configured with.

Weaviate names its collections ("classes" in v3) in schema dicts and calls models itself:
``Configure.NamedVectors.text2vec_ollama(model=...)`` vectorises every object written, and
``Configure.Generative.ollama(model=...)`` is prompted with retrieved objects. These rows
come before the generic collection and write rows of :mod:`.vector`, which they build on.
"""

from __future__ import annotations

from typing import Any

from ingest.notebook.recognisers.registry import Call, Rule
from ingest.notebook.recognisers.vector import collection, embed_into, find, index_for
from ingest.notebook.values import Val
from ingest.vector_config.naming import model_uid
from lineage.model import EdgeKind

__all__ = ["RULES"]


def _batch_context(call: Call) -> Val | None:
    """``collection.batch.fixed_size(200)`` (Weaviate v4): a batch writer over the index the
    receiver holds; ``batch.add_object(...)`` inside ``with ... as batch`` writes there."""
    index = find(call.recv, "vector_index") or find(call.recv, "vector_client")
    return index.with_attrs(recv=index) if index is not None else None


def _weaviate_schema(call: Call) -> Val | None:
    """``client.schema.create_class({"class": "Question", ...})`` / ``client.schema.create(
    {"classes": [...]})`` (Weaviate v3): each class is a collection on the client's server."""
    client = find(call.recv, "vector_client")
    if client is None:
        return None
    schema = call.arg(0, "schema_class", "schema").const
    classes = [schema] if isinstance(schema, dict) and "class" in schema else []
    if isinstance(schema, dict) and not classes:
        classes = [c for c in schema.get("classes") or [] if isinstance(c, dict)]
    indexes = []
    for spec in classes:
        if not isinstance(spec.get("class"), str):
            continue
        index = index_for(call, client, spec["class"])
        if (vectorizer := _v3_vectorizer(call, spec)) is not None:
            call.ctx.out.node(index.asset, embedding_model=vectorizer)
        indexes.append(index)
    return indexes[0] if len(indexes) == 1 else Val()


# what a v3-era Weaviate module embeds with when its class config names no model
_V3_MODULE_DEFAULTS = {"openai": "text-embedding-ada-002"}


def _v3_vectorizer(call: Call, spec: dict[str, Any]) -> str | None:
    """``{"class": ..., "vectorizer": "text2vec-openai", "moduleConfig": {"text2vec-openai":
    {"model": ...}}}``: the model Weaviate calls to vectorise the class's objects. With no
    model named, the module's default in the v3 client's generation (``ada-002`` for
    OpenAI) is recorded as implied."""
    vectorizer = spec.get("vectorizer")
    if not isinstance(vectorizer, str) or not vectorizer.startswith("text2vec-"):
        return None
    suffix = vectorizer.removeprefix("text2vec-").replace("-", "_")
    provider = _WEAVIATE_PROVIDERS.get(suffix)
    config = (spec.get("moduleConfig") or {}).get(vectorizer) or {}
    name = config.get("model") or config.get("modelId") if isinstance(config, dict) else None
    implied = not name and suffix in _V3_MODULE_DEFAULTS
    name = name or _V3_MODULE_DEFAULTS.get(suffix)
    if provider is None or not isinstance(name, str):
        return None
    uid = model_uid(provider, name)
    call.ctx.out.node(
        uid,
        provider=provider,
        model_type="embedding",
        origin="self_hosted" if provider == "ollama" else "third_party_api",
        called_by="weaviate module",
        implied=True if implied else None,
        implied_by=f"{vectorizer} module default model" if implied else None,
    )
    return uid


def _weaviate_object(call: Call) -> Val | None:
    """``client.batch.add_data_object(props, "Question")`` / ``client.data_object.create(
    props, class_name="Post")`` (Weaviate v3): a write into the named class."""
    client = find(call.recv, "vector_client")
    name = call.text(1, "class_name")
    if client is None or not name:
        return None
    index = index_for(call, client, name)
    embed_into(call, index, call.arg(0, "data_object"))
    return Val()


# Weaviate module suffix (``text2vec_<x>`` / ``Generative.<x>``) -> the provider it calls
_WEAVIATE_PROVIDERS = {
    "ollama": "ollama",
    "openai": "openai",
    "azure_openai": "azure_openai",
    "cohere": "cohere",
    "anthropic": "anthropic",
    "aws": "bedrock",
    "mistral": "mistral",
    "google": "vertex",
    "palm": "vertex",
    "huggingface": "hf_inference",
    "jinaai": "jina",
    "voyageai": "voyage",
}


def _weaviate_module(call: Call) -> Val | None:
    """``Configure.NamedVectors.text2vec_ollama(model=...)`` / ``Configure.Generative.ollama(
    model=...)``: the model Weaviate itself calls, server side, to vectorise objects or to
    generate from retrieved ones. Only a named model is recorded (module defaults change
    between Weaviate versions)."""
    method = call.qual.rsplit(".", 1)[-1]
    generative = ".Generative." in call.qual
    suffix = method if generative else method.partition("_")[2]
    provider = _WEAVIATE_PROVIDERS.get(suffix)
    name = call.text(None, "model", "model_id")
    if provider is None or not name:
        return None
    role = "model" if generative else "embedding"
    uid = model_uid(provider, name)
    call.ctx.out.node(
        uid,
        provider=provider,
        model_type="llm" if generative else "embedding",
        origin="self_hosted" if provider == "ollama" else "third_party_api",
        called_by="weaviate module",
    )
    return Val(tag=call.qual, asset=uid).with_attrs(role=role, weaviate_module=role)


def _modules_of(call: Call) -> list[Val]:
    found: list[Val] = []
    for key in ("vectorizer_config", "vector_config", "generative_config", "vectorizer"):
        value = call.kwargs.get(key)
        items = value.attrs.get("items", ()) if value is not None else ()
        for item in (value, *items) if value is not None else ():
            if isinstance(item, Val) and item.attrs.get("weaviate_module"):
                found.append(item)
    return found


def _collection_with_modules(call: Call) -> Val | None:
    """``client.collections.create(name, vectorizer_config=..., generative_config=...)``."""
    index = collection(call)
    if index is None:
        return None
    for module in _modules_of(call):  # Weaviate calls these models itself
        if module.attrs["weaviate_module"] == "embedding":
            call.ctx.out.node(index.asset, embedding_model=module.asset)
        else:  # retrieved objects are what the generative module is prompted with
            call.ctx.flow_into([index.asset], module.asset, EdgeKind.RETRIEVE)
    return index


# Weaviate module family (the name's prefix) -> the role of the model it runs
_MODULE_ROLES = {
    "text2vec": "embedding",
    "multi2vec": "embedding",
    "qna": "other",
    "reranker": "reranker",
    "generative": "llm",
    "sum": "other",
    "ner": "other",
}


def _wcs_modules(call: Call) -> Val | None:
    """``WCS(credentials).create(cluster_name, modules=[{"name": "text2vec-transformers",
    "tag": "sentence-transformers-paraphrase-MiniLM-L6-v2"}, ...])`` (Weaviate v3 client):
    the cluster runs each ``*-transformers`` module's model (its ``tag``) itself."""
    modules = call.arg(None, "modules").const
    for module in modules if isinstance(modules, (list, tuple)) else ():
        if not isinstance(module, dict):
            continue
        name, tag = module.get("name"), module.get("tag")
        family, _, runtime = str(name or "").partition("-")
        role = _MODULE_ROLES.get(family)
        if role is None or runtime != "transformers" or not isinstance(tag, str) or not tag:
            continue
        call.ctx.out.node(
            model_uid("weaviate", tag),
            provider="self_hosted",
            model_type=role,
            origin="local",
            called_by="weaviate module",
            weaviate_module=name,
        )
    return Val(tag=f"{call.qual}()")


RULES: tuple[Rule, ...] = (
    Rule(
        ("weaviate*.WCS().create", "weaviate*.WCS.create"),
        _wcs_modules,
        "Weaviate Cloud sandboxes and their modules",
    ),
    Rule(
        (
            "weaviate*.Configure.Vectorizer.*",
            "weaviate*.Configure.NamedVectors.*",
            "weaviate*.Configure.Vectors.*",
            "weaviate*.Configure.Generative.*",
        ),
        _weaviate_module,
        "Weaviate modules (server-side models)",
    ),
    Rule(("*.collections.create",), _collection_with_modules, "Weaviate v4 collections"),
    Rule(
        ("*.batch.fixed_size", "*.batch.dynamic", "*.batch.rate_limit", "*.batch.configure"),
        _batch_context,
        "Weaviate v4 batch writers",
    ),
    Rule(("*.schema.create_class", "*.schema.create"), _weaviate_schema, "Weaviate v3 schema"),
    Rule(
        ("*.batch.add_data_object", "*.data_object.create"),
        _weaviate_object,
        "Weaviate v3 objects",
    ),
)
