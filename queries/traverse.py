"""Level-synchronous traversal over ``FLOWS_TO`` with column roll-up: the engine under
blast radius, lineage and exposure paths.

Python keeps the visited states and the BFS tree; the store answers one frontier per round
trip (see :mod:`queries.cypher`). A *state* is ``(uid, label, tag)``: with a label, only
nodes holding it are entered; the tag keeps independent searches (one per endpoint) apart
while sharing round trips. Depth counts ``FLOWS_TO`` hops; the column and roll-up steps are
free, so a dataset and its columns sit at the same depth.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from queries.cypher import STEP, Way

__all__ = ["Reach", "State", "Step", "traverse"]

type State = tuple[str, str | None, str | None]

_WHOLE, _PARTIAL = 0, 1
_STRUCT_KINDS = frozenset({"Dataset", "Column", ""})  # "": a start of unknown kind


@dataclass(frozen=True, slots=True)
class Step:
    """One traversed edge, in the direction data flows.

    ``step`` is ``flow`` (a FLOWS_TO edge), ``column`` (a dataset and one of its columns,
    entered from the dataset) or ``rollup`` (a column and its dataset, entered from the
    column).
    """

    src: str
    dst: str
    step: str
    edge_kind: str | None = None
    via: str | None = None
    granularity: str | None = None
    ttype: str | None = None
    subtype: str | None = None
    detail: bool = False
    masking: bool = False
    stale: bool = False

    @property
    def coarse(self) -> bool:
        """A dataset-level flow without column detail: passes everything, less certain."""
        return self.step == "flow" and self.granularity == "dataset" and not self.detail

    def to_dict(self) -> dict[str, Any]:
        return {
            "src": self.src,
            "dst": self.dst,
            "step": self.step,
            "kind": self.edge_kind,
            "via": self.via,
            "granularity": self.granularity,
            "transformation_type": self.ttype,
            "transformation_subtype": self.subtype,
            "masking": self.masking,
            "stale": self.stale,
            "coarse": self.coarse,
        }


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


def _step_of(row: Mapping[str, Any], way: Way) -> Step:
    src, dst = row["src"], row["dst"]
    if way == "in":
        src, dst = dst, src
    return Step(
        src=src,
        dst=dst,
        step=row["step"],
        edge_kind=row["edge_kind"],
        via=row["via"],
        granularity=row["granularity"],
        ttype=row["ttype"],
        subtype=row["subtype"],
        detail=bool(row["detail"]),
        masking=bool(row["masking"]),
        stale=bool(row["stale"]),
    )


def _struct_step(src: str, dst: str, step: str, way: Way) -> Step:
    if way == "in":
        src, dst = dst, src
    return Step(src=src, dst=dst, step=step)


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
) -> Reach:
    """Traverse from ``starts`` (``{uid: kind}``, or ``[((uid, label, tag), kind)]``).

    ``integrity`` follows every FLOWS_TO edge (INDIRECT and masking included); otherwise
    only value-carrying ones. ``columns=False`` stays at the level of the edges followed
    (no HAS_COLUMN steps). Stops at ``depth`` hops or after ``max_states`` states
    (``truncated`` then says so).
    """
    pairs: list[tuple[State, str]] = (
        [((uid, None, None), kind) for uid, kind in starts.items()]
        if isinstance(starts, Mapping)
        else list(starts)
    )
    reach = Reach(way=way, starts=tuple(state for state, _ in pairs))
    mode: dict[State, int] = {}
    frontier: dict[State, int] = {}
    for state, kind in pairs:
        reach.depth[state] = 0
        reach.kind[state[0]] = kind
        mode[state] = frontier[state] = _WHOLE
    # Only the starts need their HAS_COLUMN neighbours asked for; every node reached later
    # brings them along in its flow row.
    struct = (
        [[uid, label, 0, tag] for (uid, label, tag), _ in pairs]
        if columns and any(kind in _STRUCT_KINDS for _, kind in pairs)
        else []
    )

    def visit(  # noqa: PLR0917 - a local helper over the loop's state
        src: State, dst: State, d: int, new_mode: int, step: Step, kind: str
    ) -> bool:
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
        reach.kind[dst[0]] = kind
        frontier[dst] = mode[dst]
        return True

    while frontier or struct:
        # The starts' HAS_COLUMN neighbours first, alone: one small statement is cheaper than
        # a UNION with the flow step (FalkorDB runs UNION branches through a join).
        flow = [] if struct else [[uid, label, m, tag] for (uid, label, tag), m in frontier.items()]
        rows = store.query(
            STEP[way, "struct" if struct else "flow"],
            {
                "flow": flow,
                "struct": struct,
                "integrity": integrity,
                "include_stale": include_stale,
                "columns": columns,
            },
        )
        reach.round_trips += 1
        if struct:
            struct = []  # the starts stay in the frontier for their flows
        else:
            frontier = {}
        for row in rows:
            label, tag = row["label"], row["tag"]
            src: State = (row["src"], label, tag)
            dst: State = (row["dst"], label, tag)
            d = reach.depth[src] + (1 if row["step"] == "flow" else 0)
            if d > depth:
                continue
            if row["own"]:
                reach.own[dst[0]] = tuple(row["own"])
            new_mode = _PARTIAL if row["step"] == "rollup" else _WHOLE
            if not visit(src, dst, d, new_mode, _step_of(row, way), row["kind"]):
                continue
            if mode[dst] != _WHOLE:
                continue
            for uid, kind, own in row["near"]:
                rollup = row["kind"] == "Column"
                near: State = (uid, label, tag)
                if own:
                    reach.own[uid] = tuple(own)
                step = _struct_step(row["dst"], uid, "rollup" if rollup else "column", way)
                visit(dst, near, d, _PARTIAL if rollup else _WHOLE, step, kind)
        if len(reach.depth) > max_states:
            reach.truncated = True
            break
    return reach
