"""Every Cypher statement in the project passes Neo4j's parser and FalkorDB's planner.

Statements are discovered, not registered: any upper-case module-level constant (a string,
or a dict of strings) in ``lineage`` or ``queries`` whose text starts with a Cypher clause.
Neo4j's own parser and semantic analysis (npm ``@neo4j-cypher/language-support``, pinned in
tests/cypher_lint/package.json) must report no error; FalkorDB must plan it (GRAPH.EXPLAIN).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import redis
from cypher_statements import PARAM as _PARAM
from cypher_statements import STATEMENTS

from lineage.store import Store

LINT_DIR = Path(__file__).parent / "cypher_lint"


def test_statements_are_discovered() -> None:
    assert any(name.startswith("lineage.store.cypher.UPSERT_NODES") for name in STATEMENTS)
    # a tests/ folder named like a package once shadowed ``queries`` and hid its statements
    assert any(name.startswith("queries.cypher.STEP") for name in STATEMENTS)
    assert len(STATEMENTS) >= 30


@pytest.fixture(scope="module")
def neo4j_diagnostics() -> dict[str, list[dict[str, object]]]:
    if shutil.which("node") is None or not (LINT_DIR / "node_modules").exists():
        pytest.fail("the Cypher linter is not installed: run `npm ci` in tests/cypher_lint")
    done = subprocess.run(
        ["node", str(LINT_DIR / "lint.mjs")],
        input=json.dumps(STATEMENTS),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize("name", list(STATEMENTS))
def test_neo4j_parser_accepts(name: str, neo4j_diagnostics: dict[str, list[dict]]) -> None:
    errors = [d for d in neo4j_diagnostics[name] if d["severity"] == 1]
    assert not errors, f"{name}:\n{STATEMENTS[name]}\n{errors}"


def test_the_linter_can_fail() -> None:
    """Guard against a linter that silently accepts everything."""
    done = subprocess.run(
        ["node", str(LINT_DIR / "lint.mjs")],
        input=json.dumps({"bad": "MATCH (n:Asset) RETURN m", "ok": "MATCH (n) RETURN n"}),
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    out = json.loads(done.stdout)
    assert out["ok"] == [] and any(d["severity"] == 1 for d in out["bad"])


def _dummy(param: str) -> str:
    """A value of a plausible type: LIMIT/SKIP/depth want integers, the rest accept null."""
    return "1" if param in {"limit", "skip", "first", "depth", "max_depth", "offset"} else "null"


def test_falkordb_plans_every_statement(store: Store) -> None:
    client = store._server.client  # type: ignore[attr-defined]
    failures = []
    for name, text in STATEMENTS.items():
        params = " ".join(f"{p}={_dummy(p)}" for p in sorted(set(_PARAM.findall(text))))
        header = f"CYPHER {params} " if params else ""
        try:
            client.execute_command("GRAPH.EXPLAIN", "lineage", header + text)
        except redis.ResponseError as exc:
            failures.append(f"{name}: {exc}")
    assert not failures, "\n".join(failures)
