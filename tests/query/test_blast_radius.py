"""Golden blast radii on hand-made graphs: chain, diamond, cycle, masking, INDIRECT, stale,
and column roll-up."""

from __future__ import annotations

import pytest
from graph_builder import Builder, chain, col, ds, endpoint, model

from lineage.errors import NodeNotFound
from queries.blast_radius import blast_radius

pytestmark = pytest.mark.all_stores  # embedded and Neo4j


def _radius(r) -> dict[str, int]:
    return {a.node.uid: a.depth for a in r.affected}


def test_chain_downstream_upstream_and_depth(store):
    chain(store, "a", "b", "c")
    assert _radius(blast_radius(store, ds("a"))) == {ds("b"): 1, ds("c"): 2}
    assert _radius(blast_radius(store, ds("c"), direction="up")) == {ds("b"): 1, ds("a"): 2}
    shallow = blast_radius(store, ds("a"), depth=1)
    assert _radius(shallow) == {ds("b"): 1}
    assert shallow.depth_reached == 1
    assert blast_radius(store, ds("c")).affected == ()


def test_diamond_counts_each_node_once_at_its_shortest_depth(store):
    Builder(store).chain("a", "b", "d").chain("a", "c", "d").chain("d", "e").write()
    r = blast_radius(store, ds("a"))
    assert _radius(r) == {ds("b"): 1, ds("c"): 1, ds("d"): 2, ds("e"): 3}
    assert r.by_kind == {"Dataset": 4}
    assert [h.src for h in r.edges if h.dst == ds("d")] == sorted([ds("b"), ds("c")])


def test_cycle_terminates_and_excludes_the_origin(store):
    chain(store, "a", "b", "c", "a")
    r = blast_radius(store, ds("a"))
    assert _radius(r) == {ds("b"): 1, ds("c"): 2}
    assert r.depth_reached == 2


@pytest.mark.parametrize(
    "props",
    [{"masking": True}, {"transformation_type": "INDIRECT", "transformation_subtype": "FILTER"}],
    ids=["masking", "indirect"],
)
def test_masking_and_indirect_edges_stop_leaks_but_not_poison(store, props):
    Builder(store).flow("a", "b", **props).flow("b", "c").write()
    assert _radius(blast_radius(store, ds("a"))) == {}
    assert _radius(blast_radius(store, ds("a"), mode="integrity")) == {ds("b"): 1, ds("c"): 2}
    # upstream of c in confidentiality mode stops at the same edge
    assert _radius(blast_radius(store, ds("c"), direction="up")) == {ds("b"): 1}


def test_stale_edges_only_when_asked(store):
    Builder(store).flow("a", "b", stale=True).flow("a", "c").write()
    assert _radius(blast_radius(store, ds("a"))) == {ds("c"): 1}
    with_stale = blast_radius(store, ds("a"), include_stale=True)
    assert _radius(with_stale) == {ds("b"): 1, ds("c"): 1}
    assert any(h.stale for h in with_stale.edges)


def _column_estate(store):
    """a.x -DIRECT-> b.x, a.y -INDIRECT-> b.y (dataset edge a->b has column detail);
    b trains m (dataset-level, coarse), m is served by a public endpoint."""
    job = "job:postgres://db:5432:build_b"
    return (
        Builder(store)
        .flow("a.x", "b.x", via=job)
        .flow("a.y", "b.y", via=job, transformation_type="INDIRECT", transformation_subtype="JOIN")
        .flow("a", "b", via=job, column_detail=True, transformation_subtype="TRANSFORMATION")
        .flow("b", model("m"), kind="train")
        .flow(model("m"), endpoint("chat"), kind="serve")
        .endpoint("chat", "public", "alice", "bob")
        .write()
    )


def test_column_edges_replace_detailed_dataset_edges_in_confidentiality_mode(store):
    _column_estate(store)
    r = blast_radius(store, ds("a"))
    # a.y carries nothing on (its only edge is INDIRECT), so it is not listed
    assert _radius(r) == {
        col("a", "x"): 0,
        col("b", "x"): 1,
        ds("b"): 1,
        model("m"): 2,
        endpoint("chat"): 3,
    }
    assert r.by_kind == {"Column": 2, "Dataset": 1, "Endpoint": 1, "Model": 1}
    assert {a.node.uid: a.dataset for a in r.affected if a.node.kind == "Column"} == {
        col("a", "x"): ds("a"),
        col("b", "x"): ds("b"),
    }
    # the INDIRECT column leaks nothing; in integrity mode it poisons b and what b feeds
    assert _radius(blast_radius(store, col("a", "y"))) == {}
    poisoned = blast_radius(store, col("a", "y"), mode="integrity")
    assert {col("b", "y"), ds("b"), model("m"), endpoint("chat")} <= set(_radius(poisoned))


def test_endpoints_and_models_are_ranked_with_a_witness_path(store):
    _column_estate(store)
    b = Builder(store)
    b.labels("b", ["PII", "PII:EMAIL_ADDRESS"]).labels(model("m"), ["PII", "PII:EMAIL_ADDRESS"])
    b.labels(endpoint("chat"), ["PII", "PII:EMAIL_ADDRESS"])
    r = blast_radius(store, col("a", "x"))
    assert [x.node.uid for x in r.ranked] == [endpoint("chat"), model("m")]
    top = r.endpoints[0]
    assert top.principals == ("principal:okta://acme:alice", "principal:okta://acme:bob")
    assert [n.uid for n in top.path.nodes] == [
        col("a", "x"),
        col("b", "x"),
        ds("b"),
        model("m"),
        endpoint("chat"),
    ]
    assert [h.transformation for h in top.path.hops] == [
        "DIRECT/IDENTITY",
        "part of",
        "DIRECT/IDENTITY (dataset-level)",
        "DIRECT/IDENTITY (dataset-level)",
    ]
    # public endpoint, PII:EMAIL_ADDRESS (0.8), 2 coarse hops: 100*0.8*1*1*0.85^2
    assert top.risk.score == pytest.approx(57.8)
    assert "public endpoint" in top.risk.explain()
    assert r.labels == ("PII", "PII:EMAIL_ADDRESS")


def test_unknown_origin_is_an_error(store):
    with pytest.raises(NodeNotFound):
        blast_radius(store, ds("nope"))
