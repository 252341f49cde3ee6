"""Fixtures for the Neo4j store: a real server when ``NEO4J_URI`` is set, else visible skips.

Tests marked ``neo4j`` need that server. Point ``NEO4J_URI`` at a *throwaway* Neo4j 5 (the
tests clear the graph): ``docker compose up -d neo4j`` then
``NEO4J_URI=bolt://localhost:7687 LINEAGE_NEO4J_PASSWORD=... pytest -m neo4j tests/neo4j``.
Credentials come from the usual settings (``LINEAGE_NEO4J_USER``/``_PASSWORD``/``_TOKEN``).

Inside this folder the ``store`` fixture is a Neo4j store, so any suite imported here (the
store-contract suite, the query suites) runs unchanged against Neo4j.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lineage.settings import Settings
from lineage.store import Store

# The migration tests load the synthetic estate from bench/ (a folder, not an installed package).
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.append(_ROOT)

NEO4J_URI = os.environ.get("NEO4J_URI", "")
SKIP_REASON = "no Neo4j server: set NEO4J_URI (see docs/neo4j.md, 'Testing against Neo4j')"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip every ``neo4j``-marked test, with the reason shown, when there is no server."""
    if NEO4J_URI:
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if item.get_closest_marker("neo4j") is not None:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def neo4j_session_store() -> Iterator[Store]:
    """One store (one driver) for the session; each test gets it cleared."""
    if not NEO4J_URI:
        pytest.skip(SKIP_REASON)
    from lineage.store.neo4j import Neo4jStore

    s = Neo4jStore(NEO4J_URI, settings=Settings.from_env())
    try:
        yield s
    finally:
        s.clear()
        s.close()


@pytest.fixture
def neo4j_store(neo4j_session_store: Store) -> Store:
    neo4j_session_store.clear()
    return neo4j_session_store


@pytest.fixture
def store(neo4j_store: Store) -> Store:
    """Overrides the embedded ``store`` of tests/conftest.py for every test in this folder."""
    return neo4j_store
