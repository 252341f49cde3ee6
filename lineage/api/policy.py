"""Policy enforcement over HTTP: redaction, findings, the audit log and undo.

=====================================  =======  ================================================
``POST /api/v1/redact``                write    scrub text or records (replace, mask, hash,
                                                encrypt); with ``source`` and ``destination``
                                                datasets, record the masking edge
``POST /api/v1/unredact``              write    decrypt what ``encrypt`` produced
``GET  /api/v1/findings``              read     filter (status, policy, severity, subject),
                                                paginate (``first``, ``after`` cursor)
``GET  /api/v1/findings/{id}``         read     one finding with its evidence
``POST /api/v1/policies/check``        write    evaluate every policy now and respond
``GET  /api/v1/policies``              read     the policies enforced by this server
``GET  /api/v1/audit``                 read     audit entries in chain order
``GET  /api/v1/audit/verify``          read     recompute the hash chain
``POST /api/v1/remediate/undo/{id}``   write    restore the state before an action
=====================================  =======  ================================================

While the service runs, the configured policies (``LINEAGE_POLICIES``; the starter library
by default) are enforced continuously: every committed ingest re-evaluates the policies it
can affect and responds before the ingest's HTTP response is sent. A full evaluation every
:data:`SWEEP_SECONDS` catches writes made by other processes (a CLI ingest or scan).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lineage import ids, pipeline
from lineage.api.auth import require_read, require_write
from lineage.errors import ConfigError, LineageError, NodeNotFound, StoreError
from lineage.model import Kind
from lineage.policy import (
    Enforcer,
    Redactor,
    attach,
    configured_policies,
    detach,
    get_finding,
    list_findings,
    masking_facts,
    undo,
    verify,
)
from lineage.policy import audit as audit_log

__all__ = ["router"]

_MAX_RECORDS = 10_000
_MAX_TEXT = 1_000_000
_MAX_ENTITY = 128  # entity type names are short words (EMAIL_ADDRESS); never stored raw
_PRINTABLE = r"^[^\x00-\x1f\x7f-\x9f]*$"


SWEEP_SECONDS = 300.0
log = logging.getLogger(__name__)


def _sweep(enforcer: Enforcer, stop: threading.Event) -> None:
    """A full evaluation now and then: catches writes this process did not see (a CLI
    ingest or scan beside the server), which continuous mode cannot observe."""
    while not stop.wait(SWEEP_SECONDS):
        try:
            enforcer.check()
        except Exception:  # keep sweeping; the next run may succeed
            log.exception("periodic policy evaluation failed")


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = app.state.settings
    store = app.state.store
    app.state.redactor = Redactor(key=settings.redact_key)
    policies = configured_policies(settings.policies)
    app.state.enforcer = attach(store, policies) if policies else Enforcer(store, [])
    stop = threading.Event()
    sweeper = threading.Thread(
        target=_sweep, args=(app.state.enforcer, stop), name="policy-sweep", daemon=True
    )
    if policies:
        sweeper.start()
    try:
        yield
    finally:
        stop.set()
        detach(store)


router = APIRouter(prefix="/api/v1", tags=["policy"], lifespan=_lifespan)
_Writer = Annotated[set[Any], Depends(require_write)]
_Reader = Annotated[set[Any], Depends(require_read)]
Operator = Literal["replace", "mask", "hash", "encrypt"]


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    entity_type: str = Field(max_length=_MAX_ENTITY, pattern=_PRINTABLE)
    operator: Operator


class RedactRequest(BaseModel):
    """Exactly one of ``text`` and ``records``."""

    model_config = ConfigDict(extra="forbid")
    text: str | None = Field(None, max_length=_MAX_TEXT)
    records: list[dict[str, Any]] | None = Field(None, max_length=_MAX_RECORDS)
    operator: Operator = "replace"
    entities: list[Annotated[str, Field(max_length=_MAX_ENTITY, pattern=_PRINTABLE)]] | None = (
        Field(None, description="Only these entity types.")
    )
    fields: list[str] = Field(default_factory=list, description="Record fields redacted whole.")
    source: str | None = Field(None, description="Dataset id the values come from.")
    destination: str | None = Field(None, description="Dataset id they go to.")

    @field_validator("source", "destination")
    @classmethod
    def _dataset_id(cls, value: str | None) -> str | None:
        """A dataset id the store can hold (length, code points): checked here, by field,
        so a bad one is a 422 naming it rather than an error from deep in the write."""
        if value is not None:
            try:
                ids.check_text(value, "dataset id")
                parsed = ids.parse(value)
            except LineageError as exc:
                raise ValueError(str(exc)) from None
            if parsed.kind is not Kind.DATASET:
                raise ValueError(f"{value[:80]!r} is not a dataset id")
        return value

    @model_validator(mode="after")
    def _one_input(self) -> RedactRequest:
        if (self.text is None) == (self.records is None):
            raise ValueError("give exactly one of `text` and `records`")
        if (self.source is None) != (self.destination is None):
            raise ValueError("`source` and `destination` go together")
        return self


def _refused(loc: tuple[str | int, ...], message: str) -> RequestValidationError:
    """A 422 like pydantic's, naming the field; the value is not echoed (records hold the
    very values being redacted)."""
    return RequestValidationError([{"type": "value_error", "loc": ("body", *loc), "msg": message}])


def _check_masking_ids(source: str, destination: str, records: list[dict[str, Any]]) -> None:
    """Every id the masking edge needs (a column per record field, the redaction job) fits
    the id rules, checked before anything is written; the 422 names the field."""
    src, dst = ids.parse(source), ids.parse(destination)
    seen: set[str] = set()
    for i, record in enumerate(records):
        for key in record:
            if key in seen:
                continue
            seen.add(key)
            try:
                ids.column_id(src.namespace, src.name, key)
                ids.column_id(dst.namespace, dst.name, key)
            except LineageError as exc:
                raise _refused(("records", i), f"field name {key[:40]!r}: {exc}") from None
    try:
        ids.job_id("lineage", f"redact/{dst.namespace}/{dst.name}")
    except LineageError as exc:
        raise _refused(("destination",), f"its redaction job id: {exc}") from None


class UnredactRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str | None = Field(None, max_length=_MAX_TEXT)
    items: list[_Item] | None = None
    records: list[dict[str, Any]] | None = Field(None, max_length=_MAX_RECORDS)
    record_items: list[dict[str, list[_Item]]] | None = None

    @model_validator(mode="after")
    def _pairs(self) -> UnredactRequest:
        if self.text is not None and self.items is not None and self.records is None:
            return self
        if self.records is not None and self.record_items is not None and self.text is None:
            if len(self.records) != len(self.record_items):
                raise ValueError("`records` and `record_items` must have the same length")
            return self
        raise ValueError("give `text` with `items`, or `records` with `record_items`")


@router.post("/redact", summary="Scrub sensitive values from text or records")
def post_redact(body: RedactRequest, request: Request, _: _Writer) -> dict[str, Any]:
    redactor: Redactor = request.app.state.redactor
    unknown = sorted(set(body.entities or ()) - redactor.supported_entities())
    if unknown:
        names = ", ".join(repr(u) for u in unknown[:5])
        raise _refused(("entities",), f"unknown entity type(s): {names}")
    if body.source is not None and body.destination is not None:
        _check_masking_ids(body.source, body.destination, body.records or [])
    out: dict[str, Any] = {"operator": body.operator}
    masked: set[str] = set()
    if body.text is not None:
        done = redactor.redact(body.text, body.operator, entities=body.entities)
        out["text"] = done.text
        out["items"] = [i.to_dict() for i in done.items]
        out["redacted"] = len(done.items)
    else:
        records, items = [], []
        for record, its in redactor.redact_records(
            body.records or [], body.operator, entities=body.entities, fields=body.fields
        ):
            records.append(record)
            items.append({k: [i.to_dict() for i in v] for k, v in its.items()})
            masked |= set(its)
        out["records"], out["record_items"] = records, items
        out["redacted"] = sum(len(v) for its in items for v in its.values())
    out["masking_edge"] = None
    if body.source and body.destination:
        fields: list[str] = []
        for record in body.records or ():
            fields.extend(k for k in record if k not in fields)
        facts = list(
            masking_facts(
                body.source,
                body.destination,
                operator=body.operator,
                fields=fields,
                masked=masked | set(body.fields),
                source_ref="api:redact",
            )
        )
        pipeline.ingest(request.app.state.store, facts)
        out["masking_edge"] = {"source": body.source, "destination": body.destination}
    return out


@router.post("/unredact", summary="Decrypt values that /redact encrypted")
def post_unredact(body: UnredactRequest, request: Request, _: _Writer) -> dict[str, Any]:
    redactor: Redactor = request.app.state.redactor
    try:
        if body.text is not None:
            items = [i.model_dump() for i in body.items or ()]
            return {"text": redactor.unredact(body.text, items)}
        items_by_record = [
            {k: [i.model_dump() for i in v] for k, v in its.items()}
            for its in body.record_items or ()
        ]
        return {"records": redactor.unredact_records(body.records or [], items_by_record)}
    except ConfigError:
        raise
    except LineageError as exc:  # wrong key, items that do not fit the text
        raise HTTPException(400, str(exc)) from None


@router.get("/findings", summary="Findings, highest risk first")
def get_findings(
    request: Request,
    _: _Reader,
    *,
    status: Annotated[list[str] | None, Query()] = None,
    policy: str | None = None,
    severity: str | None = None,
    subject: str | None = None,
    first: Annotated[int, Query(ge=1, le=1000)] = 50,
    after: str | None = None,
) -> dict[str, Any]:
    try:
        page = list_findings(
            request.app.state.store,
            status=status,
            policy=policy,
            severity=severity,
            subject=subject,
            first=first,
            after=after,
        )
    except StoreError:
        raise
    except LineageError as exc:  # a cursor this server did not hand out
        raise HTTPException(400, str(exc)) from None
    return page.to_dict()


@router.get("/findings/{fingerprint}", summary="One finding with its evidence")
def get_one_finding(fingerprint: str, request: Request, _: _Reader) -> dict[str, Any]:
    finding = get_finding(request.app.state.store, fingerprint)
    if finding is None:
        raise HTTPException(404, f"no finding {fingerprint!r}")
    return finding.to_dict()


@router.get("/policies", summary="The policies this server enforces")
def get_policies(request: Request, _: _Reader) -> dict[str, Any]:
    enforcer: Enforcer = request.app.state.enforcer
    return {"policies": [p.summary() for p in enforcer.policies]}


@router.post("/policies/check", summary="Evaluate every policy now and respond")
def post_check(request: Request, _: _Writer) -> dict[str, Any]:
    enforcer: Enforcer = request.app.state.enforcer
    return enforcer.check().to_dict()


@router.get("/audit", summary="Audit entries in chain order")
def get_audit(
    request: Request,
    _: _Reader,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    out = []
    for entry in audit_log.entries(request.app.state.store, after=after, page=limit):
        out.append(entry.to_dict())
        if len(out) >= limit:
            break
    return {"entries": out}


@router.get("/audit/verify", summary="Recompute the audit hash chain")
def get_verify(request: Request, _: _Reader) -> dict[str, Any]:
    return verify(request.app.state.store).to_dict()


@router.post("/remediate/undo/{action_id}", summary="Restore the state before an action")
def post_undo(
    action_id: str, request: Request, _: _Writer, force: bool = False, reason: str = ""
) -> dict[str, Any]:
    try:
        outcome = undo(
            request.app.state.store, action_id, actor="api:write-token", reason=reason, force=force
        )
    except (NodeNotFound, ConfigError):
        raise
    except LineageError as exc:  # unknown, dry run, already undone, state moved on
        raise HTTPException(409, str(exc)) from None
    return outcome.to_dict()
