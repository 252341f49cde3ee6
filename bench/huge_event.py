"""One huge OpenLineage event (N inputs x M outputs): apply time as one transaction versus
in bounded chunks, and what a failure part-way costs afterwards.

    .venv/bin/python -m bench.huge_event [--inputs 10000] [--outputs 20] [--repeat 3]

Each configuration runs on a fresh embedded store through the real intake
(``Intake.apply``): ``whole`` sets the chunk size above the event's fact count (the old
single transaction), ``chunked`` uses the default (``LINEAGE_APPLY_CHUNK_ROWS``). Prints
medians and the ratio to ``whole`` in the same run, as a Markdown table.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from ingest.openlineage import idempotency_key
from lineage.eventlog import FileEventLog
from lineage.intake import CHUNK_ROWS, Intake
from lineage.store import open_store

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "openlineage")]
from ol_events import fan_out  # noqa: E402 - the event the tests post, from the tests' helpers


def once(n_in: int, n_out: int, rows: int) -> tuple[float, int]:
    """Seconds to apply the event on a fresh store with chunks of ``rows`` facts."""
    root = Path(tempfile.mkdtemp(prefix="huge-event-"))
    store = open_store(str(root / "store"))
    log = FileEventLog(root / "eventlog")
    intake = Intake(store, log)
    intake.chunk_rows = rows
    try:
        e = fan_out(n_in, n_out)
        records = [r for r in log.append([(idempotency_key(e), e)]) if r]
        started = time.perf_counter()
        report = intake.apply(records)
        return time.perf_counter() - started, report.nodes + report.edges
    finally:
        intake.close()
        store.close()
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--outputs", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    configs = {"whole": 1 << 30, f"chunked ({CHUNK_ROWS:,} facts)": CHUNK_ROWS}
    times: dict[str, list[float]] = {name: [] for name in configs}
    facts = 0
    for _ in range(args.repeat):  # interleaved, so load on the machine hits both alike
        for name, rows in configs.items():
            took, facts = once(args.inputs, args.outputs, rows)
            times[name].append(took)
    base = statistics.median(times["whole"])
    print(f"{args.inputs:,} inputs x {args.outputs} outputs = {facts:,} facts, "
          f"median of {args.repeat}\n")  # fmt: skip
    print("| apply | median s | vs whole |\n|---|---|---|")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"| {name} | {median:.1f} | {median / base:.2f} |")


if __name__ == "__main__":
    main()
