"""The one write path: ingestors yield facts, this batches them into a store.

Ingestors never touch a store. Each fact carries its ``source_ref``; writes are MERGEs, so
re-ingesting the same input (with the same observation times) changes nothing. Per-item
problems are collected in the :class:`IngestReport`, never raised, unless ``strict``.
Observers registered with :func:`on_change` (label propagation, policies) run after each
committed batch with the ids it touched, so a caller's ``ingest`` returns with the graph
consistent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from lineage import ids, sensitivity
from lineage.errors import LineageError
from lineage.model import Edge, Fact, Labeling, Node, Problem, Rel, Severity
from lineage.store.base import Store
from lineage.timeutil import now_iso

__all__ = [
    "Change",
    "IngestReport",
    "StrictModeError",
    "batches",
    "delete",
    "ingest",
    "ingest_bounded",
    "notify",
    "on_change",
]

_WHOLE = 1 << 30
_MIN_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Change:
    """What one committed batch touched; handed to observers."""

    nodes: frozenset[str]
    edges: tuple[Edge, ...]
    labelings: tuple[Labeling, ...]
    removed_nodes: frozenset[str] = frozenset()
    removed_edges: tuple[tuple[str, Rel, str, str], ...] = ()


type Observer = Callable[[Store, Change], None]
_OBSERVERS: list[Observer] = []


def on_change(observer: Observer) -> Observer:
    """Register an observer called after every committed batch (usable as a decorator)."""
    if observer not in _OBSERVERS:
        _OBSERVERS.append(observer)
    return observer


class StrictModeError(LineageError):
    """Raised in strict mode on the first error-level problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass
class IngestReport:
    """Counts of facts written and the problems met, for people and for ``--json``."""

    nodes: int = 0
    edges: int = 0
    labelings: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    def to_dict(self) -> dict[str, object]:
        return {
            "nodes": self.nodes,
            "edges": self.edges,
            "labelings": self.labelings,
            "problems": [
                {
                    "severity": p.severity.value,
                    "message": p.message,
                    "source_ref": p.source_ref,
                    "snippet": p.snippet,
                }
                for p in self.problems
            ],
        }


class _Batch:
    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.edges: dict[tuple[str, str, str, str], Edge] = {}
        self.labelings: list[Labeling] = []

    def __len__(self) -> int:
        return len(self.nodes) + len(self.edges) + len(self.labelings)

    def add(self, fact: Node | Edge | Labeling) -> None:
        if isinstance(fact, Node):
            prior = self.nodes.get(fact.uid)
            if prior is not None:  # the same node seen twice in a batch: merge its props
                fact = Node(
                    fact.uid,
                    fact.kind,
                    fact.name,
                    fact.namespace,
                    {**prior.props, **fact.props},
                    prior.source_ref or fact.source_ref,
                    max(prior.observed_at, fact.observed_at),
                )
            self.nodes[fact.uid] = fact
        elif isinstance(fact, Edge):
            prior_edge = self.edges.get(fact.ident)
            if prior_edge is not None:
                fact = Edge(
                    fact.src,
                    fact.rel,
                    fact.dst,
                    {**prior_edge.props, **fact.props},
                    fact.key,
                    prior_edge.source_ref or fact.source_ref,
                    max(prior_edge.observed_at, fact.observed_at),
                )
            self.edges[fact.ident] = fact
        else:
            self.labelings.append(fact)


def _check(fact: Node | Edge | Labeling) -> str | None:
    """Return why a fact is unusable, or None. Ids are parsed once here for every ingestor."""
    try:
        if isinstance(fact, Node):
            if ids.kind_of(fact.uid) is not fact.kind:
                return f"node {fact.uid!r} is declared {fact.kind.value}"
        elif isinstance(fact, Edge):
            ids.parse(fact.src)
            ids.parse(fact.dst)
        else:
            ids.parse(fact.uid)
    except LineageError as exc:
        return str(exc)
    return None


def ingest(
    store: Store,
    facts: Iterable[Fact],
    *,
    batch_size: int = 5000,
    seen: str | None = None,
    strict: bool = False,
    report: IngestReport | None = None,
) -> IngestReport:
    """Write facts to ``store`` in atomic batches; return what was written and what was wrong.

    ``seen`` is the observation time for facts that carry none (default: now). Raises
    :class:`StrictModeError` on the first error-level problem when ``strict``; the batches
    committed before it stay committed.
    """
    report = report or IngestReport()
    seen = seen or now_iso()
    for batch in batches(facts, batch_size=batch_size, report=report, strict=strict):
        _flush(store, batch, seen, report)
    return report


def batches(
    facts: Iterable[Fact],
    *,
    batch_size: int,
    report: IngestReport,
    strict: bool = False,
    check: Callable[[Node | Edge | Labeling], str | None] = _check,
) -> Iterator[_Batch]:
    """The usable facts in batches of at most ``batch_size`` (the last one may be empty).

    Problems, and facts ``check`` finds unusable, go to ``report`` instead; under ``strict``
    the first error-level one raises :class:`StrictModeError`. Shared by :func:`ingest` and
    :mod:`lineage.firstload`, so both paths refuse exactly the same facts.
    """
    batch = _Batch()
    for fact in facts:
        if isinstance(fact, Problem):
            report.problems.append(fact)
            if strict and fact.severity is Severity.ERROR:
                raise StrictModeError(fact)
            continue
        why = check(fact)
        if why is not None:
            problem = Problem(Severity.ERROR, why, fact.source_ref)
            report.problems.append(problem)
            if strict:
                raise StrictModeError(problem)
            continue
        batch.add(fact)
        if len(batch) >= batch_size:
            yield batch
            batch = _Batch()
    yield batch


def ingest_bounded(
    store: Store,
    facts: Sequence[Fact],
    *,
    rows: int,
    seconds: float,
    start: int = 0,
    on_commit: Callable[[int], None] | None = None,
    seen: str | None = None,
    report: IngestReport | None = None,
) -> IngestReport:
    """Write ``facts[start:]`` in committed chunks bounded in rows and in time.

    One transaction per chunk of at most ``rows`` facts; a chunk that took longer than
    ``seconds`` halves the next one (down to a floor), a quick one lets it grow back. So a
    huge event never becomes one transaction that outlasts the store's timeout, and what is
    committed is known: ``on_commit(done)`` is called after each chunk with how many facts
    (from the start of ``facts``) are in the store, for a caller to record its progress and
    resume there. Writes are MERGEs, so re-writing a committed chunk is harmless.

    On a failure the exception carries a note saying exactly which facts were committed.
    """
    report = report or IngestReport()
    seen = seen or now_iso()
    size, at, chunks = max(1, rows), start, 0
    while at < len(facts):
        end = min(len(facts), at + size)
        began = time.monotonic()
        try:
            ingest(store, facts[at:end], seen=seen, report=report, batch_size=_WHOLE)
        except Exception as exc:
            exc.add_note(_committed(start, at, end, len(facts), chunks))
            raise
        took = time.monotonic() - began
        at, chunks = end, chunks + 1
        if on_commit is not None:
            on_commit(at)
        if took > seconds:
            size = max(min(_MIN_CHUNK, rows), size // 2)
        elif took < seconds / 4:
            size = min(rows, size * 2)
    return report


def _committed(start: int, at: int, end: int, total: int, chunks: int) -> str:
    """What is in the store when the chunk ``[at, end)`` failed (for logs and reports)."""
    before = f"facts 1-{start:,} were committed by an earlier attempt; " if start else ""
    if at == start:
        done = "none of this attempt's chunks was committed"
    else:
        done = f"facts {start + 1:,}-{at:,} were committed in {chunks} chunk(s)"
    return (
        f"{before}{done}; facts {at + 1:,}-{end:,} (the chunk that failed) and the rest, "
        f"up to {total:,}, are not known to be committed"
    )


def _flush(store: Store, batch: _Batch, seen: str, report: IngestReport) -> None:
    if not len(batch):
        return
    nodes = list(batch.nodes.values())
    edges = list(batch.edges.values())
    endpoints = (
        {e.src for e in edges} | {e.dst for e in edges} | {lab.uid for lab in batch.labelings}
    )
    with store.batch():
        store.upsert_nodes(nodes, seen=seen)
        store.ensure_nodes(sorted(endpoints - batch.nodes.keys()))
        store.upsert_edges(edges, seen=seen)
    # Labels are brought up to date before anyone (observer or caller) sees the batch.
    sensitivity.after_batch(store, edges, batch.labelings, seen=seen)
    report.nodes += len(nodes)
    report.edges += len(edges)
    report.labelings += len(batch.labelings)
    change = Change(
        frozenset(batch.nodes) | frozenset(endpoints), tuple(edges), tuple(batch.labelings)
    )
    notify(store, change)


def notify(store: Store, change: Change) -> None:
    """Tell every observer about a committed change (``lineage.firstload`` calls it too)."""
    for observer in _OBSERVERS:
        observer(store, change)


def delete(
    store: Store,
    *,
    nodes: Iterable[str] = (),
    edges: Iterable[tuple[str, Rel, str, str]] = (),
) -> int:
    """Delete nodes (with their edges) and edges ``(src, rel, dst, key)`` in one batch.

    Labels that lose their support are retracted before this returns; observers are told.
    Returns how many nodes and edges were asked to be deleted.
    """
    nodes = sorted(set(nodes))
    edges = [(src, Rel(rel), dst, key) for src, rel, dst, key in edges]
    if not nodes and not edges:
        return 0
    seeds = sensitivity.before_delete(store, nodes, edges)
    with store.batch():
        if edges:
            store.delete_edges(edges)
        if nodes:
            store.delete_nodes(nodes)
    sensitivity.refresh(store, seeds, lossy=True)
    change = Change(frozenset(seeds), (), (), frozenset(nodes), tuple(edges))
    for observer in _OBSERVERS:
        observer(store, change)
    return len(nodes) + len(edges)
