"""pgai (Timescale) SQL functions: AI work done inside PostgreSQL, found in the SQL a notebook
runs (``cur.execute("SELECT ai.create_vectorizer(...)")``).

Each function family is one row of :data:`FUNCTIONS`: ``ai.load_dataset`` reads a Hugging
Face dataset into a table; ``ai.create_vectorizer`` embeds a table into an embeddings
table/view (a pgai vector index) with ``ai.embedding_<provider>('<model>', ...)``;
``ai.<provider>_embed`` / ``_generate`` / ``_chat_complete`` call a model from SQL. ``%s``
placeholders are filled from the literal parameters the call passes, as the driver would.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ingest.notebook.recognisers.common import hf_dataset
from ingest.notebook.recognisers.registry import Call
from ingest.vector_config.naming import model_uid, vector_index_uid
from lineage import ids
from lineage.model import EdgeKind, Kind

__all__ = ["FUNCTIONS", "bind_params", "pgai_facts", "pgai_reads"]

_PROVIDERS = {
    "openai": "openai",
    "ollama": "ollama",
    "voyageai": "voyage",
    "anthropic": "anthropic",
    "cohere": "cohere",
    "litellm": "other",
}
_STR = r"'([^']*)'"
FUNCTIONS = {
    "load_dataset": re.compile(
        rf"\bai\.load_dataset\s*\(\s*{_STR}(?:[^)]*?table_name\s*=>\s*{_STR})?", re.I | re.S
    ),
    "vectorizer": re.compile(
        rf"\bai\.create_vectorizer\s*\(\s*{_STR}(?:::regclass)?(?P<rest>.*)", re.I | re.S
    ),
    "model_call": re.compile(
        r"\bai\.(?P<p>openai|ollama|voyageai|anthropic|cohere|litellm)_"
        r"(?P<what>embed|generate|chat_complete|chat|rerank)\w*\s*\(\s*" + _STR,
        re.I,
    ),
}
# pgai's own catalogue in the ``ai`` schema: state of its workers, not anybody's data
_CATALOGUE = re.compile(
    r"^ai\.(_?vectorizer\w*|secret_permissions|feature_flag|migration\w*|pgai_lib_\w+)$", re.I
)
_DESTINATION = re.compile(rf"destination\s*=>\s*{_STR}", re.I)
_EMBEDDING = re.compile(rf"ai\.embedding_(?P<p>openai|ollama|voyageai|litellm)\s*\(\s*{_STR}", re.I)


def bind_params(sql: str, params: Any) -> str:
    """``%s`` filled with literal parameters, quoted as the driver would (else left)."""
    if not isinstance(params, Sequence) or isinstance(params, str) or "%s" not in sql:
        return sql
    values = iter(params)

    def fill(match: re.Match[str]) -> str:
        value = next(values, None)
        if isinstance(value, str):
            return "'" + value.replace("'", "''") + "'"
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        return match.group()

    return re.sub(r"%s", fill, sql)


def pgai_facts(call: Call, sql: str, namespace: str) -> frozenset[str]:
    """Record pgai work in ``sql``; the uids it produced or read."""
    if "ai." not in sql.lower():
        return frozenset()
    found: set[str] = set()
    for m in FUNCTIONS["load_dataset"].finditer(sql):
        source = hf_dataset(call, m.group(1))
        found.add(source)
        if m.group(2):
            table = ids.dataset_id(namespace, m.group(2))
            call.ctx.out.node(table)
            call.ctx.out.writes(table)
            call.ctx.flow_into([source], table)
            found.add(table)
    for m in FUNCTIONS["vectorizer"].finditer(sql):
        source, rest = m.group(1), m.group("rest")
        dest = _DESTINATION.search(rest)
        name = dest.group(1) if dest else f"{source}_embeddings"
        index = vector_index_uid("pgai", name)
        call.ctx.out.node(index, engine="pgai", collection=name, source_table=source)
        table = ids.dataset_id(namespace, source)
        call.ctx.out.node(table)
        call.ctx.out.reads(table)
        call.ctx.flow_into([table], index, EdgeKind.EMBED)
        emb = _EMBEDDING.search(rest)
        if emb:
            provider = _PROVIDERS[emb.group("p").lower()]
            model = model_uid(provider, emb.group(2))
            origin = "local" if provider == "ollama" else "third_party_api"
            call.ctx.out.node(model, provider=provider, model_type="embedding", origin=origin)
            call.ctx.out.node(index, embedding_model=model)
        found.add(index)
    for m in FUNCTIONS["model_call"].finditer(sql):
        provider = _PROVIDERS[m.group("p").lower()]
        kind = "embedding" if m.group("what").lower() == "embed" else "llm"
        model = model_uid(provider, m.group(3))
        origin = "local" if provider == "ollama" else "third_party_api"
        call.ctx.out.node(model, provider=provider, model_type=kind, origin=origin)
        found.add(model)
    return frozenset(found)


def pgai_reads(call: Call, read: frozenset[str]) -> frozenset[str]:
    """Tables a query read, seen through pgai: a vectorizer's destination (the embeddings
    view) is its vector index, so rows selected from it are retrieved from the index; the
    ``ai`` schema's catalogue (``ai.vectorizer_status``) is no data."""
    out: set[str] = set()
    for uid in read:
        if ids.kind_of(uid) is not Kind.DATASET:
            out.add(uid)
            continue
        name = ids.parse(uid).name
        index = vector_index_uid("pgai", name)
        if call.ctx.out.has_node(index):
            call.ctx.out.discard(uid)
            out.add(index)
        elif _CATALOGUE.match(name):
            call.ctx.out.discard(uid)
        else:
            out.add(uid)
    return frozenset(out)
