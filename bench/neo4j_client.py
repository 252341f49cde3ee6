"""Client side of the Neo4j store on the synthetic estate: what each write costs before the wire.

    .venv/bin/python -m bench.neo4j_client [--nodes 100000] [--rows 500 2000 5000]

No Neo4j server runs here, so this measures the part that is ours and the driver's: turning
pipeline batches (the estate through :func:`lineage.pipeline` batching, 5,000 facts) into
UNWIND statements (:func:`lineage.store.neo4j.plan_rows`: grouping, lock-order sort,
chunking) and encoding their parameters as Bolt PackStream, with the driver's pure-Python
packer and with ``neo4j-rust-ext``, in the same run. Also the encoded bytes per row, which
bound a RUN message (and the server's per-statement memory) for a given ``neo4j_batch_rows``.
Medians of 5 repetitions of process CPU time (the work is single-threaded CPU; CPU time keeps
the figures stable on a shared machine). Prints Markdown for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections import defaultdict
from itertools import islice
from typing import Any

from neo4j._codec.packstream import v1

from bench.estate import generate
from lineage.model import Edge, Node
from lineage.store import cypher
from lineage.store.base import edge_row, node_row
from lineage.store.neo4j import plan_rows

SEEN = "2026-01-01T00:00:00.000Z"
BATCH = 5000


def _batches(n_nodes: int) -> list[tuple[list[Node], list[Edge]]]:
    out = []
    facts = (f for f in generate(n_nodes) if isinstance(f, (Node, Edge)))
    while chunk := list(islice(facts, BATCH)):
        out.append(
            ([f for f in chunk if isinstance(f, Node)], [f for f in chunk if isinstance(f, Edge)])
        )
    return out


def _plan(batch: tuple[list[Node], list[Edge]], rows: int) -> list[tuple[str, dict[str, Any]]]:
    nodes, edges = batch
    by_kind: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for node in nodes:
        by_kind[node.kind].append(node_row(node, SEEN))
    by_rel: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for edge in edges:
        by_rel[edge.rel].append(edge_row(edge, SEEN))
    work = []
    for kind in sorted(by_kind, key=lambda k: k.value):
        work += plan_rows(cypher.UPSERT_NODES[kind], by_kind[kind], rows)
    for rel in sorted(by_rel, key=lambda r: r.value):
        work += plan_rows(cypher.UPSERT_EDGES[rel], by_rel[rel], rows, key="src,dst,key")
    return work


def _pack_all(work: list[tuple[str, dict[str, Any]]], rust: bool) -> int:
    size = 0
    for statement, params in work:
        buf = io.BytesIO()
        packer = v1.Packer(buf)
        hooks = packer._inject_hooks()
        if rust:
            buf.write(v1._rust_pack([statement, params], hooks))
        else:
            packer._py_pack([statement, params], hooks)
        size += buf.tell()
    return size


def _median(fn: Any, reps: int = 5) -> float:
    times = []
    for _ in range(reps):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--rows", type=int, nargs="+", default=[500, 2000, 5000])
    args = parser.parse_args()
    batches = _batches(args.nodes)
    facts = sum(len(n) + len(e) for n, e in batches)
    print(f"estate {args.nodes:,} nodes: {facts:,} node+edge facts in {len(batches)} batches\n")
    print("| rows per UNWIND | plan | pack (Python) | pack (Rust ext) | Rust speed-up |"
          " statements | bytes/row | largest RUN |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for rows in args.rows:
        plan_s = _median(lambda rows=rows: [_plan(b, rows) for b in batches])
        works = [_plan(b, rows) for b in batches]
        statements = sum(len(w) for w in works)
        py_s = _median(lambda works=works: [_pack_all(w, rust=False) for w in works])
        rust_s = (
            _median(lambda works=works: [_pack_all(w, rust=True) for w in works])
            if v1._rust_pack
            else 0
        )
        sizes = [_pack_all([s], rust=False) for w in works for s in w]
        total = sum(sizes)
        print(
            f"| {rows:,} | {plan_s * 1e6 / facts:.1f} µs/fact | {py_s * 1e6 / facts:.1f} µs/fact |"
            f" {rust_s * 1e6 / facts:.1f} µs/fact | {py_s / rust_s if rust_s else 0:.1f}x |"
            f" {statements:,} | {total / facts:.0f} | {max(sizes) / 1e6:.2f} MB |"
        )


if __name__ == "__main__":
    main()
