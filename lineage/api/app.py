"""The FastAPI application factory: one store per process, routers mounted here.

Store health is part of the contract: ``/healthz`` and ``/readyz`` answer 503 while the
store cannot be reached (after trying to heal it: see :mod:`lineage.store.falkor`), and every
write request is refused with 503 and ``Retry-After`` before its body is read, so nothing is
acknowledged that cannot be committed. Store timeouts answer 504 naming the statement.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from lineage.api.contract import describe
from lineage.api.guard import Guard
from lineage.errors import (
    ConfigError,
    InvalidId,
    LineageError,
    NodeNotFound,
    ParseError,
    StoreTimeout,
    StoreUnavailable,
)
from lineage.settings import Settings
from lineage.store import Store, open_store, store_timeout

API_READ_TIMEOUT = 30.0  # seconds: the statement timeout under serve unless configured

__all__ = ["create_app", "error_status"]


def error_status(exc: LineageError) -> int:
    """The one mapping from our errors to HTTP status codes."""
    if isinstance(exc, NodeNotFound):
        return 404
    if isinstance(exc, (ParseError, InvalidId, ConfigError)):
        return 400
    if isinstance(exc, StoreUnavailable):
        return 503
    if isinstance(exc, StoreTimeout):
        return 504
    return 500


class _RefuseNulInUrl:
    """400 for a NUL (``%00``) in the path or query string, before any route runs: no
    store can take it as a parameter (FalkorDB refuses the whole query), so a filter such
    as ``/findings?policy=a%00b`` would otherwise end as a 500."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and (
            b"%00" in scope.get("query_string", b"") or "\x00" in scope.get("path", "")
        ):
            message = "NUL (%00) in the URL: not a valid value for any parameter"
            response = JSONResponse({"error": "BadRequest", "message": message}, 400)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def store_health(store: Store) -> str | None:
    """Why the store cannot be used right now (None when it answers). Heals if it can."""
    check = getattr(store, "check", None)
    try:
        if check is not None:
            check()
        else:
            store.query("RETURN 1 AS ok")
    except LineageError as exc:
        return str(exc) or type(exc).__name__
    return None


class _WriteGuard:
    """Refuse writes (503) while the store cannot commit them, before reading the body."""

    _READS = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in self._READS:
            store = getattr(scope["app"].state, "store", None)
            why = await run_in_threadpool(store_health, store) if store is not None else None
            if why is not None:
                body = {"error": "StoreUnavailable", "message": f"writes refused: {why}"}
                headers = {"Retry-After": "1"}
                await JSONResponse(body, 503, headers=headers)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> FastAPI:
    """Build the service. Pass ``store`` to share an open store (tests, embedding)."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = store is None
        app.state.store = (
            store
            if store is not None
            else open_store(settings.store, timeout=store_timeout(API_READ_TIMEOUT))
        )
        try:
            yield
        finally:
            if owned:
                app.state.store.close()

    app = FastAPI(title="AI-SPM lineage graph", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.add_middleware(_WriteGuard)  # inside the gate: only authorised writes learn of it
    app.add_middleware(_RefuseNulInUrl)  # inside the guard: auth is still checked first
    app.add_middleware(Guard, settings=settings)  # auth and size before any body is read

    @app.exception_handler(LineageError)
    async def _lineage_error(request: Request, exc: LineageError) -> JSONResponse:
        return JSONResponse({"error": type(exc).__name__, "message": str(exc)}, error_status(exc))

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        """Liveness: the process answers and its store answers (or was healed). A 503 here
        means the store could not be restarted: restart the service."""
        why = store_health(app.state.store)
        if why is not None:
            return JSONResponse({"status": "unavailable", "store": why}, 503)
        return JSONResponse({"status": "ok"})

    @app.get("/readyz")
    def readyz() -> JSONResponse:
        """Readiness for load balancers: the store answers a query. Also says how many
        events were dead-lettered (could not be applied) and the last reason."""
        intake = getattr(app.state, "openlineage", None)
        extra = {"dead_letters": intake.dead.summary()} if intake is not None else {}
        why = store_health(app.state.store)
        if why is not None:
            return JSONResponse({"status": "unavailable", "store": why, **extra}, 503)
        return JSONResponse({"status": "ready", **extra})

    for router in _routers(settings):
        app.include_router(router)
    describe(app, settings)  # the document lists the gate's and the routes' own answers
    return app


def _routers(settings: Settings) -> list[Any]:
    """Routers of the capabilities; each module exposes ``router`` (or ``make_router``)."""
    from lineage.api import access_log, openlineage, policy
    from lineage.api.graphql import make_router as graphql_router

    return [openlineage.router, access_log.router, policy.router, graphql_router(settings)]
