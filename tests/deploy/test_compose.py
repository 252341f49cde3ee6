"""docker-compose.yml, checked statically: the Compose JSON Schema, then what we promise.

There is no Docker engine here, so the file is validated against the Compose Specification
schema (vendored, see SCHEMA-NOTICE.md) and the wiring is checked by reading it: Neo4j 5
community with a health check and volumes, the service built from ./Dockerfile, waiting for a
healthy Neo4j, configured by environment variables, and no secret written into the file.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from lineage.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
SCHEMA = json.loads((Path(__file__).parent / "compose-spec.schema.json").read_text())


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def _errors(doc: dict[str, Any]) -> list[str]:
    validator = Draft7Validator(SCHEMA)
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)
    ]


def test_compose_file_matches_the_compose_schema(compose: dict[str, Any]) -> None:
    assert _errors(compose) == []


@pytest.mark.parametrize(
    ("path", "bad"),
    [
        (("services", "neo4j", "ports"), {"bolt": 7687}),
        (("services", "lineage", "depends_on"), {"neo4j": {"condition": "when_ready"}}),
        (("services", "lineage", "unknown_key"), True),
    ],
)
def test_the_schema_check_can_fail(compose: dict[str, Any], path: tuple, bad: object) -> None:
    broken = copy.deepcopy(compose)
    node = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = bad
    assert _errors(broken)


def test_neo4j_is_5_community_with_health_check_and_volumes(compose: dict[str, Any]) -> None:
    neo4j = compose["services"]["neo4j"]
    assert re.fullmatch(r"neo4j:5\.\d+(\.\d+)?-community", neo4j["image"])
    assert neo4j["healthcheck"]["test"][0] == "CMD-SHELL"
    assert "cypher-shell" in neo4j["healthcheck"]["test"][1]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in neo4j["volumes"]}
    assert "/data" in mounts and mounts["/data"] in compose["volumes"]
    for port in neo4j.get("ports", []):
        assert port.startswith("127.0.0.1:"), "Neo4j must not listen beyond the host"


def test_service_is_built_here_and_waits_for_a_healthy_neo4j(compose: dict[str, Any]) -> None:
    svc = compose["services"]["lineage"]
    assert (ROOT / svc["build"]["context"] / svc["build"]["dockerfile"]).is_file()
    assert svc["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert "volumes" not in svc, "with the Neo4j store the service keeps no local state"


def test_service_environment_is_what_the_settings_read(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    env = compose["services"]["lineage"]["environment"]
    assert env["LINEAGE_STORE"].startswith(("neo4j://neo4j:", "bolt://neo4j:"))
    fake = {k: re.sub(r"\$\{[^}]*\}", "x" * 12, str(v)) for k, v in env.items()}
    for key, value in fake.items():
        monkeypatch.setenv(key, value)
    settings = Settings.from_env()
    assert settings.store == env["LINEAGE_STORE"]
    assert settings.neo4j_password is not None and settings.api_token is not None
    assert settings.neo4j_database == env["LINEAGE_NEO4J_DATABASE"]


REQUIRED_SECRETS = {"NEO4J_AUTH", "LINEAGE_NEO4J_PASSWORD", "LINEAGE_API_TOKEN"}


def test_no_secret_is_written_into_the_file(compose: dict[str, Any]) -> None:
    """Secrets come from the environment (.env); the required ones fail loudly when unset."""
    secrets = {
        key: str(value)
        for service in compose["services"].values()
        for key, value in service.get("environment", {}).items()
        if re.search(r"PASSWORD|TOKEN|AUTH", key)
    }
    assert secrets.keys() >= REQUIRED_SECRETS
    for key, value in secrets.items():
        literal = re.sub(r"\$\{[^}]*\}", "", value)
        assert literal in {"", "neo4j/"}, f"{key} holds a literal secret: {value!r}"
        if key in REQUIRED_SECRETS:
            assert ":?" in value, f"{key} must be required (${{VAR:?message}})"
