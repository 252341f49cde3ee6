"""``lineage consume kafka`` against a real Kafka broker (KRaft, loopback): at least once
from Kafka, exactly once in the graph, poison reported by offset, a kill -9 survived.

Events are produced with confluent-kafka as the OpenLineage client's KafkaTransport sends
them (one JSON event a message, keyed by run): some re-sent, some malformed.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Producer
from kafka_broker import KafkaBroker

from lineage import ids
from lineage.eventlog import FileEventLog
from lineage.model import Rel
from lineage.store import open_store

pytestmark = pytest.mark.emitters

P = "https://github.com/OpenLineage/OpenLineage/tree/1.54.0/client/python"
_CLI = "from lineage.cli import main; main()"


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaBroker]:
    b = KafkaBroker(tmp_path_factory.mktemp("kafka"))
    try:
        yield b.start()
    finally:
        b.stop()


def _event(i: int) -> dict[str, Any]:
    return {
        "eventType": "COMPLETE",
        "eventTime": f"2024-05-01T10:{i // 60:02d}:{i % 60:02d}Z",
        "producer": P,
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": str(uuid.UUID(int=i + 1))},
        "job": {"namespace": "kafka-test", "name": f"job_{i}"},
        "inputs": [{"namespace": "postgres://db:5432", "name": f"public.src_{i}"}],
        "outputs": [{"namespace": "postgres://db:5432", "name": f"public.dst_{i}"}],
    }


def _consumer(store: Path, broker: KafkaBroker, topic: str, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "LINEAGE_STORE": str(store)}
    args = ["consume", "kafka", "--bootstrap", broker.bootstrap, "--topic", topic,
            "--group", "g1", *extra]  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-c", _CLI, *args], env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def _logged(store: Path) -> int:
    with contextlib.suppress(OSError):
        return (store / "eventlog" / "events.log").read_bytes().count(b"\n")
    return 0


def test_kill_mid_stream_then_restart_applies_every_valid_event_once(
    broker: KafkaBroker, tmp_path: Path
) -> None:
    topic, n = f"ol-{uuid.uuid4().hex[:8]}", 60
    store = tmp_path / "store"
    open_store(store).close()
    offsets: dict[bytes, int] = {}

    def delivered(err: Any, msg: Any) -> None:
        assert err is None, err
        offsets[msg.value()] = msg.offset()

    producer = Producer({"bootstrap.servers": broker.bootstrap, "enable.idempotence": True})
    poison = [b"{not json", json.dumps({"eventType": "START"}).encode(), b"[1, 2"]
    payloads: list[bytes] = []
    for i in range(n):
        payloads.append(json.dumps(_event(i)).encode())
        if i % 10 == 3:  # an emitter retry: the same event again
            payloads.append(json.dumps(_event(i)).encode())
        if i % 20 == 7:
            payloads.append(poison[i // 20])
    for payload in payloads:  # one partition: offsets say where each poison sits
        producer.produce(topic, payload, partition=0, on_delivery=delivered)
    assert producer.flush(60) == 0

    first = _consumer(store, broker, topic, "--batch", "2")
    try:
        deadline = time.monotonic() + 120
        while _logged(store) < 12 and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)  # mid-stream: no commit of the batch in hand
        first.wait(10)
        first_err = first.stderr.read() if first.stderr else ""
        at_kill = _logged(store)
        assert 0 < at_kill < n, at_kill
    finally:
        if first.poll() is None:
            first.kill()
    second = _consumer(store, broker, topic, "--batch", "50", "--idle-exit", "5")
    _, err = second.communicate(timeout=300)
    assert second.returncode == 0, err[-3000:]

    log = FileEventLog(store / "eventlog")
    try:
        records = list(log.records())
        assert not list(log.unapplied())
    finally:
        log.close()
    keys = [r.key for r in records]
    assert len(keys) == len(set(keys)) == n  # every valid event once, duplicates dropped
    reported = {
        json.loads(line)["offset"]
        for line in (first_err + err).splitlines()
        if line.startswith('{"poison"')
    }
    assert reported == {offsets[p] for p in poison}  # each poison reported with its offset
    guest = open_store(store)
    try:
        for i in range(n):
            job = ids.job_id("kafka-test", f"job_{i}")
            reads = guest.neighbours(job, direction="out", rels=[Rel.READS])
            assert [r.node.uid for r in reads] == [
                ids.dataset_id("postgres://db:5432", f"public.src_{i}")
            ]
    finally:
        guest.close()
        _stop_store_server(store)


def _stop_store_server(store: Path) -> None:
    """The embedded store's server, left behind by the killed consumer."""
    with contextlib.suppress(OSError, ValueError):
        pid = int((store / "falkordb.pid").read_text().strip())
        if b"redis-server" in Path(f"/proc/{pid}/cmdline").read_bytes():
            os.kill(pid, signal.SIGKILL)
