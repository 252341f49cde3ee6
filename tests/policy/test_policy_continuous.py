"""Continuous mode: each committed change re-evaluates only the policies it can affect."""

from __future__ import annotations

import pytest
from graphs import flow, label, node, uid, write

from lineage import pipeline
from lineage.model import Edge, Kind, Rel
from lineage.policy import attach, detach, list_findings, load_text, reevaluate
from lineage.store import Store

pytestmark = pytest.mark.all_stores  # embedded and Neo4j

POLICIES = """
- {id: shadow, description: d, severity: high, match: {kind: shadow_model_receives}}
- {id: nb, description: d, severity: high, match: {kind: secret_in_notebook}}
- {id: pci, description: d, severity: high,
   match: {kind: principal_outside_group_accesses, categories: [PCI], groups: [payments]}}
"""


def test_only_affected_policies_run_and_act_at_once(store: Store) -> None:
    enforcer = attach(store, load_text(POLICIES))
    try:
        notebook = uid(Kind.JOB, "nb/x.ipynb", "notebook")
        write(store, node(notebook, job_type="notebook"), label(notebook, "SECRET:GITHUB_TOKEN"))
        assert set(enforcer.last.policies) == {"nb"}  # a Job and a SECRET: nothing else
        assert [f.roles for f in enforcer.last.new] == [{"notebook": notebook}]

        ann = uid(Kind.PRINCIPAL, "ann", "okta")
        ep = uid(Kind.ENDPOINT, "pay", "https://pay.x")
        write(store, node(ann), node(ep, exposure="internal"))
        assert "nb" not in enforcer.last.policies and "pci" in enforcer.last.policies

        users = uid(Kind.DATASET, "crm.public.users")
        shadow = uid(Kind.MODEL, "wrapper", "https://api.openai.com")
        write(store, node(users), node(shadow, registered=False), label(users, "PII:PERSON"))
        write(store, flow(users, shadow, "infer"))  # the violation appears with this edge
        assert "shadow" in enforcer.last.policies and "nb" not in enforcer.last.policies
        assert [f.roles["model"] for f in enforcer.last.new] == [shadow]

        pipeline.delete(store, edges=[(users, Rel.FLOWS_TO, shadow, "job:airflow:j")])
        assert [f.roles["model"] for f in enforcer.last.resolved] == [shadow]  # at once

        cards = uid(Kind.DATASET, "pay.public.cards")
        write(store, node(cards), flow(cards, ep, "serve"), label(cards, "PCI:CREDIT_CARD"))
        write(store, Edge(ann, Rel.CAN_ACCESS, ep, {"permission": "invoke"}, key="iam"))
        assert [f.roles for f in enforcer.last.new] == [{"principal": ann, "asset": ep}]

        # a change made outside the pipeline (a restored state) is announced explicitly
        store.set_props(ann, {"groups": ["payments"]})
        reevaluate(store, [ann])
        assert [f.roles["principal"] for f in enforcer.last.resolved] == [ann]
    finally:
        detach(store)
    # detached: changes are no longer evaluated
    write(store, node(uid(Kind.MODEL, "m2", "https://api.openai.com"), registered=False))
    assert len(list_findings(store).findings) == 3
