"""OpenLineage intake: validate, log durably, apply to the graph, recover, replay.

The HTTP router (``POST /api/v1/lineage`` and the batch endpoint) and the CLI
(``lineage ingest openlineage``, ``lineage replay``) are thin layers over :class:`Intake`:

1. each event is validated against the OpenLineage JSON Schema; invalid ones are rejected
   with the field that is wrong, the others go on;
2. valid events are appended to the :class:`~lineage.eventlog.EventLog` (one fsync for the
   whole batch) *before* anything is acknowledged; an idempotency key already logged is a
   duplicate and changes nothing;
3. the new records are mapped to facts (:mod:`ingest.openlineage`), aliases already known to
   the store are resolved, and the facts go through :func:`lineage.pipeline.ingest`;
4. a job's completed run marks the job's edges that the run no longer saw as ``stale``
   (current versus cumulative lineage, :mod:`lineage.staleness`);
5. the records are marked applied. A crash between 2 and 5 is repaired by :meth:`recover`,
   which the service runs at start-up.

Application is bounded: facts are committed in chunks of at most ``LINEAGE_APPLY_CHUNK_ROWS``
(shrinking while a chunk takes over ``LINEAGE_APPLY_CHUNK_SECONDS``), and an event heavy
enough to need several chunks is applied on its own, its progress kept in the event log, so
a failure or a crash part-way through is resumed where it stopped instead of re-run whole.
What was committed when something failed is said in the log and in the dead letter.

Nothing wedges it: a record that fails to apply while the store is healthy is found by
halving the failed group, kept in the dead-letter file with the reason
(:mod:`lineage.deadletter`) and marked applied, and the rest is applied. Records read back
from the log (recovery, replay) are checked again first, as an older version may have
logged what the intake now refuses. When the store itself does not answer, nothing is
dead-lettered: the records stay unapplied for the next attempt.

Statements are parameterised; no event content is ever interpolated into Cypher.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.openlineage import (
    BatchMapper,
    RawEvent,
    RunOutcome,
    check_event,
    idempotency_key,
    read_events,
)
from ingest.openlineage.aliases import rewrite
from ingest.openlineage.batch import coalesce, estimate_facts
from ingest.openlineage.leniency import lenient_event
from lineage.deadletter import DeadLetters
from lineage.eventlog import EventLog, FileEventLog, LogRecord
from lineage.model import Edge, Fact, Kind, Node, Problem, Rel
from lineage.pipeline import IngestReport, ingest_bounded
from lineage.staleness import StaleTracker
from lineage.store.base import Store

__all__ = [
    "RESOLVE_ALIASES",
    "Intake",
    "Rejected",
    "SubmitResult",
    "event_log_path",
]

log = logging.getLogger(__name__)

RESOLVE_ALIASES = """
UNWIND $uids AS uid
MATCH (a:Asset {uid: uid})-[:ALIAS_OF]->(c:Asset)
RETURN a.uid AS alias, c.uid AS canonical"""

_ALIAS_DEPTH = 4
_ALIAS_TTL = 30.0
_TRUE = {"1", "true", "yes", "on"}
CHUNK_ROWS = 50_000  # facts per transaction: a few seconds on the embedded store
CHUNK_SECONDS = 5.0  # a chunk slower than this halves the next one


def event_log_path(store_location: str) -> Path:
    """Where the event log lives: ``LINEAGE_EVENT_LOG``, else ``<store>/eventlog`` for the
    embedded store, else ``./.lineage-eventlog`` (a Neo4j store has no folder of ours)."""
    explicit = os.environ.get("LINEAGE_EVENT_LOG")
    if explicit:
        return Path(explicit)
    if "://" in store_location:
        return Path(".lineage-eventlog")
    return Path(store_location) / "eventlog"


@dataclass(frozen=True, slots=True)
class Rejected:
    """An event refused by validation: its index in the payload and what is wrong."""

    index: int
    errors: tuple[dict[str, str], ...]
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "errors": list(self.errors)}
        if self.line is not None:
            out["line"] = self.line
        return out


@dataclass(frozen=True, slots=True)
class Warned:
    """An event accepted with facets set aside or repaired (lenient intake)."""

    index: int
    warnings: tuple[dict[str, str], ...]

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "warnings": list(self.warnings)}


@dataclass
class SubmitResult:
    """What became of a payload: accepted (new), duplicates, rejected, and apply problems."""

    received: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    applied: bool = True
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Warned] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": [r.to_dict() for r in self.rejected],
            "warnings": [w.to_dict() for w in self.warnings],
            "applied": self.applied,
            "problems": [str(p) for p in self.problems[:100]],
        }


class _GcPause:
    """Pause the cyclic garbage collector while batches are processed.

    A batch allocates hundreds of thousands of short-lived, acyclic objects (parsed JSON,
    facts, query parameters); the collector's generational passes over them took 45% of
    intake CPU (measured: 1.69 ms -> 0.92 ms per event). Reference counting still frees
    everything; the collector resumes when the last concurrent batch is done.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._was_enabled = True

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._depth == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                if self._depth == 0 and self._was_enabled:
                    gc.enable()


_no_gc = _GcPause()


def check(raw: RawEvent) -> Rejected | None:
    """Why a payload element cannot be accepted, or None."""
    if raw.error:
        return Rejected(raw.index, ({"field": "<event>", "message": raw.error},), raw.line)
    violations = check_event(raw.event)
    if violations:
        return Rejected(raw.index, tuple(v.to_dict() for v in violations), raw.line)
    return None


class Intake:
    """One store and one event log; safe to call from several threads."""

    def __init__(
        self,
        store: Store,
        event_log: EventLog,
        dead_letters: DeadLetters | None = None,
        *,
        strict: bool = False,
    ) -> None:
        self.store = store
        self.strict = strict  # refuse events with malformed facets (no leniency)
        self.log = event_log
        self.dead = dead_letters or DeadLetters(_dead_letter_path(event_log, store))
        self._apply_lock = threading.Lock()
        self._behind = False  # an apply failed: recover before the next one
        self._cv = threading.Condition()
        self._queue: list[tuple[LogRecord, str]] = []
        self._generation = 1  # the group now being queued
        self._done = 0  # the last group applied
        self._busy = False
        self._outcomes: dict[int, tuple[bool, list[Problem]]] = {}
        self._stale = StaleTracker(store)
        self._alias_cache: dict[str, str | None] = {}
        self._alias_at = time.monotonic()
        self.chunk_rows = _env_number("LINEAGE_APPLY_CHUNK_ROWS", CHUNK_ROWS, int)
        self.chunk_seconds = _env_number("LINEAGE_APPLY_CHUNK_SECONDS", CHUNK_SECONDS, float)

    @classmethod
    def open(
        cls, store: Store, path: str | Path | None = None, *, strict: bool | None = None
    ) -> Intake:
        if strict is None:
            strict = os.environ.get("LINEAGE_OPENLINEAGE_STRICT", "").lower() in _TRUE
        own_log = getattr(store, "event_log", None)  # a server store keeps the log (Neo4j)
        if path is None and not os.environ.get("LINEAGE_EVENT_LOG") and own_log is not None:
            return cls(store, own_log(), strict=strict)
        return cls(store, FileEventLog(path or event_log_path(store.location)), strict=strict)

    def close(self) -> None:
        self.log.close()

    # -- intake ------------------------------------------------------------------------
    @staticmethod
    def read(payload: bytes | str, *, path: str = "<request>") -> list[RawEvent]:
        """Split a payload into events (see :func:`ingest.openlineage.read_events`)."""
        with _no_gc():
            return read_events(payload, path=path)

    def submit(self, raws: Sequence[RawEvent], *, source_ref: str = "") -> SubmitResult:
        """Validate, log and apply a payload's events; valid ones land even if others fail."""
        with _no_gc():
            return self._submit(raws, source_ref)

    def _submit(self, raws: Sequence[RawEvent], source_ref: str) -> SubmitResult:
        result = SubmitResult(received=len(raws))
        entries: list[tuple[str, Any]] = []
        for raw in raws:
            rejected, event = check(raw), raw.event
            if rejected is not None and not self.strict and not raw.error:
                lenient = lenient_event(raw.event)  # only facets wrong: set them aside
                if lenient is not None:
                    event, warnings = lenient
                    result.warnings.append(Warned(raw.index, tuple(w.to_dict() for w in warnings)))
                    rejected = None
            if rejected is not None:
                result.rejected.append(rejected)
            else:
                entries.append((idempotency_key(raw.event), event))
        if not entries:
            return result
        records = self.log.append(entries, source=source_ref)  # durable from here on
        new = [r for r in records if r is not None]
        result.accepted = len(new)
        result.duplicates = len(records) - len(new)
        if new:
            result.applied, result.problems = self._apply_grouped([(r, source_ref) for r in new])
        return result

    def _apply_grouped(self, items: list[tuple[LogRecord, str]]) -> tuple[bool, list[Problem]]:
        """Apply these records together with those of concurrent callers (group apply).

        Callers queue their records; one of them (the leader) applies everything queued in
        one transaction and one propagation pass while the others wait. Under load, batches
        grow by themselves, and each caller still returns with its events in the graph.
        """
        with self._cv:
            self._queue.extend(items)
            mine = self._generation
            while self._done < mine:
                if not self._busy:
                    self._busy = True
                    batch, self._queue = self._queue, []
                    self._generation += 1
                    break
                self._cv.wait()
            else:
                return self._outcomes[mine]
        outcome: tuple[bool, list[Problem]] = (False, [])
        try:
            if self._behind:
                self.recover()
            outcome = (True, self._apply_items(batch).problems)
        except Exception as exc:
            # Logged is acknowledged: the records stay unapplied and are applied by the
            # next call or at the next start. The caller still gets its 2xx.
            log.error(
                "applying %d logged events failed: %s; will retry from there",
                len(batch),
                _said(exc),
                exc_info=log.isEnabledFor(logging.DEBUG),
            )
            self._behind = True
        finally:  # even on an interrupt, never leave the waiters waiting
            with self._cv:
                self._done = mine
                self._busy = False
                self._outcomes[mine] = outcome
                self._outcomes.pop(mine - 64, None)
                self._cv.notify_all()
        return outcome

    def apply(self, records: Sequence[LogRecord], *, source_ref: str = "") -> IngestReport:
        """Map logged records to facts and write them (idempotent: safe to repeat)."""
        return self._apply_items([(r, source_ref or r.source) for r in records])

    def _apply_items(self, items: Sequence[tuple[LogRecord, str]]) -> IngestReport:
        """Apply group by group (an event needing several chunks is a group of its own); if
        one fails while the store answers, isolate the culprits in it."""
        report, done = IngestReport(), 0
        for part in self._parts(items):
            try:
                try:
                    got = self._apply_once(part)
                except Exception as exc:
                    self._store_answers(exc)
                    got = self._isolate(part, exc)
            except BaseException as exc:
                if done:
                    exc.add_note(f"{done} of the {len(items)} records before it were applied")
                raise
            done += len(part)
            report.nodes += got.nodes
            report.edges += got.edges
            report.labelings += got.labelings
            report.problems += got.problems
        return report

    def _parts(
        self, items: Sequence[tuple[LogRecord, str]]
    ) -> Iterator[Sequence[tuple[LogRecord, str]]]:
        """Runs of ordinary records, and each heavy record alone, in log order: a heavy one
        is applied in chunks whose progress is kept under its own sequence number."""
        run: list[tuple[LogRecord, str]] = []
        for item in items:
            if estimate_facts(item[0].event) < self.chunk_rows:
                run.append(item)
                continue
            if run:
                yield run
                run = []
            yield [item]
        if run:
            yield run

    def _store_answers(self, exc: Exception) -> None:
        """Re-raise ``exc`` unless the store still answers (then the events are at fault)."""
        try:
            self.store.query("RETURN 1 AS ok")
        except Exception:
            raise exc from None

    def _isolate(self, items: Sequence[tuple[LogRecord, str]], exc: Exception) -> IngestReport:
        """Halve a failed group until each failing record is alone, dead-letter those and
        apply the rest: log2(n) extra attempts per culprit."""
        if len(items) == 1:
            record, ref = items[0]
            return self._dead_letter(record, ref, _said(exc))
        report = IngestReport()
        mid = len(items) // 2
        for half in (items[:mid], items[mid:]):
            try:
                part = self._apply_once(half)
            except Exception as failure:
                self._store_answers(failure)
                part = self._isolate(half, failure)
            report.nodes += part.nodes
            report.edges += part.edges
            report.problems += part.problems
        return report

    def _dead_letter(self, record: LogRecord, ref: str, reason: str) -> IngestReport:
        self.dead.add(record, reason)
        self.log.mark_applied([record.seq])
        log.error("event log record %d dead-lettered to %s: %s", record.seq, self.dead.path, reason)
        report = IngestReport()
        report.problems.append(_problem(f"log record {record.seq} dead-lettered: {reason}", ref))
        return report

    def _checked(self, records: Sequence[LogRecord]) -> list[LogRecord]:
        """Records read back from the log that the intake's checks still accept; the others
        are dead-lettered (logged by an older version that did not refuse them)."""
        out = []
        for record in records:
            violations = check_event(record.event)
            if violations:
                reason = "refused by the intake checks: " + "; ".join(map(str, violations[:5]))
                self._dead_letter(record, record.source, reason)
            else:
                out.append(record)
        return out

    def _apply_once(self, items: Sequence[tuple[LogRecord, str]]) -> IngestReport:
        report = IngestReport()
        mapper = BatchMapper()
        outcomes: dict[str, RunOutcome] = {}
        unmappable: list[tuple[LogRecord, str]] = []
        for record, ref in items:
            try:
                outcome = mapper.add(record.event, ref=ref)
            except Exception as exc:  # a record logged by an older version
                unmappable.append((record, f"not mappable: {type(exc).__name__}: {exc}"))
                continue
            if outcome is not None:
                prior = outcomes.get(outcome.job)
                if prior is None or outcome.event_time >= prior.event_time:
                    outcomes[outcome.job] = outcome
        facts = mapper.facts()
        facts = coalesce(facts)
        with self._apply_lock:
            facts = list(rewrite(facts, self._aliases(facts)))
            # One transaction and one propagation pass per chunk: a single one for most
            # applies; a heavy event's progress is kept after each chunk.
            start, progress = 0, None
            if len(facts) > self.chunk_rows:
                facts = _local(facts)
                if len(items) == 1:
                    start, progress = self._resume(items[0][0], len(facts))
            ingest_bounded(
                self.store,
                facts,
                rows=self.chunk_rows,
                seconds=self.chunk_seconds,
                start=start,
                on_commit=progress,
                report=report,
            )
            self._stale.applied(facts, outcomes.values())
            self.log.mark_applied(r.seq for r, _ in items)
        for record, reason in unmappable:
            report.problems += self._dead_letter(record, record.source, reason).problems
        return report

    def _resume(self, record: LogRecord, total: int) -> tuple[int, Any]:
        """Where an earlier attempt at this heavy record stopped, and how to note progress.

        Kept progress counts only if the record still maps to as many facts (an alias
        learnt since could change them); otherwise it is applied from the start.
        """
        kept = self.log.progress(record.seq)
        start = 0
        if kept is not None and kept[1] == total and 0 < kept[0] < total:
            start = kept[0]
            log.warning(
                "event log record %d: resuming at fact %d of %d (committed earlier)",
                record.seq,
                start + 1,
                total,
            )

        def progress(done: int) -> None:
            self.log.mark_progress(record.seq, done, total)

        return start, progress

    def recover(self, *, chunk: int = 2000) -> int:
        """Apply what was logged but not applied (after a crash). Returns how many."""
        done = 0
        for batch in _chunks(self.log.unapplied(), chunk):
            with _no_gc():
                self.apply(self._checked(batch))
            done += len(batch)
        self._behind = False
        return done

    def replay(self, *, chunk: int = 2000) -> IngestReport:
        """Re-apply the whole log in order (rebuild the graph from the raw events)."""
        total = IngestReport()
        for batch in _chunks(self.log.records(), chunk):
            with _no_gc():
                report = self.apply(self._checked(batch))
            total.nodes += report.nodes
            total.edges += report.edges
            total.problems += report.problems
        # Every damaged stretch of the log the pass stepped over is said, not swallowed.
        for skipped in getattr(self.log, "skipped", ()):
            total.problems.append(_problem(str(skipped), self.log.location))
        return total

    # -- helpers -----------------------------------------------------------------------
    def _aliases(self, facts: Sequence[Fact]) -> dict[str, str]:
        """Aliases known to the store for the datasets these facts mention.

        Answers are cached per dataset (a batch repeats the same few), and the cache is
        dropped every ``_ALIAS_TTL`` seconds so aliases written by another process (a CLI
        beside the server) are picked up.
        """
        now = time.monotonic()
        if now - self._alias_at > _ALIAS_TTL:
            self._alias_cache.clear()
            self._alias_at = now
        for f in facts:  # this batch's own symlinks
            if isinstance(f, Edge) and f.rel is Rel.ALIAS_OF:
                self._alias_cache[f.src] = f.dst
        wanted = {
            f.uid
            for f in facts
            if isinstance(f, Node) and f.kind is Kind.DATASET and not f.props.get("alias")
        }
        unknown = wanted - self._alias_cache.keys()
        for _ in range(_ALIAS_DEPTH):  # follow alias chains a -> b -> c
            if not unknown:
                break
            rows = self.store.query(RESOLVE_ALIASES, {"uids": sorted(unknown)})
            step = {r["alias"]: r["canonical"] for r in rows if r["alias"] != r["canonical"]}
            for uid in unknown:
                self._alias_cache[uid] = step.get(uid)
            unknown = set(step.values()) - self._alias_cache.keys()
        found: dict[str, str] = {}
        for uid in wanted:
            target, hops = self._alias_cache.get(uid), 0
            while target is not None and hops < _ALIAS_DEPTH:
                found[uid] = target
                target, hops = self._alias_cache.get(target), hops + 1
        return found


def _dead_letter_path(event_log: EventLog, store: Store) -> Path:
    """``deadletter.jsonl`` beside a file event log, else in the default log folder."""
    if isinstance(event_log, FileEventLog):
        return event_log.root / "deadletter.jsonl"
    return event_log_path(store.location) / "deadletter.jsonl"


def _local(facts: list[Fact]) -> list[Fact]:
    """Nodes first, then edges by source: a chunk then touches few distinct endpoints
    (each chunk makes sure its edges' endpoints exist), instead of every input of a wide
    fan-out again. Deterministic, so kept progress means the same facts next time."""
    edges = [f for f in facts if isinstance(f, Edge)]
    if not edges:
        return facts
    edges.sort(key=lambda e: (e.src, e.rel.value, e.dst, e.key))
    return [f for f in facts if not isinstance(f, Edge)] + edges


def _said(exc: BaseException) -> str:
    """An exception in one line, with its notes (what was committed before it)."""
    notes = "".join(f"; {note}" for note in getattr(exc, "__notes__", ()))
    return f"{type(exc).__name__}: {exc}{notes}"


def _env_number[N: (int, float)](name: str, default: N, kind: type[N]) -> N:
    """A positive number from the environment, else the default (a bad value is said)."""
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = kind(0)
    if value <= 0:
        log.warning("%s=%r is not a positive number; using %s", name, raw, default)
        return default
    return value


def _problem(message: str, ref: str) -> Problem:
    from lineage.model import Severity

    return Problem(Severity.ERROR, message, ref)


def _chunks(records: Iterator[LogRecord], size: int) -> Iterator[list[LogRecord]]:
    batch: list[LogRecord] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
