"""Shared fixtures: a fresh embedded store per test, and a tiny graph builder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")  # never reach the network

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
