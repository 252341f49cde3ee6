"""OpenLineage intake over HTTP, Marquez-compatible, plus a batch endpoint.

``POST /api/v1/lineage`` answers as Marquez does, so Airflow, Spark, dbt and Flink emitters
point ``OPENLINEAGE_URL`` at this service unchanged:

=================================  ======================================================
201, empty body                    accepted (also for a re-sent event: idempotent)
400 ``{"code", "message"}``        not JSON, or not one JSON object
401 / 403                          missing or wrong bearer token / writes not configured
413                                body (after gzip decoding) over ``max_request_bytes``
415                                a Content-Type that is not JSON
422 ``{"errors": [...]}``          schema violations, each naming the field
201 ``{"warnings": [...]}``        accepted, malformed facets set aside (lenient intake;
                                   ``LINEAGE_OPENLINEAGE_STRICT=1`` answers 422 instead)
=================================  ======================================================

``POST /api/v1/lineage/batch`` takes a JSON array or NDJSON and returns 200 with
``{"received", "accepted", "duplicates", "rejected": [{"index", "errors"}], ...}``: the
valid events land even when others are rejected (422 only when none was valid).
Nothing is acknowledged before it is in the durable event log.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ingest.openlineage import RawEvent
from lineage.api.auth import require_write
from lineage.errors import ParseError
from lineage.intake import Intake

__all__ = ["router"]


class _TooLarge(Exception):
    pass


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the event log beside the store and apply what a crash left unapplied."""
    intake = Intake.open(app.state.store, strict=app.state.settings.openlineage_strict)
    await run_in_threadpool(intake.recover)
    app.state.openlineage = intake
    try:
        yield
    finally:
        intake.close()


_WARNING = {
    "type": "object",
    "properties": {"facet": {"type": "string"}, "message": {"type": "string"}},
}
_ACCEPTED: dict[str, Any] = {
    "description": "Accepted. Empty, or, when malformed facets were set aside (lenient "
    "intake), a JSON body listing them.",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {"warnings": {"type": "array", "items": _WARNING}},
            }
        }
    },
}

router = APIRouter(prefix="/api/v1", tags=["openlineage"], lifespan=_lifespan)
_Writer = Annotated[set[Any], Depends(require_write)]


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"code": status, "message": message, **extra}, status_code=status)


async def _body(request: Request) -> bytes:
    """The request body, decoded from gzip if so sent, never more than the size limit."""
    limit: int = request.app.state.settings.max_request_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    body = b"".join(chunks)
    encoding = request.headers.get("content-encoding", "").lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        # Bounded decompression: a small gzip bomb must not expand past the limit.
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)
        try:
            body = inflater.decompress(body, limit + 1)
        except zlib.error as exc:
            raise ParseError(f"bad {encoding} body: {exc}") from None
        if len(body) > limit or inflater.unconsumed_tail:
            raise _TooLarge
    return body


def _json_type(request: Request, *, ndjson: bool) -> bool:
    kind = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    allowed = {"application/json", ""}
    if ndjson:
        allowed |= {"application/x-ndjson", "application/ndjson", "application/jsonl"}
    return kind in allowed or kind.endswith("+json")


async def _read(request: Request, *, ndjson: bool) -> list[RawEvent] | JSONResponse:
    if not _json_type(request, ndjson=ndjson):
        return _error(415, "HTTP 415 Unsupported Media Type")
    try:
        body = await _body(request)
    except _TooLarge:
        limit = request.app.state.settings.max_request_bytes
        return _error(413, f"request body larger than {limit} bytes")
    except ParseError as exc:
        return _error(400, exc.message)
    try:
        return Intake.read(body)
    except (ParseError, UnicodeDecodeError) as exc:
        where = f" at line {exc.line}, column {exc.column}" if isinstance(exc, ParseError) else ""
        message = exc.message if isinstance(exc, ParseError) else "body is not UTF-8"
        return _error(400, "Unable to process JSON", detail=f"{message}{where}")


@router.post(
    "/lineage",
    status_code=201,
    summary="Record one OpenLineage event (Marquez-compatible)",
    response_class=Response,
    responses={201: _ACCEPTED},
)
async def post_lineage(request: Request, _: _Writer) -> Response:
    raws = await _read(request, ndjson=False)
    if isinstance(raws, JSONResponse):
        return raws
    if len(raws) != 1 or raws[0].line is not None or not isinstance(raws[0].event, dict):
        return _error(
            400,
            "Unable to process JSON",
            detail="expected one OpenLineage event (a JSON object); "
            "send arrays or NDJSON to /api/v1/lineage/batch",
        )
    intake: Intake = request.app.state.openlineage
    result = await run_in_threadpool(intake.submit, raws)
    if result.rejected:
        errors = result.rejected[0].errors
        return JSONResponse(
            {"errors": [f"{e['field']}: {e['message']}" for e in errors], "detail": list(errors)},
            status_code=422,
        )
    if result.warnings:  # facets set aside (lenient intake); Marquez clients ignore bodies
        return JSONResponse({"warnings": list(result.warnings[0].warnings)}, status_code=201)
    return Response(status_code=201)


@router.post("/lineage/batch", summary="Record many OpenLineage events (JSON array or NDJSON)")
async def post_lineage_batch(request: Request, _: _Writer) -> JSONResponse:
    raws = await _read(request, ndjson=True)
    if isinstance(raws, JSONResponse):
        return raws
    intake: Intake = request.app.state.openlineage
    result = await run_in_threadpool(intake.submit, raws)
    status = 422 if raws and len(result.rejected) == len(raws) else 200
    return JSONResponse(result.to_dict(), status_code=status)
