"""Mutation score of the core packages (issue 14), on demand, never in CI.

Runs mutmut (configured in pyproject.toml's ``[tool.mutmut]``) on a seeded random sample of
each package's mutants (all of them when the package has no more than ``--sample``), one
worker, ``nice -n 19``, each package under a time box, then counts what became of every
sampled mutant. A survivor is a change to the code that no test notices;
``mutmut show <name>`` prints it.

    python -m bench.mutation_score --run [--sample 120] [--seed 14] [PACKAGE ...]

The score is detected / sampled with a 95% Wilson interval (none for a full run), where a
mutant is detected when a test fails on it or hangs on it (timeout: mutmut's and Stryker's
convention; shown apart). Every other sampled mutant counts against it: survivors, mutants
no test reaches, and any left unchecked when the time box ran out. Without ``--run`` only
the results of the last run (kept in ``mutants/``) are counted.

mutmut has no "generate only" command: the first call asks for a mutant name that cannot
exist, which makes it generate the mutants and time the tests, then stop.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_FILE = ROOT / "mutants" / "score-sample.json"
STATS_FILE = ROOT / "mutants" / "mutmut-stats.json"
LOG_FILE = ROOT / "mutants" / "mutmut-run.log"
PACKAGES = {
    "lineage/api/auth": "lineage.api.auth",
    "lineage/eventlog": "lineage.eventlog",
    "lineage/pipeline": "lineage.pipeline",
    "lineage/sensitivity": "lineage.sensitivity",
    "ingest/secrets": "ingest.secrets",
}
_NO_SUCH_MUTANT = "generate.only__mutmut_0"


def _mutmut() -> str:
    """The mutmut beside this interpreter (its own venv), else the one on PATH."""
    beside = Path(sys.executable).with_name("mutmut")
    return str(beside) if beside.exists() else (shutil.which("mutmut") or "mutmut")


def _mutmut_run(names: list[str], minutes: float) -> bool:
    """Run mutmut on these mutant names (patterns); False when the time box ran out."""
    cmd = ["nice", "-n", "19", _mutmut(), "run", "--max-children", "1", *names]
    LOG_FILE.parent.mkdir(exist_ok=True)
    with LOG_FILE.open("ab") as log:
        try:
            subprocess.run(cmd, cwd=ROOT, timeout=minutes * 60, check=False, stdout=log,
                           stderr=subprocess.STDOUT)  # fmt: skip
        except subprocess.TimeoutExpired:
            return False
    return True


def check_generated(log: str, stats: Path) -> None:
    """Stop when mutmut could not run the selected tests on the unmutated code.

    mutmut then leaves every mutant unchecked and exits without a word that matters here;
    counting on would report 0% (seen when a selected test file could not be imported).
    """
    if "failed to collect stats" in log or not stats.exists():
        tail = "\n".join(log.strip().splitlines()[-5:])
        raise SystemExit(
            "mutmut could not run the selected tests on the unmutated code (run them in "
            f"mutants/ with pytest to see why); the end of its output:\n{tail}"
        )


@contextlib.contextmanager
def _shared_neo4j() -> Iterator[None]:
    """One Neo4j for the whole run, handed to every mutant's test session as ``NEO4J_URI``.

    Each mutant runs its tests in a fresh session, which would otherwise start its own JVM
    (about 10 s of every mutant). Safe because mutmut runs one mutant at a time here and
    the tests wipe the graph between them. A ``NEO4J_URI`` already set is used as it is.
    """
    if os.environ.get("NEO4J_URI"):
        yield
        return
    sys.path.insert(0, str(ROOT / "tests"))
    from neo4j_server import start_server  # the test suite's own launcher

    server = start_server()
    os.environ["NEO4J_URI"] = server.uri
    try:
        yield
    finally:
        del os.environ["NEO4J_URI"]
        server.stop()


def _statuses() -> dict[str, str]:
    done = subprocess.run([_mutmut(), "results", "--all", "true"], cwd=ROOT,
                          capture_output=True, text=True, check=False)  # fmt: skip
    out = {}
    for line in done.stdout.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep:
            out[name] = status
    return out


def _in_package(name: str, module: str) -> bool:
    return name.startswith(module + ".")


def choose(names: list[str], size: int, seed: int) -> list[str]:
    """A seeded sample of ``size`` names (all of them when there are no more)."""
    ordered = sorted(names)
    if len(ordered) <= size:
        return ordered
    return sorted(random.Random(seed).sample(ordered, size))


def wilson(killed: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion killed / n (robust near 0 and 1)."""
    if n == 0:
        return 0.0, 1.0
    p = killed / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    denominator = 1 + z * z / n
    return (centre - spread) / denominator, (centre + spread) / denominator


def _run(packages: list[str], size: int, seed: int, minutes: float) -> None:
    """Sample and run each package, saving the plan after each (a stopped run keeps the
    packages it finished)."""
    LOG_FILE.unlink(missing_ok=True)
    _mutmut_run([_NO_SUCH_MUTANT], minutes)
    check_generated(LOG_FILE.read_text(errors="replace"), STATS_FILE)
    everything = _statuses()
    for package in packages:
        module = PACKAGES[package]
        names = [n for n in everything if _in_package(n, module)]
        chosen = choose(names, size, seed)
        started = time.monotonic()
        finished = _mutmut_run(chosen, minutes) if chosen else True
        row = {
            "mutants": len(names),
            "seed": seed,
            "sample": chosen,
            "seconds": round(time.monotonic() - started),
            "time_box_reached": not finished,
        }
        plan = json.loads(SAMPLE_FILE.read_text()) if SAMPLE_FILE.exists() else {}
        SAMPLE_FILE.write_text(json.dumps(plan | {package: row}, indent=1))
        print(f"{package}: {len(chosen)} of {len(names)} in {row['seconds']} s", file=sys.stderr)


def report(plan: dict[str, dict], statuses: dict[str, str]) -> list[str]:
    """The markdown table, then every sampled mutant not killed (by name)."""
    lines = [
        "| package | mutants | sampled | killed | survived | timeout | no test | not run "
        "| score | 95% CI | time |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    misses = []
    for package, row in plan.items():
        sample = row["sample"]
        counts = Counter(statuses.get(name, "not checked") for name in sample)
        n, detected = len(sample), counts["killed"] + counts["timeout"]
        score = f"{detected / n:.1%}" if n else "-"
        if n < row["mutants"]:
            low, high = wilson(detected, n)
            interval = f"{low:.1%}-{high:.1%}"
        else:
            interval = "full run"
        boxed = " (time box)" if row["time_box_reached"] else ""
        lines.append(
            f"| {package} | {row['mutants']} | {n} | {counts['killed']} | {counts['survived']} "
            f"| {counts['timeout']} | {counts['no tests']} | {counts['not checked']} "
            f"| {score} | {interval} | {row['seconds'] / 60:.1f} min{boxed} |"
        )
        misses += [f"{statuses.get(name, 'not checked')}: {name}" for name in sample
                   if statuses.get(name) != "killed"]  # fmt: skip
    return [*lines, "", *misses]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*", choices=list(PACKAGES), default=list(PACKAGES))
    parser.add_argument("--run", action="store_true", help="run mutmut first")
    parser.add_argument("--sample", type=int, default=120, help="mutants per package")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--minutes", type=float, default=25.0, help="time box per package")
    args = parser.parse_args()
    os.chdir(ROOT)
    if args.run:
        with _shared_neo4j():
            _run(args.packages, args.sample, args.seed, args.minutes)
    plan = json.loads(SAMPLE_FILE.read_text())
    plan = {package: plan[package] for package in args.packages if package in plan}
    print("\n".join(report(plan, _statuses())))


if __name__ == "__main__":
    main()
