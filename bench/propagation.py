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
nodes through the pipeline takes minutes.

    .venv/bin/python bench/propagation.py [--full-nodes 1000000] [--incr-nodes 100000]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.estate import load
from lineage import sensitivity
from lineage.model import Edge, Kind, Rel
from lineage.pipeline import delete, ingest
from lineage.store import Store, open_store

CLEAR = """
MATCH (n:Asset)
WHERE n.labels IS NOT NULL OR n.label_sources IS NOT NULL
SET n.labels = NULL, n.label_sources = NULL, n.coarse_labels = NULL"""
LABELLED_COLUMNS = """
MATCH (n:Column)
WHERE n.own_labels IS NOT NULL
RETURN n.uid AS uid"""
SOME_COLUMNS = """
MATCH (n:Column)
RETURN n.uid AS uid
LIMIT $n"""


def _store(root: Path, n: int) -> tuple[Store, float | None]:
    path = root / f"estate-{n}"
    fresh = not path.exists()
    store = open_store(path)
    if fresh or sum(store.counts().values()) == 0:
        started = time.perf_counter()
        load(store, n)
        return store, time.perf_counter() - started
    return store, None


def _p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def full(root: Path, n: int) -> dict[str, object]:
    store, loaded = _store(root, n)
    try:
        counts = store.counts()
        store.execute(CLEAR)
        started = time.perf_counter()
        cold = sensitivity.recompute(store)
        cold_s = time.perf_counter() - started
        warm = []
        for _ in range(3):
            started = time.perf_counter()
            outcome = sensitivity.recompute(store)
            warm.append(time.perf_counter() - started)
            assert outcome.written == 0
    finally:
        store.close()
    return {
        "nodes": sum(v for k, v in counts.items() if k in {kind.value for kind in Kind}),
        "counts": counts,
        "load_s": round(loaded, 1) if loaded else "reused",
        "from_scratch_s": round(cold_s, 2),
        "from_scratch_region": cold.region,
        "from_scratch_written": cold.written,
        "steady_median_s": round(statistics.median(warm), 2),
    }


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
