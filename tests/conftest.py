"""Shared fixtures: a fresh store per test (embedded, or each backend), a tiny graph builder.

A test module marked ``pytest.mark.all_stores`` runs every test that takes a store fixture
(``store``, ``contract_store``, ``shared_store``) once per backend: the embedded FalkorDB
store and a real Neo4j 5 (tests/neo4j_server.py: one server per session, wiped between
tests). The Neo4j runs carry the ``neo4j`` marker (``-m "not neo4j"`` leaves them out).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")  # never reach the network

from neo4j_server import neo4j_uri  # noqa: F401 - a fixture, shared
from postgres_server import postgres_url  # noqa: F401 - a fixture, shared
from store_backends import BACKENDS, backend_store

from lineage.store import Store

CORPUS = Path(__file__).parent / "corpus"
STORE_FIXTURES = ("store", "contract_store", "shared_store")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run ``all_stores`` tests once per backend (the fixture reads ``request.param``)."""
    if metafunc.definition.get_closest_marker("all_stores") is None:
        return
    for name in STORE_FIXTURES:
        if name in metafunc.fixturenames:
            metafunc.parametrize(name, BACKENDS, indirect=True)
            return


@pytest.fixture
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    s = backend_store(request, tmp_path)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def contract_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The store contract's fixture (its module is ``all_stores``: every backend)."""
    s = backend_store(request, tmp_path)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def corpus() -> Path:
    return CORPUS
