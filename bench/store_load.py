"""Store benchmark: bulk load, point look-up, reopen, CLI start-up, peak memory.

    .venv/bin/python -m bench.store_load [--sizes 100000 1000000] [--bulk] [--compare]

Each size runs in a fresh subprocess (so peak memory is per size) on a fresh embedded store:
the synthetic estate (bench/estate.py) goes through the real pipeline; then 2,000 random
``get_node`` look-ups are timed beside the protocol floor (a bare ``RETURN 1`` round trip
on the same connection, same run). Prints a Markdown table for BENCHMARKS.md.

``--bulk`` loads through ``lineage.firstload`` (GRAPH.BULK, one label recompute) instead of
batch-by-batch MERGE; ``--compare`` also loads the same estate through MERGE into a second
store and checks that both ``lineage export`` outputs are identical.
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

from bench.estate import SEEN, generate, load
from bench.procstat import status_mb
from lineage.firstload import first_load
from lineage.store import open_store
from lineage.transfer import export_lines


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def _dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def _same_as_merge(store: object, size: int, root: Path) -> tuple[bool, float]:
    """Load the estate again through MERGE (timed: the same-run baseline) and compare both
    exports line by line."""
    other = open_store(root / "merge")
    try:
        t = time.perf_counter()
        load(other, size)
        merge_s = time.perf_counter() - t
        lines = zip(export_lines(store), export_lines(other), strict=True)
        return all(a == b for a, b in lines), merge_s
    finally:
        other.close()


def run_one(size: int, bulk: bool = False, compare: bool = False) -> dict[str, float]:
    root = Path(tempfile.mkdtemp(prefix="lineage-bench-"))
    try:
        store = open_store(root / "store")
        t0 = time.perf_counter()
        if bulk:
            report = first_load(store, generate(size), batch_size=10_000, seen=SEEN,
                                fallback=False)  # fmt: skip
        else:
            report = load(store, size)
        load_s = time.perf_counter() - t0
        same, merge_s = _same_as_merge(store, size, root) if compare else (None, None)
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
        server_rss = status_mb(server_pid, "VmRSS")
        store.close()
        disk_mb = _dir_mb(root / "store" / "data")
        t = time.perf_counter()
        again = open_store(root / "store")
        reopen_s = time.perf_counter() - t
        reopen_rss = status_mb(int((root / "store" / "falkordb.pid").read_text()), "VmRSS")
        t = time.perf_counter()
        again.close()
        close_s = time.perf_counter() - t
        return {
            "size": size,
            "path": "bulk" if bulk else "merge",
            "same_export": same,
            "merge_load_s": merge_s,
            "nodes": report.nodes,
            "edges": report.edges,
            "load_s": load_s,
            "facts_per_s": (report.nodes + report.edges) / load_s,
            "get_p50_ms": statistics.median(lookups),
            "get_p99_ms": _pct(lookups, 0.99),
            "floor_p50_ms": statistics.median(floor),
            "server_peak_mb": server_mb,
            "server_rss_mb": server_rss,
            "reopen_rss_mb": reopen_rss,
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
    parser.add_argument("--bulk", action="store_true", help="first load through GRAPH.BULK")
    parser.add_argument("--compare", action="store_true", help="check export == MERGE path's")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.bulk, args.compare)))
        return
    rows = []
    flags = [*(["--bulk"] if args.bulk else []), *(["--compare"] if args.compare else [])]
    for size in args.sizes:
        out = subprocess.run([sys.executable, "-m", "bench.store_load", "--one", str(size),
                              *flags], check=True, stdout=subprocess.PIPE, text=True)  # fmt: skip
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print("| estate | path | nodes | edges | load | facts/s | get_node p50 / p99 | floor p50 |"
          " server RSS / peak | RSS reopened | client peak | on disk | reopen | close |"
          " export = MERGE's |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        same = {None: "not checked", True: "identical", False: "DIFFERENT"}[r["same_export"]]
        print(
            f"| {r['size']:,} | {r['path']} | {r['nodes']:,} | {r['edges']:,} |"
            f" {r['load_s']:.1f} s |"
            f" {r['facts_per_s']:,.0f} | {r['get_p50_ms']:.2f} / {r['get_p99_ms']:.2f} ms |"
            f" {r['floor_p50_ms']:.2f} ms |"
            f" {r['server_rss_mb']:,.0f} / {r['server_peak_mb']:,.0f} MB |"
            f" {r['reopen_rss_mb']:,.0f} MB |"
            f" {r['client_peak_mb']:.0f} MB | {r['disk_mb']:.0f} MB | {r['reopen_s']:.2f} s |"
            f" {r['close_s'] * 1000:.0f} ms | {same} |"
        )
    for r in rows:
        if r["merge_load_s"]:
            print(f"\nsame run, {r['size']:,} through MERGE: {r['merge_load_s']:.1f} s"
                  f" ({(r['nodes'] + r['edges']) / r['merge_load_s']:,.0f} facts/s)")  # fmt: skip
    cli = cli_latency()
    print(f"\n`lineage stats` on the demo store: median {cli['cli_stats_median_s']:.2f} s,"
          f" max {cli['cli_stats_max_s']:.2f} s (7 runs)")  # fmt: skip


if __name__ == "__main__":
    main()
