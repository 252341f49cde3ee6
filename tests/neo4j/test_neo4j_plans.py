"""Every Cypher statement of the project, planned by a real Neo4j 5.26 (``EXPLAIN``).

The Cypher lint (tests/test_cypher_lint.py) checks Neo4j's parser and FalkorDB's planner;
this asks the Neo4j planner itself, with the schema of ``lineage/store/ddl.py`` in place.
That look-ups by ``uid`` are index seeks on both planners: tests/test_cypher_plans.py.
"""

from __future__ import annotations

from typing import Any

import neo4j
import pytest
from cypher_statements import PARAM, STATEMENTS

from lineage.store.neo4j import Neo4jStore

pytestmark = pytest.mark.neo4j

_INT_PARAMS = {"limit", "skip", "first", "depth", "max_depth", "offset", "after", "seq"}


def _operators(plan: Any) -> set[str]:
    if plan is None:
        return set()
    ops = {plan["operatorType"].split("@")[0]}
    for child in plan.get("children", []):
        ops |= _operators(child)
    return ops


@pytest.fixture(scope="module")
def plans(neo4j_session_store: Neo4jStore) -> dict[str, set[str] | str]:
    out: dict[str, set[str] | str] = {}
    driver = neo4j.GraphDatabase.driver(neo4j_session_store.location)
    with driver, driver.session() as session:
        for name, text in STATEMENTS.items():
            params = {p: 1 if p in _INT_PARAMS else None for p in set(PARAM.findall(text))}
            try:
                summary = session.run("EXPLAIN " + text, params).consume()
                out[name] = _operators(summary.plan)
            except neo4j.exceptions.Neo4jError as exc:
                out[name] = f"{exc.code}: {exc.message}"
    return out


def test_neo4j_plans_every_statement(plans: dict[str, set[str] | str]) -> None:
    failures = [f"{name}: {plan}" for name, plan in plans.items() if isinstance(plan, str)]
    assert len(plans) >= 30
    assert not failures, "\n".join(failures)
