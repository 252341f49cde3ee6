"""The store contract, run against every backend (embedded always; Neo4j when NEO4J_URI)."""

from __future__ import annotations

import itertools

import pytest

from lineage import ids
from lineage.errors import StoreError
from lineage.model import Edge, Kind, Node, Rel
from lineage.store import Store

pytestmark = pytest.mark.all_stores  # embedded and Neo4j

T1, T2 = "2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z"
A = ids.dataset_id("pg", "s.a")
B = ids.dataset_id("pg", "s.b")
C = ids.dataset_id("pg", "s.c")


def _ds(uid: str, **props: object) -> Node:
    parsed = ids.parse(uid)
    return Node(uid, Kind.DATASET, parsed.name, parsed.namespace, props, f"{parsed.name}.sql:1")


def test_upsert_and_get(contract_store: Store) -> None:
    contract_store.upsert_nodes([_ds(A, owner="team-a", fields=["id", "email"])], seen=T1)
    node = contract_store.get_node(A)
    assert node is not None
    assert (node.kind, node.name, node.namespace) == (Kind.DATASET, "s.a", "pg")
    assert node.props["owner"] == "team-a"
    assert node.props["fields"] == ["id", "email"]
    assert node.props["first_seen"] == node.props["last_seen"] == T1
    assert node.props["source_refs"] == ["s.a.sql:1"]
    assert contract_store.get_node(B) is None


def test_upsert_is_idempotent_and_widens_seen(contract_store: Store) -> None:
    for _ in range(3):
        contract_store.upsert_nodes([_ds(A, owner="x")], seen=T2)
    contract_store.upsert_nodes([_ds(A)], seen=T1)
    node = contract_store.get_node(A)
    assert node is not None
    assert (node.props["first_seen"], node.props["last_seen"]) == (T1, T2)
    assert node.props["source_refs"] == ["s.a.sql:1"]
    assert contract_store.counts() == {"Dataset": 1}


def test_edges_merge_on_type_ends_and_key(contract_store: Store) -> None:
    contract_store.upsert_nodes([_ds(A), _ds(B)], seen=T1)
    edge = Edge(A, Rel.FLOWS_TO, B, {"kind": "transform"}, key="job:pg:j1")
    other_job = Edge(A, Rel.FLOWS_TO, B, {"kind": "transform"}, key="job:pg:j2")
    contract_store.upsert_edges([edge, edge, other_job], seen=T1)
    contract_store.upsert_edges([edge], seen=T2)
    out = contract_store.neighbours(A, direction="out")
    assert sorted(n.edge.key for n in out) == ["job:pg:j1", "job:pg:j2"]
    first = next(n.edge for n in out if n.edge.key == "job:pg:j1")
    assert (first.props["first_seen"], first.props["last_seen"]) == (T1, T2)
    assert [n.node.uid for n in contract_store.neighbours(B, direction="in")] == [A, A]


def test_edge_to_missing_node_writes_nothing(contract_store: Store) -> None:
    contract_store.upsert_nodes([_ds(A)], seen=T1)
    contract_store.upsert_edges([Edge(A, Rel.FLOWS_TO, B)], seen=T1)
    assert contract_store.neighbours(A) == []


def test_ensure_nodes_creates_stubs_only(contract_store: Store) -> None:
    contract_store.upsert_nodes([_ds(A, owner="kept")], seen=T1)
    contract_store.ensure_nodes([A, B])
    a, b = contract_store.get_node(A), contract_store.get_node(B)
    assert a is not None and b is not None
    assert a.props["owner"] == "kept" and "stub" not in a.props
    assert b.props["stub"] is True and b.name == "s.b"


def test_neighbours_filters_direction_and_type(contract_store: Store) -> None:
    job = ids.job_id("pg", "j")
    contract_store.upsert_nodes([_ds(A), _ds(B)], seen=T1)
    contract_store.ensure_nodes([job])
    contract_store.upsert_edges(
        [Edge(job, Rel.READS, A), Edge(job, Rel.WRITES, B), Edge(A, Rel.FLOWS_TO, B)], seen=T1
    )
    assert {n.node.uid for n in contract_store.neighbours(A)} == {job, B}
    assert [n.edge.rel for n in contract_store.neighbours(A, rels=[Rel.READS])] == [Rel.READS]
    assert contract_store.neighbours(A, direction="out", rels=[Rel.READS]) == []


def test_delete_nodes_and_edges(contract_store: Store) -> None:
    contract_store.upsert_nodes([_ds(A), _ds(B), _ds(C)], seen=T1)
    contract_store.upsert_edges(
        [Edge(A, Rel.FLOWS_TO, B, key="k"), Edge(B, Rel.FLOWS_TO, C)], seen=T1
    )
    assert contract_store.delete_edges([(A, Rel.FLOWS_TO, B, "other")]) == 0
    twice = [(A, Rel.FLOWS_TO, B, "k")] * 2  # named twice, deleted (and counted) once
    assert contract_store.delete_edges(twice) == 1
    assert contract_store.neighbours(A) == []
    assert contract_store.delete_nodes([B, "dataset:pg:absent"]) == 1
    assert contract_store.get_node(B) is None
    assert contract_store.neighbours(C) == []  # DETACH: its edges went with it


def test_set_props(contract_store: Store) -> None:
    contract_store.upsert_nodes([_ds(A, owner="x")], seen=T1)
    contract_store.set_props(A, {"labels": ["PII"], "owner": "y"})
    node = contract_store.get_node(A)
    assert node is not None and node.labels == ("PII",) and node.props["owner"] == "y"


def test_batch_commits_together(contract_store: Store) -> None:
    with contract_store.batch():
        contract_store.upsert_nodes([_ds(A)], seen=T1)
        contract_store.upsert_nodes([_ds(B)], seen=T1)
        contract_store.upsert_edges([Edge(A, Rel.FLOWS_TO, B)], seen=T1)
    assert contract_store.counts() == {"Dataset": 2, "FLOWS_TO": 1}


def test_failed_batch_is_reported(contract_store: Store) -> None:
    with pytest.raises(StoreError), contract_store.batch():
        contract_store.upsert_nodes([_ds(A)], seen=T1)
        contract_store.execute("THIS IS NOT CYPHER")
    with pytest.raises(StoreError):
        contract_store.query("MATCH (n RETURN n")


def test_query_returns_rows_by_alias(contract_store: Store) -> None:
    contract_store.upsert_nodes([_ds(A), _ds(B)], seen=T1)
    rows = contract_store.query(
        "MATCH (n:Dataset) WHERE n.uid IN $uids RETURN n.uid AS uid ORDER BY uid", {"uids": [A, B]}
    )
    assert rows == [{"uid": A}, {"uid": B}]


def test_iteration_pages_through_everything(contract_store: Store) -> None:
    nodes = [_ds(ids.dataset_id("pg", f"s.t{i:03d}")) for i in range(57)]
    contract_store.upsert_nodes(nodes, seen=T1)
    contract_store.upsert_edges(
        [Edge(a.uid, Rel.FLOWS_TO, b.uid) for a, b in itertools.pairwise(nodes)], seen=T1
    )
    assert [n.uid for n in contract_store.iter_nodes(page=10)] == sorted(n.uid for n in nodes)
    assert len(list(contract_store.iter_edges(page=7))) == 56


def test_clear(contract_store: Store) -> None:
    contract_store.upsert_nodes([_ds(A)], seen=T1)
    contract_store.clear()
    assert contract_store.counts() == {}
    contract_store.upsert_nodes([_ds(A)], seen=T1)  # still usable, schema recreated
    assert contract_store.counts() == {"Dataset": 1}


def test_awkward_values_round_trip(contract_store: Store) -> None:
    tricky = ['quote " and \\ backslash', "new\nline\ttab", "émoji ✓ 雪", "", "`tick`"]
    contract_store.upsert_nodes(
        [_ds(A, notes=tricky, ratio=1e-07, big=2**53, flag=False, doc='say "hi"')], seen=T1
    )
    node = contract_store.get_node(A)
    assert node is not None
    assert node.props["notes"] == tricky
    assert (node.props["ratio"], node.props["big"], node.props["flag"]) == (1e-07, 2**53, False)
    assert node.props["doc"] == 'say "hi"'
