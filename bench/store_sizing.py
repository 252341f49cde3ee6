"""Memory sizing of both stores on the synthetic estates.

    .venv/bin/python -m bench.store_sizing [--sizes 10000 100000]

Each estate goes through the real pipeline into a fresh embedded store, which is *measured*:
FalkorDB's ``used_memory`` (what the graph and its indexes take) and the server's resident
peak. Then every record is read back (the Neo4j store writes the very same nodes, edges and
properties with the same statements) and the Neo4j 5 store size is *computed* from those
records with the record sizes of Neo4j's ``aligned`` format (the Community default) and the
indexes of :data:`lineage.store.ddl.NEO4J_SCHEMA`. There is no Neo4j server here, so the Neo4j
figures are an estimate, labelled as such; the constants and their sources are below.

Neo4j record sizes (bytes; ``aligned`` format, Neo4j 5 operations manual, "Disks, RAM and
other tips" / store formats): node 15, relationship 34, relationship group 25 (per type, on
nodes above the dense threshold of 50 relationships), property record 41 holding 4 blocks of
8 bytes, dynamic string/array record 128 with 120 bytes of payload. Range index entries:
key + 8-byte entity id + ~10 bytes overhead, pages ~70 % full.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from bench.estate import load
from bench.procstat import status_mb
from lineage.store import open_store

NODE, REL, GROUP, PROP_RECORD, DYN_RECORD, DYN_PAYLOAD = 15, 34, 25, 41, 128, 120
BLOCKS_PER_RECORD, DENSE = 4, 50
INDEX_OVERHEAD, INDEX_FILL = 18, 0.7


def _value_cost(value: Any) -> tuple[int, int]:
    """(property blocks, dynamic-store bytes) of one property value."""
    if isinstance(value, bool) or value is None:
        return 1, 0
    if isinstance(value, int):
        return (1 if -(2**35) <= value < 2**35 else 2), 0
    if isinstance(value, float):
        return 2, 0
    if isinstance(value, str):
        data = len(value.encode())
        if data <= 7:  # short-string encodings fit small ASCII values in the blocks
            return 2, 0
        return 1, math.ceil(data / DYN_PAYLOAD) * DYN_RECORD
    if isinstance(value, (list, tuple)):
        data = 4 + sum(len(str(v).encode()) + 4 for v in value)
        return 1, math.ceil(data / DYN_PAYLOAD) * DYN_RECORD
    return 1, 0


def _props_cost(props: dict[str, Any]) -> int:
    blocks = dynamic = 0
    for value in props.values():
        b, d = _value_cost(value)
        blocks += b
        dynamic += d
    return math.ceil(blocks / BLOCKS_PER_RECORD) * PROP_RECORD + dynamic


def _index_bytes(keys: list[str]) -> int:
    return int(sum(len(k.encode()) + INDEX_OVERHEAD for k in keys) / INDEX_FILL)


def neo4j_estimate(store: Any) -> dict[str, float]:
    nodes = props = 0
    uids: list[str] = []
    names: list[str] = []
    for node in store.iter_nodes():
        nodes += 1
        full = {"uid": node.uid, "kind": node.kind.value, "name": node.name,
                "namespace": node.namespace, "labels": list(node.labels), **node.props}  # fmt: skip
        props += _props_cost(full)
        uids.append(node.uid)
        names.append(node.name)
    rels = rel_props = 0
    degree: Counter[tuple[str, str]] = Counter()
    total_degree: Counter[str] = Counter()
    vias: list[str] = []
    for edge in store.iter_edges():
        rels += 1
        rel_props += _props_cost({"key": edge.key, **edge.props})
        for end in (edge.src, edge.dst):
            degree[(end, edge.rel.value)] += 1
            total_degree[end] += 1
        if edge.rel.value == "FLOWS_TO" and edge.props.get("via"):
            vias.append(str(edge.props["via"]))
    groups = sum(1 for (uid, _), _n in degree.items() if total_degree[uid] > DENSE)
    indexes = 2 * _index_bytes(uids) + _index_bytes(names) + _index_bytes(vias)
    indexes += _index_bytes([""] * nodes)  # asset_kind: short keys
    store_bytes = nodes * NODE + rels * REL + groups * GROUP + props + rel_props
    return {
        "neo4j_store_mb": store_bytes / 1e6,
        "neo4j_index_mb": indexes / 1e6,
        "neo4j_pagecache_mb": (store_bytes + indexes) * 1.2 / 1e6,
    }


def run_one(size: int) -> dict[str, float]:
    root = Path(tempfile.mkdtemp(prefix="lineage-sizing-"))
    store = open_store(root / "store")
    try:
        report = load(store, size)
        info = store._server.client.info("memory")  # type: ignore[attr-defined]
        pid = int((root / "store" / "falkordb.pid").read_text())
        out = {
            "size": size,
            "nodes": report.nodes,
            "edges": report.edges,  # not counts(): a full count times out on a loaded machine
            "falkor_used_mb": info["used_memory"] / 1e6,
            "falkor_rss_mb": status_mb(pid, "VmRSS"),
            "falkor_peak_mb": status_mb(pid, "VmHWM"),
            **neo4j_estimate(store),
        }
        return out
    finally:
        store.close()  # also on failure: never leave the server running
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return
    print("| estate | nodes | edges | FalkorDB used_memory | FalkorDB RSS / peak |"
          " Neo4j store (est.) | Neo4j indexes (est.) | Neo4j page cache (est.) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        done = subprocess.run([sys.executable, "-m", "bench.store_sizing", "--one", str(size)],
                              check=False, capture_output=True, text=True)  # fmt: skip
        if done.returncode:
            sys.exit(f"size {size} failed:\n{done.stderr[-3000:]}")
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"| {r['size']:,} | {r['nodes']:,} | {r['edges']:,} | {r['falkor_used_mb']:.0f} MB |"
            f" {r['falkor_rss_mb']:.0f} / {r['falkor_peak_mb']:.0f} MB |"
            f" {r['neo4j_store_mb']:.0f} MB | {r['neo4j_index_mb']:.0f} MB |"
            f" {r['neo4j_pagecache_mb']:.0f} MB |"
        )


if __name__ == "__main__":
    main()
