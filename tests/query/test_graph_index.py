"""The in-process graph index answers every blast radius and exposure search exactly as the
store's Cypher does, while two processes write to the store in random order.

Writes come from this process (the pipeline) and from a second process that joined the same
store as a guest (``graph_writer.py``): value-carrying and INDIRECT flows, masking, column
detail, stale edges, columns, labels, endpoints and deletions, on a handful of nodes so that
they collide. After each step every origin's radius is asked of both paths, in both
directions and modes, with and without stale edges, and must agree node for node (depth,
roll-up dataset, labels), edge for edge and in the ranking; the exposure search (its walk is
labelled: every node entered holds the label searched) must give the same page.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from graph_builder import apply_op, endpoint, resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lineage.errors import NodeNotFound
from lineage.store import Store, open_store
from queries.blast_radius import BlastRadius, blast_radius
from queries.exposure import ExposurePage, exposure_paths
from queries.graph_index import index_for

NAMES = ["a", "b", "c", "d", "a.x", "a.y", "b.x", "c.x", "d.y"]
JOBS = ["j1", "j2", "j3"]

_flow_props = st.fixed_dictionaries(
    {},
    optional={
        "transformation_type": st.sampled_from(["DIRECT", "INDIRECT"]),
        "masking": st.booleans(),
        "column_detail": st.booleans(),
        "stale": st.booleans(),
    },
)
_ops = st.one_of(
    st.fixed_dictionaries(
        {"op": st.just("flow"), "src": st.sampled_from(NAMES), "dst": st.sampled_from(NAMES),
         "job": st.sampled_from(JOBS), "props": _flow_props}
    ),
    st.fixed_dictionaries(
        {"op": st.just("labels"), "name": st.sampled_from([*NAMES, endpoint("e1")]),
         "labels": st.lists(st.sampled_from(["PII", "PII:EMAIL", "SECRET"]), max_size=2,
                            unique=True),
         "own": st.booleans()}
    ),
    st.fixed_dictionaries(
        {"op": st.just("endpoint"), "name": st.sampled_from(["e1", "e2"]),
         "exposure": st.sampled_from(["public", "internal"]), "src": st.sampled_from(NAMES)}
    ),
    st.fixed_dictionaries(
        {"op": st.just("delete"), "src": st.sampled_from(NAMES), "dst": st.sampled_from(NAMES),
         "job": st.sampled_from(JOBS)}
    ),
)  # fmt: skip


class Guest:
    """The second writer: a process of its own, joined to the same store."""

    def __init__(self, path: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).parent / "graph_writer.py"), str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def apply(self, op: dict[str, Any]) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(op) + "\n")
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == "ok", "the guest writer failed"

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


@pytest.fixture(scope="module")
def two_writers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Guest]]:
    path = tmp_path_factory.mktemp("index") / "store"
    store = open_store(path)
    guest = Guest(path)
    try:
        yield store, guest
    finally:
        guest.close()
        store.close()


def _answer(r: BlastRadius) -> dict[str, Any]:
    return {
        "affected": [
            (a.node.uid, a.node.kind, a.depth, a.dataset, a.node.labels) for a in r.affected
        ],
        "by_kind": r.by_kind,
        "depth": r.depth_reached,
        "labels": r.labels,
        "ranked": sorted(x.node.uid for x in r.ranked),
        "edges": sorted((s.src, s.dst, s.step, s.code) for s in r.steps),
    }


def _exposures(page: ExposurePage) -> list[Any]:
    return [
        (e.key, e.labels, e.risk.score, [(h.src, h.dst, h.rel) for h in e.path.hops])
        for e in page.results
    ] + [page.total, page.complete]


def _answer_or_none(store: Store, uid: str, use_index: bool = True) -> dict[str, Any] | None:
    try:
        return _answer(blast_radius(store, uid, use_index=use_index))
    except NodeNotFound:
        return None


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(st.tuples(st.booleans(), _ops), min_size=1, max_size=8))
def test_index_answers_as_cypher(
    two_writers: tuple[Store, Guest], ops: list[tuple[bool, dict[str, Any]]]
) -> None:
    store, guest = two_writers
    store.clear()
    index = index_for(store)
    assert index is not None
    origins = [resolve(n) for n in NAMES] + [endpoint("e1")]
    for remote, op in ops:
        if op["op"] in ("flow", "delete") and op["src"] == op["dst"]:
            continue
        index.settle()  # a refresh this process's own batches started
        before = store.version()
        guest.apply(op) if remote else apply_op(store, op)
        assert store.version() > before, "a write did not move the store's version"
        if remote:  # nothing in this process was told: the version counter must tell it
            assert index.latest() is None or index.latest().version < store.version()
            for uid in origins:  # an out-of-date copy never answers
                assert _answer_or_none(store, uid) == _answer_or_none(store, uid, False)
        index.settle()
        snap = index.current(wait=True)
        assert snap is not None and snap.version == store.version()
        for uid in origins:
            if uid not in snap.kind:
                continue
            for direction in ("down", "up"):
                for mode in ("confidentiality", "integrity"):
                    for stale in (False, True):
                        args = {"direction": direction, "mode": mode, "include_stale": stale}
                        fast = blast_radius(store, uid, **args)
                        now = index.current()  # the index answered, not the store
                        assert now is not None and now.version == snap.version
                        slow = blast_radius(store, uid, use_index=False, **args)
                        assert _answer(fast) == _answer(slow), (uid, args, ops)
        for stale in (False, True):
            for label in (None, "PII", "PII:EMAIL"):
                args = {"label": label, "include_stale": stale, "exposures": ["public"]}
                fast_page = exposure_paths(store, **args)
                assert index.current() is snap  # the index answered, not the store
                slow_page = exposure_paths(store, use_index=False, **args)
                assert _exposures(fast_page) == _exposures(slow_page), (args, ops)


def test_a_single_question_reads_no_copy(tmp_path: Path) -> None:
    """A CLI command asks once: it must not start reading the whole graph for nothing."""
    store = open_store(tmp_path / "store")
    try:
        apply_op(store, {"op": "flow", "src": "a", "dst": "b", "job": "j1", "props": {}})
        index = index_for(store)
        assert index is not None
        first = blast_radius(store, resolve("a"))
        assert index.latest() is None and index._loading is None
        second = blast_radius(store, resolve("a"))  # a serving process asks again: read it
        index.settle()
        assert index.latest() is not None and _answer(first) == _answer(second)
    finally:
        store.close()


def test_rereading_is_rationed(tmp_path: Path) -> None:
    """After a read, writes do not start another at once: the queries ask Cypher meanwhile,
    and get the store's answer."""
    store = open_store(tmp_path / "store")
    try:
        apply_op(store, {"op": "flow", "src": "a", "dst": "b", "job": "j1", "props": {}})
        index = index_for(store)
        assert index is not None
        assert index.current(wait=True) is not None
        index._quiet_until = time.monotonic() + 600  # as after a read of 150 s
        apply_op(store, {"op": "flow", "src": "b", "dst": "c", "job": "j2", "props": {}})
        radius = blast_radius(store, resolve("a"))
        assert index._loading is None or not index._loading.is_alive()
        assert index.latest() is not None and index.latest().version < store.version()
        assert {a.node.uid for a in radius.affected} >= {resolve("b"), resolve("c")}
    finally:
        store.close()
