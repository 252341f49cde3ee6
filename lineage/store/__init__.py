"""Graph stores behind one contract. ``open_store`` picks the backend from a location."""

from __future__ import annotations

from pathlib import Path

from lineage.store.base import Direction, Neighbour, Store, StoredEdge, StoredNode

__all__ = ["Direction", "Neighbour", "Store", "StoredEdge", "StoredNode", "open_store"]


def open_store(location: str | Path) -> Store:
    """Open a store: a folder path means the embedded FalkorDB store.

    ``neo4j://``, ``neo4j+s://`` and ``bolt://`` URIs select the Neo4j store.
    """
    text = str(location)
    if text.startswith(("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://")):
        from lineage.store.neo4j import Neo4jStore

        return Neo4jStore(text)
    from lineage.store.falkor import FalkorStore

    return FalkorStore(text)
