"""A huge event on the Neo4j store: chunks committed one by one, progress kept in the event
log that lives in the same Neo4j database, and a crash part-way resumed by the next start
(issue 14, point 5, on the card's own store).

The store and the log are the real ones against the session's Neo4j; only the store's
transaction is wrapped, to let the process "die" with one chunk in flight.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from lineage.intake import Intake
from lineage.store.neo4j import Neo4jStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "openlineage"))
from ol_events import fan_out, fanned_out_whole

N_IN, N_OUT = 300, 5  # 1,500 data flows: about 1,900 facts
CHUNK = 400
BIG = 100  # a write of at least this many rows is one of the event's chunks


class _Crash(BaseException):
    """The process dies (not an error the intake may catch and dead-letter)."""


@dataclass
class Writes:
    """Rows of every big write committed; ``crash_at`` kills the n-th one in flight."""

    committed: list[int] = field(default_factory=list)
    crash_at: int | None = None


@pytest.fixture
def writes(neo4j_store: Neo4jStore, monkeypatch: pytest.MonkeyPatch) -> Writes:
    seen = Writes()
    real = neo4j_store._transact

    def transact(mode: str, work: Any) -> Any:
        rows = sum(len((params or {}).get("rows", ())) for _, params in work or ())
        if rows >= BIG and seen.crash_at == len(seen.committed) + 1:
            seen.crash_at = None
            raise _Crash
        out = real(mode, work)
        if rows >= BIG:
            seen.committed.append(rows)
        return out

    monkeypatch.setattr(neo4j_store, "_transact", transact)
    monkeypatch.setenv("LINEAGE_APPLY_CHUNK_ROWS", str(CHUNK))
    return seen


def test_a_crash_part_way_is_resumed_from_the_progress_kept_in_neo4j(
    neo4j_store: Neo4jStore, writes: Writes
) -> None:
    event = fan_out(N_IN, N_OUT, job="wide_join")
    chunks = writes.committed
    writes.crash_at = 3
    first = Intake(neo4j_store, neo4j_store.event_log())
    with pytest.raises(_Crash):
        first.submit(Intake.read(json.dumps(event)))
    (record,) = first.log.unapplied()
    done, total = first.log.progress(record.seq) or (0, 0)
    assert (done, len(chunks)) == (2 * CHUNK, 2)
    assert total > 3 * CHUNK

    # The next start (a new intake over the same Neo4j log) applies only the rest.
    chunks.clear()
    again = Intake(neo4j_store, neo4j_store.event_log())
    assert again.recover() == 1
    # Full chunks only: the last, short one is under BIG rows and not counted.
    assert len(chunks) == (total - done) // CHUNK, chunks
    assert list(again.log.unapplied()) == []
    assert fanned_out_whole(neo4j_store, N_IN)
    # The same event again is a duplicate: nothing is re-applied.
    chunks.clear()
    assert again.submit(Intake.read(json.dumps(event))).duplicates == 1
    assert chunks == []
