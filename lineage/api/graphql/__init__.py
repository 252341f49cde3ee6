"""``/graphql``: the questions over HTTP (strawberry on FastAPI).

Reads need the read scope (open when no read token is configured), enforced on the route;
mutations need the write scope, checked per field. GraphiQL is served only when
``settings.graphiql`` (``LINEAGE_GRAPHIQL=1``).
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from strawberry.fastapi import GraphQLRouter

from lineage.api.auth import granted_scopes, require_read
from lineage.api.graphql.schema import LIMITS, build_schema
from lineage.settings import Settings

__all__ = ["LIMITS", "build_schema", "make_router"]


async def _context(request: Request) -> dict[str, Any]:
    settings: Settings = request.app.state.settings
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip() if scheme.lower() == "bearer" else ""
    return {
        "store": request.app.state.store,
        "settings": settings,
        "token": token,
        "scopes": granted_scopes(settings, token or None),
    }


def make_router(settings: Settings) -> GraphQLRouter:
    return GraphQLRouter(
        build_schema(),
        path="/graphql",
        graphql_ide="graphiql" if settings.graphiql else None,
        context_getter=_context,
        dependencies=[Depends(require_read)],
    )
