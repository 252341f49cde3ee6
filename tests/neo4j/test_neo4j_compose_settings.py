"""docker-compose.yml's Neo4j settings, checked against a real Neo4j of the same version.

The official image maps ``NEO4J_<name>`` variables to settings (``_`` -> ``.``, ``__`` ->
``_``) and silently ignores names it does not know (a renamed setting then does nothing).
So every such variable in the compose file must name a setting the server we test against
(tests/neo4j_server/, the same 5.26 line as the image tag) actually lists.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from lineage.store.neo4j import Neo4jStore

pytestmark = pytest.mark.neo4j

ROOT = Path(__file__).resolve().parents[2]
NOT_SETTINGS = {"NEO4J_AUTH"}  # the image's own variables, not server settings


def _setting(variable: str) -> str:
    return variable.removeprefix("NEO4J_").replace("__", "\0").replace("_", ".").replace("\0", "_")


def test_the_variable_mapping() -> None:
    assert _setting("NEO4J_server_memory_heap_initial__size") == "server.memory.heap.initial_size"


def test_compose_names_only_settings_that_neo4j_5_26_knows(neo4j_store: Neo4jStore) -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    service = compose["services"]["neo4j"]
    pom = (ROOT / "tests" / "neo4j_server" / "pom.xml").read_text()
    tested = re.search(r"<neo4j.version>(\d+\.\d+)\.", pom)
    assert tested is not None
    assert service["image"].startswith(f"neo4j:{tested.group(1)}-")  # same release line
    variables = [v for v in service["environment"] if v.startswith("NEO4J_")]
    wanted = {_setting(v) for v in variables if v not in NOT_SETTINGS}
    assert wanted, "the compose file sets no Neo4j settings?"
    known = {r["name"] for r in neo4j_store.query("SHOW SETTINGS YIELD name RETURN name")}
    assert len(known) > 100
    assert sorted(wanted - known) == []
