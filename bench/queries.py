"""Query benchmarks on the synthetic estates: blast radius, exposure paths, GraphQL overhead.

Each figure sits beside a floor measured in the same run on the same graph: a plain Python
BFS over dicts built from the same facts (``bench.estate.generate``), with the same
semantics (value-carrying edges, column roll-up, stale edges excluded). The BFS result is
also compared with the query's, node for node, so the figures are for correct answers.

    .venv/bin/python -m bench.queries --sizes 100000 1000000

Stores are kept under ``--root`` (default /tmp/lineage-bench-queries) and reused when their
counts match; a new one is loaded by the bulk first load (``lineage.firstload``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench.estate import SEEN, generate
from lineage.firstload import first_load
from lineage.model import Edge, Node, Rel
from lineage.store import open_store
from queries.blast_radius import blast_radius
from queries.exposure import exposure_paths
from queries.graph_index import index_for
from queries.traverse import traverse

WHOLE, PARTIAL = 0, 1


class Floor:
    """The estate as dicts, and a Python BFS with the blast radius's semantics."""

    def __init__(self, n_nodes: int, seed: int = 7) -> None:
        self.kind: dict[str, str] = {}
        self.out: dict[str, list[str]] = defaultdict(list)  # value-carrying, no column detail
        self.inn: dict[str, list[str]] = defaultdict(list)  # the same edges, reversed
        self.cols: dict[str, list[str]] = defaultdict(list)
        self.parent: dict[str, str] = {}
        flows: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        for fact in generate(n_nodes, seed):
            if isinstance(fact, Node):
                self.kind[fact.uid] = fact.kind.value
            elif isinstance(fact, Edge):
                if fact.rel is Rel.HAS_COLUMN:
                    self.cols[fact.src].append(fact.dst)
                    self.parent[fact.dst] = fact.src
                elif fact.rel is Rel.FLOWS_TO:
                    flows[fact.ident] = {**flows.get(fact.ident, {}), **fact.props}
        for (src, _rel, dst, _key), p in flows.items():  # merged like the pipeline merges
            carries = (
                p.get("transformation_type", "DIRECT") != "INDIRECT"
                and not p.get("masking", False)
                and not p.get("stale", False)
                and not p.get("column_detail", False)
            )
            if carries:
                self.out[src].append(dst)
                self.inn[dst].append(src)

    def radius(
        self,
        origin: str,
        depth: int = 10,
        *,
        upstream: bool = False,
        allowed: set[str] | None = None,
    ) -> dict[str, int]:
        """Same rules as ``queries.traverse``: from each node ``a`` reached, follow the
        value-carrying edges of ``a`` and of its HAS_COLUMN neighbours ``x`` (columns of a
        whole dataset, a column's dataset), listing ``x`` when data moves on through it;
        columns then roll up to their dataset. ``allowed``: only these nodes may be entered
        (the nodes holding a label, for exposure paths)."""
        adjacency = self.inn if upstream else self.out
        dist = {origin: 0}
        mode = {origin: WHOLE}
        expanded: dict[str, tuple[int, int]] = {}
        frontier = {origin: WHOLE}

        def visit(v: str, dv: int, mv: int) -> bool:
            pm, pd = mode.get(v), dist.get(v)
            if pm is not None and mv >= pm and pd is not None and dv >= pd:
                return False
            dist[v] = dv if pd is None else min(pd, dv)
            mode[v] = mv if pm is None else min(pm, mv)
            return True

        while frontier:
            nxt: dict[str, int] = {}
            for a, m in frontier.items():
                d = dist[a]
                if d >= depth:
                    continue
                expanded[a] = (m, d)
                xs = [(a, m)]
                if m == WHOLE:
                    k = self.kind.get(a)
                    if k == "Dataset":
                        xs += [(c, WHOLE) for c in self.cols.get(a, ())]
                    elif k == "Column" and a in self.parent:
                        xs.append((self.parent[a], PARTIAL))
                for x, mx in xs:
                    if allowed is not None and x != a and x not in allowed:
                        continue
                    targets = adjacency.get(x, ())
                    if allowed is not None:
                        targets = [b for b in targets if b in allowed]
                    if x != a and targets:
                        visit(x, d, mx)
                        expanded.setdefault(x, (mx, d))
                    for b in targets:
                        if visit(b, d + 1, WHOLE):
                            done = expanded.get(b)
                            if done is None or done[0] > WHOLE or done[1] > d + 1:
                                nxt[b] = WHOLE
            frontier = nxt
        if allowed is None:
            for v, dv in list(dist.items()):
                ds = self.parent.get(v)
                if ds is not None and ds != origin:
                    dist[ds] = min(dv, dist.get(ds, dv))
        return dist


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn()
    return (time.perf_counter() - t) * 1000, out


def _store(root: Path, n: int) -> Any:
    path = root / f"estate-{n}"
    marker = path / "bench-loaded.json"
    store = open_store(path)
    if marker.exists():
        return store
    store.clear()
    t = time.perf_counter()
    # The bulk first load: the same graph as the MERGE path (tests/test_firstload.py), in
    # a fraction of the time, so 1M is measurable in a run.
    report = first_load(store, generate(n), batch_size=10_000, seen=SEEN)
    took = time.perf_counter() - t
    marker.write_text(json.dumps({"nodes": report.nodes, "edges": report.edges, "s": took}))
    print(f"  loaded {n:,} nodes in {took:.0f} s", flush=True)
    return store


def _origins(store: Any, k: int, seed: int) -> list[str]:
    rows = store.query("MATCH (n:Dataset) WHERE n.layer = 'raw' RETURN n.uid AS uid ORDER BY uid")
    rng = random.Random(seed)
    return rng.sample([r["uid"] for r in rows], min(k, len(rows)))


def banded(store: Any, floor: Floor, low: int, high: int, k: int, seed: int) -> list[str]:
    """Raw datasets whose radius (by the floor) is between ``low`` and ``high`` nodes: the
    "median-size radius" of the brief (667 nodes measured on a 1M-node graph)."""
    rows = store.query("MATCH (n:Dataset) WHERE n.layer = 'raw' RETURN n.uid AS uid ORDER BY uid")
    inside = [r["uid"] for r in rows if low <= len(floor.radius(r["uid"])) - 1 <= high]
    return random.Random(seed).sample(inside, min(k, len(inside)))


class DbClock:
    """Sums the execution time FalkorDB reports for each statement (``run_time_ms``): the
    database's share of a call, robust to a busy machine's scheduling delays."""

    def __init__(self, store: Any) -> None:
        self.ms = 0.0
        graph = getattr(store, "_graph", None)
        if graph is not None and hasattr(graph, "ro_query"):
            inner = graph.ro_query

            def timed(*args: Any, **kwargs: Any) -> Any:
                result = inner(*args, **kwargs)
                self.ms += float(getattr(result, "run_time_ms", 0.0) or 0.0)
                return result

            graph.ro_query = timed

    def take(self) -> float:
        ms, self.ms = self.ms, 0.0
        return ms


def index_load(store: Any) -> dict[str, Any]:
    """Read the in-process graph index once: wall time and the Python memory it holds."""
    index = index_for(store)
    assert index is not None
    tracemalloc.start()
    ms, snap = _timed(lambda: index.current(wait=True))
    held, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert snap is not None
    edges = sum(len(v) for v in snap.out.values())
    return {"load_s": ms / 1000, "held_mb": held / 1e6, "nodes": len(snap.kind), "flows": edges}


def bench_blast(store: Any, floor: Floor, origins: list[str]) -> dict[str, Any]:
    """The blast radius from the graph index and from the store's Cypher, beside the floor,
    alternated per origin so both share the machine's noise; both answers are checked."""
    q_ms, t_ms, f_ms, sizes, mismatched = [], [], [], [], 0
    c_ms, c_mismatched = [], 0
    db_ms, cpu_ms, trips = [], [], []
    clock = DbClock(store)
    index = index_for(store)
    for uid in origins:  # warm the plan cache once
        blast_radius(store, uid, use_index=False)
        break
    for uid in origins:
        assert index is not None and index.current() is not None, "the index went stale"
        clock.take()
        cpu = time.process_time()
        ms, result = _timed(lambda u=uid: blast_radius(store, u))
        cpu_ms.append((time.process_time() - cpu) * 1000)
        db_ms.append(clock.take())
        cms, slow = _timed(lambda u=uid: blast_radius(store, u, use_index=False))
        c_ms.append(cms)
        if {a.node.uid for a in slow.affected} != {a.node.uid for a in result.affected}:
            c_mismatched += 1
        tms, reach = _timed(lambda u=uid: traverse(store, {u: "Dataset"}))
        trips.append(reach.round_trips)
        fms, dist = _timed(lambda u=uid: floor.radius(u))
        q_ms.append(ms)
        t_ms.append(tms)
        f_ms.append(fms)
        sizes.append(len(result.affected))
        if {a.node.uid for a in result.affected} != set(dist) - {uid}:
            mismatched += 1
    order = sorted(range(len(sizes)), key=lambda i: sizes[i])
    mid = order[len(order) // 4 : 3 * len(order) // 4] or order  # the middle half by size
    big = [i for i in order if sizes[i] >= _pct([float(s) for s in sizes], 0.9)]
    out = {
        "origins": len(origins),
        "radius_p50": statistics.median(sizes),
        "radius_p90": _pct([float(s) for s in sizes], 0.9),
        "radius_max": max(sizes),
        "query_p50_ms": statistics.median(q_ms),
        "query_p99_ms": _pct(q_ms, 0.99),
        "traverse_p50_ms": statistics.median(t_ms),
        "db_p50_ms": statistics.median(db_ms),
        "cpu_p50_ms": statistics.median(cpu_ms),
        "work_p50_ms": statistics.median(c + d for c, d in zip(cpu_ms, db_ms, strict=True)),
        "round_trips_p50": statistics.median(trips),
        "floor_p50_ms": statistics.median(f_ms),
        "floor_p99_ms": _pct(f_ms, 0.99),
        "mid_query_p50_ms": statistics.median(q_ms[i] for i in mid),
        "mid_floor_p50_ms": statistics.median(f_ms[i] for i in mid),
        "big_radius_p50": statistics.median(sizes[i] for i in big),
        "big_query_p50_ms": statistics.median(q_ms[i] for i in big),
        "big_floor_p50_ms": statistics.median(f_ms[i] for i in big),
        "mismatched": mismatched,
        "cypher_p50_ms": statistics.median(c_ms),
        "mid_cypher_p50_ms": statistics.median(c_ms[i] for i in mid),
        "index_vs_cypher_mismatched": c_mismatched,
    }
    out["ratio_p50"] = out["query_p50_ms"] / max(out["floor_p50_ms"], 1e-6)
    out["cypher_ratio_p50"] = out["cypher_p50_ms"] / max(out["floor_p50_ms"], 1e-6)
    return out


_LABELLED = """
MATCH (n:Asset)
WHERE size(coalesce(n.labels, [])) > 0
RETURN n.uid AS uid, n.kind AS kind, n.labels AS labels, coalesce(n.own_labels, []) AS own,
       n.exposure AS exposure"""


def exposure_floor(store: Any, floor: Floor, depth: int = 8) -> tuple[float, int]:
    """The exposure search in Python over the same graph: for every public/external endpoint
    and every label category it holds, walk upstream through nodes holding that category and
    count the (origin, endpoint) pairs whose origin owns a label of it. Labels are read from
    the store once, outside the timing. Returns (ms, pairs)."""
    rows = store.query(_LABELLED)
    holders: dict[str, set[str]] = defaultdict(set)
    owners: dict[str, set[str]] = defaultdict(set)
    endpoints = []
    for r in rows:
        for label in r["labels"]:
            holders[label].add(r["uid"])
        for label in r["own"]:
            owners[label.partition(":")[0]].add(r["uid"])
        if r["kind"] == "Endpoint" and r["exposure"] in ("public", "external"):
            endpoints.append((r["uid"], [x for x in r["labels"] if ":" not in x]))
    t = time.perf_counter()
    pairs: set[tuple[str, str]] = set()
    for uid, categories in endpoints:
        for cat in categories:
            reached = floor.radius(uid, depth, upstream=True, allowed=holders[cat])
            pairs.update((o, uid) for o in reached if o in owners[cat] and o != uid)
    return (time.perf_counter() - t) * 1000, len(pairs)


def bench_exposure(store: Any, repeats: int) -> dict[str, Any]:
    exposure_paths(store, limit=100)  # warm
    times, work, page = [], [], None
    clock = DbClock(store)
    for _ in range(repeats):
        clock.take()
        cpu = time.process_time()
        ms, page = _timed(lambda: exposure_paths(store, limit=100))
        work.append((time.process_time() - cpu) * 1000 + clock.take())
        times.append(ms)
    assert page is not None
    return {
        "p50_ms": statistics.median(times),
        "p99_ms": _pct(times, 0.99),
        "work_p50_ms": statistics.median(work),
        "results": len(page.results),
        "endpoints_searched": page.endpoints_searched,
        "endpoints_exposed": page.endpoints_exposed,
    }


# The statement before issue 18 (the uid lookup and the column filter in one pattern), which
# FalkorDB planned as a scan of every Asset per dataset: the same-run baseline of the fix.
_OWNING_COLUMNS_BEFORE = """
UNWIND $uids AS uid
MATCH (d:Asset {uid: uid})-[:HAS_COLUMN]->(c:Asset)
WHERE size(coalesce(c.own_labels, [])) > 0
RETURN uid AS dataset, c.uid AS column, c.own_labels AS own"""


def bench_exposure_before(store: Any, repeats: int) -> dict[str, Any]:
    """The exposure search with the pre-fix statement swapped in, alternated with the
    current one, so both share the machine's noise; the answers must be equal."""
    import queries.exposure as exposure

    now_ms, before_ms = [], []
    current = exposure.OWNING_COLUMNS
    try:
        for _ in range(repeats):
            exposure.OWNING_COLUMNS = current
            ms, now = _timed(lambda: exposure_paths(store, limit=100))
            now_ms.append(ms)
            exposure.OWNING_COLUMNS = _OWNING_COLUMNS_BEFORE
            ms, before = _timed(lambda: exposure_paths(store, limit=100))
            before_ms.append(ms)
            assert [r.to_dict() for r in now.results] == [r.to_dict() for r in before.results]
    finally:
        exposure.OWNING_COLUMNS = current
    return {
        "p50_ms": statistics.median(now_ms),
        "before_fix_p50_ms": statistics.median(before_ms),
        "speedup": statistics.median(before_ms) / max(statistics.median(now_ms), 1e-6),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


_GQL = """query($uid: ID!) { blastRadius(uid: $uid) { depthReached byKind { kind count }
  ranked(first: 10) { edges { node { asset { uid name exposure } risk { score }
    path { nodes { uid } } } } } } }"""


def bench_graphql(store_path: Path, store: Any, origins: list[str]) -> dict[str, Any]:
    """End-to-end over HTTP (a real ``lineage serve`` joining the store) minus the direct
    call of the same function, for the same origins, alternated to share the noise."""
    port = _free_port()
    env = {**os.environ, "LINEAGE_STORE": str(store_path)}
    for key in ("LINEAGE_API_TOKEN", "LINEAGE_READ_TOKEN", "LINEAGE_GRAPHIQL"):
        env.pop(key, None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from lineage.cli import main; main()",
            "serve",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            time.sleep(0.1)
        http, direct = [], []
        with httpx.Client(base_url=url, timeout=60) as client:
            for uid in origins[:3]:  # warm both paths
                client.post("/graphql", json={"query": _GQL, "variables": {"uid": uid}})
            for uid in origins:
                ms, resp = _timed(
                    lambda u=uid: client.post(
                        "/graphql", json={"query": _GQL, "variables": {"uid": u}}
                    )
                )
                assert resp.status_code == 200 and "errors" not in resp.json(), resp.text[:300]
                http.append(ms)
                dms, _ = _timed(lambda u=uid: blast_radius(store, u))
                direct.append(dms)
        deltas = [h - d for h, d in zip(http, direct, strict=True)]
        return {
            "http_p50_ms": statistics.median(http),
            "direct_p50_ms": statistics.median(direct),
            "overhead_p50_ms": statistics.median(http) - statistics.median(direct),
            "overhead_paired_p50_ms": statistics.median(deltas),
        }
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--origins", type=int, default=200)
    parser.add_argument("--exposure-repeats", type=int, default=15)
    parser.add_argument("--graphql-origins", type=int, default=100)
    parser.add_argument("--root", type=Path, default=Path("/tmp/lineage-bench-queries"))
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-graphql", action="store_true", help="skip the HTTP overhead part")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()}", flush=True)
    results: dict[str, Any] = {}
    for n in args.sizes:
        print(f"estate {n:,} nodes", flush=True)
        store = _store(args.root, n)
        try:
            floor = Floor(n)
            origins = _origins(store, args.origins, args.seed)
            res: dict[str, Any] = {"index": index_load(store)}
            print(f"  index {json.dumps(res['index'])}", flush=True)
            res["blast_radius"] = bench_blast(store, floor, origins)
            print(f"  blast radius {json.dumps(res['blast_radius'])}", flush=True)
            band = banded(store, floor, 300, 1500, args.origins // 2, args.seed)
            if band:
                res["blast_radius_300_1500"] = bench_blast(store, floor, band)
                print(f"  band {json.dumps(res['blast_radius_300_1500'])}", flush=True)
            res["exposure_top100"] = bench_exposure(store, args.exposure_repeats)
            floor_ms, floor_pairs = exposure_floor(store, floor)
            res["exposure_top100"]["floor_all_endpoints_ms"] = floor_ms
            res["exposure_top100"]["floor_pairs"] = floor_pairs
            print(f"  exposure {json.dumps(res['exposure_top100'])}", flush=True)
            res["exposure_fix"] = bench_exposure_before(store, max(3, args.exposure_repeats // 3))
            print(f"  exposure before/after fix {json.dumps(res['exposure_fix'])}", flush=True)
            if not args.no_graphql:
                res["graphql"] = bench_graphql(
                    args.root / f"estate-{n}", store, origins[: args.graphql_origins]
                )
                print(f"  graphql {json.dumps(res['graphql'])}", flush=True)
            results[str(n)] = res
        finally:
            store.close()
    print(f"load average {os.getloadavg()}", flush=True)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
