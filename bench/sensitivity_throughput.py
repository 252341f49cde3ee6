"""Classification throughput: columns/s at 100 sampled values each, fast path vs plain loop.

The baseline is the plain loop: one ``AnalyzerEngine.analyze`` call per value, same engine,
same column context and ad-hoc recognisers, same verdict rule
(``Classifier.classify_per_value``). The fast path is ``Classifier.classify`` (dedupe, entity
restriction, batching, phone gate and early stop). Both run in this process on the same
seeded Faker column set (bench/sensitivity_accuracy.py), after one warm-up; the script
checks that every column gets the same verdict, with the same hit counts and confidences.

    .venv/bin/python bench/sensitivity_throughput.py [--columns-per-kind 6] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.sensitivity_accuracy import columns
from ingest.sensitivity import Classifier


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--columns-per-kind", type=int, default=6)
    ap.add_argument("--rounds", type=int, default=3, help="fast-path rounds (median taken)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    cols = columns(args.columns_per_kind, args.seed)
    clf = Classifier()
    for _, _, name, values in cols[:: max(1, len(cols) // 20)]:  # warm every recogniser up
        clf.classify(name, values)
        clf.classify_per_value(name, values)

    started = time.perf_counter()
    slow = [clf.classify_per_value(name, values) for _, _, name, values in cols]
    base_s = time.perf_counter() - started
    fast_runs = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        fast = [clf.classify(name, values) for _, _, name, values in cols]
        fast_runs.append(time.perf_counter() - started)
    fast_s = statistics.median(fast_runs)
    same = sum(a == b for a, b in zip(fast, slow, strict=True))
    out = {
        "columns": len(cols),
        "values_per_column": 100,
        "baseline_columns_per_s": round(len(cols) / base_s, 1),
        "fast_columns_per_s": round(len(cols) / fast_s, 1),
        "speedup": round(base_s / fast_s, 2),
        "same_verdicts": f"{same}/{len(cols)}",
        "fast_runs_s": [round(x, 2) for x in fast_runs],
        "baseline_s": round(base_s, 2),
    }
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(f"{len(cols)} columns x 100 values")
        base, fastc = out["baseline_columns_per_s"], out["fast_columns_per_s"]
        print(f"plain per-value loop : {base:8.1f} columns/s ({base_s:.1f} s)")
        print(f"fast path (median)   : {fastc:8.1f} columns/s ({fast_s:.1f} s)")
        print(
            f"speedup              : {out['speedup']:8.2f}x   same verdicts: {out['same_verdicts']}"
        )
    if same != len(cols):
        raise SystemExit("verdicts differ between the fast path and the plain loop")


if __name__ == "__main__":
    main()
