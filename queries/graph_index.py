"""An in-process copy of the lineage skeleton, so a blast radius costs a Python BFS, not
one round trip per level plus a label fetch.

What is kept is what the traversal and the risk ranking read for every node of a radius:
each node's kind, name, effective and own labels (own ones for the labelled walk of the
exposure search), every ``FLOWS_TO`` edge with the packed flags
of :mod:`queries.cypher` (dataset-level, column detail, masking, stale, INDIRECT), and the
``HAS_COLUMN`` pairs. Everything else (principals, exposure, edge jobs) is still asked of the
store for the few nodes and edges a result shows.

Freshness: the store counts its committed writes (``store.version()``, bumped by every
process writing to it: the serving process, CLI guests, other replicas). A query compares
that counter with the one the snapshot was read at; on a mismatch the answer comes from the
store's Cypher path (always right) while a fresh snapshot is read in a background thread,
so the index never serves a stale graph and never makes a write wait. Pipeline batches in
this process start that refresh at once (the change hook) rather than at the next query.
"""

from __future__ import annotations

import gc
import threading
import time
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from lineage import pipeline
from lineage.store.base import Store
from queries.cypher import Way
from queries.traverse import COLUMN_DETAIL, INDIRECT, MASKING, STALE

__all__ = ["INDEX_FLOWS", "INDEX_NODES", "GraphIndex", "Snapshot", "index_for"]

_PAGE = 50_000  # node ids per read
_QUIET = 4.0  # after a background read of T seconds, none for _QUIET * T

MAX_NODE_ID = """
MATCH (n:Asset)
RETURN max(id(n)) AS top"""

# Internal ids page the reads without sorting (FalkorDB seeks a label-and-id range).
INDEX_NODES = """
MATCH (n:Asset)
WHERE id(n) >= $lo AND id(n) < $hi
RETURN id(n) AS id, n.uid AS uid, n.kind AS kind, n.name AS name, n.labels AS labels,
       n.own_labels AS own"""

INDEX_FLOWS = """
MATCH (a:Asset)-[e:FLOWS_TO]->(b:Asset)
WHERE id(a) >= $lo AND id(a) < $hi
RETURN id(a) AS a, id(b) AS b,
       CASE WHEN e.granularity = 'dataset' THEN 1 ELSE 0 END
       + CASE WHEN coalesce(e.column_detail, false) THEN 2 ELSE 0 END
       + CASE WHEN coalesce(e.masking, false) THEN 4 ELSE 0 END
       + CASE WHEN coalesce(e.stale, false) THEN 8 ELSE 0 END
       + CASE WHEN e.transformation_type = 'INDIRECT' THEN 16 ELSE 0 END AS code"""

INDEX_COLUMNS = """
MATCH (a:Asset)-[:HAS_COLUMN]->(b:Asset)
WHERE id(a) >= $lo AND id(a) < $hi
RETURN id(a) AS a, id(b) AS b"""

_NO_VALUES = INDIRECT | MASKING


@dataclass(slots=True)
class Snapshot:
    """The skeleton as of ``version``: per uid its kind, name, labels and adjacency."""

    version: int
    kind: dict[str, str] = field(default_factory=dict)
    name: dict[str, str] = field(default_factory=dict)
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    own: dict[str, tuple[str, ...]] = field(default_factory=dict)
    out: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    inn: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    cols: dict[str, list[str]] = field(default_factory=dict)  # HAS_COLUMN, both directions
    infos: dict[str, Any] = field(default_factory=dict)  # result values made from it, reused

    @classmethod
    def read(cls, store: Any, version: int) -> Snapshot:
        """Read the skeleton (positional rows: ``store.query_values``, no per-cell objects)."""
        snap = cls(version)
        rows = store.query_values(MAX_NODE_ID)
        top = rows[0][0] if rows and rows[0][0] is not None else -1
        by_id: dict[int, str] = {}
        kind, name, labels, owned = snap.kind, snap.name, snap.labels, snap.own
        kinds: dict[str, str] = {}  # one string object per kind
        pages = [(lo, lo + _PAGE) for lo in range(0, int(top) + 1, _PAGE)]
        for lo, hi in pages:
            page = store.query_values(INDEX_NODES, {"lo": lo, "hi": hi})
            for nid, uid, k, nm, labs, own in page:
                by_id[nid] = uid
                kind[uid] = kinds.setdefault(k, k)
                if nm and nm != uid:
                    name[uid] = nm
                if labs:
                    labels[uid] = tuple(labs)
                if own:
                    owned[uid] = tuple(own)
        out, inn, cols = snap.out, snap.inn, snap.cols
        for lo, hi in pages:
            for ia, ib, code in store.query_values(INDEX_FLOWS, {"lo": lo, "hi": hi}):
                a, b = by_id[ia], by_id[ib]
                out.setdefault(a, []).append((b, code))
                inn.setdefault(b, []).append((a, code))
            for ia, ib in store.query_values(INDEX_COLUMNS, {"lo": lo, "hi": hi}):
                a, b = by_id[ia], by_id[ib]
                cols.setdefault(a, []).append(b)
                cols.setdefault(b, []).append(a)
        return snap

    def step_rows(
        self,
        items: Iterable[list[Any]],
        way: Way,
        *,
        integrity: bool,
        include_stale: bool,
        columns: bool = True,
        labelled: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """The rows ``queries.cypher.STEP[way, columns, labelled]`` returns for ``items``
        (``[uid, label, partial, tag]``), from memory: the same edges pass the same tests
        (labelled: every node entered holds the item's label, as in the exposure search)."""
        adjacency = self.out if way == "out" else self.inn
        kind, cols, labels, own = self.kind, self.cols, self.labels, self.own
        for a, label, partial, tag in items:
            xs = [a]
            if columns and partial == 0:
                xs.extend(cols.get(a, ()))
            for x in xs:
                if labelled and label not in labels.get(x, ()):
                    continue
                whole_self = integrity and partial == 0 and x == a
                for b, code in adjacency.get(x, ()):
                    if code & STALE and not include_stale:
                        continue
                    if code & _NO_VALUES and not integrity:
                        continue
                    if code & COLUMN_DETAIL and not whole_self:
                        continue
                    if labelled and label not in labels.get(b, ()):
                        continue
                    row = {
                        "src": a,
                        "x": None if x == a else x,
                        "dst": b,
                        "kind": kind.get(b),
                        "code": code,
                    }
                    if labelled:
                        row.update(label=label, tag=tag, own=[own.get(x), own.get(b)])
                    yield row


class GraphIndex:
    """The current :class:`Snapshot` of one store, refreshed when the store's writes move on."""

    def __init__(self, store: Any) -> None:
        self._store = weakref.ref(store)
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()
        self._loading: threading.Thread | None = None
        self._asked = 0
        self._quiet_until = 0.0  # no background read before this (monotonic seconds)

    def latest(self) -> Snapshot | None:
        """The last snapshot read, unchecked: a caller checks its version in the same round
        trip as its other reads (``store.query_many``) and falls back when it moved on."""
        return self._snapshot

    def current(self, *, wait: bool = False) -> Snapshot | None:
        """The snapshot if it holds the store's present state, else ``None`` (a refresh is
        started; ``wait`` blocks for it instead, as tests and warm-ups want). The first ask
        starts nothing: a process that asks once (a CLI command) never pays for the copy."""
        store = self._store()
        if store is None:
            return None
        self._asked += 1
        if self._asked == 1 and not wait:
            return None
        version = store.version()
        snap = self._snapshot
        if snap is not None and snap.version == version:
            return snap
        if wait:
            return self._load(store)
        self.refresh()
        return None

    def refresh(self) -> None:
        """Read a fresh snapshot in the background: one reader at a time, and after a read
        that took T seconds none for another 4T, so that under a steady stream of writes the
        re-reading takes at most a fifth of the process (the queries meanwhile ask Cypher)."""
        with self._lock:
            if self._loading is not None and self._loading.is_alive():
                return
            if time.monotonic() < self._quiet_until:
                return
            self._loading = threading.Thread(
                target=self._background, name="lineage-graph-index", daemon=True
            )
            self._loading.start()

    def settle(self, timeout: float | None = None) -> None:
        """Wait for a background refresh in progress (tests, orderly shutdown)."""
        loading = self._loading
        if loading is not None:
            loading.join(timeout)

    def _background(self) -> None:
        store = self._store()
        if store is not None:
            started = time.monotonic()
            try:
                self._load(store)
            except Exception:  # a failed refresh leaves the Cypher path in charge
                self._snapshot = None
            self._quiet_until = time.monotonic() + _QUIET * (time.monotonic() - started)

    def _load(self, store: Any) -> Snapshot | None:
        """Read until the version is the same before and after the read (no write raced it)."""
        for _ in range(3):
            before = store.version()
            snap = Snapshot.read(store, before)
            if store.version() == before:
                # Millions of long-lived containers: without this every full collection
                # walks them all (measured: 60% of a radius's CPU). Reference counting
                # still frees a replaced snapshot; it holds no cycles.
                gc.freeze()
                self._snapshot = snap
                return snap
        return None


_INDEXES: weakref.WeakKeyDictionary[Any, GraphIndex] = weakref.WeakKeyDictionary()
_GUARD = threading.Lock()


def index_for(store: Any) -> GraphIndex | None:
    """The index of ``store``, or ``None`` for stores that do not count their writes or
    cannot return plain rows (only the embedded FalkorDB store does both today)."""
    wanted = ("version", "query_values", "query_many")
    if not all(callable(getattr(store, m, None)) for m in wanted):
        return None
    with _GUARD:
        found = _INDEXES.get(store)
        if found is None:
            found = _INDEXES[store] = GraphIndex(store)
        return found


@pipeline.on_change
def _after_batch(store: Store, _change: pipeline.Change) -> None:
    """A batch from this process: start the refresh now, not at the next query."""
    found = _INDEXES.get(store)
    if found is not None:
        found.refresh()
