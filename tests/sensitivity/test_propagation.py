"""Propagation semantics on small graphs: what passes, what stops, what is retracted."""

from __future__ import annotations

import pytest

from lineage import ids, sensitivity
from lineage.errors import LineageError
from lineage.model import Edge, Kind, Label, Labeling, Node, Rel
from lineage.pipeline import delete, ingest
from lineage.sensitivity import Action, Policy
from lineage.store import Store

from .conftest import col, ds, flow, labels, table

pytestmark = pytest.mark.all_stores  # embedded and Neo4j

EMAIL = Label("PII", "EMAIL_ADDRESS")
SSN = Label("PII", "US_SSN")
MODEL = ids.model_id("mlflow://ml", "churn")
ENDPOINT = ids.make(Kind.ENDPOINT, "https://api.acme.example", "chat")
INDEX = ids.make(Kind.VECTOR_INDEX, "qdrant://vec:6333", "docs")


def _found(uid: str, label: Label = EMAIL) -> Labeling:
    return Labeling(uid, label, "presidio", 0.97, 97, 100)


def _pipeline(*edges: Edge, extra: list | None = None) -> list:
    return [
        *table("raw", "email", "ssn", "amount"),
        *table("stg", "email", "email_hash", "n_orders", "amount"),
        _found(col("raw", "email")),
        _found(col("raw", "ssn"), SSN),
        *edges,
        *(extra or []),
    ]


def test_direct_edge_passes_and_dataset_is_union_of_columns(g: Store) -> None:
    ingest(g, _pipeline(flow(col("raw", "email"), col("stg", "email"))))
    assert labels(g, col("stg", "email")) == {"PII", "PII:EMAIL_ADDRESS"}
    assert labels(g, ds("raw")) == {"PII", "PII:EMAIL_ADDRESS", "PII:US_SSN"}
    assert labels(g, ds("stg")) == {"PII", "PII:EMAIL_ADDRESS"}
    assert labels(g, col("stg", "amount")) == set()


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        ({"masking": True}, set()),
        ({"transformation_subtype": "AGGREGATION"}, set()),
        ({"transformation_type": "INDIRECT", "transformation_subtype": "FILTER"}, set()),
        ({"stale": True}, set()),
        ({"transformation_subtype": "TRANSFORMATION"}, {"PII", "PII:EMAIL_ADDRESS"}),
    ],
)
def test_what_a_column_edge_carries(g: Store, props: dict, expected: set[str]) -> None:
    ingest(g, _pipeline(flow(col("raw", "email"), col("stg", "email_hash"), **props)))
    assert labels(g, col("stg", "email_hash")) == expected


def test_masking_policy_can_pseudonymise(g: Store) -> None:
    sensitivity.set_policy(Policy(masking={"default": Action.STOP, "PII": Action.PSEUDONYMISE}))
    try:
        ingest(g, _pipeline(flow(col("raw", "email"), col("stg", "email_hash"), masking=True)))
        assert labels(g, col("stg", "email_hash")) == {
            "PSEUDONYMISED",
            "PSEUDONYMISED:PII:EMAIL_ADDRESS",
        }
    finally:
        sensitivity.set_policy(Policy())


def test_dataset_edge_without_column_detail_passes_everything_marked_coarse(g: Store) -> None:
    ingest(g, _pipeline(flow(ds("raw"), ds("stg"))))
    node = g.get_node(ds("stg"))
    assert node is not None
    assert set(node.labels) == {"PII", "PII:EMAIL_ADDRESS", "PII:US_SSN"}
    assert set(node.props["coarse_labels"]) == {"PII", "PII:EMAIL_ADDRESS", "PII:US_SSN"}
    # ...and with column detail, only the column edges carry
    ingest(g, [flow(ds("raw"), ds("stg"), column_detail=True)])
    assert labels(g, ds("stg")) == set()


def test_train_embed_serve_retrieve_reach_models_indexes_endpoints(g: Store) -> None:
    ingest(
        g,
        _pipeline(
            flow(col("raw", "email"), col("stg", "email")),
            flow(ds("stg"), MODEL, kind="train"),
            flow(ds("raw"), INDEX, kind="embed"),
            flow(MODEL, ENDPOINT, kind="serve"),
            flow(INDEX, ENDPOINT, kind="retrieve", job="job:x:rag"),
        ),
    )
    assert labels(g, MODEL) == {"PII", "PII:EMAIL_ADDRESS"}
    assert labels(g, ENDPOINT) == {"PII", "PII:EMAIL_ADDRESS", "PII:US_SSN"}
    paths = sensitivity.why(g, ENDPOINT, "PII:US_SSN")
    assert [h.uid for h in paths[0].hops] == [col("raw", "ssn"), ds("raw"), INDEX, ENDPOINT]
    assert paths[0].evidence[0]["detector"] == "presidio"


def test_removing_an_edge_or_a_label_retracts_downstream_at_once(g: Store) -> None:
    e = flow(col("raw", "email"), col("stg", "email"))
    ingest(g, _pipeline(e, flow(ds("stg"), MODEL, kind="train"), flow(MODEL, ENDPOINT)))
    assert "PII:EMAIL_ADDRESS" in labels(g, ENDPOINT)
    delete(g, edges=[(e.src, e.rel, e.dst, e.key)])
    assert labels(g, ENDPOINT) == set() and labels(g, MODEL) == set()
    # a re-scan that no longer finds the SSN retracts it from the raw dataset
    sensitivity.replace_detected(g, {col("raw", "ssn"): []}, "presidio")
    assert labels(g, ds("raw")) == {"PII", "PII:EMAIL_ADDRESS"}


def test_cycles_reach_a_fixpoint_and_lose_circular_support(g: Store) -> None:
    a, b, c = col("stg", "email"), col("stg", "email_hash"), col("stg", "n_orders")
    ingest(g, _pipeline(flow(col("raw", "email"), a), flow(a, b), flow(b, c), flow(c, a)))
    assert all("PII:EMAIL_ADDRESS" in labels(g, x) for x in (a, b, c))
    delete(g, edges=[(col("raw", "email"), Rel.FLOWS_TO, a, "job:postgres://db:5432:j")])
    assert [labels(g, x) for x in (a, b, c)] == [set(), set(), set()]


def test_node_deletion_retracts(g: Store) -> None:
    ingest(g, _pipeline(flow(col("raw", "email"), col("stg", "email"))))
    delete(g, nodes=[col("raw", "email")])
    assert labels(g, col("stg", "email")) == set()
    assert labels(g, ds("raw")) == {"PII", "PII:US_SSN"}


def test_declare_and_declassify_are_recorded_and_propagate(g: Store) -> None:
    ingest(g, _pipeline(flow(col("raw", "amount"), col("stg", "amount"))))
    with pytest.raises(LineageError):
        sensitivity.declare(g, col("raw", "amount"), "PCI", reason=" ", who="ana")
    sensitivity.declare(g, col("raw", "amount"), "pci", reason="card spend", who="ana")
    assert labels(g, col("stg", "amount")) == {"PCI"}
    edge = (col("raw", "amount"), col("stg", "amount"), "job:postgres://db:5432:j")
    sensitivity.declassify(g, edge, ["PCI"], reason="amounts are rounded", who="bob")
    assert labels(g, col("stg", "amount")) == set()
    sensitivity.reclassify(g, edge, ["PCI"], reason="rounding removed", who="bob")
    assert labels(g, col("stg", "amount")) == {"PCI"}
    sensitivity.declassify(g, ds("stg"), ["*"], reason="synthetic copy", who="cy")
    node = g.get_node(ds("stg"))
    assert node is not None and node.labels == ()
    log = node.props["declassification_log"]
    assert '"by": "cy"' in log[0] and '"reason": "synthetic copy"' in log[0]
    sensitivity.undeclare(g, col("raw", "amount"), "PCI")
    assert labels(g, col("stg", "amount")) == set()


def test_recompute_finds_nothing_to_change_after_incremental_updates(g: Store) -> None:
    ingest(g, _pipeline(flow(col("raw", "email"), col("stg", "email")), flow(ds("stg"), MODEL)))
    assert sensitivity.recompute(g).written == 0
    # recompute repairs labels written behind its back (e.g. an old import)
    g.set_props(MODEL, {"labels": ["SECRET"]})
    assert sensitivity.recompute(g).written == 1
    assert labels(g, MODEL) == {"PII", "PII:EMAIL_ADDRESS"}


def test_additions_only_touch_nodes_whose_labels_grow(g: Store) -> None:
    ingest(g, _pipeline(flow(col("raw", "email"), col("stg", "email"))))
    other = [Node(ds(f"x{i}"), Kind.DATASET, f"x{i}", "postgres://db:5432") for i in range(50)]
    ingest(g, other + [flow(ds(f"x{i}"), ds(f"x{i + 1}")) for i in range(49)])
    out = sensitivity.refresh(g, [ds("x1")])
    assert out.mode == "grow" and out.written == 0


def test_policy_file_is_validated(tmp_path) -> None:
    from lineage.errors import ConfigError
    from lineage.sensitivity import load_policy

    good = tmp_path / "policy.yaml"
    good.write_text("masking: {default: stop, PII: pseudonymise}\naggregation: {PHI: pass}\n")
    policy = load_policy(good)
    assert policy.action(policy.masking, "PII") is Action.PSEUDONYMISE
    assert policy.action(policy.masking, "PCI") is Action.STOP
    assert policy.action(policy.aggregation, "PHI") is Action.PASS
    bad = tmp_path / "bad.yaml"
    bad.write_text("masking: {PII: shred}\n")
    with pytest.raises(ConfigError, match="shred"):
        load_policy(bad)
    bad.write_text("masks: {}\n")
    with pytest.raises(ConfigError, match="unknown"):
        load_policy(bad)


def test_reingesting_an_edge_as_masked_or_stale_retracts(g: Store) -> None:
    e = flow(col("raw", "email"), col("stg", "email"))
    ingest(g, _pipeline(e, flow(ds("stg"), MODEL, kind="train")))
    assert "PII:EMAIL_ADDRESS" in labels(g, MODEL)
    ingest(g, [flow(col("raw", "email"), col("stg", "email"), masking=True)])
    assert labels(g, col("stg", "email")) == set() and labels(g, MODEL) == set()
    ingest(g, [flow(col("raw", "email"), col("stg", "email"), masking=False)])
    assert "PII:EMAIL_ADDRESS" in labels(g, MODEL)
    ingest(g, [flow(col("raw", "email"), col("stg", "email"), stale=True)])
    assert labels(g, MODEL) == set()


def test_why_follows_a_label_through_pseudonymisation(g: Store) -> None:
    sensitivity.set_policy(Policy(masking={"default": Action.PSEUDONYMISE}))
    try:
        ingest(g, _pipeline(flow(col("raw", "email"), col("stg", "email_hash"), masking=True)))
        paths = sensitivity.why(g, ds("stg"), "PSEUDONYMISED")
        assert [(h.uid, h.label) for h in paths[0].hops] == [
            (col("raw", "email"), "PII:EMAIL_ADDRESS"),
            (col("stg", "email_hash"), "PSEUDONYMISED:PII:EMAIL_ADDRESS"),
            (ds("stg"), "PSEUDONYMISED:PII:EMAIL_ADDRESS"),
        ]
        assert paths[0].hops[1].edge["masking"] is True
        assert sensitivity.why(g, ds("stg"), "PII:US_SSN") == []
    finally:
        sensitivity.set_policy(Policy())
