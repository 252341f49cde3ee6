"""Statements that look nodes up by id are planned as index seeks, never as scans.

A statement that names a node by ``{uid: ...}`` is meant to start from the uid index. A
planner is free to start elsewhere, and FalkorDB does when another node of the pattern has a
filter of its own: ``MATCH (d:Asset {uid: u})-[:HAS_COLUMN]->(c:Asset) WHERE <test on c>``
was planned as a scan of every Asset for each ``u`` (the exposure search took 58 s at 1M
nodes). Anchoring the lookup in its own ``MATCH ... WITH`` fixes the start. This test asks
each planner for its plan (FalkorDB's ``GRAPH.EXPLAIN``; Neo4j's ``EXPLAIN`` when a server is
started by the suite) and fails on a label or all-node scan in any such statement, so that class of
regression cannot come back silently. Parameters get values of their real shape: FalkorDB
inlines them, and plans ``{uid: null}`` as a scan.
"""

from __future__ import annotations

import re

import pytest
from cypher_statements import PARAM, STATEMENTS

from lineage.store import Store

# A node pattern naming its node by id: ``(n:Asset {uid: ...})``, ``(:Principal {uid: ...})``.
_BY_ID = re.compile(r"\(\s*\w*\s*(?::\s*\w+\s*)+\{\s*uid\s*:")
# Operators that read every node (of a label): what an id lookup must not do.
_SCAN = re.compile(r"(Label Scan|All Node Scan|AllNodesScan|NodeByLabelScan)", re.I)

BY_ID = {name: text for name, text in STATEMENTS.items() if _BY_ID.search(text)}

# Values of the shape each parameter really has (a list of ids, of frontier items, of rows).
_ROW = "{uid: 'x', src: 'x', dst: 'x', key: 'x', job: 'x', run: 'x', seen: 'x', props: {}}"
_VALUES = {
    "uids": "['x']",
    "jobs": "['x']",
    "frontier": "[['x', 'x', 0, 'x']]",
    "pairs": "[['x', 'y']]",
    "rows": f"[{_ROW}]",
    "integrity": "false",
    "include_stale": "false",
    "patterns": "['x']",
    "log": "['x']",
    "props": "{}",
}


def _header(text: str) -> str:
    params = sorted(set(PARAM.findall(text)))
    return "CYPHER " + " ".join(f"{p}={_VALUES.get(p, "'x'")}" for p in params) + " "


def falkor_plan(store: Store, text: str) -> list[str]:
    client = store._server.client  # type: ignore[attr-defined]
    plan = client.execute_command("GRAPH.EXPLAIN", "lineage", _header(text) + text)
    return [line.decode() if isinstance(line, bytes) else str(line) for line in plan]


def test_the_id_lookups_are_found() -> None:
    """Guard against a pattern that silently selects nothing."""
    for name in (
        "queries.cypher.OWNING_COLUMNS",
        "queries.cypher.NODES_BY_UID",
        "lineage.sensitivity.cypher.OUT_FLOWS",
        "lineage.store.cypher.GET_NODE",
    ):
        assert name in BY_ID
    assert "queries.cypher.SEARCH" not in BY_ID  # a scan by design
    assert len(BY_ID) >= 60


def test_the_check_can_fail(store: Store) -> None:
    """The statement as it was before the fix: a label scan, which the check must see."""
    before = """
UNWIND $uids AS uid
MATCH (d:Asset {uid: uid})-[:HAS_COLUMN]->(c:Asset)
WHERE size(coalesce(c.own_labels, [])) > 0
RETURN uid AS dataset, c.uid AS column, c.own_labels AS own"""
    assert any(_SCAN.search(line) for line in falkor_plan(store, before))


def test_falkordb_seeks_by_index(store: Store) -> None:
    failures = []
    for name, text in BY_ID.items():
        plan = falkor_plan(store, text)
        if any(_SCAN.search(line) for line in plan):
            failures.append(f"{name}:{text}\nplan:\n" + "\n".join(plan))
    assert not failures, "\n\n".join(failures)


@pytest.mark.neo4j
def test_neo4j_seeks_by_index(neo4j_uri: str) -> None:
    from lineage.settings import Settings
    from lineage.store.neo4j import Neo4jStore

    store = Neo4jStore(neo4j_uri, settings=Settings.from_env())
    failures = []
    try:
        with store._driver.session() as session:  # type: ignore[attr-defined]
            for name, text in BY_ID.items():
                params = {p: _neo4j_value(p) for p in set(PARAM.findall(text))}
                plan = session.run("EXPLAIN " + text, params).consume().plan
                ops = _operators(plan)
                if any(_SCAN.search(op) for op in ops):
                    failures.append(f"{name}: {ops}")
    finally:
        store.close()
    assert not failures, "\n".join(failures)


def _neo4j_value(param: str) -> object:
    row = dict.fromkeys(("uid", "src", "dst", "key", "job", "run", "seen"), "x") | {"props": {}}
    values: dict[str, object] = {
        "uids": ["x"], "jobs": ["x"], "frontier": [["x", "x", 0, "x"]], "pairs": [["x", "y"]],
        "rows": [row], "integrity": False, "include_stale": False, "patterns": ["x"],
        "log": ["x"], "props": {},
    }  # fmt: skip
    return values.get(param, "x")


def _operators(plan: object) -> list[str]:
    if plan is None:
        return []
    op = plan.get("operatorType", "") if isinstance(plan, dict) else plan.operator_type  # type: ignore[attr-defined]
    children = plan.get("children", []) if isinstance(plan, dict) else plan.children  # type: ignore[attr-defined]
    return [str(op)] + [o for c in children for o in _operators(c)]
