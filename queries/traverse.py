"""Level-synchronous traversal over ``FLOWS_TO`` with column roll-up: the engine under
blast radius, lineage and exposure paths.

Python keeps the visited states and the BFS tree; the store answers one frontier per round
trip (see :mod:`queries.cypher`), so the cost is linear in the edges touched. A *state* is
``(uid, label, tag)``: with a label, only nodes holding it are entered; the tag keeps
independent searches (one per endpoint) apart while sharing round trips. Depth counts
``FLOWS_TO`` hops; the column and roll-up steps are free, so a dataset and the columns that
carry its data on sit at the same depth.

Rows carry only what the traversal needs (ids, kind, a packed edge code); what an edge does
(job, transformation subtype) is fetched with :func:`edge_details` for the edges a result
shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from lineage import ids
from lineage.errors import LineageError
from queries.cypher import EDGE_DETAILS, STEP, Way

__all__ = [
    "COLUMN_DETAIL",
    "DATASET_LEVEL",
    "INDIRECT",
    "MASKING",
    "STALE",
    "Reach",
    "State",
    "Step",
    "details_from_rows",
    "details_request",
    "edge_details",
    "traverse",
]

type State = tuple[str, str | None, str | None]

_WHOLE, _PARTIAL = 0, 1
DATASET_LEVEL, COLUMN_DETAIL, MASKING, STALE, INDIRECT = 1, 2, 4, 8, 16


@dataclass(frozen=True, slots=True)
class Step:
    """One traversed edge, in the direction data flows.

    ``step`` is ``flow`` (a FLOWS_TO edge), ``column`` (a dataset and one of its columns)
    or ``rollup`` (a column and its dataset). ``code`` packs the edge flags (see
    :mod:`queries.cypher`); ``edge_kind``/``via``/``subtype`` are filled by
    :func:`edge_details`.
    """

    src: str
    dst: str
    step: str
    code: int = 0
    edge_kind: str | None = None
    via: str | None = None
    subtype: str | None = None

    @property
    def granularity(self) -> str | None:
        if self.step != "flow":
            return None
        return "dataset" if self.code & DATASET_LEVEL else "column"

    @property
    def ttype(self) -> str | None:
        if self.step != "flow":
            return None
        return "INDIRECT" if self.code & INDIRECT else "DIRECT"

    @property
    def detail(self) -> bool:
        return bool(self.code & COLUMN_DETAIL)

    @property
    def masking(self) -> bool:
        return bool(self.code & MASKING)

    @property
    def stale(self) -> bool:
        return bool(self.code & STALE)

    @property
    def coarse(self) -> bool:
        """A dataset-level flow without column detail: passes everything, less certain."""
        return self.step == "flow" and bool(self.code & DATASET_LEVEL) and not self.detail


@dataclass(slots=True)
class Reach:
    """What a traversal found: per state its depth and BFS-tree parent, and every step."""

    way: Way
    starts: tuple[State, ...]
    depth: dict[State, int] = field(default_factory=dict)
    kind: dict[str, str] = field(default_factory=dict)
    own: dict[str, tuple[str, ...]] = field(default_factory=dict)
    parent: dict[State, tuple[State, Step]] = field(default_factory=dict)
    steps: list[tuple[State, State, Step]] = field(default_factory=list)
    round_trips: int = 0
    truncated: bool = False

    @property
    def depth_reached(self) -> int:
        return max(self.depth.values(), default=0)

    def witness(self, state: State) -> list[Step]:
        """The BFS-tree path between a start and ``state``, in data-flow order."""
        out: list[Step] = []
        seen: set[State] = set()
        while state in self.parent and state not in seen:
            seen.add(state)
            state, step = self.parent[state]
            out.append(step)
        if self.way == "out":
            out.reverse()
        return out


def _kind_of(uid: str) -> str:
    try:
        return ids.kind_of(uid).value
    except LineageError:
        return ""  # not an id: nothing matches it, the caller reports the missing node


def _oriented(src: str, dst: str, step: str, code: int, way: Way) -> Step:
    return Step(dst, src, step, code) if way == "in" else Step(src, dst, step, code)


def traverse(
    store: Any,
    starts: Mapping[str, str] | Iterable[tuple[State, str]],
    *,
    way: Way = "out",
    integrity: bool = False,
    include_stale: bool = False,
    depth: int = 10,
    columns: bool = True,
    max_states: int = 250_000,
    keep_steps: bool = True,
    index: Any = None,
) -> Reach:
    """Traverse from ``starts`` (``{uid: kind}``, or ``[((uid, label, tag), kind)]``).

    ``integrity`` follows every FLOWS_TO edge (INDIRECT and masking included); otherwise
    only value-carrying ones. ``columns=False`` stays at the level of the edges followed
    (no HAS_COLUMN steps). Stops at ``depth`` hops or after ``max_states`` states
    (``truncated`` then says so). ``index`` (a :class:`queries.graph_index.Snapshot` of the
    store's present state) answers the steps from memory with the same rows.
    """
    pairs: list[tuple[State, str]] = (
        [((uid, None, None), kind) for uid, kind in starts.items()]
        if isinstance(starts, Mapping)
        else list(starts)
    )
    reach = Reach(way=way, starts=tuple(state for state, _ in pairs))
    mode: dict[State, int] = {}  # best mode a state was reached in
    expanded: dict[State, tuple[int, int]] = {}  # (mode, depth) a state's edges were asked in
    frontier: dict[State, int] = {}
    for state, kind in pairs:
        reach.depth[state] = 0
        reach.kind[state[0]] = kind or _kind_of(state[0])
        mode[state] = frontier[state] = _WHOLE

    def visit(src: State, dst: State, d: int, new_mode: int, step: Step) -> bool:
        if keep_steps:
            reach.steps.append((src, dst, step))
        prev_mode, prev_depth = mode.get(dst), reach.depth.get(dst)
        better_mode = prev_mode is None or new_mode < prev_mode
        better_depth = prev_depth is None or d < prev_depth
        if not (better_mode or better_depth):
            return False
        if better_depth:
            reach.depth[dst] = d
            reach.parent[dst] = (src, step)
        mode[dst] = new_mode if prev_mode is None else min(prev_mode, new_mode)
        return True

    labelled = any(state[1] is not None or state[2] is not None for state, _ in pairs)
    statement = STEP[way, 1 if columns else 0, labelled]
    while frontier:
        items = []
        for state, m in frontier.items():
            done = expanded.get(state)
            if done is not None and done[0] <= m and done[1] <= reach.depth[state]:
                # already expanded as well in the round that queued it (a column reached
                # by a flow, then as a column of a dataset of that round): asking again
                # only repeats steps, and whether it happened depended on row order
                continue
            if reach.depth[state] < depth:  # at the depth limit nothing more is reachable
                expanded[state] = (m, reach.depth[state])
                items.append([state[0], state[1], m, state[2]])
        if not items:
            break
        if index is not None:
            rows = index.step_rows(
                items,
                way,
                integrity=integrity,
                include_stale=include_stale,
                columns=columns,
                labelled=labelled,
            )
        else:
            rows = store.query(
                statement,
                {"frontier": items, "integrity": integrity, "include_stale": include_stale},
            )
            reach.round_trips += 1
        frontier = {}
        for row in rows:
            label, tag = (row["label"], row["tag"]) if labelled else (None, None)
            a: State = (row["src"], label, tag)
            d = reach.depth[a]
            own = row["own"] if labelled else None
            src = a
            if row["x"] is not None:  # a column of a whole dataset, or a column's dataset
                x: State = (row["x"], label, tag)
                rollup = reach.kind.get(a[0]) == "Column"
                reach.kind[x[0]] = "Dataset" if rollup else "Column"
                step = _oriented(a[0], x[0], "rollup" if rollup else "column", 0, way)
                x_mode = _PARTIAL if rollup else _WHOLE
                visit(a, x, d, x_mode, step)
                expanded.setdefault(x, (x_mode, d))  # this very row set expands it
                src = x
                if own and own[0]:
                    reach.own[x[0]] = tuple(own[0])
            b: State = (row["dst"], label, tag)
            reach.kind[b[0]] = row["kind"]
            if own and own[1]:
                reach.own[b[0]] = tuple(own[1])
            step = _oriented(src[0], b[0], "flow", int(row["code"]), way)
            if visit(src, b, d + 1, _WHOLE, step):
                done = expanded.get(b)
                if done is None or done[0] > _WHOLE or done[1] > d + 1:
                    frontier[b] = _WHOLE
        if len(reach.depth) > max_states:
            reach.truncated = True
            break
    return reach


def edge_details(store: Any, steps: Iterable[Step]) -> dict[tuple[str, str, int], Step]:
    """Fill kind, job and subtype of flow steps (one round trip for all of them).

    Parallel edges between one pair are told apart by their code (the flags the traversal
    saw); the first edge with the same flags wins.
    """
    wanted, params = details_request(steps)
    return details_from_rows(store.query(EDGE_DETAILS, params), wanted) if wanted else {}


type Wanted = dict[tuple[str, str, int], Step]


def details_request(steps: Iterable[Step]) -> tuple[Wanted, dict[str, Any]]:
    """The flow steps to fill and the :data:`EDGE_DETAILS` parameters that fetch them."""
    wanted = {(s.src, s.dst, s.code): s for s in steps if s.step == "flow"}
    pairs = sorted({(src, dst) for src, dst, _ in wanted})
    return wanted, {"pairs": [list(p) for p in pairs]}


def details_from_rows(rows: list[dict[str, Any]], wanted: Wanted) -> Wanted:
    """The steps of ``wanted`` filled from :data:`EDGE_DETAILS` rows."""
    out: dict[tuple[str, str, int], Step] = {}
    for row in sorted(rows, key=lambda r: (r["src"], r["dst"], str(r["via"]))):
        code = (
            (DATASET_LEVEL if row["granularity"] == "dataset" else 0)
            | (COLUMN_DETAIL if row["detail"] else 0)
            | (MASKING if row["masking"] else 0)
            | (STALE if row["stale"] else 0)
            | (INDIRECT if row["ttype"] == "INDIRECT" else 0)
        )
        key = (row["src"], row["dst"], code)
        if key in wanted and key not in out:
            out[key] = replace(
                wanted[key], edge_kind=row["kind"], via=row["via"], subtype=row["subtype"]
            )
    return out
