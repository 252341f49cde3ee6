"""The OpenAPI document says every answer a route can give, not only its happy path.

FastAPI documents a route's success and its body validation (422). The answers given by
the request gate (:mod:`lineage.api.guard`), the error mapping and the routes that read
their bodies themselves are added here, in one table, so the document stays the contract
that ``tests/api/test_schemathesis.py`` holds the server to:

* every guarded operation: 400 (credentials in the query string, a malformed
  ``Content-Length``), 401 (no token, or one without the scope);
* every write: 403 (writes disabled: no write token configured), 503 (the store cannot
  commit writes now: :mod:`lineage.api.app`); every ``POST``: 413;
* reads say their token is optional when no read token is configured (reads are open);
* per route: :data:`ROUTE_RESPONSES`, and the raw bodies of the OpenLineage intake.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from lineage.api.auth import Scope
from lineage.api.guard import OPEN_PATHS, scope_of
from lineage.settings import Settings

__all__ = ["ROUTE_RESPONSES", "describe"]

_ERROR = {"application/json": {"schema": {"type": "object"}}}


def _answer(text: str) -> dict[str, Any]:
    return {"description": text, "content": _ERROR}


_EVENT = {"type": "object", "description": "An OpenLineage RunEvent, DatasetEvent or JobEvent."}
_TEXT_400 = {
    "description": "No query, or a body that is not a GraphQL request (strawberry's text).",
    "content": {**_ERROR, "text/plain": {"schema": {"type": "string"}}},
}
_GRAPHQL_REQUEST = {
    "type": "object",
    "required": ["query"],
    "properties": {
        "query": {"type": "string"},
        "variables": {"type": ["object", "null"]},
        "operationName": {"type": ["string", "null"]},
    },
}
_INTAKE_ERRORS = {
    "400": _answer("Not JSON, not one event, or a bad gzip body."),
    "415": _answer("A Content-Type that is not JSON."),
    "422": _answer("Schema violations, each naming the field."),
}
ROUTE_RESPONSES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/api/v1/lineage"): _INTAKE_ERRORS,
    ("post", "/api/v1/lineage/batch"): _INTAKE_ERRORS,
    ("post", "/api/v1/access-log"): {"400": _answer("A body that is not gzip as declared.")},
    ("post", "/api/v1/unredact"): {"400": _answer("Wrong key, or items that do not fit.")},
    ("get", "/api/v1/findings"): {"400": _answer("A cursor this server did not hand out.")},
    ("get", "/api/v1/findings/{fingerprint}"): {"404": _answer("No such finding.")},
    ("post", "/api/v1/remediate/undo/{action_id}"): {
        "404": _answer("No such action, or its node is gone."),
        "409": _answer("Already undone, a dry run, or the state moved on (use force)."),
    },
    ("post", "/graphql"): {"400": _TEXT_400},
    ("get", "/graphql"): {"400": _TEXT_400},
}
_REQUEST_BODIES = {
    "/api/v1/lineage": {"application/json": {"schema": _EVENT}},
    "/api/v1/lineage/batch": {
        "application/json": {"schema": {"type": "array", "items": _EVENT}},
        "application/x-ndjson": {"schema": {"type": "string"}},
    },
    "/graphql": {"application/json": {"schema": _GRAPHQL_REQUEST}},
}


def _augment(document: dict[str, Any], settings: Settings) -> None:
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            if path in OPEN_PATHS:
                continue
            responses = operation.setdefault("responses", {})
            needed = scope_of(method.upper(), path)
            added = {
                "400": _answer("Credentials in the query string, or a bad Content-Length."),
                "401": _answer("No bearer token, or one without the scope."),
            }
            if needed is Scope.WRITE:
                added["403"] = _answer("Writes are disabled: no write token is configured.")
                added["503"] = _answer("The store cannot commit writes now; see Retry-After.")
            if method == "post":
                added["413"] = _answer("Body larger than LINEAGE_MAX_REQUEST_BYTES.")
            added.update(ROUTE_RESPONSES.get((method, path), {}))
            for status, answer in added.items():
                responses.setdefault(status, answer)
            if needed is Scope.READ and settings.read_token is None:
                operation["security"] = [*operation.get("security", []), {}]  # token optional
            if method == "post" and path in _REQUEST_BODIES:
                operation["requestBody"] = {"required": True, "content": _REQUEST_BODIES[path]}


def describe(app: FastAPI, settings: Settings) -> None:
    """Make ``app.openapi()`` return the augmented document (built once, then cached)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _augment(build(), settings)
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
