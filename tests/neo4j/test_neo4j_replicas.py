"""Stateless replicas: two real ``lineage serve`` processes on one real Neo4j.

Several clients send OpenLineage batches (and label declarations) to both replicas at once.
Nothing acknowledged may be lost, no asset or edge may exist twice (the ``uid`` uniqueness
constraint and MERGE under the race), and the incrementally propagated labels must equal a
full recompute. A replica killed with -9 in the middle of a load loses nothing it
acknowledged: its log lives in Neo4j, and the next replica to start applies the rest.
"""

from __future__ import annotations

import itertools
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ingest.openlineage import idempotency_key
from lineage import sensitivity
from lineage.model import Rel
from lineage.store.neo4j import Neo4jStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "openlineage"))
from lineage_serve import LineageServe
from ol_events import as_json, run_events

pytestmark = pytest.mark.neo4j

TOKEN = "replica-write-token"
DUPLICATE_NODES = """
MATCH (n:Asset)
WITH n.uid AS uid, count(*) AS copies
WHERE copies > 1
RETURN uid, copies"""
DUPLICATE_EDGES = """
MATCH (a:Asset)-[r]->(b:Asset)
WITH a.uid AS src, type(r) AS rel, b.uid AS dst, r.key AS key, count(*) AS copies
WHERE copies > 1
RETURN src, rel, dst, key, copies"""
DECLARE = """mutation($uid: ID!) {
  declareLabel(uid: $uid, label: "PII:EMAIL_ADDRESS", reason: "replica test") { action } }"""


def _replica(uri: str, logs: Path) -> LineageServe:
    env = {"LINEAGE_STORE": uri, "LINEAGE_API_TOKEN": TOKEN}
    return LineageServe(logs / "unused", env, log_dir=logs)


@pytest.fixture
def replicas(neo4j_store: Neo4jStore, tmp_path: Path) -> Iterator[list[LineageServe]]:
    pair = [_replica(neo4j_store.location, tmp_path) for _ in range(2)]
    try:
        for r in pair:
            r.start()
        yield pair
    finally:
        for r in pair:
            r.stop()


def _send(
    urls: list[str], batches: list[list[dict[str, Any]]], acknowledged: list[dict[str, Any]]
) -> None:
    """One client: its batches, alternating between the replicas; keeps what was acked."""
    with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120) as http:
        for batch, url in zip(batches, itertools.cycle(urls), strict=False):
            try:
                r = http.post(f"{url}/api/v1/lineage/batch", json=batch)
            except httpx.HTTPError:
                continue  # that replica is gone: not acknowledged
            if r.status_code == 200:
                acknowledged.extend(batch)


def _assert_whole(store: Neo4jStore, acknowledged: list[dict[str, Any]]) -> None:
    for event in acknowledged:
        job = f"job:spark:{event['job']['name']}"
        writes = store.neighbours(job, direction="out", rels=[Rel.WRITES])
        assert writes, f"acknowledged event of {job} lost"
    keys = [r.key for r in store.event_log().records()]
    assert len(keys) == len(set(keys))
    assert {idempotency_key(e) for e in acknowledged} <= set(keys)
    assert list(store.event_log().unapplied()) == []
    assert store.query(DUPLICATE_NODES) == []
    assert store.query(DUPLICATE_EDGES) == []
    assert sensitivity.recompute(store).written == 0  # incremental == full recompute


def test_two_replicas_take_concurrent_batches_and_label_changes(
    replicas: list[LineageServe], neo4j_store: Neo4jStore
) -> None:
    urls = [r.url for r in replicas]
    events = [as_json(e) for e in run_events(60, 2, seed=21)]
    first, rest = events[:60], events[60:]
    acknowledged: list[dict[str, Any]] = []
    _send(urls, [first[i : i + 20] for i in range(0, len(first), 20)], acknowledged)
    found = neo4j_store.query("MATCH (c:Column) RETURN c.uid AS uid ORDER BY uid")
    columns = [row["uid"] for row in found if row["uid"].endswith("#email")]
    assert columns, f"the first wave should have created email columns: {found[:5]}"

    batches = [rest[i : i + 15] for i in range(0, len(rest), 15)]
    clients = [batches[k::4] for k in range(4)]  # 4 clients; each batch sent once, overlapping
    clients[0] += batches[:3]  # and some sent twice, to both replicas: duplicates, not copies
    acks: list[list[dict[str, Any]]] = [[] for _ in clients]
    declared: list[str] = []

    def label_client() -> None:
        with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120) as http:
            for uid, url in zip(columns[:12], itertools.cycle(urls), strict=False):
                body = {"query": DECLARE, "variables": {"uid": uid}}
                r = http.post(f"{url}/graphql", json=body)
                if r.status_code == 200 and not r.json().get("errors"):
                    declared.append(uid)

    threads = [
        threading.Thread(target=_send, args=(urls[k % 2 :] + urls[: k % 2], c, a))
        for k, (c, a) in enumerate(zip(clients, acks, strict=True))
    ] + [threading.Thread(target=label_client)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    acknowledged += [e for a in acks for e in a]
    assert len({idempotency_key(e) for e in acknowledged}) == len(events)  # all acked
    assert declared == columns[:12]
    for uid in declared:
        node = neo4j_store.get_node(uid)
        assert node is not None and "PII:EMAIL_ADDRESS" in node.labels
    _assert_whole(neo4j_store, acknowledged)


def test_kill_9_of_one_replica_mid_load_loses_nothing_it_acknowledged(
    replicas: list[LineageServe], neo4j_store: Neo4jStore
) -> None:
    victim, survivor = replicas
    events = [as_json(e) for e in run_events(80, 2, seed=5)]
    batches = [events[i : i + 20] for i in range(0, len(events), 20)]
    to_victim: list[dict[str, Any]] = []
    to_survivor: list[dict[str, Any]] = []
    loaders = [
        threading.Thread(target=_send, args=([victim.url], batches[0::2], to_victim)),
        threading.Thread(target=_send, args=([survivor.url], batches[1::2], to_survivor)),
    ]
    for t in loaders:
        t.start()
    while len(to_victim) < 60 and loaders[0].is_alive():
        threading.Event().wait(0.01)
    victim.kill()
    for t in loaders:
        t.join(300)
    assert 60 <= len(to_victim) < len(events) // 2, "the kill should land mid-load"
    assert len(to_survivor) == len(events) // 2  # the other replica never noticed

    victim.start()  # the next replica to start applies what the dead one logged
    _assert_whole(neo4j_store, to_victim + to_survivor)
