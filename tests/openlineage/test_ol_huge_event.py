"""A huge event is applied in bounded chunks, each committed, with its progress kept in the
event log (issue 14, point 5).

Before: one event of 10,000 inputs x 20 outputs was one transaction of 230,000 facts. It ran
past the store's timeout, was reported as "batch failed, nothing committed" although its
edges were in the graph, and every later write re-ran the whole of it.

The store here is the real embedded FalkorDB; only its commit is wrapped, to refuse a
transaction over a row budget (what a statement timeout does to a transaction that grows
with the event) or to fail one chunk part-way through an event, as a broken connection
or a crash would.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ol_events import fan_out, fanned_out_whole

from lineage.errors import StoreError, StoreTimeout, StoreUnavailable
from lineage.eventlog import FileEventLog
from lineage.intake import Intake
from lineage.model import Rel
from lineage.store.falkor import FalkorStore

N_IN, N_OUT = 1500, 10  # 15,000 data flows: about 18,000 facts
CHUNK = 4000
ROW_BUDGET = 10_000  # more than a chunk can carry (with its endpoint stubs), less than the event
BIG = 1000  # a commit of at least this many rows is one of the event's chunks


class _FailingStore(FalkorStore):
    """The real store, whose commit refuses transactions over a row budget or fails the
    ``fail_at``-th chunk once; ``chunks`` lists the rows of every chunk committed."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.row_budget: int | None = None
        self.fail_at: int | None = None
        self.failure: BaseException = StoreUnavailable("the embedded store does not answer")
        self.outage = False  # reads fail too, once, right after the failure (an outage)
        self.chunks: list[int] = []

    def query(self, statement: str, params: Any = None) -> list[dict[str, Any]]:
        if self.outage:
            self.outage = False
            raise StoreUnavailable("the embedded store does not answer")
        return super().query(statement, params)

    def _commit(self, pending: list[tuple[str, dict[str, Any]]]) -> None:
        rows = sum(len(params.get("rows", ())) for _, params in pending)
        if self.row_budget is not None and rows > self.row_budget:
            raise StoreTimeout(f"a batch of {rows} rows: no answer within the store timeout")
        if rows >= BIG and self.fail_at == len(self.chunks) + 1:
            self.fail_at = None
            self.outage = isinstance(self.failure, StoreUnavailable)
            raise self.failure
        super()._commit(pending)
        if rows >= BIG:
            self.chunks.append(rows)


def _event(name: str, n_in: int = N_IN, n_out: int = N_OUT) -> dict[str, Any]:
    return fan_out(n_in, n_out, job=name)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[_FailingStore]:
    s = _FailingStore(tmp_path / "store")
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def intake(
    store: _FailingStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Intake]:
    monkeypatch.setenv("LINEAGE_APPLY_CHUNK_ROWS", str(CHUNK))
    i = Intake(store, FileEventLog(tmp_path / "eventlog"))
    try:
        yield i
    finally:
        i.close()


def _submit(intake: Intake, event: dict[str, Any]) -> Any:
    raws = Intake.read(json.dumps(event))
    return intake.submit(raws)


def test_a_huge_event_lands_in_chunks_that_each_fit_the_store_budget(
    store: _FailingStore, intake: Intake
) -> None:
    store.row_budget = ROW_BUDGET
    result = _submit(intake, _event("wide_join"))
    assert result.accepted == 1
    assert result.applied, result.problems
    assert fanned_out_whole(store, N_IN)
    assert list(intake.log.unapplied()) == []
    assert len(store.chunks) >= 4 and max(store.chunks) <= ROW_BUDGET, store.chunks
    # The same event again is a duplicate; a later small write applies only itself.
    before = len(store.chunks)
    assert _submit(intake, _event("wide_join")).duplicates == 1
    assert _submit(intake, _event("narrow", 3, 1)).applied
    assert len(store.chunks) == before


def test_a_failure_part_way_says_what_committed_and_the_next_write_resumes_there(
    store: _FailingStore, intake: Intake, caplog: pytest.LogCaptureFixture
) -> None:
    store.fail_at = 3  # the third chunk of the event: two are committed
    with caplog.at_level(logging.ERROR, logger="lineage.intake"):
        result = _submit(intake, _event("wide_join"))
    assert result.accepted == 1 and not result.applied
    said = " ".join(r.getMessage() for r in caplog.records)
    assert f"facts 1-{2 * CHUNK:,} were committed in 2 chunk(s)" in said, said
    assert "nothing committed" not in said
    total = int(re.search(r"up to ([\d,]+)", said)[1].replace(",", ""))  # type: ignore[index]
    (record,) = intake.log.unapplied()
    assert intake.log.progress(record.seq) == (2 * CHUNK, total)
    # What the log says is what the graph holds: some of the event's edges, not all.
    reads = store.neighbours("job:fanout:wide_join", direction="out", rels=[Rel.READS])
    flows = store.neighbours("dataset:s3://lake:out/t03", direction="in", rels=[Rel.FLOWS_TO])
    assert 0 < len(reads) + len(flows) < 2 * N_IN

    # The next write resumes the event at fact 8,001 instead of re-running all of it.
    store.chunks.clear()
    assert _submit(intake, _event("narrow", 3, 1)).applied
    assert len(store.chunks) == math.ceil((total - 2 * CHUNK) / CHUNK), store.chunks
    assert fanned_out_whole(store, N_IN)
    assert list(intake.log.unapplied()) == []


def test_a_chunk_the_store_refuses_dead_letters_the_event_saying_what_committed(
    store: _FailingStore, intake: Intake, tmp_path: Path
) -> None:
    """The store answers but refuses a chunk: the event is dead-lettered, and its reason says
    which facts are in the graph (never "nothing committed" alone)."""
    store.fail_at = 2
    store.failure = StoreError("batch failed, nothing committed: a value the store refuses")
    result = _submit(intake, _event("wide_join"))
    (problem,) = [str(p) for p in result.problems if "dead-lettered" in str(p)]
    assert f"facts 1-{CHUNK:,} were committed in 1 chunk(s)" in problem, problem
    dead = (tmp_path / "eventlog" / "deadletter.jsonl").read_text()
    assert f"facts 1-{CHUNK:,} were committed in 1 chunk(s)" in dead
    assert list(intake.log.unapplied()) == []


def test_a_crash_part_way_is_resumed_by_recovery_at_the_next_start(
    store: _FailingStore, intake: Intake, tmp_path: Path
) -> None:
    store.fail_at = 4
    store.failure = KeyboardInterrupt()  # the process dies with the fourth chunk in flight
    with pytest.raises(KeyboardInterrupt):
        _submit(intake, _event("wide_join"))
    (record,) = intake.log.unapplied()
    done, total = intake.log.progress(record.seq) or (0, 0)
    assert done == 3 * CHUNK
    # The next start: a new intake over the same log recovers from fact 12,001 on.
    store.chunks.clear()
    again = Intake(store, FileEventLog(tmp_path / "eventlog"))
    try:
        assert again.recover() == 1
    finally:
        again.close()
    assert len(store.chunks) == math.ceil((total - done) / CHUNK), store.chunks
    assert fanned_out_whole(store, N_IN)
