"""The query suites of tests/query, run unchanged against a real Neo4j (``neo4j`` marker).

Every ``test_*`` function of tests/query/test_*.py is collected here again under a suffixed
name; in this folder the ``store`` fixture is the Neo4j store (see conftest.py), so the same
graph builder and the same assertions run on Neo4j. Skipped, visibly, without NEO4J_URI.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.neo4j

QUERY_TESTS = Path(__file__).resolve().parents[1] / "query"
if str(QUERY_TESTS) not in sys.path:
    sys.path.insert(0, str(QUERY_TESTS))


def _collect() -> dict[str, object]:
    found: dict[str, object] = {}
    for path in sorted(QUERY_TESTS.glob("test_*.py")):
        module = importlib.import_module(path.stem)
        for name, value in vars(module).items():
            if name.startswith("test_") and callable(value):
                found[f"{name}__{path.stem.removeprefix('test_')}"] = value
    return found


globals().update(_collect())
