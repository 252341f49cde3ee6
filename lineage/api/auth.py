"""Bearer-token scopes: ``write`` for ingest and mutations, ``read`` for queries.

The write token also grants read. Reads are open unless a read token is configured.
Tokens are compared in constant time and never logged.
"""

from __future__ import annotations

import hmac
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from lineage.settings import Settings

__all__ = ["Scope", "granted_scopes", "require_read", "require_write"]

_bearer = HTTPBearer(auto_error=False)


class Scope(StrEnum):
    READ = "read"
    WRITE = "write"


def _same(given: str, secret: str) -> bool:
    return hmac.compare_digest(given.encode(), secret.encode())


def granted_scopes(settings: Settings, token: str | None) -> set[Scope]:
    """Scopes a presented token (or none) grants under these settings."""
    scopes: set[Scope] = set()
    write = settings.api_token.get_secret_value() if settings.api_token else None
    read = settings.read_token.get_secret_value() if settings.read_token else None
    if token and write and _same(token, write):
        scopes |= {Scope.READ, Scope.WRITE}
    if token and read and _same(token, read):
        scopes.add(Scope.READ)
    if read is None:
        scopes.add(Scope.READ)
    return scopes


def _token(creds: HTTPAuthorizationCredentials | None) -> str | None:
    return creds.credentials if creds else None


def _require(scope: Scope):  # type: ignore[no-untyped-def]
    def check(
        request: Request,
        creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> set[Scope]:
        settings: Settings = request.app.state.settings
        if scope is Scope.WRITE and settings.api_token is None:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                "writes are disabled: configure LINEAGE_API_TOKEN (or LINEAGE_API_TOKEN_FILE)",
            )
        scopes = granted_scopes(settings, _token(creds))
        if scope not in scopes:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                f"a bearer token with {scope.value} scope is required",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return scopes

    return check


require_read = _require(Scope.READ)
require_write = _require(Scope.WRITE)
