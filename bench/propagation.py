"""Label propagation: full recompute on the 1M-node estate, incremental edits on 100k.

* **full**: ``sensitivity.recompute`` over the synthetic estate (bench/estate.py, seeded):
  once from scratch (every effective label, source and coarse mark removed first, so all
  are rewritten), then the steady state (labels already right: read, solve, compare).
* **incremental**: on the 100k estate, add one column-level FLOWS_TO edge through the
  pipeline (``ingest``) and remove it again (``pipeline.delete``), ``--edits`` times, half
  of them from a labelled column (labels flow and must be retracted again), half between
  random columns. Each figure is the whole call (write + label update), median and p90.
  At the end a full recompute must find nothing to change.

Stores are kept in ``--store-dir`` (``estate-<n>``) and reused when present: loading 1M
nodes through the pipeline takes minutes. Besides wall time the full recompute reports the
CPU seconds of this process and of the FalkorDB server: on a shared machine the wall time
is mostly waiting for a core.

    .venv/bin/python bench/propagation.py [--full-nodes 1000000] [--incr-nodes 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.estate import load
from lineage import sensitivity
from lineage.model import Edge, Rel
from lineage.pipeline import delete, ingest
from lineage.store import Store, open_store

LABELLED = """
MATCH (n:Asset)
WHERE n.labels IS NOT NULL
RETURN n.uid AS uid"""
CLEAR = """
UNWIND $uids AS uid
MATCH (n:Asset {uid: uid})
SET n.labels = NULL, n.label_sources = NULL, n.coarse_labels = NULL"""
LABELLED_COLUMNS = """
MATCH (n:Column)
WHERE n.own_labels IS NOT NULL
RETURN n.uid AS uid"""
COUNT = """
MATCH (n:Asset)
RETURN count(n) AS n"""
SOME_COLUMNS = """
MATCH (n:Column)
RETURN n.uid AS uid
LIMIT $n"""


def _node_count(store: Store) -> int:
    deadline = time.monotonic() + 300
    while True:  # a reopened 1M store may still be loading its data
        try:
            return int(store.query(COUNT)[0]["n"])
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(2)


def _store(root: Path, n: int) -> tuple[Store, float | None]:
    store = open_store(root / f"estate-{n}")
    if _node_count(store) == 0:
        started = time.perf_counter()
        load(store, n)
        return store, time.perf_counter() - started
    return store, None


def _server_cpu(store: Store) -> float:
    """CPU seconds of the embedded FalkorDB server so far (Linux /proc; 0 if unknown)."""
    try:
        pid = int(Path(store.location, "falkordb.pid").read_text())
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def _timed(store: Store, fn):
    wall, cpu, server = time.perf_counter(), time.process_time(), _server_cpu(store)
    result = fn()
    return (
        result,
        time.perf_counter() - wall,
        time.process_time() - cpu,
        _server_cpu(store) - server,
    )


def _p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def full(root: Path, n: int) -> dict[str, object]:
    store, loaded = _store(root, n)
    try:
        nodes = _node_count(store)
        uids = [r["uid"] for r in store.query(LABELLED)]
        for i in range(0, len(uids), 2000):
            store.execute(CLEAR, {"uids": uids[i : i + 2000]})
        cold, cold_s, cold_cpu, cold_srv = _timed(store, lambda: sensitivity.recompute(store))
        warm = []
        for _ in range(3):
            outcome, wall, cpu, srv = _timed(store, lambda: sensitivity.recompute(store))
            warm.append((wall, cpu, srv))
            assert outcome.written == 0
    finally:
        store.close()
    warm.sort()
    wall, cpu, srv = warm[1]
    return {
        "nodes": nodes,
        "load_s": round(loaded, 1) if loaded else "reused",
        "labelled_nodes": cold.region,
        "from_scratch": {"wall_s": round(cold_s, 2), "client_cpu_s": round(cold_cpu, 2),
                         "server_cpu_s": round(cold_srv, 2), "written": cold.written},
        "steady_median": {"wall_s": round(wall, 2), "client_cpu_s": round(cpu, 2),
                          "server_cpu_s": round(srv, 2)},
    }  # fmt: skip


def incremental(root: Path, n: int, edits: int, seed: int) -> dict[str, object]:
    store, loaded = _store(root, n)
    rng = random.Random(seed)
    try:
        labelled = [r["uid"] for r in store.query(LABELLED_COLUMNS)]
        pool = [r["uid"] for r in store.query(SOME_COLUMNS, {"n": 50_000})]
        add, remove, grown = [], [], []
        for i in range(edits):
            src = rng.choice(labelled) if i % 2 == 0 else rng.choice(pool)
            dst = rng.choice(pool)
            job = f"job:bench://edits:e{i}"
            edge = Edge(src, Rel.FLOWS_TO, dst,
                        {"kind": "transform", "via": job, "granularity": "column",
                         "transformation_type": "DIRECT", "transformation_subtype": "IDENTITY",
                         "masking": False}, key=job)  # fmt: skip
            before = store.get_node(dst)
            started = time.perf_counter()
            ingest(store, [edge])
            add.append(time.perf_counter() - started)
            after = store.get_node(dst)
            grown.append(len(set(after.labels) - set(before.labels)) if before and after else 0)
            started = time.perf_counter()
            delete(store, edges=[(src, Rel.FLOWS_TO, dst, job)])
            remove.append(time.perf_counter() - started)
            again = store.get_node(dst)
            assert before is None or again is None or set(again.labels) == set(before.labels)
        check = sensitivity.recompute(store)
    finally:
        store.close()
    ms = 1000.0
    return {
        "load_s": round(loaded, 1) if loaded else "reused",
        "edits": edits,
        "edits_that_moved_labels": sum(1 for g in grown if g),
        "add_median_ms": round(statistics.median(add) * ms, 1),
        "add_p90_ms": round(_p(add, 0.9) * ms, 1),
        "remove_median_ms": round(statistics.median(remove) * ms, 1),
        "remove_p90_ms": round(_p(remove, 0.9) * ms, 1),
        "recompute_after_edits_written": check.written,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full-nodes", type=int, default=1_000_000)
    ap.add_argument("--incr-nodes", type=int, default=100_000)
    ap.add_argument("--edits", type=int, default=60)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--store-dir", type=Path, default=Path("/tmp/lineage-bench-propagation"))
    ap.add_argument("--skip-full", action="store_true")
    args = ap.parse_args()
    args.store_dir.mkdir(parents=True, exist_ok=True)
    out: dict[str, object] = {}
    out["incremental"] = incremental(args.store_dir, args.incr_nodes, args.edits, args.seed)
    print(json.dumps({"incremental": out["incremental"]}, indent=2), flush=True)
    if not args.skip_full:
        out["full"] = full(args.store_dir, args.full_nodes)
        print(json.dumps({"full": out["full"]}, indent=2), flush=True)


if __name__ == "__main__":
    main()
