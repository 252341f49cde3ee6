"""OpenLineage intake throughput: batch endpoint vs single-event endpoint, real server.

Starts ``lineage serve`` (uvicorn, embedded FalkorDB store, durable event log) on loopback
in a fresh folder and sends realistic Spark-style events (schema + column lineage on every
dataset, parent run and job type facets; see ``tests/openlineage/ol_events.py``): each of
``--jobs`` jobs runs ``--runs`` times, START and COMPLETE per run.

* batch: the events in ``--batch``-sized JSON arrays from ``--senders`` concurrent clients;
  events/s is the whole run (every response means logged *and* applied to the graph);
* single: ``--single`` events one request each from one client (p50/p99 latency), then the
  same from ``--senders`` clients (throughput); the baseline the batch figure is compared to.

Run:  .venv/bin/python bench/openlineage_throughput.py [--jobs 200 --runs 10 --batch 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "openlineage")]

from ol_events import as_json, run_events  # noqa: E402
from ol_server import Server  # noqa: E402

TOKEN = "bench-token"


def _post_all(url: str, bodies: list[bytes], senders: int) -> list[float]:
    """Send bodies from ``senders`` threads; return each request's latency (s)."""
    latencies: list[float] = []
    lock = threading.Lock()
    queue = list(reversed(bodies))
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}

    def worker() -> None:
        with httpx.Client(headers=headers, timeout=300) as http:
            while True:
                with lock:
                    if not queue:
                        return
                    body = queue.pop()
                t = time.perf_counter()
                r = http.post(url, content=body)
                elapsed = time.perf_counter() - t
                if r.status_code not in (200, 201):
                    raise RuntimeError(f"{r.status_code}: {r.text[:300]}")
                with lock:
                    latencies.append(elapsed)

    threads = [threading.Thread(target=worker) for _ in range(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def _cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of a process, from /proc (the machine is shared: wall time
    alone says more about the neighbours than about us)."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _store_pid(store: Path) -> int | None:
    try:
        return int((store / "falkordb.pid").read_text().strip())
    except (OSError, ValueError):
        return None


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=200)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--senders", type=int, default=2)
    ap.add_argument("--single", type=int, default=600)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()

    events = [as_json(e) for e in run_events(args.jobs, args.runs, seed=7)]
    single = [as_json(e) for e in run_events(args.single // 2, 1, seed=99)][: args.single]
    event_bytes = statistics.median(len(orjson.dumps(e)) for e in events[:200])
    batches = [orjson.dumps(events[i : i + args.batch]) for i in range(0, len(events), args.batch)]
    load = os.getloadavg()[0]

    with tempfile.TemporaryDirectory(prefix="ol-bench-") as tmp:
        server = Server(Path(tmp) / "store", TOKEN).start()
        try:
            assert server.proc is not None
            pids = (server.proc.pid, _store_pid(server.store))
            cpu0 = [_cpu_seconds(p) for p in pids]
            t = time.perf_counter()
            batch_lat = _post_all(f"{server.url}/api/v1/lineage/batch", batches, args.senders)
            batch_wall = time.perf_counter() - t
            cpu = [_cpu_seconds(p) - c for p, c in zip(pids, cpu0, strict=True)]

            bodies = [orjson.dumps(e) for e in single]
            half = len(bodies) // 2
            t = time.perf_counter()
            lat_one = _post_all(f"{server.url}/api/v1/lineage", bodies[:half], 1)
            one_wall = time.perf_counter() - t
            t = time.perf_counter()
            lat_many = _post_all(f"{server.url}/api/v1/lineage", bodies[half:], args.senders)
            many_wall = time.perf_counter() - t
            counts = httpx.get(f"{server.url}/healthz").json()
        finally:
            server.stop()
            server.stop_store_server()
        log_bytes = (Path(tmp) / "store" / "eventlog" / "events.log").stat().st_size

    figures = {
        "events": len(events),
        "event_bytes_median": event_bytes,
        "batch_size": args.batch,
        "senders": args.senders,
        "load_avg_1m_at_start": round(load, 2),
        "batch_events_per_s": round(len(events) / batch_wall),
        "batch_request_p50_ms": round(statistics.median(batch_lat) * 1000, 1),
        "batch_server_cpu_us_per_event": round(cpu[0] / len(events) * 1e6),
        "batch_store_cpu_us_per_event": round(cpu[1] / len(events) * 1e6),
        # Each process on its own core of an idle 2-core machine: the busier one bounds it.
        "batch_cpu_bound_events_per_s": round(len(events) / max(cpu)),
        "single_events_per_s_1_client": round(half / one_wall),
        "single_p50_ms": round(statistics.median(lat_one) * 1000, 2),
        "single_p99_ms": round(_pct(lat_one, 0.99) * 1000, 2),
        f"single_events_per_s_{args.senders}_clients": round((len(bodies) - half) / many_wall),
        f"single_p50_ms_{args.senders}_clients": round(statistics.median(lat_many) * 1000, 2),
        "ratio_batch_vs_single_1_client": round((len(events) / batch_wall) / (half / one_wall), 1),
        "event_log_mb": round(log_bytes / 1e6, 1),
        "health": counts.get("status"),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    for key, value in figures.items():
        print(f"{key:38} {value}")


if __name__ == "__main__":
    main()
