"""Redis as a vector store: redis-py's search commands and redisvl's indexes.

An index lives on a Redis server and is named in its schema: ``client.ft("movies")``
(redis-py), ``IndexSchema.from_dict({"index": {"name": ...}})`` handed to redisvl's
``SearchIndex`` or LlamaIndex's ``RedisVectorStore(schema=...)``. ``index.load(rows)`` writes
(an ``embed`` flow from the rows); ``index.query(...)`` / ``ft(...).search(...)`` retrieve
(the generic search rows of :mod:`.vector`).
"""

from __future__ import annotations

from typing import Any

from ingest.notebook.recognisers.registry import Call, Rule
from ingest.notebook.recognisers.vector import embed_into, find, index_for
from ingest.notebook.values import Val
from ingest.vector_config.naming import engine_namespace, model_uid

__all__ = ["RULES", "VECTORIZERS"]


def _client(call: Call) -> Val | None:
    url = call.text(0, "url", "host")
    namespace = engine_namespace("redis", url) if url else "redis"
    return Val(tag="redis.Redis").with_attrs(
        role="vector_client", engine="redis", namespace=namespace, persistence="server"
    )


def _schema_name(schema: Any) -> str | None:
    index = schema.get("index") if isinstance(schema, dict) else None
    name = index.get("name") if isinstance(index, dict) else None
    return name if isinstance(name, str) else None


def _schema(call: Call) -> Val | None:
    """``IndexSchema.from_dict({...})``: the schema, remembering the index name it gives."""
    name = _schema_name(call.arg(0, "data").const)
    return Val(tag=call.qual).with_attrs(redis_index=name) if name else None


def _ft(call: Call) -> Val | None:
    """``client.ft("movies")``: the search index of that name on the client's server."""
    client = find(call.recv, "vector_client")
    name = call.text(0, "index_name")
    if client is None or client.attrs.get("engine") != "redis" or not name:
        return None
    return index_for(call, client, name)


def _search_index(call: Call) -> Val | None:
    """redisvl ``SearchIndex(schema, redis_client=...)`` / ``SearchIndex.from_dict({...})``."""
    given = call.arg(0, "schema")
    name = given.attrs.get("redis_index") or _schema_name(given.const)
    if not name:
        return None
    client = find(call.arg(None, "redis_client", "client"), "vector_client")
    if client is None:
        url = call.text(None, "redis_url")
        namespace = engine_namespace("redis", url) if url else "redis"
        client = Val().with_attrs(engine="redis", namespace=namespace, persistence="server")
    return index_for(call, client, name)


def _load(call: Call) -> Val | None:
    index = find(call.recv, "vector_index")
    if index is None or index.attrs.get("engine") != "redis":
        return None
    embed_into(call, index, call.arg(0, "data"))
    return Val()


# redisvl text vectorizers -> (model namespace, runs on this machine)
VECTORIZERS: dict[str, tuple[str, bool]] = {
    "HFTextVectorizer": ("huggingface", True),
    "OpenAITextVectorizer": ("openai", False),
    "AzureOpenAITextVectorizer": ("azure_openai", False),
    "CohereTextVectorizer": ("cohere", False),
    "VertexAITextVectorizer": ("vertex", False),
    "MistralAITextVectorizer": ("mistral", False),
    "BedrockTextVectorizer": ("bedrock", False),
    "VoyageAITextVectorizer": ("voyage", False),
}


def _vectorizer(call: Call) -> Val | None:
    """``HFTextVectorizer("sentence-transformers/...")``: the embedding model redisvl calls."""
    found = VECTORIZERS.get(call.method)
    name = call.text(0, "model")
    if found is None or not name:
        return None
    namespace, local = found
    uid = model_uid(namespace, name)
    call.ctx.out.node(
        uid,
        provider=namespace,
        model_type="embedding",
        origin="local" if local else "third_party_api",
    )
    return Val(tag=call.qual, asset=uid).with_attrs(
        role="embedding", provider="local" if local else namespace
    )


RULES: tuple[Rule, ...] = (
    Rule(("redisvl*.*TextVectorizer",), _vectorizer, "redisvl vectorizers"),
    Rule(
        ("redis.Redis", "redis.Redis.from_url", "redis.from_url", "redis.StrictRedis"),
        _client,
        "Redis clients",
    ),
    Rule(
        ("redisvl.schema.IndexSchema.from_dict", "redisvl*.IndexSchema.from_dict"),
        _schema,
        "redisvl schemas",
    ),
    Rule(("*.ft",), _ft, "redis-py search indexes"),
    Rule(
        ("redisvl*.SearchIndex", "redisvl*.SearchIndex.from_dict", "redisvl*.AsyncSearchIndex"),
        _search_index,
        "redisvl indexes",
    ),
    Rule(("*.load",), _load, "redisvl index loads"),
)
