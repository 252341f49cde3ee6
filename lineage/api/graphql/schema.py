"""The GraphQL schema: the questions (``Query``) and label decisions (``Mutation``).

Resolvers call the same ``queries/`` functions as the CLI, in a worker thread so one long
question never stalls the event loop. Abuse limits are strawberry's own validation rules
(depth, aliases, tokens) plus a page-size cap on every list; errors go through
:class:`~lineage.api.graphql.errors.MapErrors`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

import strawberry
from anyio import to_thread
from graphql import GraphQLError
from strawberry.extensions import MaxTokensLimiter
from strawberry.types import Info

from lineage import policy
from lineage.api.auth import Scope
from lineage.api.graphql.errors import Forbidden, MapErrors, Unauthenticated, code_of
from lineage.api.graphql.findings import findings_field
from lineage.api.graphql.limits import GQL_LIMITS, Limits
from lineage.api.graphql.pagination import (
    Connection,
    decode_key,
    decode_offset,
    keyset_connection,
    offset_connection,
    page_size,
)
from lineage.api.graphql.types import (
    Asset,
    BlastRadiusResult,
    Direction,
    ExposurePath,
    InventoryItem,
    LabelChange,
    Level,
    LineageResult,
    Mode,
)
from lineage.errors import LineageError, NodeNotFound
from queries.blast_radius import blast_radius
from queries.exposure import DEFAULT_EXPOSURES, exposure_paths
from queries.lineage import lineage
from queries.results import fetch_nodes
from queries.search import search

__all__ = ["LIMITS", "build_schema"]

audit = logging.getLogger("lineage.audit")
log = logging.getLogger("lineage.api.graphql")

# The abuse limits (documented in docs/queries.md). A real client query is 5-8 levels deep,
# uses a handful of aliases and a few hundred tokens; see limits.py for what is counted.
LIMITS = {**GQL_LIMITS, "max_tokens": 2000, "max_query_depth_arg": 20}


def _check_depth(depth: int, upper: int = LIMITS["max_query_depth_arg"]) -> int:
    if not 1 <= depth <= upper:
        raise LineageError(f"depth must be between 1 and {upper}, not {depth}")
    return depth


async def _run[T](info: Info, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    store = info.context["store"]
    return await to_thread.run_sync(lambda: fn(store, *args, **kwargs))


def _require_write(info: Info) -> str:
    """Check the write scope; return who is writing (a token fingerprint, never the token)."""
    settings = info.context["settings"]
    if settings.api_token is None:
        raise Forbidden("writes are disabled: configure LINEAGE_API_TOKEN")
    if Scope.WRITE not in info.context["scopes"]:
        raise Unauthenticated("a bearer token with write scope is required")
    token = info.context.get("token") or ""
    return "api:" + hashlib.sha256(token.encode()).hexdigest()[:12]


@strawberry.type
class Query:
    findings = findings_field

    @strawberry.field(description="One asset by id, or null.")
    async def asset(self, info: Info, uid: strawberry.ID) -> Asset | None:
        found = await _run(info, fetch_nodes, [str(uid)])
        node = found.get(str(uid))
        return Asset.of(node) if node else None

    @strawberry.field(description="Assets whose name or id contains the text (case-insensitive).")
    async def search(
        self,
        info: Info,
        text: str,
        kind: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Asset]:
        size, key = page_size(first), decode_key(after)
        page = await _run(info, search, text, kind=kind, limit=size, after=key)
        return keyset_connection(
            [Asset.of(n) for n in page.results],
            lambda a: str(a.uid),
            has_next=page.next_after is not None,
            has_previous=bool(key),
        )

    @strawberry.field(description="Labelled data reaching exposed endpoints, ranked by risk.")
    async def exposure_paths(  # noqa: PLR0917 - GraphQL arguments
        self,
        info: Info,
        label: str | None = None,
        exposures: list[str] | None = None,
        depth: int = 8,
        first: int | None = None,
        after: str | None = None,
        all_paths: bool = False,
        max_paths: int = 10,
        include_stale: bool = False,
    ) -> Connection[ExposurePath]:
        size, start = page_size(first), decode_offset(after)
        if not 1 <= max_paths <= 100:
            raise LineageError("maxPaths must be between 1 and 100")
        page = await _run(
            info,
            exposure_paths,
            label=label,
            exposures=tuple(exposures or DEFAULT_EXPOSURES),
            depth=_check_depth(depth),
            offset=start,
            limit=size,
            all_paths=all_paths,
            max_paths=max_paths,
            include_stale=include_stale,
        )
        return offset_connection(
            [ExposurePath.of(e) for e in page.results],
            start,
            total=page.total if page.complete else None,
            has_next=page.has_next,
        )

    @strawberry.field(description="What a node hits downstream (or feeds it, upstream).")
    async def blast_radius(  # noqa: PLR0917 - GraphQL arguments
        self,
        info: Info,
        uid: strawberry.ID,
        direction: Direction = Direction.DOWN,
        mode: Mode = Mode.CONFIDENTIALITY,
        depth: int = 10,
        include_stale: bool = False,
    ) -> BlastRadiusResult:
        result = await _run(
            info,
            blast_radius,
            str(uid),
            direction=direction.value,
            mode=mode.value,
            depth=_check_depth(depth),
            include_stale=include_stale,
        )
        return BlastRadiusResult.of(result)

    @strawberry.field(description="Up- or downstream lineage at dataset or column level.")
    async def lineage(  # noqa: PLR0917 - GraphQL arguments
        self,
        info: Info,
        uid: strawberry.ID,
        direction: Direction = Direction.UP,
        level: Level = Level.DATASET,
        depth: int = 5,
        include_stale: bool = False,
    ) -> LineageResult:
        result = await _run(
            info,
            lineage,
            str(uid),
            direction=direction.value,
            level=level.value,
            depth=_check_depth(depth),
            include_stale=include_stale,
        )
        return LineageResult.of(result)

    @strawberry.field(description="AI assets (models, vector indexes, endpoints) and evidence.")
    async def inventory(
        self,
        info: Info,
        kinds: list[str] | None = None,
        shadow_only: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[InventoryItem]:
        from queries.inventory import AI_KINDS, ai_assets

        size, start = page_size(first), decode_offset(after)
        items = await _run(info, ai_assets, kinds=tuple(kinds or AI_KINDS), shadow_only=shadow_only)
        chunk = [InventoryItem.of(a) for a in items[start : start + size]]
        return offset_connection(chunk, start, total=len(items), has_next=start + size < len(items))


def _change(info: Info, uid: str, action: str, labels: list[str], outcome: Any) -> LabelChange:
    node = fetch_nodes(info.context["store"], [uid]).get(uid)
    if node is None:
        raise NodeNotFound(uid)
    return LabelChange(
        asset=Asset.of(node),
        action=action,
        labels_changed=labels,
        nodes_updated=int(getattr(outcome, "written", 0)),
    )


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Declare an own label on a node (audited; propagates).")
    async def declare_label(
        self, info: Info, uid: strawberry.ID, label: str, reason: str
    ) -> LabelChange:
        who = _require_write(info)
        from lineage import sensitivity

        outcome = await _run(info, sensitivity.declare, str(uid), label, reason=reason, who=who)
        audit.info("declare label=%s uid=%s by=%s", label, uid, who)
        await _run(info, policy.reevaluate, [str(uid)])  # continuous mode: act at once
        return await to_thread.run_sync(
            lambda: _change(info, str(uid), "declare", [label], outcome)
        )

    @strawberry.mutation(description="Stop labels at a node (audited; retracts downstream).")
    async def declassify_label(
        self,
        info: Info,
        uid: strawberry.ID,
        labels: list[str],
        reason: str,
        undo: bool = False,
    ) -> LabelChange:
        who = _require_write(info)
        from lineage import sensitivity

        outcome = await _run(
            info, sensitivity.declassify, str(uid), labels, reason=reason, who=who, undo=undo
        )
        action = "reclassify" if undo else "declassify"
        audit.info("%s labels=%s uid=%s by=%s", action, ",".join(labels), uid, who)
        await _run(info, policy.reevaluate, [str(uid)])
        return await to_thread.run_sync(lambda: _change(info, str(uid), action, labels, outcome))


class _Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """A refused or invalid request is one line, never a traceback: internal errors
        are logged with a trace id by :class:`MapErrors`, and nothing else needs one."""
        for error in errors:
            code = code_of(error.original_error)
            if code in {"UNAUTHENTICATED", "FORBIDDEN"}:
                log.warning("graphql %s: %s", code.lower(), error.message)


def build_schema() -> strawberry.Schema:
    return _Schema(
        query=Query,
        mutation=Mutation,
        extensions=[
            MapErrors,
            lambda: MaxTokensLimiter(max_token_count=LIMITS["max_tokens"]),
            Limits,  # depth, aliases, cost, spreads: linear, off the event loop, cached
        ],
    )
