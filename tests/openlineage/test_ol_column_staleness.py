"""Column-level staleness (issue 14, point 10): a job that stops producing a column edge
stops passing labels along it, and passes them again when it resumes."""

from __future__ import annotations

import json
from pathlib import Path

from lineage import sensitivity
from lineage.intake import Intake
from lineage.store import open_store

NS = "postgres://db:5432"
_P = "https://github.com/OpenLineage/OpenLineage/tree/1.30.0/integration/spark"
_SCHEMA = (
    "https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet"
)
_CL = (
    "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json"
    "#/$defs/ColumnLineageDatasetFacet"
)
EMAIL = f"column:{NS}:raw.users#email"
CONTACT = f"column:{NS}:mart.users#contact"
MART = f"dataset:{NS}:mart.users"


def _event(run: str, when: str, kind: str, fields: dict[str, str]) -> dict:
    """A Spark-style run event: mart.users built from raw.users, column by column."""
    lineage = {
        out: {"inputFields": [{"namespace": NS, "name": "raw.users", "field": src}]}
        for out, src in fields.items()
    }
    schema = [{"name": "email", "type": "text"}, {"name": "id", "type": "int"}]
    return {
        "eventType": kind,
        "eventTime": when,
        "producer": _P,
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": run},
        "job": {"namespace": "spark", "name": "users_to_mart"},
        "inputs": [
            {"namespace": NS, "name": "raw.users",
             "facets": {"schema": {"_producer": _P, "_schemaURL": _SCHEMA, "fields": schema}}}
        ],
        "outputs": [
            {"namespace": NS, "name": "mart.users",
             "facets": {"columnLineage": {"_producer": _P, "_schemaURL": _CL, "fields": lineage}}}
        ],
    }  # fmt: skip


def _run(intake: Intake, n: int, fields: dict[str, str]) -> None:
    run = f"01890000-0000-7000-8000-00000000000{n}"
    for kind, minute in (("START", "00"), ("COMPLETE", "05")):
        event = _event(run, f"2024-05-0{n}T00:{minute}:00Z", kind, fields)
        result = intake.submit(Intake.read(json.dumps(event)))
        assert result.applied and not result.rejected, result.to_dict()


def test_a_column_edge_the_job_stopped_producing_carries_no_labels(tmp_path: Path) -> None:
    store = open_store(tmp_path / "store")
    intake = Intake.open(store, tmp_path / "eventlog")
    try:
        _run(intake, 1, {"contact": "email", "id": "id"})
        sensitivity.declare(store, EMAIL, "PII:EMAIL_ADDRESS", reason="seen", who="test")

        def labels(uid: str) -> set[str]:
            node = store.get_node(uid)
            assert node is not None
            return set(node.labels)

        assert "PII:EMAIL_ADDRESS" in labels(CONTACT) and "PII:EMAIL_ADDRESS" in labels(MART)

        _run(intake, 2, {"id": "id"})  # the newest run no longer derives contact from email
        flows = store.query(
            "MATCH (:Asset {uid: $s})-[e:FLOWS_TO]->(:Asset {uid: $d}) RETURN e.stale AS stale",
            {"s": EMAIL, "d": CONTACT},
        )
        assert flows == [{"stale": True}]
        assert labels(CONTACT) == set()
        assert "PII:EMAIL_ADDRESS" not in labels(MART)
        assert "PII:EMAIL_ADDRESS" in labels(EMAIL)  # the source keeps its own label

        _run(intake, 3, {"contact": "email", "id": "id"})  # and resumes
        assert "PII:EMAIL_ADDRESS" in labels(CONTACT) and "PII:EMAIL_ADDRESS" in labels(MART)
    finally:
        intake.close()
        store.close()
