"""Policy enforcement benchmark: detection-to-action through a real ``lineage serve``, and
redaction throughput.

    .venv/bin/python -m bench.policy_enforcement [--estate 5000] [--runs 15] [--records 1000]

Detection-to-action: a real ``lineage serve`` process (embedded store, continuous policy
enforcement) holds a synthetic estate (``bench/estate.py``) plus N copies of the buyer's
scenario (tests/policy/policy_scenario.py: a Presidio-classified PII staging table, a
feature table training a model behind an external endpoint). For each copy, one OpenLineage
event makes the PII feed the training data; the clock runs from just before the event is
sent to the moment a second connection to the store (this process, a guest of the server)
sees the endpoint quarantined and its CAN_ACCESS edges gone. Baseline, same run, same
server: an event of the same shape that violates nothing (ingest + policy evaluation, no
action). Redaction: records/s through ``Redactor.redact_records`` per operator, beside the
Presidio analysis alone on the same records (the floor).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "policy"))

from policy_scenario import ENVIRONMENTS, POLICY, build, customers, estate_facts, violation_event

from bench.estate import load
from lineage import ids, pipeline
from lineage.model import Rel
from lineage.policy import Redactor
from lineage.store import open_store

TOKEN = "bench-token"


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, body: dict) -> int:
    data = json.dumps(body).encode()
    req = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"},
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status


def _rename(event: dict, old: str, new: str) -> None:
    """Point an event's output (and its SQL facet) at another dataset."""
    for ds in event["outputs"]:
        if ds["name"] == old:
            ds["name"] = new
    sql = event["job"].get("facets", {}).get("sql")
    if sql:
        sql["query"] = sql["query"].replace(old, new)


def _harmless(event: dict, i: int) -> dict:
    """The same event shape (same SQL, renamed) between two datasets that feed nothing."""
    out = json.loads(json.dumps(event))
    out["run"]["runId"] = f"11111111-0000-4000-8000-{i:012d}"  # not a scenario run id
    out["job"]["name"] = f"copy_{i}"
    old_in, old_out = out["inputs"][0]["name"], out["outputs"][0]["name"]
    _rename(out, old_out, f"raw.staging.misc_copy_{i}")
    out["inputs"][0]["name"] = f"raw.staging.misc_{i}"
    sql = out["job"].get("facets", {}).get("sql")
    if sql:
        sql["query"] = sql["query"].replace(old_in, f"raw.staging.misc_{i}")
    return out


def detection(estate_nodes: int, runs: int) -> dict:
    root = Path(tempfile.mkdtemp(prefix="lineage-bench-policy-"))
    env = ENVIRONMENTS["warehouse"]
    try:
        store = open_store(root / "store")
        if estate_nodes:
            load(store, estate_nodes)
        scenarios = []
        data = root / "data"
        data.mkdir()
        base = build(store, env, data)  # the staging table, classified once
        for i in range(runs):
            facts, estate = estate_facts(env, suffix=f"_{i}")
            pipeline.ingest(store, facts)
            scenarios.append((estate, violation_event(base, run=i)))
        for i, (estate, event) in enumerate(scenarios):  # each event targets its own copy
            _rename(event, ids.parse(base.features).name, ids.parse(estate.features).name)
            event["job"]["name"] = f"build_features_{i}"
        counts = store.counts()
        store.close()
        policy = root / "policy.yaml"
        policy.write_text(POLICY.format(dry_run="false"))
        port = _port()
        server_env = {
            **os.environ,
            "LINEAGE_STORE": str(root / "store"),
            "LINEAGE_API_TOKEN": TOKEN,
            "LINEAGE_POLICIES": str(policy),
        }
        lineage = Path(sys.executable).with_name("lineage")
        server_log = (root / "server.log").open("w")
        server = subprocess.Popen(
            [str(lineage), "serve", "--port", str(port)],
            env=server_env,
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(url + "/healthz", timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise RuntimeError("lineage serve did not start") from None
                    time.sleep(0.2)
            guest = open_store(root / "store")  # joins the server's store as a guest
            baseline, action, response = [], [], []
            for i, (estate, event) in enumerate(scenarios):
                t0 = time.perf_counter()
                assert _post(url + "/api/v1/lineage", _harmless(event, i)) == 201
                baseline.append(time.perf_counter() - t0)

                t0 = time.perf_counter()
                assert _post(url + "/api/v1/lineage", event) == 201
                t_resp = time.perf_counter()
                while True:
                    node = guest.get_node(estate.endpoint)
                    edges = guest.neighbours(estate.endpoint, direction="in", rels=[Rel.CAN_ACCESS])
                    if node is not None and node.props.get("quarantined") is True and not edges:
                        break
                    if time.perf_counter() - t0 > 30:
                        tail = (root / "server.log").read_text()[-3000:]
                        raise RuntimeError(f"run {i}: no quarantine after 30 s\n{tail}")
                    time.sleep(0.001)
                action.append(time.perf_counter() - t0)
                response.append(t_resp - t0)
            guest.close()
        finally:
            server.terminate()
            server.wait(timeout=60)
            server_log.close()
        return {
            "estate_nodes": sum(
                v for k, v in counts.items() if k[0].isupper() and k.isalpha() and not k.isupper()
            ),
            "counts": counts,
            "runs": runs,
            "action_median_ms": statistics.median(action) * 1000,
            "action_p95_ms": _pct(action, 0.95) * 1000,
            "action_max_ms": max(action) * 1000,
            "response_median_ms": statistics.median(response) * 1000,
            "baseline_median_ms": statistics.median(baseline) * 1000,
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)


def redaction(n: int, repeats: int = 5) -> dict:
    """records/s per variant; variants are interleaved in every repeat, so a busy moment of
    the (shared) machine hits them all alike, and the median of the repeats is kept."""
    records = [{k: v for k, v in r.items() if k != "customer_id"} for r in customers(n, seed=11)]
    redactor = Redactor(key="bench key, not a secret")
    analyzer = redactor.analyzer
    analyzer.analyze(text="warm up ann@example.com", language="en")
    few = ["EMAIL_ADDRESS", "CREDIT_CARD", "US_SSN"]

    def floor() -> None:
        for r in records:
            for v in r.values():
                analyzer.analyze(text=v, language="en", score_threshold=redactor.threshold)

    variants = {"analysis_only": floor}
    for op in ("replace", "mask", "hash", "encrypt"):
        variants[op] = lambda op=op: list(redactor.redact_records(records, op))
    variants["replace_3_entities"] = lambda: list(
        redactor.redact_records(records, "replace", entities=few)
    )
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(repeats):
        for name, fn in variants.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    out: dict = {"records": n, "fields": len(records[0]), "repeats": repeats}
    for name, values in times.items():
        out[f"{name}_rps"] = n / statistics.median(values)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--estate", type=int, default=5000, help="synthetic estate nodes")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--records", type=int, default=1000)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    d = detection(args.estate, args.runs)
    r = redaction(args.records)
    load_after = os.getloadavg()[0]
    print(json.dumps({"detection": d, "redaction": r}, indent=2))
    print(
        f"\nload average (1 min) before/after: {load_before:.1f} / {load_after:.1f} "
        f"on {os.cpu_count()} cores"
    )
    nodes = sum(
        v
        for k, v in d["counts"].items()
        if k
        in {"Source", "Dataset", "Column", "Job", "Model", "VectorIndex", "Endpoint", "Principal"}
    )
    print()
    print(f"Detection-to-action ({d['runs']} events, embedded store, {nodes:,} nodes):")
    print("| measure | median | p95 | max |")
    print("|---|---:|---:|---:|")
    print(
        f"| event sent -> quarantine seen by a second connection | {d['action_median_ms']:.0f} ms "
        f"| {d['action_p95_ms']:.0f} ms | {d['action_max_ms']:.0f} ms |"
    )
    print(f"| event sent -> HTTP 201 (already in force) | {d['response_median_ms']:.0f} ms | | |")
    print(f"| baseline: harmless event, same shape -> 201 | {d['baseline_median_ms']:.0f} ms | | |")
    print()
    print(f"Redaction ({r['records']} Faker records x {r['fields']} string fields):")
    print("| operator | records/s | vs analysis alone |")
    print("|---|---:|---:|")
    print(f"| Presidio analysis only (the floor) | {r['analysis_only_rps']:.0f} | 1.00 |")
    for op in ("replace", "mask", "hash", "encrypt", "replace_3_entities"):
        name = op.replace("_3_entities", " (entities: e-mail, card, SSN only)")
        print(f"| {name} | {r[f'{op}_rps']:.0f} | {r[f'{op}_rps'] / r['analysis_only_rps']:.2f} |")


if __name__ == "__main__":
    main()
