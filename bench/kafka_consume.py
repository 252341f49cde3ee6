"""Kafka to graph: ``lineage consume kafka`` throughput beside the HTTP batch endpoint.

The same Spark-style events (``tests/openlineage/ol_events.py``: ``--jobs`` jobs x
``--runs`` runs, START + COMPLETE) go (a) through a real Apache Kafka broker (KRaft, loopback,
from Maven Central, see ``tests/emitters/kafka_broker.py``), produced beforehand (not timed),
then consumed by ``lineage consume kafka --batch N`` into a fresh embedded store, timed
from the consumer's start until ``applied.log`` covers every event (logged, fsynced,
applied, labels propagated); and (b) to a fresh ``lineage serve`` in ``--batch``-sized
arrays from one client, timed until the last response (which also means applied). Medians
of ``--repeat`` rounds, (a) and (b) alternated in each round. The Kafka figure includes the
consumer's start and group join (the HTTP one does not include the server's start); the
"steady" figure counts from its first applied batch.

Run:  .venv/bin/python bench/kafka_consume.py [--jobs 100 --runs 5 --batch 500 --repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [
    str(ROOT / "tests"),
    str(ROOT / "tests" / "openlineage"),
    str(ROOT / "tests" / "emitters"),
]

from kafka_broker import KafkaBroker  # noqa: E402
from ol_events import as_json, run_events  # noqa: E402
from ol_server import Server  # noqa: E402

TOKEN = "bench-token"
_CLI = "from lineage.cli import main; main()"


def _applied(store: Path) -> int:
    try:
        text = (store / "eventlog" / "applied.log").read_text()
    except OSError:
        return 0
    total = 0
    for line in text.split():
        lo, _, hi = line.partition("-")
        total += int(hi) - int(lo) + 1
    return total


def _kafka_round(
    broker: KafkaBroker, topic: str, n: int, batch: int, work: Path
) -> tuple[float, float]:
    """(seconds from the consumer's start, events/s after its first applied batch)."""
    store = work / f"k-{uuid.uuid4().hex[:6]}"
    env = {**os.environ, "LINEAGE_STORE": str(store)}
    args = ["consume", "kafka", "--bootstrap", broker.bootstrap, "--topic", topic,
            "--group", f"bench-{uuid.uuid4().hex[:6]}", "--batch", str(batch)]  # fmt: skip
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", _CLI, *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    first: tuple[float, int] | None = None
    try:
        while (done := _applied(store)) < n:
            if proc.poll() is not None:
                raise RuntimeError(f"consumer exited with {proc.returncode}")
            if first is None and done:
                first = (time.perf_counter(), done)
            time.sleep(0.02)
        end = time.perf_counter()
        elapsed = end - t
        steady = (n - first[1]) / (end - first[0]) if first and end > first[0] else n / elapsed
    finally:
        proc.send_signal(signal.SIGTERM)  # graceful: commit, leave the group, close the store
        proc.wait(60)
    return elapsed, steady


def _http_round(events: list[dict], batch: int, work: Path) -> float:
    server = Server(work / f"h-{uuid.uuid4().hex[:6]}", TOKEN).start()
    try:
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        bodies = [orjson.dumps(events[i : i + batch]) for i in range(0, len(events), batch)]
        t = time.perf_counter()
        with httpx.Client(headers=headers, timeout=600) as http:
            for body in bodies:
                r = http.post(f"{server.url}/api/v1/lineage/batch", content=body)
                r.raise_for_status()
        return time.perf_counter() - t
    finally:
        server.stop()
        server.stop_store_server()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=100)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    events = [as_json(e) for e in run_events(args.jobs, args.runs, seed=7)]
    n = len(events)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        broker = KafkaBroker(work / "kafka")
        (work / "kafka").mkdir()
        broker.start()
        try:
            from confluent_kafka import Producer

            topic = "openlineage"
            producer = Producer({"bootstrap.servers": broker.bootstrap, "linger.ms": 50})
            for event in events:
                producer.produce(topic, orjson.dumps(event))
                producer.poll(0)
            assert producer.flush(120) == 0
            kafka, http = [], []
            for _ in range(args.repeat):
                kafka.append(_kafka_round(broker, topic, n, args.batch, work))
                http.append(_http_round(events, args.batch, work))
        finally:
            broker.stop()
    k, h = statistics.median(x for x, _ in kafka), statistics.median(http)
    steady = statistics.median(s for _, s in kafka)
    print(json.dumps({
        "events": n, "batch": args.batch, "repeat": args.repeat,
        "load_avg": os.getloadavg()[0],
        "kafka_events_per_s": round(n / k, 1), "http_batch_events_per_s": round(n / h, 1),
        "kafka_steady_events_per_s": round(steady, 1),
        "kafka_over_http": round(h / k, 2), "kafka_steady_over_http": round(steady / (n / h), 2),
        "kafka_s": [round(x, 2) for x, _ in kafka], "http_s": [round(x, 2) for x in http],
    }, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
