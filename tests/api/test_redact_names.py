"""``/api/v1/redact`` and ``/unredact`` refuse a name the store cannot hold, or an entity
type nobody recognises, with a 422 naming the field: never a 500, and nothing written
(issue 14, point 1).

Before: a NUL or an over-long dataset id or record field name reached the masking edge's
ids and came back as a 400 about a "column id" or a "job id" the caller never sent, and an
unknown or NUL-bearing entity type made the recognisers raise: a 500.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from lineage.api import create_app
from lineage.settings import Settings
from lineage.store import Store

TOKEN = "redact-names-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LONG = "x" * 2100  # over the 2,048-byte id limit on its own
TEXT = "mail ana@example.com"
RECORDS = [{"email": "ana@example.com", "note": "call 555-0100"}]


@pytest.fixture
def client(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("LINEAGE_EVENT_LOG", str(tmp_path / "eventlog"))
    settings = Settings(store=str(tmp_path / "unused"), api_token=TOKEN, redact_key="k" * 32)
    app = create_app(settings, store=store)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _masking(source: str = "dataset:pg:crm.people", destination: str = "dataset:pg:crm.safe"):
    return {"records": RECORDS, "source": source, "destination": destination}


@pytest.mark.parametrize(
    ("body", "loc", "said"),
    [
        (_masking(source="dataset:pg:crm.peo\u0000ple"), ["body", "source"], "U+0000"),
        (_masking(source=f"dataset:pg:{LONG}"), ["body", "source"], "over the limit of 2048"),
        (_masking(destination="dataset:pg:a\u0085b"), ["body", "destination"], "U+0085"),
        (_masking(destination=f"dataset:pg:{LONG}"), ["body", "destination"], "2048"),
        # each id fits, the redaction job's id (built from the destination) does not
        (_masking(destination=f"dataset:pg:{'y' * 2030}"), ["body", "destination"], "job id"),
        (_masking(source="job:spark:etl"), ["body", "source"], "not a dataset id"),
        (
            {**_masking(), "records": [{"em\u0000ail": "ana@example.com"}]},
            ["body", "records", 0],
            "U+0000",
        ),
        ({**_masking(), "records": [{"ok": 1}, {LONG: "v"}]}, ["body", "records", 1], "2048"),
        ({"text": TEXT, "entities": ["EMAIL\u0000"]}, ["body", "entities", 0], ""),
        ({"text": TEXT, "entities": ["E" * 200]}, ["body", "entities", 0], ""),
        ({"text": TEXT, "entities": ["NO_SUCH_ENTITY"]}, ["body", "entities"], ""),
    ],
    ids=[
        "nul-source", "long-source", "c1-destination", "long-destination", "long-job",
        "job-as-source", "nul-field", "long-field", "nul-entity", "long-entity",
        "unknown-entity",
    ],
)  # fmt: skip
def test_redact_refuses_names_it_cannot_store_with_a_422_naming_the_field(
    client: TestClient, store: Store, body: dict[str, Any], loc: list[Any], said: str
) -> None:
    r = client.post("/api/v1/redact", json=body, headers=AUTH)
    assert r.status_code == 422, (r.status_code, r.text[:300])
    [error] = r.json()["detail"]
    assert error["loc"] == loc, error
    assert said in error["msg"], error
    assert "ana@example.com" not in r.text  # the values being redacted are not echoed
    assert store.counts() == {}  # nothing written: no job, no WRITES edge left behind


def test_redact_with_valid_names_still_writes_its_masking_edge(
    client: TestClient, store: Store
) -> None:
    r = client.post("/api/v1/redact", json=_masking(), headers=AUTH)
    assert r.status_code == 200, r.text[:300]
    assert r.json()["records"][0]["email"] != "ana@example.com"
    assert store.counts().get("WRITES") == 1


@pytest.mark.parametrize(
    ("entity_type", "said"),
    [("EMAIL\u0000ADDRESS", "pattern"), ("E" * 129, "at most 128 characters")],
)
def test_unredact_refuses_a_nul_or_over_long_entity_type_with_a_422(
    client: TestClient, entity_type: str, said: str
) -> None:
    sealed = client.post(
        "/api/v1/redact", json={"text": "mail ana@example.com", "operator": "encrypt"}, headers=AUTH
    ).json()
    items = [dict(i, entity_type=entity_type) for i in sealed["items"]]
    r = client.post("/api/v1/unredact", json={"text": sealed["text"], "items": items}, headers=AUTH)
    assert r.status_code == 422, (r.status_code, r.text[:300])
    [error] = r.json()["detail"]
    assert error["loc"] == ["body", "items", 0, "entity_type"], error
    assert said in error["msg"], error
    # The same items with their real entity type open again.
    r = client.post(
        "/api/v1/unredact", json={"text": sealed["text"], "items": sealed["items"]}, headers=AUTH
    )
    assert r.status_code == 200 and r.json()["text"] == "mail ana@example.com", r.text[:300]
