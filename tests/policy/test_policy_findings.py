"""Matches find what they say; findings are deduplicated, resolved and re-opened."""

from __future__ import annotations

import pytest
from graphs import NS, flow, label, node, uid, write

from lineage import pipeline
from lineage.model import Edge, Kind, Rel
from lineage.policy import Enforcer, list_findings, load_text
from lineage.policy.findings import fingerprint
from lineage.store import Store

pytestmark = pytest.mark.all_stores  # embedded and Neo4j

TRAINING = """\
id: t
description: no PII in training data of exposed models
severity: critical
match: {kind: training_data_of_exposed_model, categories: [PII]}
"""

DS = uid(Kind.DATASET, "crm.public.users")
FEAT = uid(Kind.DATASET, "ml.public.features")
MODEL = uid(Kind.MODEL, "ranker", "mlflow://r")
EP = uid(Kind.ENDPOINT, "rank-api", "https://api.x")
TRAIN = "job:airflow:train"


def _estate(store: Store, exposure: str = "external") -> None:
    write(
        store,
        node(DS),
        node(FEAT),
        node(MODEL, registered=True),
        node(EP, exposure=exposure),
        flow(DS, FEAT),
        flow(FEAT, MODEL, "train", TRAIN),
        flow(MODEL, EP, "serve", "job:airflow:serve"),
        label(DS, "PII:EMAIL_ADDRESS"),
    )


def test_training_match_dedup_resolve_reopen(store: Store) -> None:
    _estate(store)
    (policy,) = load_text(TRAINING)
    enforcer = Enforcer(store, [policy])
    first = enforcer.check()
    (f,) = first.new
    assert f.fingerprint == fingerprint(
        "t", policy.match.kind, [("model", MODEL), ("endpoint", EP)]
    )
    assert f.roles == {"origin": DS, "dataset": FEAT, "model": MODEL, "endpoint": EP}
    assert f.status == "open" and f.labels == ["PII", "PII:EMAIL_ADDRESS"]
    assert f.evidence[0]["nodes"] == [DS, FEAT, MODEL, EP]
    assert f.risk > 0 and "external endpoint" in f.explanation

    second = enforcer.check()  # dedup: same finding, first_seen kept, last_seen moves
    assert not second.new and [g.fingerprint for g in second.ongoing] == [f.fingerprint]
    assert second.ongoing[0].first_seen == f.first_seen
    assert second.ongoing[0].last_seen >= f.last_seen
    assert len(list_findings(store).findings) == 1

    # the violation disappears (the feature job no longer reads users): auto-resolved
    pipeline.delete(store, edges=[(DS, Rel.FLOWS_TO, FEAT, "job:airflow:j")])
    third = enforcer.check()
    assert [g.fingerprint for g in third.resolved] == [f.fingerprint]
    (stored,) = list_findings(store, status="resolved").findings
    assert stored.resolved_at and stored.status == "resolved"
    assert not list_findings(store, status="open").findings

    # and comes back: the same finding, re-opened, counted
    write(store, flow(DS, FEAT))
    fourth = enforcer.check()
    (again,) = fourth.reopened
    assert again.fingerprint == f.fingerprint and again.occurrences == 2
    assert again.first_seen == f.first_seen and again.status == "open"


def test_internal_endpoint_and_masking_do_not_violate(store: Store) -> None:
    _estate(store, exposure="internal")
    (policy,) = load_text(TRAINING)
    assert Enforcer(store, [policy]).check().current == []
    # exposed, but the training edge masks values: no PII reaches the model
    write(store, node(EP, exposure="public"))
    pipeline.delete(store, edges=[(FEAT, Rel.FLOWS_TO, MODEL, TRAIN)])
    masked = flow(FEAT, MODEL, "train", TRAIN)
    write(store, Edge(masked.src, masked.rel, masked.dst, {**masked.props, "masking": True}, TRAIN))
    assert Enforcer(store, [policy]).check().current == []


def test_other_match_kinds(store: Store) -> None:
    shadow = uid(Kind.MODEL, "gpt-wrapper", "https://api.openai.com")
    index = uid(Kind.VECTOR_INDEX, "notes", "qdrant://q:6333")
    rag = uid(Kind.ENDPOINT, "health-bot", "https://bot.x")
    cards = uid(Kind.ENDPOINT, "payments-api", "https://pay.x")
    notebook = uid(Kind.JOB, "nb/explore.ipynb", "notebook")
    ann = uid(Kind.PRINCIPAL, "ann", "okta")
    bob = uid(Kind.PRINCIPAL, "bob", "okta")
    notes = uid(Kind.DATASET, "ehr.public.notes")
    pay = uid(Kind.DATASET, "pay.public.cards")
    write(
        store,
        node(shadow, registered=False),
        node(index),
        node(rag, exposure="public"),
        node(cards, exposure="internal"),
        node(notebook, job_type="notebook"),
        node(ann, groups=["payments"]),
        node(bob, groups=["support"]),
        node(notes),
        node(pay),
        flow(DS, shadow, "infer"),
        flow(notes, index, "embed"),
        flow(index, rag, "retrieve"),
        flow(pay, cards, "serve"),
        Edge(ann, Rel.CAN_ACCESS, cards, {"permission": "invoke"}, key="iam"),
        Edge(bob, Rel.CAN_ACCESS, cards, {"permission": "invoke"}, key="iam"),
        label(DS, "PII:PERSON"),
        label(notes, "PHI:MEDICAL_RECORD"),
        label(pay, "PCI:CREDIT_CARD"),
        label(notebook, "SECRET:AWS_ACCESS_KEY"),
    )
    policies = load_text(
        """
- {id: shadow, description: d, severity: high, match: {kind: shadow_model_receives}}
- {id: index, description: d, severity: critical,
   match: {kind: index_retrievable_by_public_endpoint, categories: [PHI]}}
- {id: nb, description: d, severity: high, match: {kind: secret_in_notebook}}
- {id: pci, description: d, severity: high,
   match: {kind: principal_outside_group_accesses, categories: [PCI], groups: [payments]}}
- {id: reach, description: d, severity: high,
   match: {kind: label_reaches_exposed_endpoint, categories: [PHI], exposures: [public]}}
- id: cypher
  description: d
  severity: low
  match:
    kind: cypher
    statement: >-
      MATCH (m:Model) WHERE m.registered = $registered
      RETURN m.uid AS subject, m.labels AS labels, [m.uid] AS path
    params: {registered: false}
"""
    )
    by_policy: dict[str, list] = {}
    for f in Enforcer(store, policies).check().current:
        by_policy.setdefault(f.policy, []).append(f)
    assert [f.roles for f in by_policy["shadow"]] == [{"origin": DS, "model": shadow}]
    assert by_policy["shadow"][0].evidence[0]["kind"] == "label_path"
    assert [f.roles for f in by_policy["index"]] == [
        {"origin": notes, "index": index, "endpoint": rag}
    ]
    assert [f.roles for f in by_policy["nb"]] == [{"notebook": notebook}]
    assert by_policy["nb"][0].evidence[0]["detector"] == "presidio"
    assert [f.roles for f in by_policy["pci"]] == [{"principal": bob, "asset": cards}]
    assert [f.roles for f in by_policy["reach"]] == [{"origin": notes, "endpoint": rag}]
    assert [f.roles for f in by_policy["cypher"]] == [{"subject": shadow}]
    assert by_policy["cypher"][0].labels == ["PII", "PII:PERSON"]


def test_findings_pagination_and_filters(store: Store) -> None:
    models = [uid(Kind.MODEL, f"m{i}", "https://api.openai.com") for i in range(7)]
    write(
        store, *(node(m, registered=False) for m in models), *(flow(DS, m, "infer") for m in models)
    )
    write(store, label(DS, "PII:EMAIL_ADDRESS"))
    policies = load_text(
        "{id: s, description: d, severity: high, match: {kind: shadow_model_receives}}"
    )
    Enforcer(store, policies).check()
    seen, cursor = [], None
    while True:
        page = list_findings(store, first=3, after=cursor)
        seen += [f.fingerprint for f in page.findings]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 7
    assert len(list_findings(store, subject=models[3]).findings) == 1
    assert list_findings(store, severity="low").findings == ()
    assert len(list_findings(store, policy="s", status=["open"]).findings) == 7
    assert list_findings(store, policy="other").findings == ()
    assert NS  # the namespace helper is shared with the other tests
