"""End to end against a real ``lineage serve`` on loopback: the official OpenLineage client,
kill -9 in the middle of a batch load, recovery of logged-but-unapplied events, replay."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import requests
from ol_events import as_json, fan_out, run_events
from ol_server import Server
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import DatasetEvent, JobEvent, StaticDataset
from openlineage.client.event_v2 import Job as OLJob
from openlineage.client.facet_v2 import documentation_dataset
from openlineage.client.transport.http import ApiKeyTokenProvider, HttpConfig, HttpTransport
from typer.testing import CliRunner

from ingest.openlineage import idempotency_key
from lineage.cli import app
from lineage.eventlog import FileEventLog
from lineage.model import Rel
from lineage.store import open_store

TOKEN = "e2e-write-token"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the module (startup dominates these tests); the kill test restarts it."""
    s = Server(tmp_path_factory.mktemp("serve") / "store", TOKEN)
    try:
        yield s.start()
    finally:
        s.stop()
        s.stop_store_server()


def _client(url: str, token: str = TOKEN) -> OpenLineageClient:
    config = HttpConfig(url=url, auth=ApiKeyTokenProvider({"apiKey": token}))
    return OpenLineageClient(transport=HttpTransport(config))


def _writes(store_path: Path, job: str) -> list[str]:
    guest = open_store(store_path)  # the server owns the store; we join as a guest
    try:
        return [n.node.uid for n in guest.neighbours(job, direction="out", rels=[Rel.WRITES])]
    finally:
        guest.close()


def test_the_openlineage_client_emits_to_lineage_serve(server: Server) -> None:
    client = _client(server.url)
    events = list(run_events(2, 1))
    for event in events:
        client.emit(event)
    client.emit(
        JobEvent(
            eventTime="2024-05-02T00:00:00Z",
            producer="https://example.com/tests",
            job=OLJob(namespace="airflow", name="reporting.daily"),
            inputs=[],
            outputs=[],
        )
    )
    client.emit(
        DatasetEvent(
            eventTime="2024-05-02T00:00:00Z",
            producer="https://example.com/tests",
            dataset=StaticDataset(
                namespace="s3://lake",
                name="raw/customers",
                facets={
                    "documentation": documentation_dataset.DocumentationDatasetFacet(
                        description="customer master data"
                    )
                },
            ),
        )
    )
    guest = open_store(server.store)
    try:
        job = f"job:spark:{events[0].job.name}"
        node = guest.get_node(job)
        assert node is not None and node.props["last_run_state"] == "COMPLETE"
        outputs = guest.neighbours(job, direction="out", rels=[Rel.WRITES])
        assert len(outputs) == 1
        columns = guest.neighbours(outputs[0].node.uid, direction="out", rels=[Rel.HAS_COLUMN])
        assert columns
        flows_in = guest.neighbours(columns[0].node.uid, direction="in", rels=[Rel.FLOWS_TO])
        assert flows_in and all(f.edge.props["via"] == job for f in flows_in)
        assert guest.get_node("job:airflow:reporting.daily") is not None
        lake = guest.get_node("dataset:s3://lake:raw/customers")
        assert lake is not None and lake.props["description"] == "customer master data"
    finally:
        guest.close()

    with pytest.raises(requests.HTTPError) as refused:
        _client(server.url, token="wrong").emit(events[0])
    assert refused.value.response.status_code == 401


def test_kill_9_during_a_batch_load_loses_no_acknowledged_event(server: Server) -> None:
    events = [as_json(e) for e in run_events(240, 1, seed=11)]
    batches = [events[i : i + 40] for i in range(0, len(events), 40)]
    acknowledged: list[dict] = []
    stop = threading.Event()

    def load() -> None:
        with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30) as http:
            for batch in batches:
                if stop.is_set():
                    return
                try:
                    r = http.post(f"{server.url}/api/v1/lineage/batch", json=batch)
                except httpx.HTTPError:
                    return  # the server died mid-request: this batch was not acknowledged
                if r.status_code == 200:
                    acknowledged.extend(batch)

    loader = threading.Thread(target=load)
    loader.start()
    while len(acknowledged) < 120 and loader.is_alive():
        threading.Event().wait(0.01)
    server.kill()
    stop.set()
    loader.join(timeout=30)
    assert 120 <= len(acknowledged) < len(events), "the kill should land mid-load"

    # As if the server had also died between a log fsync and the apply: records in the log
    # that never reached the graph.
    logged_only = [as_json(e) for e in run_events(3, 1, seed=5)]
    for i, event in enumerate(logged_only):  # jobs no acknowledged event wrote: only
        event["job"]["name"] = f"logged_only_{i}"  # recovery can put them in the graph
    log = FileEventLog(server.store / "eventlog")
    log.append([(idempotency_key(e), e) for e in logged_only])
    log.close()

    server.start()  # restart: the lifespan applies what was logged but not applied
    for event in acknowledged + logged_only:
        job = f"job:spark:{event['job']['name']}"
        assert _writes(server.store, job), f"acknowledged event of {job} lost"

    # Re-sending everything is idempotent: acknowledged events are duplicates, none twice.
    with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60) as http:
        results = [http.post(f"{server.url}/api/v1/lineage/batch", json=b).json() for b in batches]
    assert sum(r["duplicates"] for r in results) >= len(acknowledged)
    assert sum(r["accepted"] + r["duplicates"] for r in results) == len(events)
    log = FileEventLog(server.store / "eventlog")  # a second handle, as a CLI would have
    try:
        keys = [r.key for r in log.records()]
    finally:
        log.close()
    assert len(set(keys)) == len(keys)
    assert {idempotency_key(e) for e in events + logged_only} <= set(keys)


def test_cli_ingest_and_replay(tmp_path: Path) -> None:
    store = tmp_path / "store"
    events_file = tmp_path / "events.ndjson"
    events = [as_json(e) for e in run_events(2, 2, seed=3)]
    events_file.write_text("\n".join(json.dumps(e) for e in events) + "\n{oops\n")
    runner = CliRunner()
    r = runner.invoke(app, ["--store", str(store), "ingest", "openlineage", str(events_file)])
    assert r.exit_code == 1  # one bad line: reported, the rest landed
    assert "4 accepted" in r.output.replace("\n", " ") or "accepted" in r.output
    r = runner.invoke(app, ["--store", str(store), "export", "-o", str(tmp_path / "a.jsonl")])
    assert r.exit_code == 0
    r = runner.invoke(app, ["--store", str(store), "replay", "--clear", "--json"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["--store", str(store), "export", "-o", str(tmp_path / "b.jsonl")])
    assert r.exit_code == 0, (r.output, r.exception)
    before = (tmp_path / "a.jsonl").read_text().splitlines()
    after = (tmp_path / "b.jsonl").read_text().splitlines()
    assert len(after) == len(before) and after == before


def test_a_680kb_fan_out_event_lands_whole_and_writes_after_it_stay_quick(server: Server) -> None:
    """Issue 14.5: an event of 10,000 inputs x 20 outputs (200,000 data-flow edges) timed out
    while applying, was reported as "nothing committed" although its edges were in the graph,
    and every later write re-ran it. It must land whole, once, and leave nothing pending."""
    event = fan_out(10_000, 20)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    first = httpx.post(f"{server.url}/api/v1/lineage", json=event, headers=headers, timeout=600)
    assert first.status_code == 201, first.text
    again = httpx.post(f"{server.url}/api/v1/lineage", json=event, headers=headers, timeout=600)
    assert again.status_code == 201, again.text
    guest = open_store(server.store)
    try:
        out = guest.neighbours("dataset:s3://lake:out/t07", direction="in", rels=[Rel.FLOWS_TO])
        assert len({n.edge.src for n in out}) == 10_000
        job = "job:fanout:wide_join"
        assert len(guest.neighbours(job, direction="out", rels=[Rel.READS])) == 10_000
    finally:
        guest.close()
