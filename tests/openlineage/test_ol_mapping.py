"""What events mean in the graph: current vs cumulative lineage, symlinks, facets."""

from __future__ import annotations

import importlib.util
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ingest.openlineage import read_events
from lineage.intake import Intake
from lineage.model import Rel
from lineage.store import Store

NS = "postgres://db:5432"
P = "https://example.com/producer"
S = "https://openlineage.io/spec/facets/1-0-0/Facet.json"


def _facet(**fields: Any) -> dict[str, Any]:
    return {"_producer": P, "_schemaURL": S, **fields}


def _ds(name: str, *, columns: list[str] = (), **facets: Any) -> dict[str, Any]:
    all_facets = dict(facets)
    if columns:
        all_facets["schema"] = _facet(fields=[{"name": c, "type": "text"} for c in columns])
    return {"namespace": NS, "name": name, "facets": all_facets}


def _event(
    state: str,
    minute: int,
    inputs: list[dict[str, Any]],
    outputs: list[dict[str, Any]],
    *,
    run: str,
    job: str = "etl.load",
    run_facets: dict[str, Any] | None = None,
    job_facets: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "eventType": state,
        "eventTime": f"2024-05-01T10:{minute:02d}:00Z",
        "producer": P,
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": str(uuid.uuid5(uuid.NAMESPACE_URL, run)), "facets": run_facets or {}},
        "job": {"namespace": "airflow", "name": job, "facets": job_facets or {}},
        "inputs": inputs,
        "outputs": outputs,
    }


@pytest.fixture
def intake(store: Store, tmp_path: Path) -> Iterator[Intake]:
    i = Intake.open(store, tmp_path / "eventlog")
    try:
        yield i
    finally:
        i.close()


def _send(intake: Intake, *events: dict[str, Any]) -> None:
    result = intake.submit(read_events(json.dumps(list(events))))
    assert not result.rejected, result.to_dict()
    assert result.applied


def _edges(store: Store, uid: str, rel: Rel) -> dict[str, dict[str, Any]]:
    return {
        n.node.uid: dict(n.edge.props) for n in store.neighbours(uid, direction="out", rels=[rel])
    }


def _flows_into(store: Store, uid: str) -> dict[str, dict[str, Any]]:
    return {
        n.node.uid: dict(n.edge.props)
        for n in store.neighbours(uid, direction="in", rels=[Rel.FLOWS_TO])
    }


JOB = "job:airflow:etl.load"
A, B, C = (f"dataset:{NS}:shop.public.{t}" for t in ("a", "b", "c"))


def test_a_newer_completed_run_marks_what_it_no_longer_touches_stale(
    intake: Intake, store: Store
) -> None:
    a, b, c = _ds("shop.public.a"), _ds("shop.public.b"), _ds("shop.public.c")
    _send(
        intake,
        _event("START", 0, [a, b], [c], run="r1"),
        _event("COMPLETE", 5, [a, b], [c], run="r1"),
    )
    assert {k: v["stale"] for k, v in _edges(store, JOB, Rel.READS).items()} == {A: False, B: False}

    _send(
        intake, _event("START", 10, [a], [c], run="r2"), _event("COMPLETE", 15, [a], [c], run="r2")
    )
    reads = _edges(store, JOB, Rel.READS)
    assert reads[A]["stale"] is False and reads[B]["stale"] is True  # kept, for history
    flows = _flows_into(store, C)
    assert flows[A]["stale"] is False and flows[B]["stale"] is True
    assert reads[B]["last_seen"] < reads[A]["last_seen"]

    # An older run's COMPLETE arriving late changes nothing about what is current.
    _send(intake, _event("COMPLETE", 7, [b], [c], run="r0"))
    reads = _edges(store, JOB, Rel.READS)
    assert reads[A]["stale"] is False and reads[B]["stale"] is True

    # A run that touches what the previous one did needs no marking at all.
    marked = intake._stale.marked_runs
    _send(intake, _event("COMPLETE", 17, [a], [c], run="r2b"))
    assert intake._stale.marked_runs == marked
    assert _edges(store, JOB, Rel.READS)[A]["run_id"] == str(uuid.uuid5(uuid.NAMESPACE_URL, "r2b"))

    _send(intake, _event("COMPLETE", 20, [a, b], [c], run="r3"))  # b is read again
    assert {k: v["stale"] for k, v in _edges(store, JOB, Rel.READS).items()} == {A: False, B: False}


def test_symlinks_resolve_to_one_node_across_events(intake: Intake, store: Store) -> None:
    path = {"namespace": "s3://lake", "name": "warehouse/orders"}
    table = {"namespace": "hive://metastore:9083", "name": "sales.orders", "type": "TABLE"}
    with_link = {**path, "facets": {"symlinks": _facet(identifiers=[table])}}
    _send(intake, _event("COMPLETE", 0, [_ds("shop.public.a")], [with_link], run="w"))
    canonical = "dataset:hive://metastore:9083:sales.orders"
    alias = "dataset:s3://lake:warehouse/orders"
    assert _edges(store, alias, Rel.ALIAS_OF) == {
        canonical: _edges(store, alias, Rel.ALIAS_OF)[canonical]
    }
    assert canonical in _edges(store, JOB, Rel.WRITES)

    # A later event names only the path: its lineage lands on the canonical table.
    _send(intake, _event("COMPLETE", 5, [path], [_ds("shop.public.b")], run="r", job="report"))
    assert set(_edges(store, "job:airflow:report", Rel.READS)) == {canonical}
    assert canonical in _flows_into(store, B)


def test_column_lineage_terms_masking_and_dataset_dependencies(
    intake: Intake, store: Store
) -> None:
    lineage = _facet(
        fields={
            "email_hash": {
                "inputFields": [
                    {
                        "namespace": NS,
                        "name": "shop.public.a",
                        "field": "email",
                        "transformations": [
                            {"type": "DIRECT", "subtype": "TRANSFORMATION", "masking": True}
                        ],
                    }
                ]
            },
            "total": {
                "inputFields": [
                    {
                        "namespace": NS,
                        "name": "shop.public.a",
                        "field": "amount",
                        "transformations": [
                            {"type": "DIRECT", "subtype": "AGGREGATION"},
                            {"type": "INDIRECT", "subtype": "GROUP_BY"},
                        ],
                    }
                ]
            },
            "legacy": {"inputFields": [{"namespace": NS, "name": "shop.public.b", "field": "x"}]},
        },
        dataset=[
            {
                "namespace": NS,
                "name": "shop.public.b",
                "field": "status",
                "transformations": [{"type": "INDIRECT", "subtype": "FILTER"}],
            }
        ],
    )
    out = _ds("shop.public.c", columns=["email_hash", "total", "legacy"], columnLineage=lineage)
    extra = _ds("shop.public.d")
    _send(
        intake,
        _event("COMPLETE", 0, [_ds("shop.public.a"), _ds("shop.public.b"), extra], [out], run="x"),
    )

    masked = _flows_into(store, f"column:{NS}:shop.public.c#email_hash")[
        f"column:{NS}:shop.public.a#email"
    ]
    assert masked["transformation_type"] == "DIRECT" and masked["masking"] is True
    total = _flows_into(store, f"column:{NS}:shop.public.c#total")[
        f"column:{NS}:shop.public.a#amount"
    ]
    assert (total["transformation_type"], total["transformation_subtype"]) == (
        "DIRECT",
        "AGGREGATION",
    )
    assert set(total["transformations"]) == {"DIRECT:AGGREGATION", "INDIRECT:GROUP_BY"}
    legacy = _flows_into(store, f"column:{NS}:shop.public.c#legacy")[f"column:{NS}:shop.public.b#x"]
    assert legacy["transformation_type"] == "DIRECT"  # no detail: read as a value flow
    into_c = _flows_into(store, C)
    assert into_c[f"column:{NS}:shop.public.b#status"]["transformation_subtype"] == "FILTER"
    assert into_c[A]["column_detail"] is True and into_c[A]["granularity"] == "dataset"
    assert into_c[B]["column_detail"] is True
    d = f"dataset:{NS}:shop.public.d"
    assert into_c[d]["column_detail"] is False  # not in the facet: a coarse edge


def test_facets_become_properties_and_unknown_ones_are_kept(intake: Intake, store: Store) -> None:
    out = _ds(
        "shop.public.c",
        columns=["id", "email"],
        documentation=_facet(description="customers, deduplicated"),
        ownership=_facet(owners=[{"name": "team:crm", "type": "TEAM"}]),
        dataSource=_facet(name="crm", uri="postgres://db:5432/shop"),
        acme_quality=_facet(score=0.93, checks=["not_null"]),
    )
    run_facets = {
        "parent": _facet(
            run={"runId": str(uuid.uuid4())}, job={"namespace": "airflow", "name": "crm_dag"}
        ),
        "errorMessage": _facet(
            message="boom: relation missing\nstack...", programmingLanguage="PYTHON"
        ),
    }
    job_facets = {
        "jobType": _facet(processingType="BATCH", integration="AIRFLOW", jobType="TASK"),
        "documentation": _facet(description="loads the CRM extract"),
        "acme_owner": _facet(team="crm"),
    }
    _send(
        intake, _event("FAIL", 0, [], [out], run="f", run_facets=run_facets, job_facets=job_facets)
    )
    node = store.get_node(C)
    assert node is not None
    assert node.props["fields"] == ["id", "email"] and node.props["field_types"] == ["text", "text"]
    assert node.props["description"] == "customers, deduplicated"
    assert node.props["owner"] == ["team:crm"]
    assert node.props["data_source_uri"] == "postgres://db:5432/shop"
    assert json.loads(node.props["facets.acme_quality"])["score"] == 0.93
    job = store.get_node(JOB)
    assert job is not None
    assert (job.props["job_type"], job.props["integration"]) == ("TASK", "AIRFLOW")
    assert job.props["parent"] == "job:airflow:crm_dag"
    assert job.props["last_run_state"] == "FAIL"
    assert job.props["error_message"] == "boom: relation missing"
    assert "facets.acme_owner" in job.props
    assert store.get_node("source:postgres://db:5432") is not None


@pytest.mark.skipif(
    importlib.util.find_spec("ingest.sql") is None
    or not hasattr(importlib.import_module("ingest.sql"), "sql_facts"),
    reason="the SQL ingestor is not there yet",
)
def test_sql_facet_is_parsed_when_no_column_lineage_came(intake: Intake, store: Store) -> None:
    sql = _facet(query="INSERT INTO shop.public.c (id) SELECT id FROM shop.public.a")
    _send(
        intake,
        _event(
            "COMPLETE",
            0,
            [_ds("shop.public.a")],
            [_ds("shop.public.c")],
            run="s",
            job_facets={"sql": sql},
        ),
    )
    assert A in _flows_into(store, C)
    assert f"column:{NS}:shop.public.a#id" in _flows_into(store, f"column:{NS}:shop.public.c#id")


def test_credentials_in_namespaces_and_uris_are_never_stored(intake: Intake, store: Store) -> None:
    secret_ns = "postgres://etl:s3cret@db:5432"
    out = {
        "namespace": secret_ns,
        "name": "shop.public.c",
        "facets": {"dataSource": _facet(name="shop", uri=f"{secret_ns}/shop")},
    }
    _send(intake, _event("COMPLETE", 0, [], [out], run="cred"))
    node = store.get_node(C)  # the same node as without credentials
    assert node is not None and node.props["data_source_uri"] == "postgres://db:5432/shop"
    from lineage.transfer import export_lines

    assert not any("s3cret" in line for line in export_lines(store))
