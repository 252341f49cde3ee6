"""Explorer notebooks benchmark: wall time of each notebook executed top to bottom.

    .venv/bin/python -m bench.explorer_notebooks [--repeats 3]

Each notebook runs with nbclient the way the tests run it, on an empty store (the notebook
loads the demo estate itself: what a new user waits for) and on a store that already holds
the demo (the notebook's own work). The baseline, measured in the same run, is a one-cell
notebook that imports the store module and opens the store: the floor every notebook pays
(kernel start, imports). Also reports the slowest cells of each notebook (nbclient's
timestamps). Prints a Markdown table of medians for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from lineage.demo import run_demo
from lineage.store import open_store

NOTEBOOKS = Path(__file__).parents[1] / "notebooks"
BASELINE = new_notebook(
    cells=[
        new_code_cell(
            "import os\nfrom lineage.store import open_store\n"
            "open_store(os.environ['LINEAGE_STORE']).close()"
        )
    ]
)


def _execute(book: nbformat.NotebookNode, store: Path) -> tuple[float, nbformat.NotebookNode]:
    os.environ["LINEAGE_STORE"] = str(store)
    started = time.perf_counter()
    store.parent.mkdir(parents=True, exist_ok=True)
    where = {"metadata": {"path": str(store.parent)}}
    NotebookClient(book, timeout=300, kernel_name="python3", resources=where).execute()
    return time.perf_counter() - started, book


def _cell_seconds(book: nbformat.NotebookNode) -> list[tuple[float, str]]:
    out = []
    for cell in book.cells:
        timing = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
            a = datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
            b = datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
            first = next((line for line in cell.source.splitlines() if line.strip()), "")
            out.append(((b - a).total_seconds(), first[:60]))
    return sorted(out, reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    names = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    times: dict[str, list[float]] = defaultdict(list)
    cells: dict[str, list[tuple[float, str]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeats):
            base = Path(tmp) / f"r{r}"
            times["baseline"].append(_execute(BASELINE.copy(), base / "empty" / "store")[0])
            warm = base / "warm" / "store"
            with open_store(warm) as store:
                started = time.perf_counter()
                run_demo(store)
                times["demo load (in process)"].append(time.perf_counter() - started)
            for name in names:
                book = nbformat.read(NOTEBOOKS / name, as_version=4)
                seconds, _ = _execute(book, base / f"cold-{name}" / "store")
                times[f"{name}, empty store (loads the demo)"].append(seconds)
                book = nbformat.read(NOTEBOOKS / name, as_version=4)
                seconds, done = _execute(book, warm)
                times[f"{name}, demo already loaded"].append(seconds)
                cells[name] = _cell_seconds(done)
    floor = statistics.median(times["baseline"])
    print(f"\n{args.repeats} repeats, medians\n")
    print("| run | seconds | vs baseline |\n|---|---:|---:|")
    for what, values in times.items():
        median = statistics.median(values)
        print(f"| {what} | {median:.1f} | {median / floor:.1f} |")
    print("\nslowest cells (last repeat, demo already loaded):\n")
    for name, timed in cells.items():
        top = "; ".join(f"`{text}` {s:.1f} s" for s, text in timed[:3])
        print(f"- {name}: {top}")


if __name__ == "__main__":
    main()
