"""Lenient facet validation: an event whose only faults are facets lands, the faults reported.

Against a real ``lineage serve`` (lenient by default, and strict with
``LINEAGE_OPENLINEAGE_STRICT=1``), and, with hypothesis, over the OpenLineage corpus with
facet fields removed at random: the core lineage (job, inputs, outputs) is never lost.
"""

from __future__ import annotations

import copy
import json
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ol_corpus import cases, events_of
from ol_server import Server

from ingest.openlineage import read_events
from ingest.openlineage.leniency import SET_ASIDE_FACET
from lineage import ids
from lineage.intake import Intake
from lineage.model import Rel
from lineage.store import Store, open_store

TOKEN = "leniency-write-token"
P = "https://example.com/producer"
NS = "postgres://db:5432"


def _facet(**fields: Any) -> dict[str, Any]:
    return {
        "_producer": P,
        "_schemaURL": "https://openlineage.io/spec/facets/1-0-0/F.json",
        **fields,
    }


def _event(*, doc: dict[str, Any], symlink: dict[str, Any]) -> dict[str, Any]:
    """A Spark-like run event with one facet lacking its base fields and one symlink
    identifier lacking its namespace (both seen from real emitters)."""
    return {
        "eventType": "COMPLETE",
        "eventTime": "2024-05-01T10:00:00Z",
        "producer": P,
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": str(uuid.uuid4())},
        "job": {"namespace": "spark", "name": f"etl.{uuid.uuid4().hex[:8]}"},
        "inputs": [
            {
                "namespace": NS,
                "name": "public.orders",
                "facets": {
                    "documentation": doc,
                    "schema": _facet(fields=[{"name": "id", "type": "int"}]),
                    "symlinks": _facet(identifiers=[symlink]),
                },
            }
        ],
        "outputs": [{"namespace": NS, "name": "public.orders_daily"}],
    }


def _bad() -> dict[str, Any]:
    return _event(
        doc={"description": "raw orders"}, symlink={"name": "hive.orders", "type": "TABLE"}
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    s = Server(tmp_path_factory.mktemp("serve") / "store", TOKEN)
    try:
        yield s.start()
    finally:
        s.stop()
        s.stop_store_server()


def _post(url: str, path: str, body: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    return httpx.post(f"{url}{path}", json=body, headers=headers, timeout=30)


def _reads(store_path: Path, job: str) -> list[str]:
    guest = open_store(store_path)
    try:
        return [n.node.uid for n in guest.neighbours(job, direction="out", rels=[Rel.READS])]
    finally:
        guest.close()


def test_facet_faults_land_with_warnings(server: Server) -> None:
    event = _bad()
    response = _post(server.url, "/api/v1/lineage", event)
    assert response.status_code == 201, response.text
    warnings = {w["facet"]: w["message"] for w in response.json()["warnings"]}
    assert (
        warnings["inputs[0].facets.documentation"] == "set aside: missing _producer and _schemaURL"
    )
    assert "dataset's namespace" in warnings["inputs[0].facets.symlinks.identifiers[0].namespace"]
    job = ids.job_id("spark", event["job"]["name"])
    # the repaired symlink (a TABLE identifier, so the canonical node) took the dataset's
    # namespace, and the job's read landed on it
    canonical = ids.dataset_id(NS, "hive.orders")
    assert _reads(server.store, job) == [canonical]
    guest = open_store(server.store)
    try:
        node = guest.get_node(canonical)
        assert node is not None
        assert node.props["fields"] == ["id"]  # the valid facet was kept
        assert "description" not in node.props  # the bad one was not mapped
        aliases = guest.neighbours(ids.dataset_id(NS, "public.orders"), direction="out",
                                   rels=[Rel.ALIAS_OF])  # fmt: skip
        assert [n.node.uid for n in aliases] == [canonical]
    finally:
        guest.close()
    # a clean event still gets Marquez's empty 201
    clean = _event(
        doc=_facet(description="raw orders"),
        symlink={"namespace": NS, "name": "x", "type": "TABLE"},
    )
    response = _post(server.url, "/api/v1/lineage", clean)
    assert (response.status_code, response.content) == (201, b"")


def test_batch_lists_warnings_per_index_and_core_faults_stay_refused(server: Server) -> None:
    good = _event(
        doc=_facet(description="d"), symlink={"namespace": NS, "name": "x", "type": "TABLE"}
    )
    no_job = _bad()
    del no_job["job"]["name"]
    response = _post(server.url, "/api/v1/lineage/batch", [good, _bad(), no_job])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["accepted"] == 2
    assert [r["index"] for r in body["rejected"]] == [2]
    assert [w["index"] for w in body["warnings"]] == [1]
    assert {w["facet"] for w in body["warnings"][0]["warnings"]} == {
        "inputs[0].facets.documentation",
        "inputs[0].facets.symlinks.identifiers[0].namespace",
    }
    assert any("set aside" in p for p in body["problems"])


def test_strict_mode_refuses_as_before(tmp_path: Path) -> None:
    s = Server(tmp_path / "store", TOKEN)
    s.env["LINEAGE_OPENLINEAGE_STRICT"] = "1"
    try:
        s.start()
        response = _post(s.url, "/api/v1/lineage", _bad())
        assert response.status_code == 422
        fields = {e["field"] for e in response.json()["detail"]}
        assert any(f.startswith("inputs[0].facets") for f in fields)
    finally:
        s.stop()
        s.stop_store_server()


def test_replay_reports_what_was_set_aside(store: Store, tmp_path: Path) -> None:
    intake = Intake.open(store, tmp_path / "eventlog")
    try:
        first = intake.submit(read_events(json.dumps(_bad())))
        assert first.accepted == 1 and first.warnings
        (record,) = list(intake.log.records())
        assert SET_ASIDE_FACET in record.event["run"]["facets"]
        report = intake.replay()
    finally:
        intake.close()
    assert any("inputs[0].facets.documentation" in str(p) for p in report.problems)


# -- the corpus with facet fields removed at random ---------------------------------------

_CASES = [json.loads(p.read_text()) for p in cases()]
_BASE = ("_producer", "_schemaURL")


def _facet_objects(event: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for part in ("run", "job"):
        found += list(((event.get(part) or {}).get("facets") or {}).values())
    for side in ("inputs", "outputs"):
        for d in event.get(side) or ():
            for key in ("facets", "inputFacets", "outputFacets"):
                found += list((d.get(key) or {}).values())
    return [f for f in found if isinstance(f, dict)]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=st.sampled_from(_CASES), data=st.data())
def test_corpus_with_facet_fields_removed_keeps_its_core_lineage(
    store: Store, case: dict[str, Any], data: st.DataObject
) -> None:
    events = events_of(case)
    damaged = copy.deepcopy(events)
    for event in damaged:
        for facet in _facet_objects(event):
            keys = sorted(facet)
            drop = (
                data.draw(st.lists(st.sampled_from(keys), unique=True, max_size=2)) if keys else []
            )
            for key in drop:
                del facet[key]
    store.clear()
    with tempfile.TemporaryDirectory() as log_dir:
        intake = Intake.open(store, Path(log_dir) / "eventlog")
        try:
            result = intake.submit(read_events(json.dumps(damaged)))
        finally:
            intake.close()
    assert not result.rejected, result.to_dict()
    for event in events:
        job = event.get("job") or {}
        if not job.get("name") or "run" not in event:
            continue
        uid = ids.job_id(job["namespace"], job["name"])
        assert store.get_node(uid) is not None, uid
        for side, rel in (("inputs", Rel.READS), ("outputs", Rel.WRITES)):
            expected = {ids.dataset_id(d["namespace"], d["name"]) for d in event.get(side) or ()}
            found = {n.node.uid for n in store.neighbours(uid, direction="out", rels=[rel])}
            for dataset in expected:
                assert dataset in found or _aliased(store, dataset, found), (side, dataset)


def _aliased(store: Store, dataset: str, found: set[str]) -> bool:
    """A symlinked dataset's edges sit on its canonical node."""
    node = store.get_node(dataset)
    if node is None:
        return False
    targets = {n.node.uid for n in store.neighbours(dataset, direction="out", rels=[Rel.ALIAS_OF])}
    return bool(targets & found)
