"""``POST /api/v1/access-log``: stream access-log lines (NDJSON) into windowed usage.

The body is read as it arrives and aggregated in batches of lines off the event loop, so
memory follows the number of (principal, endpoint) pairs, not the body. Query parameters
mirror ``lineage ingest access-log`` (``format``, ``window``, ``endpoint_namespace``,
``principal_namespace``). ``Content-Encoding: gzip`` is accepted; the decoded body may not
exceed ``max_request_bytes`` (413). Malformed lines are counted and reported by number
(202 either way: the good lines landed). The read-merge-write of counts is serialised per
process; findings are recomputed at most every 30 s (``findings`` is null when skipped).
Write scope is required.
"""

from __future__ import annotations

import threading
import time
import zlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ingest.access_log import (
    DEFAULT_ENDPOINT_NAMESPACE,
    DEFAULT_PRINCIPAL_NAMESPACE,
    Format,
    ReadStats,
    Resolver,
    Usage,
    read_access_log,
)
from lineage.api.auth import require_write
from lineage.model import Problem
from lineage.pipeline import IngestReport
from lineage.store import Store
from queries.runtime import record_usage, refresh_runtime

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["runtime"])
_Writer = Annotated[set[Any], Depends(require_write)]
_WRITE_LOCK = threading.Lock()
_BATCH_LINES = 5000
_MAX_PROBLEMS = 100
REFRESH_INTERVAL_S = 30.0


class _Stream:
    """Aggregates batches of lines; line numbers continue across batches."""

    def __init__(self, fmt: Format, window: int, resolver: Resolver) -> None:
        self.fmt = fmt
        self.usage = Usage(window_s=window)
        self.resolver = resolver
        self.stats = ReadStats()
        self.problems: list[Problem] = []
        self.next_line = 1

    def feed(self, lines: list[bytes]) -> None:
        read = read_access_log(
            lines,
            fmt=self.fmt,
            path="<request>",
            resolver=self.resolver,
            stats=self.stats,
            first_line=self.next_line,
            max_problems=max(0, _MAX_PROBLEMS - len(self.problems)),
        )
        for problem in self.usage.add_all(read):
            if problem.source_ref != "<request>":  # per-batch "N more" summaries: ours below
                self.problems.append(problem)
        if self.stats.format and self.fmt is Format.AUTO:
            self.fmt = Format(self.stats.format)  # keep the detected format for later batches
        self.next_line += len(lines)


def _commit(
    store: Store, stream: _Stream, state: dict[str, float]
) -> tuple[IngestReport, int | None]:
    """Merge the counts; recompute findings at most every ``REFRESH_INTERVAL_S`` seconds.

    A gateway may post every few seconds, and a refresh reads all usage edges, so scores
    lag by at most the interval (``lineage runtime findings`` refreshes at once).
    """
    with _WRITE_LOCK:
        report = record_usage(store, stream.usage, source_ref="api:access-log")
        now = time.monotonic()
        if now - state.get("last_refresh", float("-inf")) < REFRESH_INTERVAL_S:
            return report, None
        findings = refresh_runtime(store)
        state["last_refresh"] = now
    return report, len(findings)


@router.post("/access-log", status_code=202, summary="Stream access-log lines (NDJSON)")
async def post_access_log(
    request: Request,
    _: _Writer,
    fmt: Annotated[Format, Query(alias="format")] = Format.AUTO,
    window: Annotated[int, Query(gt=0, le=7 * 86400)] = 3600,
    endpoint_namespace: str = DEFAULT_ENDPOINT_NAMESPACE,
    principal_namespace: str = DEFAULT_PRINCIPAL_NAMESPACE,
) -> JSONResponse:
    limit: int = request.app.state.settings.max_request_bytes
    gz = request.headers.get("content-encoding", "").lower() == "gzip"
    inflate = zlib.decompressobj(wbits=31) if gz else None
    resolver = Resolver(
        endpoint_namespace=endpoint_namespace, principal_namespace=principal_namespace
    )
    stream = _Stream(fmt, window, resolver)
    pending: list[bytes] = []
    rest = b""
    size = 0
    async for raw in request.stream():
        chunk = raw
        if inflate is not None:
            try:
                chunk = inflate.decompress(raw, limit + 1 - size)
            except zlib.error:
                return JSONResponse({"error": "BadGzip", "message": "body is not gzip"}, 400)
        size += len(chunk)
        if size > limit:
            return JSONResponse(
                {"error": "TooLarge", "message": f"body over {limit} bytes; split the stream"},
                413,
            )
        lines = (rest + chunk).split(b"\n")
        rest = lines.pop()
        pending.extend(lines)
        if len(pending) >= _BATCH_LINES:
            batch, pending = pending, []
            await run_in_threadpool(stream.feed, batch)
    if rest.strip():
        pending.append(rest)
    if pending:
        await run_in_threadpool(stream.feed, pending)
    store: Store = request.app.state.store
    state = getattr(request.app.state, "runtime_refresh", None)
    if state is None:
        state = request.app.state.runtime_refresh = {}
    report, findings = await run_in_threadpool(_commit, store, stream, state)
    malformed = stream.stats.malformed
    problems = [
        {"severity": p.severity.value, "message": p.message, "where": p.source_ref}
        for p in stream.problems
    ]
    if malformed > len(problems):
        problems.append(
            {"severity": "warning", "message": f"{malformed - len(problems)} more malformed"}
        )
    return JSONResponse(
        {
            "lines": stream.stats.lines,
            "records": stream.stats.records,
            "malformed": malformed,
            "format": stream.stats.format,
            "pairs": len(stream.usage.pairs),
            "nodes": report.nodes,
            "edges": report.edges,
            "findings": findings,
            "problems": problems,
        },
        202,
    )
