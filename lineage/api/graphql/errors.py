"""The one place GraphQL errors are mapped: our exceptions become ``extensions.code``.

=====================  ===================  ==========================================
raised                 code                 message
=====================  ===================  ==========================================
NodeNotFound           NOT_FOUND            as raised
LineageError (input)   BAD_USER_INPUT       as raised (ids, labels, cursors, sizes)
Unauthenticated        UNAUTHENTICATED      as raised
Forbidden              FORBIDDEN            as raised
validation (limits)    GRAPHQL_VALIDATION   as strawberry/graphql-core says
bad variable values    BAD_USER_INPUT       as graphql-core says (e.g. Int over 2^31-1)
anything else          INTERNAL             "internal error" (logged with a trace id)
=====================  ===================  ==========================================

Store failures are internal: their text may name files or statements, so it is logged,
never returned.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from lineage.api.graphql.limits import ValidationTimeout
from lineage.errors import LineageError, NodeNotFound, StoreError, StoreTimeout, StoreUnavailable

__all__ = ["Forbidden", "MapErrors", "Unauthenticated", "code_of"]

log = logging.getLogger("lineage.api.graphql")


class Unauthenticated(LineageError):
    """No token, or a token without the scope."""


class Forbidden(LineageError):
    """The operation is disabled by configuration (e.g. writes without a write token)."""


def code_of(exc: BaseException | None) -> str:
    if exc is None:
        return "GRAPHQL_VALIDATION"
    if isinstance(exc, NodeNotFound):
        return "NOT_FOUND"
    if isinstance(exc, Unauthenticated):
        return "UNAUTHENTICATED"
    if isinstance(exc, Forbidden):
        return "FORBIDDEN"
    if isinstance(exc, (StoreTimeout, ValidationTimeout)):  # says what and which setting
        return "TIMEOUT"
    if isinstance(exc, StoreUnavailable):
        return "UNAVAILABLE"
    if isinstance(exc, LineageError) and not isinstance(exc, StoreError):
        return "BAD_USER_INPUT"
    return "INTERNAL"


def _mapped(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    code = code_of(original)
    if code == "INTERNAL" and error.path is None and not isinstance(original, StoreError):
        # raised before any resolver ran: coercing the request's variables failed
        code = "BAD_USER_INPUT"
    message = error.message
    extensions = dict(error.extensions or {})
    if code == "INTERNAL":
        trace = uuid.uuid4().hex[:12]
        log.error("graphql internal error %s", trace, exc_info=original)
        message = f"internal error (trace {trace})"
        extensions["trace"] = trace
    extensions["code"] = code
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


class MapErrors(SchemaExtension):
    """Rewrite every error of a finished operation through :func:`code_of`."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [_mapped(e) for e in result.errors]
        pre = self.execution_context.pre_execution_errors
        if pre:
            self.execution_context.pre_execution_errors = [_mapped(e) for e in pre]
