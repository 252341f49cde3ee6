"""Issue 19.8: the starter policies agree with the inventory and with each other.

* With no registry every discovered model is shadow (the inventory says so), so
  ``no-pii-to-shadow-models`` fires for a model nobody evaluated, not only for one marked
  ``registered: false``.
* A secret hard-coded in a RAG/vector config is a finding, as one in a notebook is (the
  config is the real Langfuse compose file from the discovery corpus).
* The CLI lists findings by severity first: a critical one is never below a medium one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from graphs import flow, label, node, uid, write

from ingest.vector_config import vector_config_facts
from lineage.model import Kind
from lineage.pipeline import ingest
from lineage.policy import Enforcer, starter_policies
from lineage.store import Store
from queries.inventory import ai_assets

COMPOSE = (
    Path(__file__).parents[1]
    / "corpus/real/configs/docker-compose.langfuse-langfuse__docker_compose.yml"
)


def _findings(store: Store, policy: str) -> list:
    chosen = [p for p in starter_policies() if p.id == policy]
    assert chosen, policy
    return list(Enforcer(store, chosen, act=False).check().current)


def test_a_model_nobody_evaluated_is_shadow_for_the_policy_too(store: Store) -> None:
    table = uid(Kind.DATASET, "crm.customers")
    model = uid(Kind.MODEL, "churn", "mlflow://ml")
    write(store, node(table), node(model), label(table, "PII:EMAIL_ADDRESS"),
          flow(table, model, "train"))  # fmt: skip
    assert [a.uid for a in ai_assets(store, shadow_only=True)] == [model]
    found = _findings(store, "no-pii-to-shadow-models")
    assert [f.roles["model"] for f in found] == [model]


def test_a_registered_model_is_not_shadow(store: Store) -> None:
    table = uid(Kind.DATASET, "crm.customers")
    model = uid(Kind.MODEL, "churn", "mlflow://ml")
    write(store, node(table), node(model, registered=True), label(table, "PII:EMAIL_ADDRESS"),
          flow(table, model, "train"))  # fmt: skip
    assert _findings(store, "no-pii-to-shadow-models") == []


def test_a_secret_in_a_rag_config_is_a_finding(store: Store) -> None:
    ingest(store, vector_config_facts(COMPOSE))
    found = _findings(store, "no-secrets-in-rag-configs")
    assert len(found) == 1
    assert found[0].title.startswith("rag config ")
    assert "SECRET:" in found[0].title


def test_policy_check_lists_severity_before_risk(tmp_path: Path) -> None:
    """The demo holds critical, high and medium findings whose risks do not follow severity."""
    lineage = str(Path(sys.executable).with_name("lineage"))
    store = str(tmp_path / "store")
    subprocess.run([lineage, "--store", store, "demo", "--report", str(tmp_path / "r.html")],
                   check=True, capture_output=True)  # fmt: skip
    done = subprocess.run([lineage, "--store", store, "policy", "check", "--no-act", "--json"],
                          check=True, capture_output=True)  # fmt: skip
    by_id = {f["fingerprint"]: f["severity"] for f in json.loads(done.stdout)["findings"]}
    table = subprocess.run([lineage, "--store", store, "policy", "check", "--no-act"],
                           check=True, capture_output=True, text=True).stdout  # fmt: skip
    listed = [by_id[fp] for line in table.splitlines() for fp in by_id if fp in line]
    order = ["critical", "high", "medium", "low", "info"]
    assert len(set(listed)) > 1
    assert listed == sorted(listed, key=order.index)
