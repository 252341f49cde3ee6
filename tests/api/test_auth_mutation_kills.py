"""The per-request scope check and the two FastAPI dependencies, in process.

Written from the mutants mutation testing left alive (BENCHMARKS.md, "Mutation score of
the core packages"): every expectation below is a fixed value, not one the code computes.
"""

from __future__ import annotations

import pytest
from fastapi import Depends, FastAPI, HTTPException
from fastapi.testclient import TestClient
from scoped_settings import READ, WRITE, scoped_settings

from lineage.api.auth import Scope, checked, require_read, require_write
from lineage.settings import Settings


def test_checked_returns_the_granted_scopes() -> None:
    assert checked(scoped_settings(WRITE), Scope.WRITE, WRITE) == {Scope.READ, Scope.WRITE}
    assert checked(scoped_settings(WRITE, READ), Scope.READ, READ) == {Scope.READ}
    assert checked(scoped_settings(), Scope.READ, None) == {Scope.READ}


def test_checked_401_asks_for_a_bearer_token() -> None:
    with pytest.raises(HTTPException) as caught:
        checked(scoped_settings(WRITE), Scope.WRITE, READ)
    assert caught.value.status_code == 401
    assert caught.value.detail == "a bearer token with write scope is required"
    assert caught.value.headers == {"WWW-Authenticate": "Bearer"}


def test_checked_403_has_no_challenge_header() -> None:
    with pytest.raises(HTTPException) as caught:
        checked(scoped_settings(), Scope.WRITE, "anything")
    assert caught.value.status_code == 403
    assert caught.value.detail == (
        "writes are disabled: configure LINEAGE_API_TOKEN (or LINEAGE_API_TOKEN_FILE)"
    )
    assert caught.value.headers is None


def _client(settings: Settings) -> TestClient:
    app = FastAPI()
    app.state.settings = settings

    @app.get("/read")
    def read(scopes: set[Scope] = Depends(require_read)) -> list[str]:  # noqa: B008
        return sorted(scopes)

    @app.get("/write")
    def write(scopes: set[Scope] = Depends(require_write)) -> list[str]:  # noqa: B008
        return sorted(scopes)

    return TestClient(app)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_dependencies_decide_per_request() -> None:
    client = _client(scoped_settings(WRITE, READ))
    assert client.get("/read", headers=_bearer(READ)).json() == ["read"]
    assert client.get("/write", headers=_bearer(WRITE)).json() == ["read", "write"]
    refused = client.get("/write", headers=_bearer(READ))
    assert refused.status_code == 401
    assert refused.json() == {"detail": "a bearer token with write scope is required"}
    assert refused.headers["www-authenticate"] == "Bearer"
    anonymous = client.get("/read")
    assert anonymous.status_code == 401
    assert anonymous.json() == {"detail": "a bearer token with read scope is required"}


def test_reads_open_and_writes_disabled_without_tokens() -> None:
    client = _client(scoped_settings())
    assert client.get("/read").json() == ["read"]
    refused = client.get("/write", headers=_bearer(WRITE))
    assert refused.status_code == 403
    assert "www-authenticate" not in refused.headers
