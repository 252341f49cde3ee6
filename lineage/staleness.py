"""Current versus cumulative lineage: a job's edges that its newest completed run did not see.

Edges keep ``first_seen``, ``last_seen`` and the ``run_id`` that last reported them. When a
run of a job completes, the job's READS, WRITES and FLOWS_TO edges with another run id and
last seen before that run are marked ``stale: true``; they stay for history. An edge seen
again is current again (the ingest writes ``stale: false``).

Marking costs a store transaction per completed run, and most runs touch exactly what the
previous one did. :class:`StaleTracker` therefore remembers, per job, the run id of each of
its current edges (read once from the store, then kept up to date from the facts applied)
and skips the marking when every current edge already belongs to the completing run. The
memory is dropped every ``ttl`` seconds, so edges written by another process are seen.

A stale edge carries no labels (:mod:`lineage.sensitivity.rules`), so marking one is a loss
of support: the labels at both ends of every edge marked are re-solved at once
(``refresh(lossy=True)``), and a column a job stopped producing stops passing on the labels
of its former source.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Protocol

from lineage import sensitivity
from lineage.model import Edge, Fact, Rel
from lineage.store.base import Store

__all__ = [
    "CURRENT_COLUMN_FLOWS",
    "CURRENT_DATASET_FLOWS",
    "CURRENT_JOB_EDGES",
    "MARK_STALE_COLUMN_FLOWS",
    "MARK_STALE_DATASET_FLOWS",
    "MARK_STALE_JOB_EDGES",
    "Completion",
    "StaleTracker",
]

# `last_seen` guards against an older run's COMPLETE arriving late: it cannot stale what a
# newer run saw.
MARK_STALE_JOB_EDGES = """
UNWIND $rows AS row
MATCH (j:Asset {uid: row.job})-[e]->(d:Asset)
WHERE (type(e) = 'READS' OR type(e) = 'WRITES')
  AND e.run_id <> row.run AND e.last_seen < row.seen AND coalesce(e.stale, false) = false
SET e.stale = true
RETURN j.uid AS src, d.uid AS dst"""

MARK_STALE_DATASET_FLOWS = """
UNWIND $rows AS row
MATCH (:Asset {uid: row.job})-[:WRITES]->(d:Asset)<-[e:FLOWS_TO]-(s:Asset)
WHERE e.key = row.job AND e.run_id <> row.run AND e.last_seen < row.seen
  AND coalesce(e.stale, false) = false
SET e.stale = true
RETURN s.uid AS src, d.uid AS dst"""

MARK_STALE_COLUMN_FLOWS = """
UNWIND $rows AS row
MATCH (:Asset {uid: row.job})-[:WRITES]->(:Asset)-[:HAS_COLUMN]->(c:Asset)<-[e:FLOWS_TO]-(s:Asset)
WHERE e.key = row.job AND e.run_id <> row.run AND e.last_seen < row.seen
  AND coalesce(e.stale, false) = false
SET e.stale = true
RETURN s.uid AS src, c.uid AS dst"""

CURRENT_JOB_EDGES = """
UNWIND $jobs AS job
MATCH (j:Asset {uid: job})-[e]->(d:Asset)
WHERE (type(e) = 'READS' OR type(e) = 'WRITES') AND coalesce(e.stale, false) = false
RETURN job, j.uid AS src, type(e) AS rel, d.uid AS dst, e.run_id AS run"""

CURRENT_DATASET_FLOWS = """
UNWIND $jobs AS job
MATCH (:Asset {uid: job})-[:WRITES]->(d:Asset)<-[e:FLOWS_TO]-(s:Asset)
WHERE e.key = job AND coalesce(e.stale, false) = false
RETURN job, s.uid AS src, type(e) AS rel, d.uid AS dst, e.run_id AS run"""

CURRENT_COLUMN_FLOWS = """
UNWIND $jobs AS job
MATCH (:Asset {uid: job})-[:WRITES]->(:Asset)-[:HAS_COLUMN]->(c:Asset)<-[e:FLOWS_TO]-(s:Asset)
WHERE e.key = job AND coalesce(e.stale, false) = false
RETURN job, s.uid AS src, type(e) AS rel, c.uid AS dst, e.run_id AS run"""

_MARK = (MARK_STALE_JOB_EDGES, MARK_STALE_DATASET_FLOWS, MARK_STALE_COLUMN_FLOWS)
_CURRENT = (CURRENT_JOB_EDGES, CURRENT_DATASET_FLOWS, CURRENT_COLUMN_FLOWS)

type _Ident = tuple[str, str, str]


class Completion(Protocol):
    """A completed run: ``job`` finished ``run_id`` at ``event_time`` (ISO, UTC)."""

    @property
    def job(self) -> str: ...

    @property
    def run_id(self) -> str: ...

    @property
    def event_time(self) -> str: ...


class StaleTracker:
    """Marks stale edges after completed runs, skipping the store when nothing can be."""

    def __init__(self, store: Store, *, ttl: float = 30.0) -> None:
        self.store = store
        self.ttl = ttl
        self._current: dict[str, dict[_Ident, str | None]] = {}
        self._newest: dict[str, tuple[str, str]] = {}  # job -> (event time, run id)
        self._since = time.monotonic()
        self.marked_runs = 0  # completions that needed the store (for tests and stats)

    def applied(self, facts: Sequence[Fact], completions: Iterable[Completion]) -> None:
        """Call after ``facts`` are committed, with the runs they completed."""
        if time.monotonic() - self._since > self.ttl:
            self._current.clear()
            self._since = time.monotonic()
        self._note(facts)
        completions = list(completions)
        todo = [c for c in completions if not self._nothing_stale(c)]
        rows = []
        for c in completions:
            newest = self._newest.get(c.job)
            if newest is None or c.event_time >= newest[0]:
                self._newest[c.job] = (c.event_time, c.run_id)
        for c in todo:
            # A late COMPLETE of an older run re-reports what it saw; the newest run's view
            # is what is current, so mark against the newest completion known.
            seen, run = self._newest[c.job]
            rows.append({"job": c.job, "run": run, "seen": seen})
        if not rows:
            return
        ends: set[str] = set()
        for statement in _MARK:  # one statement each, so each says what it marked
            for row in self.store.execute(statement, {"rows": rows}):
                ends.update((row["src"], row["dst"]))
        self.marked_runs += len(rows)
        if ends:  # support was lost: labels along these edges are solved again
            sensitivity.refresh(self.store, ends, lossy=True)
        self._reload([c.job for c in todo])

    def _note(self, facts: Sequence[Fact]) -> None:
        if not self._current:
            return
        for f in facts:
            if not isinstance(f, Edge):
                continue
            if f.rel in (Rel.READS, Rel.WRITES):
                job = f.src
            elif f.rel is Rel.FLOWS_TO:
                job = f.key
            else:
                continue
            edges = self._current.get(job)
            if edges is not None:
                run = f.props.get("run_id")
                edges[(f.src, f.rel.value, f.dst)] = str(run) if run is not None else None

    def _nothing_stale(self, c: Completion) -> bool:
        edges = self._current.get(c.job)
        newest = self._newest.get(c.job)
        if edges is None or (newest is not None and c.event_time < newest[0]):
            return False
        return all(run == c.run_id for run in edges.values())

    def _reload(self, jobs: list[str]) -> None:
        fresh: dict[str, dict[_Ident, str | None]] = {job: {} for job in jobs}
        for statement in _CURRENT:
            for row in self.store.query(statement, {"jobs": jobs}):
                fresh[row["job"]][(row["src"], row["rel"], row["dst"])] = row["run"]
        self._current.update(fresh)
