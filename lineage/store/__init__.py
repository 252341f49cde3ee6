"""Graph stores behind one contract. ``open_store`` picks the backend from a location."""

from __future__ import annotations

import os
from pathlib import Path

from lineage.errors import ConfigError
from lineage.store.base import Direction, Neighbour, Store, StoredEdge, StoredNode

__all__ = [
    "Direction",
    "Neighbour",
    "Store",
    "StoredEdge",
    "StoredNode",
    "open_store",
    "store_timeout",
]

BATCH_TIMEOUT = 600.0  # seconds: the statement timeout for batch work (the CLI)


def store_timeout(default: float = BATCH_TIMEOUT) -> float:
    """The statement timeout in seconds: ``LINEAGE_STORE_TIMEOUT``, else ``default``
    (generous for batch work; ``serve`` passes a short one for API reads)."""
    raw = os.environ.get("LINEAGE_STORE_TIMEOUT", "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"LINEAGE_STORE_TIMEOUT must be seconds, not {raw!r}") from None
    if not value > 0:
        raise ConfigError(f"LINEAGE_STORE_TIMEOUT must be positive, not {raw!r}")
    return value


def open_store(location: str | Path, *, timeout: float | None = None) -> Store:
    """Open a store: a folder path means the embedded FalkorDB store.

    ``neo4j://``, ``neo4j+s://`` and ``bolt://`` URIs select the Neo4j store. ``timeout``
    is the statement timeout (default: :func:`store_timeout`); the embedded store applies it.
    """
    text = str(location)
    if text.startswith(("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://")):
        from lineage.store.neo4j import Neo4jStore

        return Neo4jStore(text)
    from lineage.store.falkor import FalkorStore

    return FalkorStore(text, timeout=store_timeout() if timeout is None else timeout)
