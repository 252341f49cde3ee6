"""Lineage at dataset and column level, search, and the risk formula's golden values."""

from __future__ import annotations

import json

import pytest
from graph_builder import Builder, col, ds, endpoint, model

from lineage.errors import LineageError, NodeNotFound
from queries.exposure import exposure_paths
from queries.lineage import lineage
from queries.risk import access, label_confidence, risk
from queries.search import search

pytestmark = pytest.mark.all_stores  # embedded and Neo4j


def _estate(store):
    job = "job:postgres://db:5432:build_b"
    return (
        Builder(store)
        .flow("a.x", "b.x", via=job)
        .flow("a.y", "b.y", via=job, transformation_type="INDIRECT", transformation_subtype="JOIN")
        .flow("a", "b", via=job, column_detail=True)
        .flow("b", "c", stale=True)
        .flow("b", model("m"), kind="train")
        .flow(model("m"), endpoint("chat"), kind="serve")
        .endpoint("chat", "public")
        .write()
    )


def test_dataset_lineage_up_and_down_with_depth(store):
    _estate(store)
    up = lineage(store, endpoint("chat"), direction="up")
    assert [(n.node.uid, n.depth) for n in up.nodes] == [
        (model("m"), 1),
        (ds("b"), 2),
        (ds("a"), 3),
    ]
    assert lineage(store, endpoint("chat"), depth=2).depth_reached == 2
    down = lineage(store, ds("a"), direction="down")
    assert {n.node.uid for n in down.nodes} == {ds("b"), model("m"), endpoint("chat")}
    with_stale = lineage(store, ds("a"), direction="down", include_stale=True)
    assert ds("c") in {n.node.uid for n in with_stale.nodes}


def test_column_lineage_includes_indirect_dependencies(store):
    _estate(store)
    up = lineage(store, ds("b"), level="column")
    assert {n.node.uid for n in up.nodes} == {col("a", "x"), col("a", "y")}
    edge = next(e for e in up.edges if e.src == col("a", "y"))
    assert (edge.transformation_type, edge.transformation_subtype) == ("INDIRECT", "JOIN")
    # a column asked at dataset level answers for its table
    assert {n.node.uid for n in lineage(store, col("b", "x")).nodes} == {ds("a")}


def test_lineage_errors(store):
    _estate(store)
    with pytest.raises(NodeNotFound):
        lineage(store, ds("missing"))
    with pytest.raises(LineageError):
        lineage(store, ds("a"), level="row")  # type: ignore[arg-type]


def test_search_by_name_kind_and_pages(store):
    _estate(store)
    assert [r.uid for r in search(store, "B.", kind="Column").results] == [
        col("b", "x"),
        col("b", "y"),
    ]
    first = search(store, "app.", limit=2)
    assert len(first.results) == 2 and first.next_after == first.results[-1].uid
    rest = search(store, "app.", limit=50, after=first.next_after)
    assert rest.next_after is None
    assert not {r.uid for r in first.results} & {r.uid for r in rest.results}
    assert search(store, "chat", kind="Endpoint").results[0].uid == endpoint("chat")
    with pytest.raises(LineageError):
        search(store, "x", kind="Table")


def test_risk_formula_golden_values():
    r = risk(["PII", "PII:US_SSN"], kind="Endpoint", exposure_value="external", principals=9)
    # 100 x 1.0 (US_SSN) x 0.8 (external) x (0.4 + 0.6 x log10(10)/2 = 0.7) x 1.0
    assert r.score == pytest.approx(56.0)
    assert [f.name for f in r.factors] == ["sensitivity", "exposure", "access", "confidence"]
    assert "US_SSN" in r.explain() and "external endpoint" in r.explain()
    shadow = risk(["PCI"], kind="Model", registered=False, coarse_hops=1, origin_confidence=0.5)
    assert shadow.score == pytest.approx(round(100 * 0.95 * 0.7 * 0.4 * 0.5 * 0.85, 1))
    assert risk([], kind="Endpoint", exposure_value="public").score == 0
    assert access(0).value == pytest.approx(0.4) and access(1000).value == 1.0
    evidence = [
        json.dumps({"label": "PII:EMAIL_ADDRESS", "detector": "presidio", "confidence": 0.7})
    ]
    assert label_confidence(evidence, "PII") == 0.7
    assert label_confidence(evidence, "PHI") == 1.0


def test_runtime_anomalies_raise_an_endpoints_risk(store):
    """Gateway-observed abuse multiplies the score (1 + 0.5 x anomaly), capped at 100."""
    calm = risk(["PII:EMAIL_ADDRESS"], kind="Endpoint", exposure_value="external", principals=3)
    abused = risk(
        ["PII:EMAIL_ADDRESS"], kind="Endpoint", exposure_value="external", principals=3,
        runtime_score=0.8, runtime_findings=["EXTRACTION_VOLUME"],
    )  # fmt: skip
    assert abused.score == pytest.approx(calm.score * 1.4, abs=0.1)
    assert "runtime" in abused.explain() and "EXTRACTION_VOLUME" in abused.explain()
    assert "runtime" not in calm.explain()
    worst = risk(["SECRET"], kind="Endpoint", exposure_value="public", runtime_score=1.0)
    assert worst.score == 100.0

    Builder(store).flow("t.email", endpoint("api"), kind="serve").endpoint(
        "api", "external", "u1"
    ).write().labels("t.email", ["PII", "PII:EMAIL_ADDRESS"], own=["PII:EMAIL_ADDRESS"]).labels(
        endpoint("api"), ["PII", "PII:EMAIL_ADDRESS"]
    )
    before = exposure_paths(store).results[0].risk.score
    store.set_props(endpoint("api"), {"runtime_anomaly_score": 1.0,
                                      "runtime_findings": ["INPUT_SWEEP"]})  # fmt: skip
    after = exposure_paths(store).results[0]
    assert after.risk.score == pytest.approx(min(100.0, before * 1.5), abs=0.1)
    assert "INPUT_SWEEP" in after.risk.explain()
