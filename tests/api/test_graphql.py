"""GraphQL over real HTTP against ``lineage serve``: the questions, pagination, the abuse
limits, error codes and bearer scopes."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from gql_server import Serve

sys.path.insert(0, str(Path(__file__).parents[1] / "query"))
from graph_builder import Builder, col, ds, endpoint, model

from lineage.store import open_store

READ, WRITE = "read-token-for-tests", "write-token-for-tests"
EMAIL = ["PII", "PII:EMAIL_ADDRESS"]


def _estate(path: Path) -> None:
    store = open_store(path)
    try:
        b = Builder(store)
        b.flow("users.email", "feats.email").flow("users.id", "feats.id")
        b.flow("users", "feats", column_detail=True)
        b.flow("feats", model("m"), kind="train").flow(model("m"), endpoint("chat"), kind="serve")
        b.flow(model("m"), endpoint("admin"), kind="serve")
        b.endpoint("chat", "public", "alice", "bob").endpoint("admin", "internal", "carol")
        for i in range(5):
            b.node(f"extra{i}")
        b.write()
        b.labels("users.email", EMAIL, own=["PII:EMAIL_ADDRESS"]).labels("users", EMAIL)
        for name in ("feats.email", "feats", model("m"), endpoint("chat"), endpoint("admin")):
            b.labels(name, EMAIL)
    finally:
        store.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serve]:
    root = tmp_path_factory.mktemp("gql")
    _estate(root / "store")
    serve = Serve(root / "store", {"LINEAGE_API_TOKEN": WRITE, "LINEAGE_READ_TOKEN": READ})
    serve.start()
    try:
        yield serve
    finally:
        serve.stop()


def _data(resp: httpx.Response) -> dict:
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert "errors" not in body, body
    return body["data"]


def _codes(resp: httpx.Response) -> list[str]:
    body = resp.json()
    return [e["extensions"]["code"] for e in body.get("errors", [])]


def test_reads_need_the_read_token(server):
    assert server.gql('{ asset(uid: "x") { uid } }').status_code == 401
    assert server.gql('{ asset(uid: "x") { uid } }', token="wrong").status_code == 401
    assert _data(server.gql('{ asset(uid: "x") { uid } }', token=READ)) == {"asset": None}
    assert _data(server.gql('{ asset(uid: "x") { uid } }', token=WRITE)) == {"asset": None}


def test_asset_and_search_with_keyset_pages(server):
    q = "query($uid: ID!) { asset(uid: $uid) { uid kind labels ownLabels principals exposure } }"
    asset = _data(server.gql(q, {"uid": endpoint("chat")}, READ))["asset"]
    assert asset["kind"] == "Endpoint" and asset["exposure"] == "public"
    assert asset["labels"] == EMAIL and len(asset["principals"]) == 2
    page = """query($after: String) {
        search(text: "extra", kind: "Dataset", first: 2, after: $after) {
          edges { cursor node { uid } } pageInfo { hasNextPage hasPreviousPage endCursor } } }"""
    seen, after, pages = [], None, 0
    while True:
        conn = _data(server.gql(page, {"after": after}, READ))["search"]
        seen += [e["node"]["uid"] for e in conn["edges"]]
        pages += 1
        assert conn["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert pages == 3 and seen == sorted(ds(f"extra{i}") for i in range(5))


def test_exposure_paths_with_evidence(server):
    q = """{ exposurePaths(label: "PII") { totalCount pageInfo { hasNextPage }
        edges { node { labels principals origin { uid } endpoint { uid exposure }
          risk { score factors { name value why } explanation }
          path { nodes { uid }
                 hops { rel kind transformationType transformationSubtype } } } } } }"""
    conn = _data(server.gql(q, token=READ))["exposurePaths"]
    assert conn["totalCount"] == 1 and not conn["pageInfo"]["hasNextPage"]
    node = conn["edges"][0]["node"]
    assert node["origin"]["uid"] == col("users", "email")
    assert node["endpoint"] == {"uid": endpoint("chat"), "exposure": "public"}
    assert [n["uid"] for n in node["path"]["nodes"]][-2:] == [model("m"), endpoint("chat")]
    assert node["path"]["hops"][0] == {
        "rel": "FLOWS_TO",
        "kind": "transform",
        "transformationType": "DIRECT",
        "transformationSubtype": "IDENTITY",
    }
    assert [f["name"] for f in node["risk"]["factors"]] == [
        "sensitivity",
        "exposure",
        "access",
        "confidence",
    ]
    internal = (
        """{ exposurePaths(exposures: ["internal"]) { edges { node { endpoint { uid } } } } }"""
    )
    edges = _data(server.gql(internal, token=READ))["exposurePaths"]["edges"]
    assert [e["node"]["endpoint"]["uid"] for e in edges] == [endpoint("admin")]


def test_blast_radius_nested_pagination(server):
    q = """query($uid: ID!, $after: String) { blastRadius(uid: $uid) {
        depthReached byKind { kind count } labels
        affected(first: 3, after: $after) { totalCount edges { node { asset { uid } depth } }
          pageInfo { hasNextPage endCursor } }
        ranked(first: 5) { edges { node { asset { uid } risk { score } principals } } }
        edges(first: 50) { edges { node { src dst rel kind via transformationType } } } } }"""
    first = _data(server.gql(q, {"uid": ds("users")}, READ))["blastRadius"]
    assert {k["kind"]: k["count"] for k in first["byKind"]} == {
        "Column": 4,
        "Dataset": 1,
        "Endpoint": 2,
        "Model": 1,
    }
    total = first["affected"]["totalCount"]
    uids, page = [], first["affected"]
    while True:
        uids += [e["node"]["asset"]["uid"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        page = _data(server.gql(q, {"uid": ds("users"), "after": after}, READ))["blastRadius"][
            "affected"
        ]
    assert len(uids) == total == 8 and len(set(uids)) == 8
    hops = [e["node"] for e in first["edges"]["edges"]]
    flows = [h for h in hops if h["rel"] == "FLOWS_TO"]
    assert flows and all(h["via"] and h["kind"] for h in flows)  # details filled per page
    assert {h["kind"] for h in flows} == {"transform", "train", "serve"}
    ranked = [e["node"]["asset"]["uid"] for e in first["ranked"]["edges"]]
    assert ranked == [endpoint("chat"), model("m"), endpoint("admin")]  # internal ranks last


def test_lineage_and_inventory(server):
    q = """query($uid: ID!) { lineage(uid: $uid, direction: UP) { depthReached
        nodes { edges { node { depth asset { uid } } } } edges { edges { node { src dst } } } } }"""
    lin = _data(server.gql(q, {"uid": endpoint("chat")}, READ))["lineage"]
    assert [e["node"]["asset"]["uid"] for e in lin["nodes"]["edges"]] == [
        model("m"),
        ds("feats"),
        ds("users"),
    ]
    inv = '{ inventory(kinds: ["Endpoint"]) { totalCount edges { node { uid shadow } } } }'
    assert _data(server.gql(inv, token=READ))["inventory"]["totalCount"] == 2


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ('{ blastRadius(uid: "x") { origin { uid } } }', "NOT_FOUND"),
        ('{ search(text: "a", first: 1000) { edges { cursor } } }', "BAD_USER_INPUT"),
        ('{ search(text: "a", after: "!!nope") { edges { cursor } } }', "BAD_USER_INPUT"),
        ('{ blastRadius(uid: "dataset:pg:a.b", depth: 500) { depthReached } }', "BAD_USER_INPUT"),
        ('{ search(text: "a", kind: "Table") { edges { cursor } } }', "BAD_USER_INPUT"),
    ],
)
def test_errors_are_mapped_to_codes(server, query, fragment):
    resp = server.gql(query, token=READ)
    assert resp.status_code == 200
    assert _codes(resp) == [fragment]


def test_depth_alias_and_token_limits_reject_abusive_queries(server):
    # the deepest real question (7 levels) runs
    deepest = """query($uid: ID!) { blastRadius(uid: $uid) { ranked { edges { node {
        path { nodes { uid } hops { src } } risk { factors { name } } } } } } }"""
    assert "errors" not in server.gql(deepest, {"uid": ds("users")}, READ).json()
    # The schema has no recursive field, so only an invalid selection can go deeper: the depth
    # rule reports it next to the unknown fields, and nothing executes.
    bomb = deepest.replace("nodes { uid }", "nodes { " + "a { " * 6 + "b" + " }" * 6 + " }")
    resp = server.gql(bomb, {"uid": ds("users")}, READ)
    assert set(_codes(resp)) == {"GRAPHQL_VALIDATION"}
    messages = [e["message"] for e in resp.json()["errors"]]
    assert any("exceeds maximum operation depth of 10" in m for m in messages)
    assert resp.json().get("data") is None
    aliases = "{ " + " ".join(f'a{i}: asset(uid: "x") {{ uid }}' for i in range(20)) + " }"
    resp = server.gql(aliases, token=READ)
    assert _codes(resp) == ["GRAPHQL_VALIDATION"]
    assert "aliases" in resp.json()["errors"][0]["message"].lower()
    few = "{ " + " ".join(f'a{i}: asset(uid: "x") {{ uid }}' for i in range(10)) + " }"
    assert "errors" not in server.gql(few, token=READ).json()
    tokens = "{ " + " ".join("__typename" for _ in range(2100)) + " }"
    resp = server.gql(tokens, token=READ)
    assert _codes(resp) == ["GRAPHQL_VALIDATION"]
    assert "token" in resp.json()["errors"][0]["message"].lower()


def test_mutations_need_the_write_scope_and_propagate(server):
    declare = """mutation($uid: ID!) {
        declareLabel(uid: $uid, label: "PHI:MEDICAL_RECORD", reason: "clinical notes column") {
          action labelsChanged asset { uid ownLabels labels } } }"""
    resp = server.gql(declare, {"uid": col("users", "id")}, READ)
    assert _codes(resp) == ["UNAUTHENTICATED"]
    change = _data(server.gql(declare, {"uid": col("users", "id")}, WRITE))["declareLabel"]
    assert change["action"] == "declare"
    assert "PHI:MEDICAL_RECORD" in change["asset"]["ownLabels"]
    q = "query($uid: ID!) { asset(uid: $uid) { labels } }"
    downstream = _data(server.gql(q, {"uid": col("feats", "id")}, READ))["asset"]["labels"]
    assert "PHI:MEDICAL_RECORD" in downstream  # propagated by the sensitivity pipeline
    declassify = """mutation($uid: ID!) { declassifyLabel(uid: $uid, labels: ["PHI"],
        reason: "synthetic ids only") { action asset { uid labels } } }"""
    out = _data(server.gql(declassify, {"uid": col("feats", "id")}, WRITE))["declassifyLabel"]
    assert out["action"] == "declassify"
    assert not any(lab.startswith("PHI") for lab in out["asset"]["labels"])
    missing = server.gql(declare, {"uid": col("users", "nope")}, WRITE)
    assert _codes(missing) == ["NOT_FOUND"]
    # serve's default logging shows the audit lines; a refused attempt is one line, no trace
    log = (server.store.parent / f"serve-{server.port}.log").read_text()
    assert f"declare label=PHI:MEDICAL_RECORD uid={col('users', 'id')} by=api:" in log
    assert f"declassify labels=PHI uid={col('feats', 'id')} by=api:" in log
    assert "graphql unauthenticated: a bearer token with write scope is required" in log
    assert "Traceback" not in log


def test_graphiql_only_when_configured(server, tmp_path):
    page = httpx.get(f"{server.url}/graphql", headers={"Accept": "text/html",
                     "Authorization": f"Bearer {READ}"})  # fmt: skip
    assert "graphiql" not in page.text.lower()


def test_graphiql_served_when_configured(tmp_path):
    from fastapi.testclient import TestClient

    from lineage.api import create_app
    from lineage.settings import Settings

    store = open_store(tmp_path / "store")
    try:
        for enabled, status in ((True, 200), (False, 404)):
            app = create_app(Settings(store=str(tmp_path / "store"), graphiql=enabled), store=store)
            with TestClient(app) as client:
                page = client.get("/graphql", headers={"Accept": "text/html"})
            assert page.status_code == status
            assert ("graphiql" in page.text.lower()) is enabled
    finally:
        store.close()


def test_findings_over_http(server):
    """Continuous mode evaluates the starter policies when the service starts."""
    q = """query { findings(first: 10) {
        edges { node { policy severity status roles { role uid } } }
        pageInfo { hasNextPage } } }"""
    edges = _data(server.gql(q, token=READ))["findings"]["edges"]
    training = [e["node"] for e in edges if "training" in e["node"]["policy"]]
    assert training, edges
    assert {"uid": model("m"), "role": "model"} in training[0]["roles"]


def test_assets_say_when_they_are_quarantined_or_abused(server):
    q = "query($uid: ID!) { asset(uid: $uid) { quarantined runtimeFindings } }"
    asset = _data(server.gql(q, {"uid": endpoint("chat")}, READ))["asset"]
    assert asset == {"quarantined": False, "runtimeFindings": []}
