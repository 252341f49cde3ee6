"""Shared fixtures: a fresh embedded store per test, and a tiny graph builder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")  # never reach the network

from postgres_server import postgres_url  # noqa: F401 - a fixture, shared

from lineage.store import Store, open_store

CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(tmp_path / "store")
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def corpus() -> Path:
    return CORPUS


_NEO4J = pytest.mark.skipif(not os.environ.get("NEO4J_URI"), reason="NEO4J_URI not set")


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=[pytest.mark.neo4j, _NEO4J])])
def contract_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Every store backend, for suites that must hold on all of them."""
    location = tmp_path / "store" if request.param == "embedded" else os.environ["NEO4J_URI"]
    s = open_store(location)
    s.clear()
    try:
        yield s
    finally:
        s.clear() if request.param == "neo4j" else None
        s.close()
