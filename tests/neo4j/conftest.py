"""Fixtures for the Neo4j store: the session's real Neo4j (see tests/neo4j_server.py).

Inside this folder the ``store`` fixture is a Neo4j store, wiped before each test.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j_server import wipe

from lineage.store import Store
from lineage.store.neo4j import Neo4jStore

# The migration tests load the synthetic estate from bench/ (a folder, not an installed package).
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.append(_ROOT)


@pytest.fixture(scope="session")
def neo4j_session_store(neo4j_uri: str) -> Iterator[Neo4jStore]:
    """One store (one driver) for the session; each test gets the graph wiped."""
    s = Neo4jStore(neo4j_uri)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def neo4j_store(neo4j_session_store: Neo4jStore) -> Neo4jStore:
    wipe(neo4j_session_store.location)
    return neo4j_session_store


@pytest.fixture
def store(neo4j_store: Store) -> Store:
    """Overrides the embedded ``store`` of tests/conftest.py for every test in this folder."""
    return neo4j_store
