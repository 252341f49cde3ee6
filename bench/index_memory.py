"""Memory of the in-process graph index (``queries.graph_index.Snapshot``) by estate size.

The snapshot is built here straight from the synthetic estate's facts (the same dicts a read
from the store fills), so 1M can be measured without loading 1M through the pipeline (20+
minutes on a busy machine). Effective labels come from propagation in the store; here only
the own labels are set, so this is a lower bound on the label part. ``bench.queries`` reports
the same figure read from a real store (49 MB at 100k) to compare with.

    .venv/bin/python -m bench.index_memory --sizes 100000 1000000
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import time
import tracemalloc

from bench.estate import generate
from lineage import ids
from lineage.model import Edge, Labeling, Node, Rel
from queries.graph_index import Snapshot
from queries.traverse import COLUMN_DETAIL, DATASET_LEVEL, INDIRECT, MASKING, STALE


def _code(props: dict[str, object]) -> int:
    return (
        (DATASET_LEVEL if props.get("granularity") == "dataset" else 0)
        | (COLUMN_DETAIL if props.get("column_detail") else 0)
        | (MASKING if props.get("masking") else 0)
        | (STALE if props.get("stale") else 0)
        | (INDIRECT if props.get("transformation_type") == "INDIRECT" else 0)
    )


def build(n_nodes: int, seed: int = 7) -> tuple[Snapshot, float]:
    """The snapshot of the estate and the MB it holds (tracemalloc, facts not counted)."""
    facts = list(generate(n_nodes, seed))
    gc.collect()
    tracemalloc.start()
    snap = Snapshot(0)
    kinds: dict[str, str] = {}
    for fact in facts:
        if isinstance(fact, Node):
            uid = "".join(fact.uid)  # a string of its own, as a read from the store gives
            snap.kind[uid] = kinds.setdefault(fact.kind.value, fact.kind.value)
            if fact.name and fact.name != uid:
                snap.name[uid] = "".join(fact.name)
        elif isinstance(fact, Edge):
            for end in (fact.src, fact.dst):  # stubs for endpoints, as the store holds them
                if end not in snap.kind:
                    kind = ids.kind_of(end).value
                    snap.kind["".join(end)] = kinds.setdefault(kind, kind)
            if fact.rel is Rel.FLOWS_TO:
                code = _code(fact.props)
                snap.out.setdefault(fact.src, []).append((fact.dst, code))
                snap.inn.setdefault(fact.dst, []).append((fact.src, code))
            elif fact.rel is Rel.HAS_COLUMN:
                snap.cols.setdefault(fact.src, []).append(fact.dst)
                snap.cols.setdefault(fact.dst, []).append(fact.src)
        elif isinstance(fact, Labeling):
            snap.labels[fact.uid] = (*snap.labels.get(fact.uid, ()), str(fact.label))
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return snap, held / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args()
    print(f"load average {os.getloadavg()}", flush=True)
    for n in args.sizes:
        t = time.perf_counter()
        snap, mb = build(n)
        flows = sum(len(v) for v in snap.out.values())
        out = {"nodes": len(snap.kind), "flows": flows, "held_mb": round(mb, 1),
               "build_s": round(time.perf_counter() - t, 1)}  # fmt: skip
        print(f"{n}: {json.dumps(out)}", flush=True)
        del snap
        gc.collect()


if __name__ == "__main__":
    main()
