"""Fixtures for sensitivity tests: one store per module (cleared per test), a graph builder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from store_backends import backend_store

from lineage import ids
from lineage.model import Edge, Kind, Node, Rel
from lineage.store import Store

NS = "postgres://db:5432"


@pytest.fixture(scope="module")
def shared_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """Embedded, or the backend an ``all_stores`` module is running on."""
    s = backend_store(request, tmp_path_factory.mktemp("sens"))
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def g(shared_store: Store) -> Iterator[Store]:
    """A cleared store, shared by the tests of one module (starting a server is slow)."""
    shared_store.clear()
    yield shared_store


def ds(name: str) -> str:
    return ids.dataset_id(NS, name)


def col(table: str, field: str) -> str:
    return ids.column_id(NS, table, field)


def table(name: str, *fields: str) -> list[Node | Edge]:
    """A dataset and its columns."""
    uid = ds(name)
    out: list[Node | Edge] = [Node(uid, Kind.DATASET, name, NS, {"fields": list(fields)})]
    out += [Edge(uid, Rel.HAS_COLUMN, col(name, f)) for f in fields]
    return out


def flow(src: str, dst: str, job: str = "job:postgres://db:5432:j", **props: object) -> Edge:
    """A FLOWS_TO edge; column granularity between columns, dataset otherwise."""
    both_cols = src.startswith("column:") and dst.startswith("column:")
    base = {
        "kind": "transform",
        "via": job,
        "granularity": "column" if both_cols else "dataset",
        "transformation_type": "DIRECT",
        "transformation_subtype": "IDENTITY",
        "masking": False,
    }
    base.update(props)
    return Edge(src, Rel.FLOWS_TO, dst, base, key=job)


def labels(store: Store, uid: str) -> set[str]:
    node = store.get_node(uid)
    assert node is not None, uid
    return set(node.labels)
