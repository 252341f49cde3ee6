"""Mutation score of the core packages (issue 14), on demand, never in CI.

Runs mutmut (configured in pyproject.toml's ``[tool.mutmut]``) for each package, each under
a time box, then counts what became of every mutant it generated. A survivor is a change to
the code that no test notices; ``mutmut show <name>`` prints it.

    .venv/bin/python -m bench.mutation_score [--run] [--minutes 25] [PACKAGE ...]

Without ``--run`` only the results of earlier runs are counted (mutmut keeps them in
``mutants/``). mutmut forks the test process after importing the project, so a function
called at import (``require_read = _require(Scope.READ)``) is mutated but never observed, and
tests that start ``lineage serve`` in a subprocess see no mutant at all: both show up as
survivors and are counted as such here, not explained away.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTMUT = ROOT / ".venv" / "bin" / "mutmut"
PACKAGES = {
    "lineage/api/auth": "lineage.api.auth",
    "lineage/eventlog": "lineage.eventlog",
    "lineage/pipeline": "lineage.pipeline",
    "lineage/sensitivity": "lineage.sensitivity",
    "ingest/secrets": "ingest.secrets",
}


def _run(prefix: str, minutes: float) -> None:
    cmd = ["nice", "-n", "15", str(MUTMUT), "run", "--max-children", "2", f"{prefix}*"]
    try:
        subprocess.run(cmd, cwd=ROOT, timeout=minutes * 60, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    except subprocess.TimeoutExpired:
        print(f"{prefix}: time box of {minutes:g} min reached", file=sys.stderr)


def _statuses() -> dict[str, str]:
    done = subprocess.run([str(MUTMUT), "results", "--all", "true"], cwd=ROOT,
                          capture_output=True, text=True, check=False)  # fmt: skip
    out = {}
    for line in done.stdout.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep:
            out[name] = status
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*", choices=list(PACKAGES), default=list(PACKAGES))
    parser.add_argument("--run", action="store_true", help="run mutmut first")
    parser.add_argument("--minutes", type=float, default=25.0, help="time box per package")
    args = parser.parse_args()
    if args.run:
        for package in args.packages:
            _run(PACKAGES[package], args.minutes)
    statuses = _statuses()
    print("| package | mutants | tested | killed | survived | timeout | score (killed/tested) |")
    print("|---|---|---|---|---|---|---|")
    for package in args.packages:
        prefix = PACKAGES[package] + "."
        counts = Counter(s for n, s in statuses.items() if n.startswith(prefix))
        total = sum(counts.values())
        tested = total - counts["not checked"]
        killed = counts["killed"]
        score = f"{killed / tested:.1%}" if tested else "-"
        print(f"| {package} | {total} | {tested} | {killed} | {counts['survived']} "
              f"| {counts['timeout']} | {score} |")  # fmt: skip


if __name__ == "__main__":
    main()
