"""An OpenLineage event as graph facts: jobs, datasets, READS/WRITES and FLOWS_TO.

Pure: no store, no I/O. The intake service validates, logs and applies; this module only
says what an event means::

    inputs -[READS]- job -[WRITES]-> outputs, and input -[FLOWS_TO {via: job}]-> output

Column lineage refines the dataset edge (``column_detail: true``); an input the facet does
not mention keeps a coarse edge (it may still carry values the emitter did not trace).
When no column lineage came with the event, the job's ``sql`` facet is handed to the SQL
ingestor. Facets the mapping does not read are kept on the node as JSON (``facets.<name>``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ingest.openlineage import _ids as ids
from ingest.openlineage.aliases import symlink_facts
from ingest.openlineage.columns import (
    ColumnFlow,
    column_facts,
    flatten_schema,
    flow_props,
    schema_facts,
)
from ingest.openlineage.models import Dataset, Envelope, Job
from ingest.openlineage.redact import cut
from ingest.secrets import redact_text
from lineage.model import Edge, Fact, Kind, Node, Problem, Rel, Severity
from lineage.timeutil import to_iso

__all__ = [
    "RunOutcome",
    "dataset_facts",
    "event_facts",
    "idempotency_key",
    "job_facts",
    "job_record",
    "output_flows",
    "run_outcome",
]

_MAX_FACET_JSON = 8192
_TERMINAL = frozenset({"COMPLETE", "FAIL", "ABORT"})


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """A completed run: the edges of ``job`` not seen in ``run_id`` are no longer current."""

    job: str
    run_id: str
    event_time: str


def idempotency_key(raw: Mapping[str, Any]) -> str:
    """Run id + event type + event time; job/dataset events use their identity instead."""
    when = raw.get("eventTime", "")
    with contextlib.suppress(TypeError, ValueError):
        when = to_iso(when)
    if isinstance(raw.get("run"), Mapping):
        return f"run|{raw['run'].get('runId')}|{raw.get('eventType', '')}|{when}"
    if isinstance(raw.get("dataset"), Mapping):
        d = raw["dataset"]
        return f"dataset|{d.get('namespace')}|{d.get('name')}|{when}"
    job = raw.get("job") if isinstance(raw.get("job"), Mapping) else {}
    return f"job|{job.get('namespace')}|{job.get('name')}|{when}"


def run_outcome(event: Envelope) -> RunOutcome | None:
    if event.kind != "RunEvent" or event.eventType != "COMPLETE" or not event.job or not event.run:
        return None
    return RunOutcome(
        ids.job_id(event.job.namespace, event.job.name), event.run.runId, to_iso(event.eventTime)
    )


def _facet_props(other: Mapping[str, Any], prefix: str = "facets") -> dict[str, Any]:
    """Unknown facets as compact JSON strings; an oversized one is recorded by size only
    (the event log keeps it whole)."""
    out: dict[str, Any] = {}
    for name, value in other.items():
        text = json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)
        if len(text) > _MAX_FACET_JSON:
            text = json.dumps({"_omitted_bytes": len(text)})
        key = f"{prefix}.{name}"
        if len(key) <= 128 and all(c.isalnum() or c in "_.-" for c in key):
            out[key] = text
    return out


def _dataset_props(dataset: Dataset) -> dict[str, Any]:
    f = dataset.facets
    props: dict[str, Any] = _facet_props(f.other)
    if f.schema_ is not None:
        flat = list(flatten_schema(f.schema_.fields))
        props["fields"] = [name for name, _, _ in flat]
        props["field_types"] = [type_ for _, type_, _ in flat]
    if f.documentation is not None:
        props["description"] = cut(f.documentation.description, 2000)
    if f.ownership is not None:
        props["owner"] = [o.name for o in f.ownership.owners]
        props["owner_types"] = [o.type or "" for o in f.ownership.owners]
    if f.dataSource is not None:
        props["data_source"] = f.dataSource.name
        props["data_source_uri"] = ids.strip_credentials(f.dataSource.uri or "") or None
    if f.datasetType is not None:
        props["dataset_type"] = f.datasetType.datasetType or None
        props["dataset_subtype"] = f.datasetType.subType
    return props


def _job_props(job: Job) -> dict[str, Any]:
    f = job.facets
    props: dict[str, Any] = _facet_props(f.other)
    if f.jobType is not None:
        props["job_type"] = f.jobType.jobType or None
        props["integration"] = f.jobType.integration or None
        props["processing_type"] = f.jobType.processingType or None
    if f.documentation is not None:
        props["description"] = cut(f.documentation.description, 2000)
    if f.ownership is not None:
        props["owner"] = [o.name for o in f.ownership.owners]
    if f.sourceCodeLocation is not None:
        props["source_code_url"] = f.sourceCodeLocation.url or None
    if f.sql is not None:
        # The query text stays in the event log: literals in it may be sensitive values.
        props["sql_sha256"] = hashlib.sha256(f.sql.query.encode()).hexdigest()
        props["sql_dialect"] = f.sql.dialect
    return props


def _run_props(event: Envelope) -> dict[str, Any]:
    if event.run is None:
        return {}
    f = event.run.facets
    props: dict[str, Any] = {
        "last_run_id": event.run.runId,
        "last_run_state": event.eventType,
        "last_event_time": to_iso(event.eventTime),
        "run_facets": sorted(f.other) or None,  # names only: run facets may hold secrets
        "producer": event.producer or None,
    }
    if f.parent is not None:
        props["parent"] = ids.job_id(f.parent.job.namespace, f.parent.job.name)
        props["parent_run_id"] = f.parent.run.runId
        root = f.parent.root or {}
        root_job = root.get("job") if isinstance(root.get("job"), Mapping) else None
        if root_job and root_job.get("namespace") and root_job.get("name"):
            props["root"] = ids.job_id(root_job["namespace"], root_job["name"])
    if f.errorMessage is not None:
        props["error_message"] = (
            cut(f.errorMessage.message.splitlines()[0], 300) if f.errorMessage.message else None
        )
        props["error_language"] = f.errorMessage.programmingLanguage or None
    elif event.eventType in _TERMINAL:
        props["error_message"] = ""
    if f.extractionError is not None:
        props["extraction_failed_tasks"] = f.extractionError.failedTasks
    return props


def dataset_facts(
    dataset: Dataset, uid: str, aliases: Sequence[str], *, ref: str, seen: str
) -> Iterator[Fact]:
    """The dataset node, its source, its aliases and its schema columns."""
    parsed = ids.parse(uid)
    yield Node(uid, Kind.DATASET, parsed.name, parsed.namespace, _dataset_props(dataset), ref, seen)
    source = ids.source_id(parsed.namespace)
    platform = parsed.namespace.split("://", 1)[0] if "://" in parsed.namespace else None
    yield Node(
        source, Kind.SOURCE, parsed.namespace, parsed.namespace, {"platform": platform}, ref, seen
    )
    yield Edge(source, Rel.CONTAINS, uid, {}, "", ref, seen)
    yield from symlink_facts(uid, aliases, ref=ref, seen=seen)
    if dataset.facets.schema_ is not None:
        yield from schema_facts(uid, parsed.namespace, dataset.facets.schema_.fields, ref=ref,
                                seen=seen)  # fmt: skip


def job_record(event: Envelope, job_uid: str, *, ref: str) -> tuple[dict[str, Any], list[Problem]]:
    """The job node's properties for this event (its run's state included) and the
    problems the emitter reported."""
    assert event.job is not None
    props = {**_job_props(event.job), **_run_props(event)}
    problems = []
    if event.run and event.run.facets.extractionError is not None:
        for error in event.run.facets.extractionError.errors[:20]:
            where = f" ({error.task[:100]})" if error.task else ""
            message = redact_text(cut(error.errorMessage, 300))[0]
            problems.append(
                Problem(
                    Severity.WARNING,
                    f"emitter extraction error{where}: {message}",
                    ref,
                )
            )
    return props, problems


def job_facts(
    event: Envelope,
    job_uid: str,
    inputs: Sequence[str],
    outputs: Sequence[str],
    *,
    ref: str,
    seen: str,
) -> Iterator[Fact]:
    """The job node (with its run's state), its parent, and READS/WRITES for this run."""
    assert event.job is not None
    run_id = event.run.runId if event.run else ""
    props, problems = job_record(event, job_uid, ref=ref)
    yield Node(job_uid, Kind.JOB, event.job.name, ids.parse(job_uid).namespace, props, ref, seen)
    if "parent" in props and props["parent"] != job_uid:
        parent = ids.parse(str(props["parent"]))
        yield Node(str(props["parent"]), Kind.JOB, parent.name, parent.namespace, {}, ref, seen)
    yield from problems
    edge_props = {"run_id": run_id or None, "stale": False}
    for uid in inputs:
        yield Edge(job_uid, Rel.READS, uid, edge_props, "", ref, seen)
    for uid in outputs:
        yield Edge(job_uid, Rel.WRITES, uid, edge_props, "", ref, seen)


def output_flows(
    flows: Sequence[ColumnFlow],
    out_uid: str,
    inputs: Sequence[str],
    job_uid: str,
    run_id: str,
    *,
    ref: str,
    seen: str,
    emitted: set[str] | None = None,
) -> Iterator[Fact]:
    """FLOWS_TO into one output: column edges, and dataset edges from every input.

    An input the column lineage mentions gets ``column_detail: true`` (DIRECT if any of its
    columns flows directly); one it does not mention keeps a coarse DIRECT edge, since the
    emitter may simply not have traced it.
    """
    yield from column_facts(flows, job_uid, run_id, ref=ref, seen=seen, emitted=emitted)
    detailed: dict[str, tuple[bool, bool]] = {}  # source -> (any direct, all direct masked)
    for flow in flows:
        direct, masked = detailed.get(flow.src_dataset, (False, True))
        if flow.type == "DIRECT":
            direct, masked = True, masked and flow.masking
        detailed[flow.src_dataset] = (direct, masked)
    for src, (direct, masked) in detailed.items():
        props = flow_props(
            job_uid, granularity="dataset", kind="DIRECT" if direct else "INDIRECT",
            subtype="", masking=direct and masked, run_id=run_id,
        )  # fmt: skip
        props["column_detail"] = True
        yield Edge(src, Rel.FLOWS_TO, out_uid, props, job_uid, ref, seen)
    for src in inputs:
        if src in detailed or src == out_uid:
            continue
        props = flow_props(
            job_uid, granularity="dataset", kind="DIRECT", subtype="", masking=False,
            run_id=run_id,
        )  # fmt: skip
        props["column_detail"] = False
        yield Edge(src, Rel.FLOWS_TO, out_uid, props, job_uid, ref, seen)


def event_facts(raw: Mapping[str, Any], *, ref: str = "") -> list[Fact]:
    """Every fact one event states (bad dataset names come out as Problems, not raised).

    For many events use :class:`~ingest.openlineage.batch.BatchMapper`, which maps each
    repeated dataset once.
    """
    from ingest.openlineage.batch import BatchMapper

    mapper = BatchMapper()
    mapper.add(raw, ref=ref)
    return mapper.facts()
