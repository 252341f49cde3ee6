"""Realistic OpenLineage events, built with the official client's own facet classes.

Shaped like what the Spark listener and the Airflow provider emit: a job (``dag.task`` or
``app.execute_...``) reading two to three warehouse tables and writing one, each dataset
with a ``schema`` facet, the output with ``columnLineage`` (DIRECT/INDIRECT transformation
terms), a ``parent`` run facet, ``jobType`` and ``processing_engine``. Used by the tests and
by ``bench/openlineage_throughput.py``.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    column_lineage_dataset,
    job_type_job,
    parent_run,
    processing_engine_run,
    schema_dataset,
    sql_job,
)
from openlineage.client.serde import Serde

PRODUCER = "https://github.com/OpenLineage/OpenLineage/tree/1.54.0/integration/spark"
_COLUMNS = [
    ("id", "bigint"),
    ("customer_id", "bigint"),
    ("email", "string"),
    ("amount", "decimal(12,2)"),
    ("country", "string"),
    ("created_at", "timestamp"),
    ("status", "string"),
    ("sku", "string"),
]


def _schema(columns: list[tuple[str, str]]) -> schema_dataset.SchemaDatasetFacet:
    return schema_dataset.SchemaDatasetFacet(
        fields=[schema_dataset.SchemaDatasetFacetFields(name=n, type=t) for n, t in columns]
    )


def _lineage(
    namespace: str, inputs: list[str], columns: list[tuple[str, str]], rng: random.Random
) -> column_lineage_dataset.ColumnLineageDatasetFacet:
    fields = {}
    for name, _ in columns:
        src = rng.choice(inputs)
        subtype = rng.choice(["IDENTITY", "IDENTITY", "TRANSFORMATION", "AGGREGATION"])
        fields[name] = column_lineage_dataset.Fields(
            inputFields=[
                column_lineage_dataset.InputField(
                    namespace=namespace,
                    name=src,
                    field=name,
                    transformations=[
                        column_lineage_dataset.Transformation(
                            type="DIRECT",
                            subtype=subtype,
                            masking=name == "email" and rng.random() < 0.3,
                        )
                    ],
                )
            ],
            transformationDescription="",
            transformationType="",
        )
    filter_src = rng.choice(inputs)
    return column_lineage_dataset.ColumnLineageDatasetFacet(
        fields=fields,
        dataset=[
            column_lineage_dataset.InputField(
                namespace=namespace,
                name=filter_src,
                field="status",
                transformations=[
                    column_lineage_dataset.Transformation(type="INDIRECT", subtype="FILTER")
                ],
            )
        ],
    )


def run_events(
    n_jobs: int, runs_per_job: int, *, seed: int = 7, namespace: str = "postgres://warehouse:5432"
) -> Iterator[RunEvent]:
    """START and COMPLETE events for ``runs_per_job`` runs of each of ``n_jobs`` jobs."""
    rng = random.Random(seed)
    start = datetime(2024, 5, 1, tzinfo=UTC)
    tables = [f"analytics.public.table_{i:04d}" for i in range(max(4, n_jobs * 2))]
    for run in range(runs_per_job):
        for j in range(n_jobs):
            job_rng = random.Random(seed * 1_000_003 + j)
            inputs = job_rng.sample(tables, 3)
            output = tables[(j * 7 + 1) % len(tables)]
            if output in inputs:
                output = f"analytics.public.out_{j:04d}"
            columns = _COLUMNS[: 5 + job_rng.randrange(4)]
            run_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            when = start + timedelta(minutes=run * 60 + j % 60)
            job_facets = {
                "jobType": job_type_job.JobTypeJobFacet(
                    processingType="BATCH", integration="SPARK", jobType="SQL_JOB"
                ),
                "sql": sql_job.SQLJobFacet(query=f"INSERT INTO {output} SELECT * FROM {inputs[0]}"),
            }
            run_facets = {
                "parent": parent_run.ParentRunFacet(
                    run=parent_run.Run(runId=str(uuid.UUID(int=j + 1, version=4))),
                    job=parent_run.Job(namespace="airflow", name=f"dag_{j % 50}"),
                ),
                "processing_engine": processing_engine_run.ProcessingEngineRunFacet(
                    version="3.5.1", name="spark", openlineageAdapterVersion="1.54.0"
                ),
            }
            ins = [
                InputDataset(namespace=namespace, name=t, facets={"schema": _schema(columns)})
                for t in inputs
            ]
            out = OutputDataset(
                namespace=namespace,
                name=output,
                facets={
                    "schema": _schema(columns),
                    "columnLineage": _lineage(namespace, inputs, columns, job_rng),
                },
            )
            job = Job(
                namespace="spark", name=f"etl_app.execute_insert.job_{j:04d}", facets=job_facets
            )
            for state, t in (
                (RunState.START, when),
                (RunState.COMPLETE, when + timedelta(seconds=90)),
            ):
                yield RunEvent(
                    eventType=state,
                    eventTime=t.isoformat(),
                    run=Run(runId=run_id, facets=run_facets),
                    job=job,
                    producer=PRODUCER,
                    inputs=ins,
                    outputs=[out],
                )


def as_json(event: RunEvent) -> dict[str, Any]:
    """The event exactly as the client would send it."""
    import json

    return json.loads(Serde.to_json(event))


def fan_out(n_in: int, n_out: int, job: str = "wide_join") -> dict[str, Any]:
    """One COMPLETE run of ``job`` reading ``n_in`` datasets and writing ``n_out``: n_in x n_out
    data flows in one event (10,000 x 20 is the 680 KB event of issue 14.5). Deterministic,
    so posting it twice is a duplicate."""
    return {
        "eventType": "COMPLETE",
        "eventTime": "2026-12-01T00:00:00Z",
        "producer": "https://github.com/OpenLineage/OpenLineage/tree/1.30.0/client/python",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"fanout/{job}"))},
        "job": {"namespace": "fanout", "name": job},
        "inputs": [{"namespace": "s3://lake", "name": f"in/t{i:05d}"} for i in range(n_in)],
        "outputs": [{"namespace": "s3://lake", "name": f"out/t{j:02d}"} for j in range(n_out)],
    }


def fanned_out_whole(store: Any, n_in: int, job: str = "wide_join") -> bool:
    """Every edge of ``fan_out(n_in, ..., job)`` is in ``store``: the job reads each input,
    and each input flows into the output ``out/t03`` (so ``n_out`` must be 4 or more)."""
    from lineage.model import Rel

    reads = store.neighbours(f"job:fanout:{job}", direction="out", rels=[Rel.READS])
    flows = store.neighbours("dataset:s3://lake:out/t03", direction="in", rels=[Rel.FLOWS_TO])
    return len(reads) == n_in and len({n.edge.src for n in flows}) == n_in
