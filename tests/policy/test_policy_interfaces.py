"""The CLI and GraphQL faces of policies: same functions, same results."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import strawberry
from graphs import flow, label, node, uid, write
from typer.testing import CliRunner

from lineage.api.graphql.findings import findings_field
from lineage.cli import app
from lineage.errors import ParseError
from lineage.model import Edge, Kind, Rel
from lineage.policy import Enforcer, load_text
from lineage.store import Store, open_store

USERS = uid(Kind.DATASET, "crm.public.users")
EP = uid(Kind.ENDPOINT, "chat", "https://api.x")
ANN = uid(Kind.PRINCIPAL, "ann", "okta")
SHADOWS = [uid(Kind.MODEL, f"wrapper-{i}", "https://api.openai.com") for i in range(3)]
POLICY = """\
id: shadow
description: no PII to shadow models
severity: high
match: {kind: shadow_model_receives}
"""


def _graph(store: Store) -> None:
    write(
        store,
        node(USERS),
        node(EP, exposure="public"),
        node(ANN),
        Edge(ANN, Rel.CAN_ACCESS, EP, {"permission": "invoke"}, key="iam"),
        *(node(m, registered=False) for m in SHADOWS),
        *(flow(USERS, m, "infer") for m in SHADOWS),
        label(USERS, "PII:EMAIL_ADDRESS"),
    )


def _cli(store: Path, *args: str):
    result = CliRunner().invoke(app, ["--store", str(store), *args], catch_exceptions=False)
    return result


def test_cli_check_remediate_undo_audit(tmp_path: Path) -> None:
    location = tmp_path / "store"
    with open_store(location) as store:
        _graph(store)
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "shadow.yaml").write_text(POLICY)

    listed = _cli(location, "policy", "list", "--json", "--policies", str(policies))
    assert [p["id"] for p in json.loads(listed.stdout)] == ["shadow"]
    checked = _cli(location, "policy", "check", "--json", "--policies", str(policies))
    data = json.loads(checked.stdout)
    assert checked.exit_code == 0 and len(data["findings"]) == 3 and len(data["new"]) == 3
    again = _cli(
        location, "policy", "check", "--json", "--policies", str(policies), "--fail-on", "high"
    )
    assert again.exit_code == 1 and json.loads(again.stdout)["new"] == []
    found = json.loads(_cli(location, "policy", "findings", "--json", "--first", "2").stdout)
    assert len(found["findings"]) == 2 and found["next_cursor"]

    dry = json.loads(_cli(location, "remediate", "quarantine", EP, "--json").stdout)
    assert dry["dry_run"] is True
    applied = json.loads(_cli(location, "remediate", "quarantine", EP, "--apply", "--json").stdout)
    assert applied["dry_run"] is False and applied["after"]["removed"] == 1
    with open_store(location) as store:
        assert store.get_node(EP).props["quarantined"] is True
    undone = _cli(location, "remediate", "undo", applied["action_id"], "--json")
    assert json.loads(undone.stdout)["action"] == "quarantine"
    verified = json.loads(_cli(location, "audit", "--verify", "--json").stdout)
    assert verified["ok"] and verified["entries"] == 3
    log = json.loads(_cli(location, "audit", "--json").stdout)
    assert [e["kind"] for e in log] == ["action", "action", "undo"]
    with open_store(location) as store:
        assert store.get_node(EP).props.get("quarantined") is None
        assert len(store.neighbours(EP, direction="in", rels=[Rel.CAN_ACCESS])) == 1

    bad = tmp_path / "bad.yaml"
    bad.write_text(POLICY.replace("severity: high", "severity: urgent"))
    with pytest.raises(ParseError, match=r"bad\.yaml:3"):
        _cli(location, "policy", "validate", str(bad))


def test_graphql_findings_filter_and_paginate(store: Store) -> None:
    _graph(store)
    Enforcer(store, load_text(POLICY)).check()

    @strawberry.type
    class Query:
        findings = findings_field

    schema = strawberry.Schema(query=Query)
    query = """
    query($after: String, $status: [String!]) {
      findings(first: 2, after: $after, status: $status) {
        edges { cursor node { fingerprint policy status risk labels roles { role uid } evidence } }
        pageInfo { hasNextPage endCursor }
      }
    }"""

    def run(**variables: object) -> dict:
        result = asyncio.run(
            schema.execute(query, variable_values=variables, context_value={"store": store})
        )
        assert result.errors is None, result.errors
        return result.data["findings"]

    first = run()
    assert len(first["edges"]) == 2 and first["pageInfo"]["hasNextPage"]
    second = run(after=first["pageInfo"]["endCursor"])
    assert len(second["edges"]) == 1 and not second["pageInfo"]["hasNextPage"]
    models = {
        r["uid"]
        for page in (first, second)
        for e in page["edges"]
        for r in e["node"]["roles"]
        if r["role"] == "model"
    }
    assert models == set(SHADOWS)
    node0 = first["edges"][0]["node"]
    assert (
        node0["labels"] == ["PII", "PII:EMAIL_ADDRESS"]
        and node0["evidence"][0]["kind"] == "label_path"
    )
    assert run(status=["resolved"])["edges"] == []


def test_report_section(store: Store) -> None:
    from lineage.policy import findings_markdown, findings_section

    _graph(store)
    Enforcer(store, load_text(POLICY)).check()
    section = findings_section(store)
    assert section["counts"] == {"open": 3, "mitigated": 0, "resolved": 0}
    assert section["by_policy"] == {"shadow": 3} and section["by_severity"] == {"high": 3}
    assert {f["roles"]["model"] for f in section["findings"]} == set(SHADOWS)
    text = findings_markdown(store)
    assert text.startswith("## Policy findings") and text.count("| high | open | shadow |") == 3
