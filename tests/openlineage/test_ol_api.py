"""The HTTP contract of the intake, in process: status codes, bodies, limits, auth."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from ol_events import as_json, run_events

from lineage.api import create_app
from lineage.settings import Settings
from lineage.store import Store

TOKEN = "test-write-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("LINEAGE_EVENT_LOG", str(tmp_path / "eventlog"))
    settings = Settings(store=str(tmp_path / "unused"), api_token=TOKEN, max_request_bytes=256_000)
    with TestClient(create_app(settings, store=store)) as c:
        yield c


@pytest.fixture
def events() -> list[dict[str, Any]]:
    return [as_json(e) for e in run_events(3, 2)]


def _count(store: Store, kind: str) -> int:
    return store.counts().get(kind, 0)


def test_one_event_is_201_with_an_empty_body_and_lands(
    client: TestClient, store: Store, events: list[dict[str, Any]]
) -> None:
    r = client.post("/api/v1/lineage", json=events[1], headers=AUTH)
    assert r.status_code == 201 and r.content == b""
    job = f"job:spark:{events[1]['job']['name']}"
    assert store.get_node(job) is not None
    writes = [n for n in store.neighbours(job, direction="out") if n.edge.rel.value == "WRITES"]
    assert len(writes) == 1


def test_resend_is_idempotent(client: TestClient, store: Store, events: list[dict]) -> None:
    assert client.post("/api/v1/lineage", json=events[0], headers=AUTH).status_code == 201
    before = store.counts()
    assert client.post("/api/v1/lineage", json=events[0], headers=AUTH).status_code == 201
    assert store.counts() == before
    r = client.post("/api/v1/lineage/batch", json=events[:2], headers=AUTH)
    assert r.json()["duplicates"] == 1 and r.json()["accepted"] == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b"", 400),
        (b"[]", 400),
        (b"42", 400),
        (b"\xff\xfe{}", 400),
    ],
)
def test_malformed_json_is_400(client: TestClient, body: bytes, status: int) -> None:
    r = client.post(
        "/api/v1/lineage", content=body, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert r.status_code == status
    assert r.json()["code"] == status and r.json()["message"]


def test_wrong_types_and_missing_fields_are_422_naming_the_field(
    client: TestClient, events: list[dict[str, Any]]
) -> None:
    bad = json.loads(json.dumps(events[1]))
    bad["run"]["runId"] = "not-a-uuid"
    bad["eventTime"] = 1714557600
    del bad["producer"]
    r = client.post("/api/v1/lineage", json=bad, headers=AUTH)
    assert r.status_code == 422
    fields = {d["field"] for d in r.json()["detail"]}
    assert {"run.runId", "eventTime", "<event>"} <= fields
    assert any("producer" in e for e in r.json()["errors"])

    # a malformed facet alone does not refuse the event (lenient intake): it is set aside,
    # and the warning names the field
    bad = json.loads(json.dumps(events[1]))
    bad["outputs"][0]["facets"]["schema"]["fields"][0]["name"] = 7
    r = client.post("/api/v1/lineage", json=bad, headers=AUTH)
    assert r.status_code == 201
    (warning,) = r.json()["warnings"]
    assert warning["facet"] == "outputs[0].facets.schema"
    assert "outputs[0].facets.schema.fields[0].name" in warning["message"]

    bad = json.loads(json.dumps(events[1]))
    bad["eventType"] = "FINISHED"
    r = client.post("/api/v1/lineage", json=bad, headers=AUTH)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "eventType"


def test_huge_payloads_are_413_plain_and_gzip(client: TestClient, events: list[dict]) -> None:
    huge = dict(events[0], padding="x" * 300_000)
    r = client.post("/api/v1/lineage", json=huge, headers=AUTH)
    assert r.status_code == 413
    bomb = gzip.compress(json.dumps(huge).encode())
    assert len(bomb) < 256_000
    r = client.post(
        "/api/v1/lineage",
        content=bomb,
        headers={**AUTH, "Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert r.status_code == 413


def test_gzip_body_is_accepted(client: TestClient, events: list[dict]) -> None:
    body = gzip.compress(json.dumps(events[0]).encode())
    r = client.post(
        "/api/v1/lineage",
        content=body,
        headers={**AUTH, "Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert r.status_code == 201


def test_auth_and_media_type(client: TestClient, events: list[dict]) -> None:
    assert client.post("/api/v1/lineage", json=events[0]).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert client.post("/api/v1/lineage", json=events[0], headers=wrong).status_code == 401
    r = client.post(
        "/api/v1/lineage", content=b"{}", headers={**AUTH, "Content-Type": "text/plain"}
    )
    assert r.status_code == 415


def test_writes_are_refused_without_a_configured_token(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, events: list[dict]
) -> None:
    monkeypatch.setenv("LINEAGE_EVENT_LOG", str(tmp_path / "eventlog"))
    with TestClient(create_app(Settings(store=str(tmp_path)), store=store)) as c:
        assert c.post("/api/v1/lineage", json=events[0]).status_code == 403


def test_batch_lands_the_valid_events_and_lists_the_rejected_by_index(
    client: TestClient, store: Store, events: list[dict[str, Any]]
) -> None:
    bad = json.loads(json.dumps(events[2]))
    del bad["run"]
    payload = [events[0], bad, events[1], "not an event"]
    r = client.post("/api/v1/lineage/batch", json=payload, headers=AUTH)
    assert r.status_code == 200
    body = r.json()
    assert body["received"] == 4 and body["accepted"] == 2
    assert [x["index"] for x in body["rejected"]] == [1, 3]
    assert _count(store, "Job") >= 1


def test_batch_ndjson_with_a_broken_line(client: TestClient, events: list[dict]) -> None:
    lines = [json.dumps(e) for e in events[:3]]
    lines.insert(1, '{"eventType": "START", ')
    r = client.post(
        "/api/v1/lineage/batch",
        content="\n".join(lines) + "\n",
        headers={**AUTH, "Content-Type": "application/x-ndjson"},
    )
    body = r.json()
    assert r.status_code == 200 and body["accepted"] == 3
    assert body["rejected"][0]["index"] == 1 and body["rejected"][0]["line"] == 2


def test_batch_of_only_invalid_events_is_422(client: TestClient) -> None:
    r = client.post("/api/v1/lineage/batch", json=[{}, {"eventType": "START"}], headers=AUTH)
    assert r.status_code == 422 and len(r.json()["rejected"]) == 2


def test_job_and_dataset_events(client: TestClient, store: Store) -> None:
    common = {
        "eventTime": "2024-05-01T10:00:00Z",
        "producer": "https://example.com/producer",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent",
    }
    job_event = {
        **common,
        "job": {"namespace": "airflow", "name": "dag.task"},
        "inputs": [{"namespace": "s3://bucket", "name": "raw/events"}],
        "outputs": [],
    }
    dataset_event = {
        **common,
        "dataset": {
            "namespace": "postgres://db:5432",
            "name": "shop.public.customers",
            "facets": {
                "schema": {
                    "_producer": "https://example.com/p",
                    "_schemaURL": "https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json",
                    "fields": [{"name": "email", "type": "text"}],
                }
            },
        },
    }
    assert client.post("/api/v1/lineage", json=job_event, headers=AUTH).status_code == 201
    assert client.post("/api/v1/lineage", json=dataset_event, headers=AUTH).status_code == 201
    node = store.get_node("dataset:postgres://db:5432:shop.public.customers")
    assert node is not None and node.props["fields"] == ["email"]
    assert store.get_node("column:postgres://db:5432:shop.public.customers#email") is not None
    reads = store.neighbours("job:airflow:dag.task", direction="out")
    assert [n.node.uid for n in reads] == ["dataset:s3://bucket:raw/events"]
