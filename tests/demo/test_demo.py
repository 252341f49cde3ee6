"""The demo estate, end to end through the real ingestors: the story it tells must hold."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lineage.demo import BLAST_ORIGIN, run_demo
from lineage.store import Store
from lineage.transfer import export_lines

SUPPORT_BOT = "endpoint:https://api.acme.example:support-bot"
CHATBOT = "endpoint:embedchain:crm-assistant"
HR_ENDPOINT = "endpoint:https://ml.internal.acme.example:hr-attrition"
NOTEBOOK = "job:notebook:notebooks/support_bot_finetune.ipynb"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory):
    from lineage.store import open_store

    store = open_store(tmp_path_factory.mktemp("demo") / "store")
    result = run_demo(store)
    yield store, result
    store.close()


def _labels(store: Store, uid: str) -> set[str]:
    node = store.get_node(uid)
    assert node is not None, uid
    return set(node.labels)


def test_every_step_lands_without_errors(demo_store) -> None:
    _, result = demo_store
    errors = [p for _, report in result.steps for p in report.errors]
    assert errors == []
    assert {name for name, _ in result.steps} >= {"openlineage", "classification", "warehouse sql"}


def test_customer_pii_reaches_the_external_support_endpoint(demo_store) -> None:
    store, result = demo_store
    assert "PII:EMAIL_ADDRESS" in _labels(store, SUPPORT_BOT)
    endpoints = {e.endpoint.uid for e in result.exposures.results}
    assert SUPPORT_BOT in endpoints
    top = next(e for e in result.exposures.results if e.endpoint.uid == SUPPORT_BOT)
    assert top.path.nodes[0].uid.startswith("column:zendesk://acme:tickets#")
    assert top.principals  # the partner portal can call it


def test_crm_notes_reach_the_public_chatbot_through_the_index(demo_store) -> None:
    store, result = demo_store
    assert {"PII:EMAIL_ADDRESS", "PII:PERSON"} <= _labels(store, CHATBOT)
    top = result.exposures.results[0]  # public beats external: it ranks first
    assert top.endpoint.uid == CHATBOT
    assert top.origin.uid == "column:s3://acme-crm-exports:crm_notes.csv#contact_email"
    assert [n.kind for n in top.path.nodes] == ["Column", "Dataset", "VectorIndex", "Endpoint"]


def test_masking_view_keeps_hr_identifiers_from_the_attrition_model(demo_store) -> None:
    store, _ = demo_store
    assert "PII:US_SSN" in _labels(store, "column:snowflake://acme:hr.core.people#ssn")
    hashed = "column:snowflake://acme:hr.analytics.people_masked#email_hash"
    assert not {x for x in _labels(store, hashed) if x.startswith("PII:EMAIL")}
    assert not {x for x in _labels(store, HR_ENDPOINT) if x.startswith("PII")}


def test_shadow_llm_call_does_not_leak_into_other_apps(demo_store) -> None:
    """Tickets sent to GPT by a notebook must not show up in the chatbot that also uses GPT."""
    store, result = demo_store
    gpt = "model:openai:gpt-4o-mini"
    node = store.get_node(gpt)
    assert node is not None and node.props.get("registered") is False  # shadow AI
    assert not any(
        e.endpoint.uid == CHATBOT and e.origin.uid.startswith("column:zendesk")
        for e in result.exposures.results
    )


def test_hard_coded_key_is_labelled_and_never_stored(demo_store) -> None:
    store, _ = demo_store
    assert "SECRET:OPENAI_API_KEY" in _labels(store, NOTEBOOK)
    dump = "\n".join(export_lines(store))
    assert "sk-proj-Xq3Lm" not in dump


def test_blast_radius_and_runtime_findings(demo_store) -> None:
    _, result = demo_store
    assert result.blast.origin.uid == BLAST_ORIGIN
    assert SUPPORT_BOT in {r.node.uid for r in result.blast.endpoints}
    assert result.runtime_findings >= 1  # the crawler sweeping the chat widget


def test_rerun_changes_nothing(demo_store) -> None:
    store, _ = demo_store
    before = list(export_lines(store))
    run_demo(store, fresh=False)
    assert list(export_lines(store)) == before


def test_cli_demo_prints_and_writes_the_report(tmp_path: Path) -> None:
    lineage = str(Path(sys.executable).with_name("lineage"))
    report = tmp_path / "report.html"
    done = subprocess.run(
        [lineage, "--store", str(tmp_path / "s"), "demo", "-o", str(report), "--json"],
        capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    out = json.loads(done.stdout)
    assert out["counts"]["Endpoint"] >= 3
    assert report.read_text().lower().startswith("<!doctype html>")


def test_starter_policies_find_the_story(demo_store) -> None:
    _, result = demo_store
    fired = {(f.policy, f.severity) for f in result.policy.current}
    policies = {p for p, _ in fired}
    assert any("training" in p for p in policies)  # PII trains a model behind an external API
    assert "no-secrets-in-notebooks" in policies
    shadow = [f for f in result.policy.current if f.policy == "no-pii-to-shadow-models"]
    assert [f.roles.get("model") for f in shadow] == ["model:openai:gpt-4o-mini"]
