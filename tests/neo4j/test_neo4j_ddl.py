"""The per-backend DDL: Neo4j's own parser accepts the Neo4j 5 schema, FalkorDB runs its own.

The shared lint (tests/test_cypher_lint.py) covers every portable string constant, including
the schema-version statements; the DDL tuples are backend-specific, so they are checked here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from lineage.model import Kind
from lineage.store import ddl
from lineage.store.falkor import FalkorStore

LINT = Path(__file__).parents[1] / "cypher_lint" / "lint.mjs"


def _lint(statements: dict[str, str]) -> dict[str, list[dict]]:
    if shutil.which("node") is None or not (LINT.parent / "node_modules").exists():
        pytest.fail("the Cypher linter is not installed: run `npm ci` in tests/cypher_lint")
    done = subprocess.run(
        ["node", str(LINT)], input=json.dumps(statements), capture_output=True, text=True,
        check=True, timeout=120,
    )  # fmt: skip
    return json.loads(done.stdout)


def test_neo4j_parser_accepts_the_neo4j_schema_and_rejects_a_broken_one() -> None:
    statements = dict(ddl.NEO4J_SCHEMA)
    statements["broken"] = "CREATE CONSTRAINT c IF NOT EXISTS FOR (n:Asset) REQUIRE n.uid UNIQUE"
    found = _lint(statements)
    errors = {name: [d for d in diags if d["severity"] == 1] for name, diags in found.items()}
    assert errors.pop("broken"), "the linter must fail a constraint without IS"
    assert errors == {name: [] for name, _ in ddl.NEO4J_SCHEMA}


def test_neo4j_schema_is_idempotent_and_named() -> None:
    names = [name for name, _ in ddl.NEO4J_SCHEMA]
    assert len(names) == len(set(names))
    for name, text in ddl.NEO4J_SCHEMA:
        assert f" {name} IF NOT EXISTS " in text
    kinds = {text.split("(n:")[1].split(")")[0] for _, text in ddl.NEO4J_SCHEMA if "(n:" in text}
    assert {k.value for k in Kind} <= kinds


def test_falkordb_indexes_exist_after_open_and_reopen(tmp_path: Path) -> None:
    store = FalkorStore(tmp_path / "g")
    try:
        rows = store.query("CALL db.indexes() YIELD label, properties RETURN label, properties")
        indexed = {row["label"] for row in rows if "uid" in row["properties"]}
        assert indexed == {"Asset"} | {k.value for k in Kind}
        store.clear()  # re-runs the DDL on an existing graph: must not fail
    finally:
        store.close()
