"""Both stores side by side on one estate, in one run: FalkorDB embedded and Neo4j 5.26.

    .venv/bin/python -m bench.stores_side_by_side [--nodes 100000] [--neo4j-heap 1g]
        [--neo4j-pagecache 512m]

The same synthetic estate (bench/estate.py, seed 7) goes through the real pipeline into a
fresh embedded store and into a fresh in-process Neo4j (the test suite's launcher,
tests/neo4j_server/: Neo4j Community 5.26 via ``neo4j-harness``, Bolt on loopback, its own
JVM). Then, on each: 2,000 random ``get_node`` look-ups; blast radius from the raw datasets
whose radius is 300-1,500 nodes (chosen once with the Python floor of bench/queries.py, so
both stores answer the same questions, and every answer is checked against the floor);
exposure paths top 100; label propagation, a full recompute from scratch (labels cleared)
and in the steady state, and incremental edits (add and remove one column edge, half of
them from a labelled column). Memory is measured: FalkorDB ``used_memory`` and the server's
RSS; for Neo4j the JVM's heap in use (JMX through ``dbms.queryJmx``), its RSS and peak, and
the store and index files (what the page cache holds when the graph is hot).

Prints one JSON object per store and a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the Neo4j launcher of the test suite

from bench.estate import load  # noqa: E402
from bench.procstat import status_mb  # noqa: E402
from bench.propagation import CLEAR, LABELLED, LABELLED_COLUMNS, SOME_COLUMNS  # noqa: E402
from bench.queries import Floor, banded, bench_blast, bench_exposure  # noqa: E402
from lineage import sensitivity  # noqa: E402
from lineage.model import Edge, Rel  # noqa: E402
from lineage.pipeline import delete, ingest  # noqa: E402
from lineage.store import Store, open_store  # noqa: E402

HEAP = """
CALL dbms.queryJmx('java.lang:type=Memory') YIELD attributes
RETURN attributes.HeapMemoryUsage.value.properties AS heap"""


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _dir_mb(path: Path, pattern: str = "*") -> float:
    return sum(f.stat().st_size for f in path.rglob(pattern) if f.is_file()) / 1e6


def lookups(store: Store, uids: list[str]) -> dict[str, float]:
    times = []
    for uid in uids:
        t = time.perf_counter()
        assert store.get_node(uid) is not None
        times.append((time.perf_counter() - t) * 1000)
    return {"p50_ms": statistics.median(times), "p99_ms": _pct(times, 0.99)}


def propagation(store: Store, edits: int, seed: int) -> dict[str, Any]:
    uids = [r["uid"] for r in store.query(LABELLED)]
    for i in range(0, len(uids), 2000):
        store.execute(CLEAR, {"uids": uids[i : i + 2000]})
    t = time.perf_counter()
    cold = sensitivity.recompute(store)
    scratch_s = time.perf_counter() - t
    steady = []
    for _ in range(3):
        t = time.perf_counter()
        assert sensitivity.recompute(store).written == 0
        steady.append(time.perf_counter() - t)
    rng = random.Random(seed)
    labelled = [r["uid"] for r in store.query(LABELLED_COLUMNS)]
    pool = [r["uid"] for r in store.query(SOME_COLUMNS, {"n": 50_000})]
    add, remove = [], []
    for i in range(edits):
        src = rng.choice(labelled) if i % 2 == 0 else rng.choice(pool)
        dst, job = rng.choice(pool), f"job:bench://edits:e{i}"
        props = {"kind": "transform", "via": job, "granularity": "column",
                 "transformation_type": "DIRECT", "transformation_subtype": "IDENTITY",
                 "masking": False}  # fmt: skip
        t = time.perf_counter()
        ingest(store, [Edge(src, Rel.FLOWS_TO, dst, props, key=job)])
        add.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        delete(store, edges=[(src, Rel.FLOWS_TO, dst, job)])
        remove.append((time.perf_counter() - t) * 1000)
    assert sensitivity.recompute(store).written == 0  # incremental == full recompute
    return {
        "labelled_nodes": cold.region,
        "full_from_scratch_s": scratch_s,
        "full_steady_s": statistics.median(steady),
        "edit_add_p50_ms": statistics.median(add),
        "edit_remove_p50_ms": statistics.median(remove),
    }


def run_store(
    name: str, store: Store, n: int, floor: Floor | None, origins: list[str] | None, edits: int
) -> tuple[dict[str, Any], list[str]]:
    out: dict[str, Any] = {"store": name}
    t = time.perf_counter()
    report = load(store, n)
    out["load_s"] = time.perf_counter() - t
    out["nodes"], out["edges"] = report.nodes, report.edges
    out["facts_per_s"] = (report.nodes + report.edges) / out["load_s"]
    if floor is None:  # --sizing-only: the load and the memory, nothing else
        return out, []
    sample = random.Random(3).sample(sorted(floor.kind), 2000)
    out["get_node"] = lookups(store, sample)
    if origins is None:
        origins = banded(store, floor, 300, 1500, 20, seed=11)
    out["blast"] = bench_blast(store, floor, origins)
    out["exposure"] = bench_exposure(store, repeats=7)
    out["propagation"] = propagation(store, edits, seed=5)
    return out, origins


def embedded(n: int, floor: Floor, edits: int) -> tuple[dict[str, Any], list[str]]:
    root = Path(tempfile.mkdtemp(prefix="lineage-side-"))
    store = open_store(root / "store")
    try:
        out, origins = run_store("FalkorDB embedded", store, n, floor, None, edits)
        info = store._server.client.info("memory")  # type: ignore[attr-defined]
        pid = int((root / "store" / "falkordb.pid").read_text())
        out["memory"] = {
            "falkor_used_mb": info["used_memory"] / 1e6,
            "rss_mb": status_mb(pid, "VmRSS"),
            "peak_mb": status_mb(pid, "VmHWM"),
        }
    finally:
        store.close()
    return out, origins


def neo4j(
    n: int, floor: Floor | None, origins: list[str], edits: int, heap: str, pagecache: str
) -> dict[str, Any]:
    import neo4j_server

    t = time.perf_counter()
    server = neo4j_server.start_server(heap=heap, pagecache=pagecache, checkpoint_seconds=5)
    started = time.perf_counter() - t
    try:
        store = open_store(server.uri)
        try:
            out, _ = run_store("Neo4j 5.26 in-process", store, n, floor, origins, edits)
            heap_now = store.query(HEAP)[0]["heap"]
        finally:
            store.close()
        pid = server.proc.pid
        rss, peak = status_mb(pid, "VmRSS"), status_mb(pid, "VmHWM")
        # Written data sits in the transaction log and the page cache until a checkpoint
        # (Community has no db.checkpoint()): the server checkpoints every 5 s here.
        time.sleep(20)
        db = next(server.workdir.rglob("databases/neo4j"))  # the harness adds a random level
        out["memory"] = {
            "heap_max_mb": heap_now["max"] / 1e6,
            "heap_used_mb": heap_now["used"] / 1e6,
            "heap_committed_mb": heap_now["committed"] / 1e6,
            "rss_mb": rss,
            "peak_mb": peak,
            "store_files_mb": _dir_mb(db),
            "index_files_mb": _dir_mb(db / "schema"),
            "pagecache_setting": pagecache,
        }
        out["server_start_s"] = started
    finally:
        server.stop()
    return out


def _row(label: str, a: str, b: str) -> str:
    return f"| {label} | {a} | {b} |"


def table(e: dict[str, Any], g: dict[str, Any]) -> str:
    def both(path: str, fmt: str) -> tuple[str, str]:
        vals = []
        for d in (e, g):
            v: Any = d
            for part in path.split("."):
                v = v[part]
            vals.append(fmt.format(v))
        return vals[0], vals[1]

    rows = [
        "| 100k estate, same run | FalkorDB embedded | Neo4j 5.26 in-process |",
        "|---|---:|---:|",
        _row("bulk load (pipeline, propagation)", *both("load_s", "{:.1f} s")),
        _row("facts/s", *both("facts_per_s", "{:,.0f}")),
        _row("get_node p50 / p99",
             f"{e['get_node']['p50_ms']:.2f} / {e['get_node']['p99_ms']:.2f} ms",
             f"{g['get_node']['p50_ms']:.2f} / {g['get_node']['p99_ms']:.2f} ms"),
        _row("blast radius, radius 300-1,500, p50",
             *both("blast.query_p50_ms", "{:.1f} ms")),
        _row("blast radius mismatches vs floor", *both("blast.mismatched", "{}")),
        _row("exposure paths top 100, p50", *both("exposure.p50_ms", "{:.1f} ms")),
        _row("propagation full, from scratch",
             *both("propagation.full_from_scratch_s", "{:.1f} s")),
        _row("propagation full, steady state", *both("propagation.full_steady_s", "{:.1f} s")),
        _row("incremental edit add / remove p50",
             f"{e['propagation']['edit_add_p50_ms']:.0f} / "
             f"{e['propagation']['edit_remove_p50_ms']:.0f} ms",
             f"{g['propagation']['edit_add_p50_ms']:.0f} / "
             f"{g['propagation']['edit_remove_p50_ms']:.0f} ms"),
        _row("memory",
             f"used_memory {e['memory']['falkor_used_mb']:.0f} MB, RSS "
             f"{e['memory']['rss_mb']:.0f} MB (peak {e['memory']['peak_mb']:.0f})",
             f"heap used {g['memory']['heap_used_mb']:.0f} of "
             f"{g['memory']['heap_committed_mb']:.0f} MB committed; "
             f"store {g['memory']['store_files_mb']:.0f} MB (page cache "
             f"{g['memory']['pagecache_setting']}); RSS {g['memory']['rss_mb']:.0f} MB "
             f"(peak {g['memory']['peak_mb']:.0f})"),
    ]  # fmt: skip
    return "\n".join(rows)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--nodes", type=int, default=100_000)
    p.add_argument("--edits", type=int, default=20)
    p.add_argument("--neo4j-heap", default="1g")
    p.add_argument("--neo4j-pagecache", default="512m")
    p.add_argument(
        "--sizing-only",
        action="store_true",
        help="Neo4j only: load the estate, then measure memory and store files",
    )
    args = p.parse_args()
    if args.sizing_only:
        out = neo4j(args.nodes, None, [], 0, args.neo4j_heap, args.neo4j_pagecache)
        print(json.dumps(out, default=str), flush=True)
        return
    floor = Floor(args.nodes)
    e, origins = embedded(args.nodes, floor, args.edits)
    print(json.dumps(e, default=str), flush=True)
    g = neo4j(args.nodes, floor, origins, args.edits, args.neo4j_heap, args.neo4j_pagecache)
    print(json.dumps(g, default=str), flush=True)
    print(table(e, g))


if __name__ == "__main__":
    main()
