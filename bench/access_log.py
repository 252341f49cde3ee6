"""Access-log ingest benchmark: lines per second aggregated into the embedded store.

    .venv/bin/python -m bench.access_log [--lines 1000000] [--repeats 3]

Generates a gateway log in the native schema (and an nginx JSON log) into a temp folder:
5,000 principals with Zipf-distributed activity over 40 endpoints, seven days, ISO
timestamps, client addresses, input fingerprints. Each repeat ingests the whole file into
a fresh embedded store the way ``lineage ingest access-log`` does (read, aggregate, merge
with stored counts, write, refresh runtime findings), with one and with two aggregating
processes (``--jobs``). The baseline, measured in the same
run, is ``json.loads`` of every line and nothing else: the floor for any JSON log reader.
Prints a Markdown table (medians) for BENCHMARKS.md. The machine is shared, so beside wall
time it reports lines per CPU second of our process plus the store's server process.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from ingest.access_log import aggregate_file
from lineage.store import open_store
from queries.runtime import record_usage, refresh_runtime

T0 = 1_777_593_600  # 2026-05-01T00:00:00Z


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + f".{int(ts % 1 * 1000):03d}Z"


def generate(path: Path, lines: int, *, fmt: str = "jsonl", seed: int = 7) -> None:
    rng = random.Random(seed)
    weights = [1 / (i + 1) ** 1.1 for i in range(5000)]
    principals = rng.choices(range(5000), weights, k=lines)
    with path.open("w") as out:
        for n, p in enumerate(principals):
            ts = T0 + n * (7 * 86400 / lines)
            endpoint = (p * 7 + rng.randrange(3)) % 40
            ip = f"10.{p % 200}.{p // 200}.{rng.randrange(4)}"
            if fmt == "jsonl":
                rec = {
                    "timestamp": _iso(ts),
                    "principal": f"user{p}",
                    "endpoint": f"https://api.acme.com/v1/models/m{endpoint}/predict",
                    "status": 200 if rng.random() > 0.02 else 500,
                    "request_bytes": rng.randrange(200, 4000),
                    "response_bytes": rng.randrange(200, 9000),
                    "input_tokens": rng.randrange(10, 900),
                    "output_tokens": rng.randrange(10, 900),
                    "source_ip": ip,
                    "input_fingerprint": f"{rng.getrandbits(64):016x}",
                }
            else:
                rec = {
                    "time_iso8601": _iso(ts).replace(".000Z", "+00:00")[:19] + "+00:00",
                    "remote_addr": ip,
                    "remote_user": f"user{p}",
                    "request": f"POST /v1/models/m{endpoint}/predict HTTP/1.1",
                    "request_uri": f"/v1/models/m{endpoint}/predict",
                    "status": "200",
                    "body_bytes_sent": str(rng.randrange(200, 9000)),
                    "request_length": str(rng.randrange(200, 4000)),
                    "host": "api.acme.com",
                }
            out.write(json.dumps(rec) + "\n")


def baseline(path: Path) -> float:
    t = time.perf_counter()
    n = 0
    with path.open("rb") as f:
        for line in f:
            json.loads(line)
            n += 1
    return n / (time.perf_counter() - t)


def _server_cpu(root: Path) -> float:
    """CPU seconds the store's redis-server has used (it runs the Cypher, off our process)."""
    pid = (root / "store" / "falkordb.pid").read_text().strip()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children_cpu() -> float:
    """CPU seconds of finished worker processes (parallel aggregation)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def ingest_once(path: Path, root: Path, jobs: int) -> dict[str, float]:
    store = open_store(root / "store")
    try:
        server0, cpu0 = _server_cpu(root), time.process_time()
        children0 = _children_cpu()
        t0 = time.perf_counter()
        usage, stats, _problems = aggregate_file(path, jobs=jobs)
        t1 = time.perf_counter()
        report = record_usage(store, usage)
        t2 = time.perf_counter()
        findings = refresh_runtime(store)
        t3 = time.perf_counter()
        cpu = time.process_time() - cpu0 + _server_cpu(root) - server0
        cpu += _children_cpu() - children0
    finally:
        store.close()
        shutil.rmtree(root / "store", ignore_errors=True)
    return {
        "lines": stats.lines,
        "pairs": len(usage.pairs),
        "edges": report.edges,
        "findings": len(findings),
        "aggregate_s": t1 - t0,
        "write_s": t2 - t1,
        "refresh_s": t3 - t2,
        "total_s": t3 - t0,
        "lines_per_s": stats.lines / (t3 - t0),
        "cpu_s": cpu,
        "lines_per_cpu_s": stats.lines / cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="lineage-bench-log-"))
    try:
        rows = []
        for fmt, n in (("jsonl", args.lines), ("nginx", args.lines // 5)):
            log = root / f"gw.{fmt}"
            generate(log, n, fmt=fmt)
            base = statistics.median(baseline(log) for _ in range(args.repeats))
            for jobs in (1, 2):
                runs = [ingest_once(log, root, jobs) for _ in range(args.repeats)]
                med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
                rows.append(
                    (
                        f"{fmt}, {jobs} process{'es' if jobs > 1 else ''}",
                        log.stat().st_size / 1e6,
                        base,
                        med,
                    )
                )
        print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(
            "| format | lines | MB | pairs (edges) | aggregate s | write s | findings s |"
            " lines/s wall | lines per CPU s (client + store server) |"
            " json.loads-only lines/s | wall ratio |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for fmt, mb, base, m in rows:
            print(
                f"| {fmt} | {int(m['lines']):,} | {mb:.0f} | {int(m['pairs']):,} |"
                f" {m['aggregate_s']:.2f} | {m['write_s']:.2f} | {m['refresh_s']:.2f} |"
                f" {m['lines_per_s']:,.0f} | {m['lines_per_cpu_s']:,.0f} | {base:,.0f} |"
                f" {m['lines_per_s'] / base:.2f} |"
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
