"""The mutation bench: the Wilson interval, the seeded sample, the table, and refusing to
count a run whose tests fail on the unmutated code."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.mutation_score import check_generated, choose, report, wilson


@pytest.mark.parametrize(
    ("killed", "n", "low", "high"),
    [(0, 10, 0.0, 0.2775), (10, 10, 0.7225, 1.0), (85, 100, 0.7672, 0.9069)],
)
def test_wilson_interval(killed: int, n: int, low: float, high: float) -> None:
    assert wilson(killed, n) == (pytest.approx(low, abs=1e-4), pytest.approx(high, abs=1e-4))


def test_the_sample_is_seeded_sorted_and_all_when_small() -> None:
    names = [f"m{i:03}" for i in range(300)]
    assert choose(names[:5], 120, 14) == names[:5]
    picked = choose(list(reversed(names)), 120, 14)
    assert picked == choose(names, 120, 14) == sorted(picked)
    assert len(set(picked)) == 120
    assert picked != choose(names, 120, 15)


def test_every_sampled_mutant_not_detected_counts_against() -> None:
    plan = {
        "pkg": {
            "mutants": 10,
            "sample": ["a", "b", "c", "d", "e"],
            "seconds": 60,
            "time_box_reached": True,
        }
    }
    statuses = {"a": "killed", "b": "timeout", "c": "survived", "d": "no tests"}
    lines = report(plan, statuses)
    assert (
        lines[2]
        == "| pkg | 10 | 5 | 1 | 1 | 1 | 1 | 1 | 40.0% | 11.8%-76.9% | 1.0 min (time box) |"
    )
    assert lines[4:] == ["timeout: b", "survived: c", "no tests: d", "not checked: e"]


def test_a_run_whose_tests_fail_unmutated_stops_with_the_reason(tmp_path: Path) -> None:
    stats = tmp_path / "mutmut-stats.json"
    log = "Generating mutants\nRunning stats\nfailed to collect stats. runner returned 1\n"
    with pytest.raises(SystemExit) as stopped:
        check_generated(log, stats)
    assert str(stopped.value).endswith("failed to collect stats. runner returned 1")
    stats.write_text("{}")
    with pytest.raises(SystemExit):
        check_generated(log, stats)
    check_generated("Generating mutants\nRunning stats\n", stats)  # fine: no exception
    stats.unlink()
    with pytest.raises(SystemExit):
        check_generated("Generating mutants\n", stats)
