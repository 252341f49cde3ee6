"""The buyer's enforcement test, end to end, in four environments.

1. the policy "no PII in training datasets for externally accessible models" is loaded by a
   real service (``create_app``: OpenLineage intake and continuous enforcement);
2. synthetic PII (Faker) lands in a staging dataset, classified by Presidio; one
   OpenLineage event (its SQL facet, or its columnLineage facet) makes it feed the training
   data of a model behind an external endpoint;
3. detection-to-action: from the event's arrival to the quarantine being in force;
4. the audit entry says who, what, why, before and after, the chain verifies, and undo
   restores exactly the graph that the same story leaves when the policy only dry-runs;
5. the same in a warehouse namespace, a SaaS export and on-premises databases.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from policy_scenario import ENVIRONMENTS, POLICY, Estate, build, violation_event

from lineage import transfer
from lineage.api import create_app
from lineage.model import Rel
from lineage.policy import audit, list_findings, verify
from lineage.settings import Settings
from lineage.store import Store, open_store

TOKEN = "policy-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _policy_file(folder: Path, *, dry_run: bool) -> Path:
    path = folder / "policies.yaml"
    path.write_text(POLICY.format(dry_run=str(dry_run).lower()))
    return path


def _settings(store: Store, policies: Path) -> Settings:
    return Settings(store=store.location, api_token=TOKEN, policies=str(policies))


def _run(store: Store, folder: Path, env: str, *, dry_run: bool, db_url: str | None):
    folder.mkdir()
    estate = build(store, ENVIRONMENTS[env], folder, db_url=db_url)
    app = create_app(_settings(store, _policy_file(folder, dry_run=dry_run)), store=store)
    with TestClient(app) as client:
        assert client.post("/api/v1/policies/check", headers=AUTH).json()["findings"] == []
        started = time.perf_counter()
        response = client.post("/api/v1/lineage", json=violation_event(estate), headers=AUTH)
        node = store.get_node(estate.endpoint)
        access = store.neighbours(estate.endpoint, direction="in", rels=[Rel.CAN_ACCESS])
        elapsed = time.perf_counter() - started
        assert response.status_code == 201, response.text
        findings = client.get("/api/v1/findings", params={"status": ["open", "mitigated"]}).json()
        return estate, client, node, access, elapsed, findings, app


def _undo(client: TestClient, action_id: str) -> dict:
    response = client.post(f"/api/v1/remediate/undo/{action_id}", headers=AUTH)
    assert response.status_code == 200, response.text
    return response.json()


def _scenario(tmp_path: Path, env: str, db_url: str | None = None) -> None:
    # The twin: the same story with the response in dry-run mode = the state without it.
    with open_store(tmp_path / "twin") as twin:
        estate_t, _client, node_t, access_t, _, _findings, _app = _run(
            twin, tmp_path / "data", env, dry_run=True, db_url=db_url
        )
        assert node_t.props.get("quarantined") is None and len(access_t) == 2
        expected = list(transfer.export_lines(twin))
        dry = [e for e in audit.entries(twin) if e.action == "quarantine"]
        assert len(dry) == 1 and dry[0].dry_run
    shutil.rmtree(tmp_path / "data")  # the same paths again: source_refs must match

    with open_store(tmp_path / "main") as store:
        estate, _client, node, access, elapsed, findings, app = _run(
            store, tmp_path / "data", env, dry_run=False, db_url=db_url
        )
        # (3) in force when the event's response is back
        assert node.props["quarantined"] is True and access == []
        assert elapsed < 5.0, f"detection-to-action took {elapsed:.2f} s"
        # the finding: one, mitigated, with the evidence path from the PII column
        (finding,) = findings["findings"]
        assert finding["status"] == "mitigated"
        assert finding["roles"]["model"] == estate.model
        assert finding["roles"]["endpoint"] == estate.endpoint
        assert finding["roles"]["dataset"] == estate.features
        assert finding["roles"]["origin"] in estate.pii_columns
        path = finding["evidence"][0]["nodes"]
        assert path[0] in estate.pii_columns and path[-2:] == [estate.model, estate.endpoint]
        assert any(label.startswith("PII") for label in finding["labels"])
        assert finding["risk"] > 0
        # (4) the audit entry
        (entry,) = [e for e in audit.entries(store) if e.kind == "action"]
        assert entry.actor == "policy:no-pii-in-training-data-of-external-models"
        assert (entry.action, entry.target, entry.dry_run) == ("quarantine", estate.endpoint, False)
        assert entry.finding == finding["fingerprint"] and "PII" in entry.reason
        assert sorted(e["src"] for e in entry.before["can_access"]) == sorted(estate.principals)
        assert entry.before["props"]["quarantined"] is None
        assert entry.after["props"]["quarantined"] is True
        assert verify(store).ok
        with TestClient(app) as client:
            undone = _undo(client, entry.action_id)
            assert undone["action"] == "quarantine"
            # exactly the graph the story leaves without the remediation
            assert list(transfer.export_lines(store)) == expected
            assert client.get("/api/v1/audit/verify").json()["ok"] is True
            undo_entry = client.get("/api/v1/audit").json()["entries"][-1]
            assert undo_entry["kind"] == "undo" and undo_entry["undoes"] == entry.action_id
            again = client.post(f"/api/v1/remediate/undo/{entry.action_id}", headers=AUTH)
            assert again.status_code == 409
            # the finding is open again and is not re-quarantined by the next evaluation
            client.post("/api/v1/policies/check", headers=AUTH)
            (after_undo,) = list_findings(store, status="open").findings
            assert after_undo.fingerprint == finding["fingerprint"]
            assert store.get_node(estate.endpoint).props.get("quarantined") is None
    assert estate_t.endpoint == estate.endpoint


@pytest.mark.parametrize("env", ["warehouse", "saas", "onprem-sqlite"])
def test_enforcement_end_to_end(tmp_path: Path, env: str) -> None:
    _scenario(tmp_path, env)


def test_enforcement_end_to_end_postgresql(tmp_path: Path, postgres_url: str) -> None:
    _scenario(tmp_path, "onprem-postgres", postgres_url)


def test_estate_is_what_the_scenario_says(tmp_path: Path) -> None:
    """Guard the guard: without the event there is no violation, with it there is one."""
    with open_store(tmp_path / "s") as store:
        estate: Estate = build(store, ENVIRONMENTS["saas"], tmp_path)
        assert estate.pii_columns, "Presidio found no PII in the Faker data"
        assert store.get_node(estate.features).labels == ()
        assert "PII" not in (store.get_node(estate.endpoint).labels or ())
