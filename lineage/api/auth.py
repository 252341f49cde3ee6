"""Bearer-token scopes: ``write`` for ingest and mutations, ``read`` for queries.

The write token also grants read. Reads are open unless a read token is configured.
Tokens are compared in constant time and never logged.
"""

from __future__ import annotations

import hmac
from enum import StrEnum
from typing import Annotated, NamedTuple

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from lineage.settings import Settings

__all__ = [
    "Refusal",
    "Scope",
    "bearer_token",
    "checked",
    "granted_scopes",
    "refusal",
    "require_read",
    "require_write",
]

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


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


class Refusal(NamedTuple):
    """Why a request is refused: the HTTP status and the message users see."""

    status: int
    message: str


def refusal(settings: Settings, scope: Scope, token: str | None) -> Refusal | None:
    """The one decision: may a request with this token (or none) act in this scope?"""
    if scope is Scope.WRITE and settings.api_token is None:
        return Refusal(
            status.HTTP_403_FORBIDDEN,
            "writes are disabled: configure LINEAGE_API_TOKEN (or LINEAGE_API_TOKEN_FILE)",
        )
    if scope not in granted_scopes(settings, token):
        return Refusal(
            status.HTTP_401_UNAUTHORIZED, f"a bearer token with {scope.value} scope is required"
        )
    return None


_Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def checked(settings: Settings, scope: Scope, token: str | None) -> set[Scope]:
    """The scopes granted, or the refusal raised as an HTTP error.

    Decided per request (not in a closure built at import) so that every branch of the
    check runs, and can be tested, on each call.
    """
    refused = refusal(settings, scope, token)
    if refused is not None:
        headers = {"WWW-Authenticate": "Bearer"} if refused.status == 401 else None
        raise HTTPException(refused.status, refused.message, headers=headers)
    return granted_scopes(settings, token)


def require_read(request: Request, creds: _Credentials) -> set[Scope]:
    """FastAPI dependency: the request may read (queries)."""
    return checked(request.app.state.settings, Scope.READ, _token(creds))


def require_write(request: Request, creds: _Credentials) -> set[Scope]:
    """FastAPI dependency: the request may write (ingest and mutations)."""
    return checked(request.app.state.settings, Scope.WRITE, _token(creds))
