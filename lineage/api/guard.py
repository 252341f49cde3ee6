"""The gate every request passes before any route reads its body: auth first, then size.

FastAPI resolves a route's body parameters before its dependencies, so a token check
written as a dependency runs only after the whole body was read and parsed: an
unauthenticated client could make the server buffer and parse hundreds of megabytes.
This ASGI middleware decides from the request line and headers alone, in this order:

=======================================  =====  ============================================
a token in the query string              400    refused whatever else is sent (URLs are
(``access_token``, ``token``, ...)              logged by proxies and access logs)
no or wrong token for the route's scope  401    ``WWW-Authenticate: Bearer``
a write while no write token is set      403
``Content-Length`` over the limit        413    before a byte of the body is read
more body bytes than the limit arrive    413    counted as they stream (chunked uploads)
=======================================  =====  ============================================

Scopes by route: ``/healthz``, ``/readyz`` and the API description (``/openapi.json``,
``/docs``, ``/redoc``) are open; other ``GET``/``HEAD``/``OPTIONS`` requests need the
read scope; ``POST /graphql`` needs read (its mutations check the write scope per
field); every other method needs write. The routes keep their own dependencies as well,
so the OpenAPI document states the scheme and a route mounted elsewhere stays guarded.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from lineage.api.auth import Scope, bearer_token, refusal
from lineage.settings import Settings

__all__ = ["OPEN_PATHS", "QUERY_TOKEN_NAMES", "Guard", "scope_of"]

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Message, Receive, Send], Awaitable[None]]

OPEN_PATHS = frozenset(
    {"/healthz", "/readyz", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
)
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Query parameters that carry credentials in other APIs; we never accept them.
QUERY_TOKEN_NAMES = frozenset(
    {"access_token", "token", "api_key", "apikey", "api-key", "key", "auth", "authorization"}
)


def scope_of(method: str, path: str) -> Scope | None:
    """The scope a request needs (None: open)."""
    if method in READ_METHODS:
        return None if path in OPEN_PATHS else Scope.READ
    if path.rstrip("/") == "/graphql":
        return Scope.READ
    return Scope.WRITE


class _TooLarge(Exception):
    """More body bytes arrived than the limit allows."""


def _response(
    status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]] | None = None
) -> tuple[Message, Message]:
    raw = json.dumps(body).encode()
    start = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(raw)).encode()),
            (b"connection", b"close"),
            *(headers or []),
        ],
    }
    return start, {"type": "http.response.body", "body": raw}


class Guard:
    """ASGI middleware: refuse by token and size before the application reads a byte."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Message, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = self._refusal(scope)
        if refused is not None:
            start, body = refused
            await send(start)
            await send(body)
            return
        await self._limited(scope, receive, send)

    def _refusal(self, scope: Message) -> tuple[Message, Message] | None:
        query = scope.get("query_string", b"").decode("latin-1")
        names = {name.lower() for name, _ in parse_qsl(query, keep_blank_values=True)}
        if names & QUERY_TOKEN_NAMES:
            message = (
                "credentials in the query string are refused (URLs are logged): "
                "send Authorization: Bearer <token>"
            )
            return _response(400, {"detail": message})
        headers = {k.lower(): v for k, v in scope.get("headers", ())}
        needed = scope_of(scope["method"], scope["path"])
        if needed is not None:
            token = bearer_token(headers.get(b"authorization", b"").decode("latin-1"))
            refused = refusal(self.settings, needed, token)
            if refused is not None:
                extra = [(b"www-authenticate", b"Bearer")] if refused.status == 401 else []
                return _response(refused.status, {"detail": refused.message}, extra)
        declared = headers.get(b"content-length")
        limit = self.settings.max_request_bytes
        if declared is not None:
            if not declared.strip().isdigit():
                return _response(400, {"detail": "Content-Length is not a number"})
            if int(declared) > limit:
                return _response(413, {"detail": f"request body larger than {limit} bytes"})
        return None

    async def _limited(self, scope: Message, receive: Receive, send: Send) -> None:
        """Run the application, counting body bytes; over the limit, answer 413 instead."""
        limit = self.settings.max_request_bytes
        seen = 0
        over = False
        started = False

        async def counting_receive() -> Message:
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    over = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if over:  # whatever the route made of the cut-off body, the answer is 413
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not over:
                raise
        if over and not started:
            start, body = _response(413, {"detail": f"request body larger than {limit} bytes"})
            await send(start)
            await send(body)
