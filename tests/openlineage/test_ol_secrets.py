"""Secrets in facets never reach the graph (issue 14, point 7), and the store's files are
private (0600 files, 0700 folders, like the event log).

The secrets are synthetic, assembled at run time; the expected values are fixed strings.
"""

from __future__ import annotations

import copy
import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from ol_events import as_json, run_events

from ingest.secrets import fingerprint
from lineage.api import create_app
from lineage.settings import Settings
from lineage.store import Store, open_store

TOKEN = "test-write-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
R = "Q7fT2mZk9Lw4Rb8Nc1Vx6Hy3Jp5Gd0SeU2oI4aK6"
JDBC_PASSWORD = "Pg-" + R[:12]
AWS_SECRET = R[:40]
ERR_PASSWORD = "Err-" + R[12:24]
DOC_TOKEN = "ghp_" + R[:36]
_FACET = {"_producer": "https://example.com/p", "_schemaURL": "https://example.com/s#/$defs/F"}


@pytest.fixture
def client(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("LINEAGE_EVENT_LOG", str(tmp_path / "eventlog"))
    settings = Settings(store=str(tmp_path / "unused"), api_token=TOKEN)
    with TestClient(create_app(settings, store=store)) as c:
        yield c


def _leaky_event() -> dict[str, Any]:
    event = copy.deepcopy(as_json(next(iter(run_events(1, 1, seed=61)))))
    event["eventType"] = "FAIL"
    output = event["outputs"][0]
    output["facets"]["warehouse"] = _FACET | {
        "url": f"jdbc:postgresql://db:5432/shop?user=etl&password={JDBC_PASSWORD}",
    }
    output["facets"]["documentation"] = _FACET | {
        "description": f"refreshed nightly; clone with token = '{DOC_TOKEN}'"
    }
    event["job"]["facets"]["deploy"] = _FACET | {
        "env": {"aws_secret_access_key": AWS_SECRET, "region": "eu-west-1"}
    }
    event["run"]["facets"]["errorMessage"] = _FACET | {
        "message": "could not connect to "
        + "x" * 260  # the URL straddles the 300-character cut
        + f" postgres://err_user:{ERR_PASSWORD}@db.internal:5432/shop\nTraceback ...",
        "programmingLanguage": "python",
    }
    return event


def test_secrets_in_facets_and_error_messages_are_redacted_with_a_label(
    client: TestClient, store: Store
) -> None:
    event = _leaky_event()
    assert client.post("/api/v1/lineage", json=event, headers=AUTH).status_code == 201
    stored = json.dumps(
        [(n.uid, n.props, n.labels) for n in store.iter_nodes()]
        + [(e.src, e.dst, e.props) for e in store.iter_edges()],
        default=str,
    )
    for secret in (JDBC_PASSWORD, AWS_SECRET, ERR_PASSWORD, DOC_TOKEN, R[:10]):
        assert secret not in stored, secret

    output = event["outputs"][0]
    dataset = store.get_node(f"dataset:{output['namespace']}:{output['name']}")
    assert dataset is not None
    assert json.loads(dataset.props["facets.warehouse"])["url"] == (
        "jdbc:postgresql://db:5432/shop?user=etl&password="
        f"[REDACTED:PASSWORD:{fingerprint(JDBC_PASSWORD)}]"
    )
    assert dataset.props["description"] == (
        f"refreshed nightly; clone with token = '[REDACTED:GITHUB_TOKEN:{fingerprint(DOC_TOKEN)}]'"
    )
    assert {"SECRET:PASSWORD", "SECRET:GITHUB_TOKEN"} <= set(dataset.props["own_labels"])

    job = store.get_node(f"job:spark:{event['job']['name']}")
    assert job is not None
    assert json.loads(job.props["facets.deploy"])["env"]["aws_secret_access_key"] == (
        f"[REDACTED:AWS_SECRET_ACCESS_KEY:{fingerprint(AWS_SECRET)}]"
    )
    assert job.props["error_message"].endswith(
        f"postgres://err_user:[REDACTED:CONNECTION_STRING_PASSWORD:{fingerprint(ERR_PASSWORD)}]"
        "@db.internal:5432/shop"
    )
    assert {"SECRET:AWS_SECRET_ACCESS_KEY", "SECRET:CONNECTION_STRING_PASSWORD"} <= set(
        job.props["own_labels"]
    )


def test_the_store_files_are_private(tmp_path: Path) -> None:
    root = tmp_path / "store"
    store = open_store(root)
    try:
        store.execute("CREATE (:Probe {uid: 'x'})", {})
    finally:
        store.close()
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    found = list(root.rglob("*"))
    assert any(p.suffix == ".log" for p in found)
    assert any(p.parent.name == "data" for p in found)  # the server's append-only files
    for path in found:
        mode = stat.S_IMODE(path.stat().st_mode)
        if path.name != "falkordb.pid":  # a number, and behind the 0700 folder anyway
            assert mode & 0o077 == 0, (path, oct(mode))
