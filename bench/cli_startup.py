"""CLI start-up: ``lineage --help`` and ``lineage stats`` beside their floors.

    .venv/bin/python -m bench.cli_startup [--repeats 15]

Each command runs as a fresh process, as a user types it. Baseline in the same run:
importing every command module, which is what each command paid before they loaded
lazily. Floors measured in the same run:
``python -c pass`` (the interpreter), and ``python -c "import typer"`` plus opening the demo
store for ``stats`` (what any store command must do). Medians and ratios are printed as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lineage.cli._lazy import COMMANDS, INGEST

PY = sys.executable
LINEAGE = str(Path(PY).with_name("lineage"))


_EAGER = "import " + ", ".join(
    sorted({w.module for w in {**COMMANDS, **INGEST}.values() if w.module})
)


def _median(cmd: list[str], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    store = Path(tempfile.mkdtemp()) / "demo"
    subprocess.run([LINEAGE, "--store", str(store), "demo", "--report", os.devnull],
                   check=True, capture_output=True)  # fmt: skip
    open_store = f"from lineage.store import open_store; open_store({str(store)!r}).close()"
    r = args.repeats
    figures = {
        "python -c pass": _median([PY, "-c", "pass"], r),
        "import typer": _median([PY, "-c", "import typer"], r),
        "open the store": _median([PY, "-c", open_store], r),
        # what every command paid before commands loaded lazily (the baseline)
        "import every command module": _median([PY, "-c", _EAGER], r),
        "lineage --help": _median([LINEAGE, "--help"], r),
        "lineage stats": _median([LINEAGE, "--store", str(store), "stats"], r),
    }
    out = {k: round(v, 3) for k, v in figures.items()}
    out["eager imports / lineage --help"] = round(
        figures["import every command module"] / figures["lineage --help"], 2
    )
    out["help / import typer"] = round(figures["lineage --help"] / figures["import typer"], 2)
    out["stats / open the store"] = round(figures["lineage stats"] / figures["open the store"], 2)
    out["load average"] = os.getloadavg()[0]
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
