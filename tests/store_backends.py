"""Which store backend a test runs on: embedded FalkorDB, or the session's real Neo4j.

Modules marked ``pytest.mark.all_stores`` get their store fixtures parametrised over
:data:`BACKENDS` (see tests/conftest.py); fixtures build the store with :func:`backend_store`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from neo4j_server import wipe

from lineage.store import Store, open_store

__all__ = ["BACKENDS", "backend_store"]

BACKENDS = ("embedded", pytest.param("neo4j", marks=pytest.mark.neo4j))


def backend_store(request: pytest.FixtureRequest, folder: Path) -> Store:
    """A cleared store of the backend this test runs on (embedded unless parametrised)."""
    if getattr(request, "param", "embedded") == "neo4j":
        uri = request.getfixturevalue("neo4j_uri")
        wipe(uri)
        return open_store(uri)
    return open_store(folder / "store")
