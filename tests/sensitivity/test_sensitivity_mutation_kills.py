"""lineage/sensitivity edges no test in the mutation selection pinned, found by the mutants
that survived it (BENCHMARKS.md, "Mutation score of the core packages"). Expected values
are literals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lineage import sensitivity
from lineage.errors import ConfigError, NodeNotFound
from lineage.model import Label, Labeling, Rel
from lineage.pipeline import delete, ingest
from lineage.sensitivity import Action, Hop, LabelPath, Policy, cypher, load_policy, propagate
from lineage.sensitivity.own import apply_labelings, evidence
from lineage.sensitivity.propagate import Outcome
from lineage.sensitivity.rules import EdgeRule, coarse
from lineage.sensitivity.state import chunks
from lineage.store import Store

from .conftest import col, ds, flow, labels, table


def _found(field: str, entity: str) -> Labeling:
    """What presidio reports for a PII column of ``raw``."""
    return Labeling(col("raw", field), Label("PII", entity), "presidio", 0.97, 97, 100)


def test_policy_keys_are_upper_cased_values_lower_cased_default_kept() -> None:
    policy = Policy.from_mapping(
        {"masking": {"default": "PASS", "pii": "Pseudonymise"}, "aggregation": {"Finance": "pass"}}
    )
    assert dict(policy.masking) == {"default": Action.PASS, "PII": Action.PSEUDONYMISE}
    assert dict(policy.aggregation) == {"default": Action.STOP, "FINANCE": Action.PASS}
    assert policy.fingerprint() == (
        "masking.PII=pseudonymise;masking.default=pass;"
        "aggregation.FINANCE=pass;aggregation.default=stop"
    )


def test_the_default_policy_stops_both() -> None:
    assert Policy().fingerprint() == "masking.default=stop;aggregation.default=stop"
    assert Policy.from_mapping({}).fingerprint() == (
        "masking.default=stop;aggregation.default=stop"
    )


def test_policy_action_falls_back_to_default_then_stop() -> None:
    policy = Policy()
    assert policy.action({"PII": Action.PASS, "default": Action.PSEUDONYMISE}, "PII") is Action.PASS
    assert policy.action({"default": Action.PSEUDONYMISE}, "PII") is Action.PSEUDONYMISE
    assert policy.action({}, "PII") is Action.STOP


def test_policy_errors_name_the_key_and_the_choices() -> None:
    with pytest.raises(ConfigError) as caught:
        Policy.from_mapping({"masking": {"PII": "hide"}})
    assert str(caught.value) == (
        "label policy: PII: 'hide' is not one of "
        "[<Action.PASS: 'pass'>, <Action.STOP: 'stop'>, <Action.PSEUDONYMISE: 'pseudonymise'>]"
    )
    with pytest.raises(ConfigError) as unknown:
        Policy.from_mapping({"masking": {}, "zeta": 1, "alpha": 2})
    assert str(unknown.value) == "label policy: unknown keys ['alpha', 'zeta']"


def test_load_policy_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("masking: {PII: pseudonymise}\n", encoding="utf-8")
    monkeypatch.setenv("LINEAGE_LABEL_POLICY", str(path))
    assert load_policy().fingerprint() == (
        "masking.PII=pseudonymise;masking.default=stop;aggregation.default=stop"
    )
    monkeypatch.delenv("LINEAGE_LABEL_POLICY")
    assert load_policy() == Policy()


def test_load_policy_errors_name_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "none.yaml"
    with pytest.raises(ConfigError, match=r"^label policy .*none\.yaml: "):
        load_policy(missing)
    listed = tmp_path / "list.yaml"
    listed.write_text("- masking\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_policy(listed)
    assert str(caught.value) == f"label policy {listed}: expected a mapping"
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    assert load_policy(empty) == Policy()


def test_why_paths_as_json() -> None:
    plain = Hop("dataset:a", "PII:EMAIL_ADDRESS")
    masked = Hop("dataset:b", "PII:EMAIL_ADDRESS", True, {"rel": "FLOWS_TO", "kind": "mask"})
    path = LabelPath("dataset:a", (plain, masked), ({"label": "PII:EMAIL_ADDRESS"},))
    assert path.to_dict() == {
        "origin": "dataset:a",
        "evidence": [{"label": "PII:EMAIL_ADDRESS"}],
        "hops": [
            {"uid": "dataset:a", "label": "PII:EMAIL_ADDRESS"},
            {
                "uid": "dataset:b",
                "label": "PII:EMAIL_ADDRESS",
                "coarse": True,
                "edge": {"rel": "FLOWS_TO", "kind": "mask"},
            },
        ],
    }


def test_a_hop_between_datasets_is_dataset_level_unless_it_says_column() -> None:
    assert EdgeRule.of({}, "Dataset", "Dataset").to_coarse is True
    assert EdgeRule.of({"granularity": "dataset"}, "Dataset", "Dataset").to_coarse is True
    assert EdgeRule.of({"granularity": "column"}, "Dataset", "Dataset").to_coarse is False
    assert EdgeRule.of({}, "Column", "Column").to_coarse is False
    assert EdgeRule.of({}, "Dataset", "Model").to_coarse is False


def test_a_declared_label_keeps_who_why_and_when(g: Store) -> None:
    ingest(g, table("raw", "amount"))
    sensitivity.declare(g, col("raw", "amount"), "pci", reason="card spend", who="ana")
    (record,) = evidence(g, [col("raw", "amount")])[col("raw", "amount")]
    assert {k: v for k, v in record.items() if k != "at"} == {
        "label": "PCI",
        "detector": "declared",
        "confidence": 1.0,
        "hits": 0,
        "sampled": 0,
        "by": "ana",
        "reason": "card spend",
    }
    assert record["at"].startswith("20")


def test_a_full_recompute_labels_nodes_that_held_nothing_and_honours_declassified_hops(
    g: Store,
) -> None:
    amount = (col("raw", "amount"), col("stg", "amount"), "job:postgres://db:5432:j")
    ingest(
        g,
        [
            *table("raw", "email", "amount"),
            *table("stg", "email", "amount"),
            _found("email", "EMAIL_ADDRESS"),
            flow(col("raw", "email"), col("stg", "email")),
            flow(*amount[:2]),
        ],
    )
    sensitivity.declare(g, col("raw", "amount"), "PCI", reason="card spend", who="ana")
    sensitivity.declassify(g, amount, ["PCI"], reason="amounts are rounded", who="bob")
    # The derived state lost (as after a bulk import, which writes only own labels):
    lost = [col("stg", "email"), col("stg", "amount"), ds("stg")]
    rows = [{"uid": uid, "labels": None, "coarse": None, "sources": None} for uid in lost]
    g.execute(cypher.SET_LABEL_STATE, {"rows": rows})
    assert labels(g, col("stg", "email")) == set()
    outcome = sensitivity.recompute(g)
    assert outcome == Outcome("full", 5, 2)  # raw.email, raw.amount, raw, stg.email, stg
    assert labels(g, col("stg", "email")) == {"PII", "PII:EMAIL_ADDRESS"}
    assert labels(g, ds("stg")) == {"PII", "PII:EMAIL_ADDRESS"}
    assert labels(g, col("stg", "amount")) == set()


def test_refresh_retracts_support_lost_even_when_not_told_lossy(g: Store) -> None:
    hop = flow(col("raw", "email"), col("stg", "email"))
    ingest(
        g, [*table("raw", "email"), *table("stg", "email"), _found("email", "EMAIL_ADDRESS"), hop]
    )
    assert labels(g, col("stg", "email")) == {"PII", "PII:EMAIL_ADDRESS"}
    g.delete_edges([(hop.src, hop.rel, hop.dst, hop.key)])  # behind propagation's back
    outcome = sensitivity.refresh(g, [col("stg", "email")])
    assert outcome.mode == "region"
    assert labels(g, col("stg", "email")) == set()


def test_evidence_is_stored_as_canonical_json_with_a_time_of_its_own(g: Store) -> None:
    ingest(g, table("raw", "email"))
    found = _found("email", "EMAIL_ADDRESS")
    assert apply_labelings(g, [found]) == {col("raw", "email")}
    node = g.get_node(col("raw", "email"))
    assert node is not None
    (stored,) = node.props["label_evidence"]
    at = json.loads(stored)["at"]
    assert at.startswith("20") and at.endswith("Z")
    assert stored == (
        f'{{"at": "{at}", "confidence": 0.97, "detector": "presidio", "hits": 97, '
        f'"label": "PII:EMAIL_ADDRESS", "sampled": 100}}'
    )


def test_a_column_level_hop_between_datasets_passes_labels_not_marked_coarse(g: Store) -> None:
    ingest(g, [*table("raw", "email"), *table("stg", "email")])
    ingest(g, [flow(ds("raw"), ds("stg"), granularity="column")])
    ingest(g, [_found("email", "EMAIL_ADDRESS")])  # arrives later: pushed along the stored hop
    node = g.get_node(ds("stg"))
    assert node is not None and set(node.labels) == {"PII", "PII:EMAIL_ADDRESS"}
    assert not node.props.get("coarse_labels")


def test_a_declassified_node_stops_a_label_that_arrives_later(g: Store) -> None:
    hop = flow(col("raw", "email"), col("stg", "email"))
    ingest(g, [*table("raw", "email"), *table("stg", "email"), hop])
    sensitivity.declassify(g, col("stg", "email"), ["PII"], reason="synthetic", who="cy")
    ingest(g, [_found("email", "EMAIL_ADDRESS")])  # pushed downstream, into the declassified column
    assert labels(g, col("raw", "email")) == {"PII", "PII:EMAIL_ADDRESS"}
    assert labels(g, col("stg", "email")) == set()


def test_ids_are_read_in_chunks_of_exactly_the_size() -> None:
    assert list(chunks("abcde", size=2)) == [["a", "b"], ["c", "d"], ["e"]]
    assert list(chunks("ab", size=2)) == [["a", "b"]]
    assert list(chunks("", size=2)) == []


def test_the_process_policy_is_loaded_from_the_environment_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("aggregation: {FINANCE: pass}\n", encoding="utf-8")
    monkeypatch.setenv("LINEAGE_LABEL_POLICY", str(path))
    monkeypatch.setattr(propagate, "_POLICY", [])
    loaded = sensitivity.current_policy()
    assert loaded.fingerprint() == (
        "masking.default=stop;aggregation.FINANCE=pass;aggregation.default=stop"
    )
    path.write_text("aggregation: {FINANCE: stop}\n", encoding="utf-8")
    assert sensitivity.current_policy() is loaded


def test_masking_and_aggregation_apply_the_policy_per_category() -> None:
    masked = EdgeRule.of({"masking": True}, "Column", "Column")
    pseudo = Policy(masking={"PII": Action.PSEUDONYMISE, "default": Action.STOP})
    assert masked.passes({"PII:EMAIL_ADDRESS", "PCI"}, pseudo) == {
        "PSEUDONYMISED:PII:EMAIL_ADDRESS"
    }
    assert masked.passes({"~PII:EMAIL_ADDRESS"}, pseudo) == {"~PSEUDONYMISED:PII:EMAIL_ADDRESS"}
    summed = EdgeRule.of({"transformation_subtype": "AGGREGATION"}, "Column", "Column")
    finance = Policy(aggregation={"FINANCE": Action.PASS})
    assert summed.passes({"FINANCE:REVENUE", "PII:US_SSN"}, finance) == {"FINANCE:REVENUE"}
    assert summed.passes({"FINANCE:REVENUE"}, Policy()) == set()
    assert coarse(coarse("PII")) == coarse("PII") == "~PII"


def test_losing_one_input_keeps_what_the_other_supplies_all_the_way_down(g: Store) -> None:
    ssn_hop = flow(col("raw", "ssn"), col("stg", "id"))
    ingest(
        g,
        [
            *table("raw", "email", "ssn"),
            *table("stg", "id"),
            *table("mart", "id"),
            _found("email", "EMAIL_ADDRESS"),
            _found("ssn", "US_SSN"),
            flow(col("raw", "email"), col("stg", "id")),
            ssn_hop,
            flow(col("stg", "id"), col("mart", "id")),
        ],
    )
    assert labels(g, col("mart", "id")) == {"PII", "PII:EMAIL_ADDRESS", "PII:US_SSN"}
    delete(g, edges=[(ssn_hop.src, ssn_hop.rel, ssn_hop.dst, ssn_hop.key)])
    assert labels(g, col("stg", "id")) == {"PII", "PII:EMAIL_ADDRESS"}
    assert labels(g, col("mart", "id")) == {"PII", "PII:EMAIL_ADDRESS"}
    assert labels(g, ds("mart")) == {"PII", "PII:EMAIL_ADDRESS"}


def test_dropping_a_column_from_its_dataset_takes_its_labels_off_the_dataset(g: Store) -> None:
    ingest(
        g,
        [*table("raw", "email", "ssn"), _found("email", "EMAIL_ADDRESS"), _found("ssn", "US_SSN")],
    )
    assert labels(g, ds("raw")) == {"PII", "PII:EMAIL_ADDRESS", "PII:US_SSN"}
    delete(g, edges=[(ds("raw"), Rel.HAS_COLUMN, col("raw", "ssn"), "")])
    assert labels(g, ds("raw")) == {"PII", "PII:EMAIL_ADDRESS"}


def test_a_declassification_log_entry_says_what_who_why_and_a_missing_node_is_named(
    g: Store,
) -> None:
    ingest(g, table("stg", "email"))
    sensitivity.declassify(g, ds("stg"), ["pii"], reason="synthetic copy", who="cy")
    sensitivity.reclassify(g, ds("stg"), ["PII"], reason="real rows now", who="dee")
    node = g.get_node(ds("stg"))
    assert node is not None
    entries = [json.loads(line) for line in node.props["declassification_log"]]
    assert [{k: v for k, v in e.items() if k != "at"} for e in entries] == [
        {"action": "declassify", "labels": ["PII"], "by": "cy", "reason": "synthetic copy"},
        {"action": "reclassify", "labels": ["PII"], "by": "dee", "reason": "real rows now"},
    ]
    with pytest.raises(NodeNotFound) as missing:
        sensitivity.declassify(g, ds("nope"), ["PII"], reason="r", who="x")
    assert missing.value.uid == ds("nope")


def test_hops_out_of_unlabelled_nodes_are_a_noop(g: Store) -> None:
    hop = flow(col("raw", "email"), col("stg", "email"))
    ingest(g, [*table("raw", "email"), *table("stg", "email"), hop])
    assert propagate.refresh_edges(g, [(hop.src, hop.dst)]) == Outcome("noop", 0, 0)
