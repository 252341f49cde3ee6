"""Notebook and RAG-config ingest speed, against nbformat's own parse measured in the same run.

    .venv/bin/python bench/notebook_speed.py [--runs 5] [--cpu]

Figures (medians of ``--runs`` after one warm-up):

* corpus: notebooks/s and configs/s for the whole fact build (load, validate, analyse,
  secrets, SQL hand-off), with ``nbformat.reads`` of the same files as the baseline;
* a generated ~5 MB notebook shaped like real ones (code cells cloned from the corpus with
  renamed variables, printed tables and base64 PNG plots as outputs): ``nbformat.reads``
  vs our load and our analysis; the target is analysis <= 2x nbformat's parse;
* the same size made of code only (every byte must go through ``ast``), for honesty.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.notebook import analyse_notebook, notebook_facts, parse_notebook  # noqa: E402
from ingest.vector_config import vector_config_facts  # noqa: E402

CORPUS = ROOT / "tests" / "corpus"


CLOCK = time.perf_counter  # --cpu switches to process time (the machine may be shared)


def median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()
    times = []
    for _ in range(runs):
        start = CLOCK()
        fn()
        times.append((CLOCK() - start) * 1000)
    return statistics.median(times)


def corpus_cells() -> list[str]:
    cells = []
    for path in sorted((CORPUS / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "code":
                source = (
                    "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                )
                cells.append(source)
    return cells


def generated(target_bytes: int, *, outputs: bool, seed: int = 7) -> str:
    rng = random.Random(seed)
    pool = corpus_cells()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    size = 0
    i = 0
    while size < target_bytes:
        source = rng.choice(pool).replace("df", f"df{i}").replace("model", f"model{i % 50}")
        cell = nbformat.v4.new_code_cell(source, execution_count=i + 1)
        size += len(source)
        if outputs:
            rows = "\n".join(
                f"{r:>4}  user{rng.randrange(10**6)}  {rng.random():.4f}  ok" for r in range(30)
            )
            cell.outputs.append(nbformat.v4.new_output("stream", name="stdout", text=rows))
            size += len(rows)
            if i % 3 == 0:
                png = base64.b64encode(rng.randbytes(24_000)).decode()
                cell.outputs.append(
                    nbformat.v4.new_output(
                        "display_data", data={"image/png": png, "text/plain": "<Figure>"}
                    )
                )
                size += len(png)
        nb.cells.append(cell)
        i += 1
    return nbformat.writes(nb)


def bench_corpus(runs: int) -> dict[str, float]:
    notebooks = sorted((CORPUS / "notebooks").glob("*.ipynb"))
    texts = [(p, p.read_text()) for p in notebooks]
    configs = sorted((CORPUS / "vector_configs").iterdir())
    parse = median_ms(lambda: [nbformat.reads(t, as_version=4) for _, t in texts], runs)
    full = median_ms(lambda: [list(notebook_facts(p, ref=p.name, text=t)) for p, t in texts], runs)
    cfg = median_ms(lambda: [list(vector_config_facts(p, ref=p.name)) for p in configs], runs)
    return {
        "notebooks": len(texts),
        "nbformat_reads_ms": parse,
        "ingest_ms": full,
        "notebooks_per_s": len(texts) / (full / 1000),
        "nbformat_notebooks_per_s": len(texts) / (parse / 1000),
        "configs": len(configs),
        "configs_ms": cfg,
        "configs_per_s": len(configs) / (cfg / 1000),
    }


def bench_big(text: str, runs: int) -> dict[str, float]:
    parse = median_ms(lambda: nbformat.reads(text, as_version=4), runs)
    load = median_ms(lambda: parse_notebook(text, "big.ipynb"), runs)
    loaded = parse_notebook(text, "big.ipynb")
    analyse = median_ms(lambda: list(analyse_notebook(loaded)), runs)
    return {
        "mb": len(text.encode()) / 1e6,
        "cells": len(loaded.cells),
        "nbformat_reads_ms": parse,
        "our_load_ms": load,
        "analysis_ms": analyse,
        "analysis_over_parse": analyse / parse,
    }


def main() -> None:
    warnings.simplefilter("ignore")  # nbformat's missing-cell-id notices on the baseline
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mb", type=float, default=5.0)
    parser.add_argument("--cpu", action="store_true", help="Time with process CPU time.")
    args = parser.parse_args()
    global CLOCK  # noqa: PLW0603 - one switch for the whole run
    if args.cpu:
        CLOCK = time.process_time
    results = {
        "corpus": bench_corpus(args.runs),
        "notebook_5mb_with_outputs": bench_big(
            generated(int(args.mb * 1e6), outputs=True), args.runs
        ),
        "notebook_5mb_code_only": bench_big(
            generated(int(args.mb * 1e6), outputs=False), max(1, args.runs // 2)
        ),
    }
    results["clock"] = "process CPU time" if args.cpu else "wall time"
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
