"""Store benchmark: bulk load, point look-up, reopen, CLI start-up, peak memory.

    .venv/bin/python -m bench.store_load [--sizes 100000 1000000]

Each size runs in a fresh subprocess (so peak memory is per size) on a fresh embedded store:
the synthetic estate (bench/estate.py) goes through the real pipeline; then 2,000 random
``get_node`` look-ups are timed beside the protocol floor (a bare ``RETURN 1`` round trip
on the same connection, same run). Prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.estate import load
from bench.procstat import status_mb
from lineage.store import open_store


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def _dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def run_one(size: int) -> dict[str, float]:
    root = Path(tempfile.mkdtemp(prefix="lineage-bench-"))
    try:
        store = open_store(root / "store")
        t0 = time.perf_counter()
        report = load(store, size)
        load_s = time.perf_counter() - t0
        uids = [r["uid"] for r in store.query("MATCH (n:Asset) RETURN n.uid AS uid")]
        rng = random.Random(1)
        sample = [rng.choice(uids) for _ in range(2000)]
        lookups, floor = [], []
        for uid in sample:
            t = time.perf_counter()
            store.get_node(uid)
            lookups.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            store.query("RETURN 1 AS one")
            floor.append((time.perf_counter() - t) * 1000)
        server_pid = int((root / "store" / "falkordb.pid").read_text())
        server_mb = status_mb(server_pid, "VmHWM")
        store.close()
        disk_mb = _dir_mb(root / "store" / "data")
        t = time.perf_counter()
        again = open_store(root / "store")
        reopen_s = time.perf_counter() - t
        t = time.perf_counter()
        again.close()
        close_s = time.perf_counter() - t
        return {
            "size": size,
            "nodes": report.nodes,
            "edges": report.edges,
            "load_s": load_s,
            "facts_per_s": (report.nodes + report.edges) / load_s,
            "get_p50_ms": statistics.median(lookups),
            "get_p99_ms": _pct(lookups, 0.99),
            "floor_p50_ms": statistics.median(floor),
            "server_peak_mb": server_mb,
            "client_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "disk_mb": disk_mb,
            "reopen_s": reopen_s,
            "close_s": close_s,
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)


def cli_latency(runs: int = 7) -> dict[str, float]:
    """Median wall time of `lineage stats` (open, query, close) on a small store."""
    root = Path(tempfile.mkdtemp(prefix="lineage-cli-"))
    lineage = str(Path(sys.executable).with_name("lineage"))
    try:
        subprocess.run([lineage, "--store", str(root), "demo"], check=True, capture_output=True)
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            subprocess.run([lineage, "--store", str(root), "stats", "--json"], check=True,
                           capture_output=True)  # fmt: skip
            times.append(time.perf_counter() - t)
        return {"cli_stats_median_s": statistics.median(times), "cli_stats_max_s": max(times)}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return
    rows = []
    for size in args.sizes:
        out = subprocess.run([sys.executable, "-m", "bench.store_load", "--one", str(size)],
                             check=True, stdout=subprocess.PIPE, text=True)  # fmt: skip
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print("| estate | nodes | edges | bulk load | facts/s | get_node p50 / p99 | floor p50 |"
          " server peak | client peak | on disk | reopen | close |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['size']:,} | {r['nodes']:,} | {r['edges']:,} | {r['load_s']:.1f} s |"
            f" {r['facts_per_s']:,.0f} | {r['get_p50_ms']:.2f} / {r['get_p99_ms']:.2f} ms |"
            f" {r['floor_p50_ms']:.2f} ms | {r['server_peak_mb']:.0f} MB |"
            f" {r['client_peak_mb']:.0f} MB | {r['disk_mb']:.0f} MB | {r['reopen_s']:.2f} s |"
            f" {r['close_s'] * 1000:.0f} ms |"
        )
    cli = cli_latency()
    print(f"\n`lineage stats` on the demo store: median {cli['cli_stats_median_s']:.2f} s,"
          f" max {cli['cli_stats_max_s']:.2f} s (7 runs)")  # fmt: skip


if __name__ == "__main__":
    main()
