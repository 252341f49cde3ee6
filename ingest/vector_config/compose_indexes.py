"""Vector indexes a deployment names in its services' environment.

A vector database server names no collection: its clients do. When a service that uses the
server sets a collection variable to a literal (``INDEX_NAME: opea_ims_vectors``,
``COLLECTION_NAME: docs``), that collection on that server is an index of the deployment
(:func:`named_collections`). A variable left to the environment (``${INDEX_NAME}``) names
nothing.

An application may also run its vector store in-process (LanceDB, Chroma or FAISS on a
path): NVIDIA's RAG blueprint and similar stacks select it with a store variable
(``APP_VECTORSTORE_NAME: lancedb``) beside the collection (:func:`embedded_stores`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["EMBEDDED_ENGINES", "embedded_stores", "env_pairs", "named_collections"]

_COLLECTION_KEY = re.compile(
    r"^(?:[A-Z0-9]+_)*(INDEX_NAME|COLLECTION_NAME|COLLECTION|CLASS_NAME|TABLE_NAME)$", re.I
)
_STORE_KEY = re.compile(r"VECTOR_?STORE(_NAME|_TYPE)?$|VECTOR_?DB(_NAME|_TYPE)?$", re.I)
# engines that run inside the application process when given a path
EMBEDDED_ENGINES = frozenset({"lancedb", "chroma", "faiss", "milvus"})


def env_pairs(svc: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A service's environment as (key, value) pairs, from the mapping or the list form."""
    env = svc.get("environment")
    if isinstance(env, Mapping):
        return [(str(k), str(v)) for k, v in env.items() if v is not None]
    pairs = []
    for item in env if isinstance(env, list) else []:
        key, _, value = str(item).partition("=")
        pairs.append((key.strip(), value.strip()))
    return pairs


def _collections(svc: Mapping[str, Any]) -> list[str]:
    return sorted(
        {
            value.strip().strip("'\"")
            for key, value in env_pairs(svc)
            if _COLLECTION_KEY.match(key) and value.strip() and "$" not in value
        }
    )


def named_collections(users: list[Mapping[str, Any]]) -> list[str]:
    """Collections the users of one vector server name with literal values."""
    return sorted({c for svc in users for c in _collections(svc)})


def embedded_stores(svc: Mapping[str, Any]) -> tuple[str, list[str]] | None:
    """(engine, collections) when the service runs an in-process store it names."""
    for key, value in env_pairs(svc):
        engine = value.strip().strip("'\"").lower()
        if _STORE_KEY.search(key) and engine in EMBEDDED_ENGINES:
            return engine, _collections(svc)
    return None
