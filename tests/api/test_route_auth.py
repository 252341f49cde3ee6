"""Every route and every GraphQL mutation refuses a request without a token and one with
only the read token. The routes come from the OpenAPI document itself, so a route added
later is covered without editing this file.

Two layers are checked: the real server (``lineage serve``, whole stack) and the routes'
own dependencies (the app with the request gate removed), so removing either check fails
a test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from gql_server import Serve
from graphql import GraphQLList, GraphQLNonNull, GraphQLScalarType, GraphQLType

from lineage.api import create_app
from lineage.api.graphql import build_schema
from lineage.api.guard import Guard
from lineage.settings import Settings
from lineage.store import Store, open_store

READ, WRITE = "read-token-routes", "write-token-routes"
_OPEN = {"/healthz", "/readyz"}


def _routes() -> list[tuple[str, str]]:
    doc = create_app(Settings(store="unused")).openapi()
    found = [
        (method.upper(), re.sub(r"\{[^}]+\}", "x", path))
        for path, operations in doc["paths"].items()
        for method in operations
        if path not in _OPEN
    ]
    assert len(found) >= 12, found  # sanity: the document was read
    return sorted(found)


ROUTES = _routes()
WRITES = [(m, p) for m, p in ROUTES if m != "GET" and p != "/graphql"]  # graphql: below


def _literal(kind: GraphQLType) -> str:
    """A literal of this input type (values do not matter: the call must be refused)."""
    if isinstance(kind, GraphQLNonNull):
        return _literal(kind.of_type)
    if isinstance(kind, GraphQLList):
        return f"[{_literal(kind.of_type)}]"
    assert isinstance(kind, GraphQLScalarType), kind
    return {"Boolean": "false", "Int": "1", "Float": "1.0"}.get(kind.name, '"x"')


def _mutations() -> list[str]:
    schema = build_schema()._schema
    assert schema.mutation_type is not None
    documents = []
    for name, field in schema.mutation_type.fields.items():
        args = ", ".join(f"{a}: {_literal(arg.type)}" for a, arg in field.args.items())
        documents.append(f"mutation {{ {name}({args}) {{ __typename }} }}")
    assert len(documents) >= 2
    return documents


MUTATIONS = _mutations()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serve]:
    root = tmp_path_factory.mktemp("routes")
    open_store(root / "store").close()
    env = {"LINEAGE_API_TOKEN": WRITE, "LINEAGE_READ_TOKEN": READ, "LINEAGE_POLICIES": "off"}
    serve = Serve(root / "store", env)
    serve.start()
    try:
        yield serve
    finally:
        serve.stop()


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_writes_refuse_no_token_and_the_read_token(server: Serve, method: str, path: str):
    for headers in ({}, {"Authorization": f"Bearer {READ}"}, {"Authorization": "Bearer nope"}):
        resp = httpx.request(method, server.url + path, headers=headers, json={})
        assert resp.status_code == 401, (method, path, headers, resp.text)
        assert resp.headers["www-authenticate"] == "Bearer"
    resp = httpx.request(method, server.url + path, headers={"Authorization": f"Bearer {WRITE}"})
    assert resp.status_code not in (401, 403), (method, path, resp.text)


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_route_refuses_a_request_without_a_token(server: Serve, method: str, path: str):
    resp = httpx.request(method, server.url + path)
    assert resp.status_code == 401, (method, path, resp.text)


@pytest.mark.parametrize("document", MUTATIONS)
def test_mutations_refuse_no_token_and_the_read_token(server: Serve, document: str) -> None:
    assert server.gql(document).status_code == 401  # reads (and so the route) need a token
    body = server.gql(document, token=READ).json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    body = server.gql(document, token=WRITE).json()  # the write token gets past auth
    assert "UNAUTHENTICATED" not in {e["extensions"]["code"] for e in body.get("errors", [])}


@pytest.fixture(scope="module")
def ungated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app without its request gate: only the routes' own dependencies guard it."""
    root = tmp_path_factory.mktemp("ungated")
    store: Store = open_store(root / "store")
    settings = Settings(store=str(root / "store"), api_token=WRITE, read_token=READ, policies="off")
    app: FastAPI = create_app(settings, store=store)
    app.user_middleware = [m for m in app.user_middleware if m.cls is not Guard]
    try:
        with TestClient(app) as client:
            yield client
    finally:
        store.close()


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_each_route_checks_its_own_scope_too(ungated: TestClient, method: str, path: str):
    read_ok = method == "GET" or path == "/graphql"  # its mutations: tested above
    for token, allowed in ((None, False), (READ, read_ok)):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        resp = ungated.request(method, path, headers=headers, json={})
        refused = resp.status_code in (401, 403)
        assert refused is not allowed, (method, path, token, resp.status_code, resp.text)


def test_the_document_says_when_reads_are_open() -> None:
    open_reads = create_app(Settings(store="unused", api_token=WRITE)).openapi()
    closed = create_app(Settings(store="unused", api_token=WRITE, read_token=READ)).openapi()
    for doc, optional in ((open_reads, True), (closed, False)):
        findings = doc["paths"]["/api/v1/findings"]["get"]
        assert ({} in findings["security"]) is optional
        assert {} not in doc["paths"]["/api/v1/redact"]["post"]["security"]  # writes: never
        assert {"400", "401", "403", "413"} <= set(
            doc["paths"]["/api/v1/redact"]["post"]["responses"]
        )
