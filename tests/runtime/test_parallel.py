"""Aggregating one file on several processes gives the same usage as one pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.access_log import Usage, aggregate_file, read_access_log
from ingest.access_log import parallel as parallel_module
from lineage.model import Edge

from . import traffic


def _edges(usage: Usage) -> dict[tuple[str, str], dict[str, object]]:
    return {(e.src, e.dst): dict(e.props) for e in usage.facts() if isinstance(e, Edge)}


def test_parallel_equals_sequential(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = list(traffic.as_jsonl(traffic.normal_traffic(days=1, callers=6)))
    lines.insert(100, "{broken")
    lines.insert(len(lines) - 50, "[]")
    path = tmp_path / "gw.jsonl"
    path.write_text("\n".join(lines) + "\n")
    one = Usage()
    problems_one = list(one.add_all(read_access_log(path.open("rb"), path=str(path))))
    monkeypatch.setattr(parallel_module, "MIN_PARALLEL_BYTES", 0)
    many, stats, problems = aggregate_file(path, jobs=3)
    assert stats.lines == len(lines) and stats.malformed == 2
    assert [p.source_ref for p in problems] == [p.source_ref for p in problems_one]
    assert [p.source_ref for p in problems] == [f"{path}:101", f"{path}:{len(lines) - 50}"]
    seq, par = _edges(one), _edges(many)
    assert seq.keys() == par.keys()
    for key, props in seq.items():
        other = par[key]
        for name in ("requests", "errors", "tokens_in", "tokens_out", "first_seen", "last_seen"):
            assert other[name] == props[name], name
        assert other["win_start"] == props["win_start"]
        assert other["win_requests"] == props["win_requests"]
        assert other["sources"] == props["sources"]
