"""Redaction: the four operators, reversible encryption, the API and its masking edge."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from graphs import label, node, uid, write

from lineage.api import create_app
from lineage.errors import ConfigError, LineageError
from lineage.model import Kind, Rel
from lineage.policy import Redactor
from lineage.settings import Settings
from lineage.store import Store

TEXT = "Reach Ann at ann.lee@example.com or 212-555-0143; card 4111 1111 1111 1111."
KEY = "correct horse battery staple"
TOKEN = "write-token"


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor(key=KEY)


def test_operators(redactor: Redactor) -> None:
    replaced = redactor.redact(TEXT, "replace")
    assert "ann.lee@example.com" not in replaced.text and "<EMAIL_ADDRESS>" in replaced.text
    assert "<CREDIT_CARD>" in replaced.text and "4111" not in replaced.text
    kinds = {i.entity_type for i in replaced.items}
    assert {"EMAIL_ADDRESS", "CREDIT_CARD", "PHONE_NUMBER"} <= kinds
    for item in replaced.items:  # items point into the output text
        assert replaced.text[item.start : item.end] == f"<{item.entity_type}>"

    masked = redactor.redact(TEXT, "mask")
    assert "*******************" in masked.text and "example.com" not in masked.text

    hashed = redactor.redact(TEXT, "hash")
    again = redactor.redact(TEXT, "hash")
    assert hashed.text == again.text  # keyed salt: the same value always hashes the same
    assert Redactor(key="another key").redact(TEXT, "hash").text != hashed.text

    only = redactor.redact(TEXT, "replace", entities=["EMAIL_ADDRESS"])
    assert "<EMAIL_ADDRESS>" in only.text and "4111 1111 1111 1111" in only.text


def test_encrypt_round_trip_and_wrong_key(redactor: Redactor) -> None:
    done = redactor.redact(TEXT, "encrypt")
    assert "ann.lee@example.com" not in done.text
    assert redactor.unredact(done.text, done.items) == TEXT
    with pytest.raises(LineageError, match="cannot decrypt"):
        Redactor(key="wrong key").unredact(done.text, done.items)
    with pytest.raises(ConfigError, match="LINEAGE_REDACT_KEY"):
        Redactor().redact(TEXT, "encrypt")


def test_records_whole_fields_and_round_trip(redactor: Redactor) -> None:
    records = [
        {"id": 1, "email": "ann@example.com", "note": "call 212-555-0143", "ssn": 123456789},
        {"id": 2, "email": "bob@example.org", "note": "ok", "ssn": None},
    ]
    out = list(redactor.redact_records(records, "encrypt", fields=["ssn"]))
    scrubbed = [r for r, _ in out]
    items = [i for _, i in out]
    assert scrubbed[0]["id"] == 1 and scrubbed[1]["note"] == "ok" and scrubbed[1]["ssn"] is None
    assert "ann@example.com" not in str(scrubbed) and "123456789" not in str(scrubbed)
    assert set(items[0]) == {"email", "note", "ssn"}
    restored = redactor.unredact_records(scrubbed, items)
    assert restored[0]["email"] == "ann@example.com" and restored[0]["ssn"] == "123456789"


def test_the_key_is_never_shown_or_logged(
    redactor: Redactor, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    redactor.redact(TEXT, "encrypt")
    assert KEY not in repr(redactor) and KEY not in caplog.text
    settings = Settings(redact_key=KEY)
    assert KEY not in repr(settings) and KEY not in str(settings.model_dump())


def test_redact_api(store: Store) -> None:
    src = uid(Kind.DATASET, "crm.public.tickets")
    dst = uid(Kind.DATASET, "ml.public.tickets_clean")
    write(store, node(src), label(src, "PII:EMAIL_ADDRESS"))
    app = create_app(
        Settings(store=store.location, api_token=TOKEN, redact_key=KEY, policies="off"), store=store
    )
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(app) as client:
        assert client.post("/api/v1/redact", json={"text": TEXT}).status_code == 401
        bad = client.post("/api/v1/redact", json={"text": TEXT, "records": []}, headers=auth)
        assert bad.status_code == 422

        r = client.post("/api/v1/redact", json={"text": TEXT, "operator": "encrypt"}, headers=auth)
        body = r.json()
        assert r.status_code == 200 and "ann.lee@example.com" not in body["text"]
        back = client.post(
            "/api/v1/unredact", json={"text": body["text"], "items": body["items"]}, headers=auth
        )
        assert back.json()["text"] == TEXT
        assert (
            client.post(
                "/api/v1/unredact", json={"text": body["text"], "items": body["items"]}
            ).status_code
            == 401
        )

        records = [{"id": 1, "body": "mail ann@example.com"}, {"id": 2, "body": "thanks"}]
        r = client.post(
            "/api/v1/redact",
            json={"records": records, "source": src, "destination": dst},
            headers=auth,
        )
        body = r.json()
        assert body["records"][0]["body"] == "mail <EMAIL_ADDRESS>" and body["redacted"] == 1
        assert body["masking_edge"] == {"source": src, "destination": dst}
    (edge,) = [nb.edge for nb in store.neighbours(src, direction="out", rels=[Rel.FLOWS_TO])]
    assert edge.props["masking"] is True and edge.dst == dst
    assert "PII:EMAIL_ADDRESS" in store.get_node(src).labels
    assert not [x for x in store.get_node(dst).labels if x.startswith("PII")]  # stopped there


def test_writes_disabled_without_a_token(store: Store) -> None:
    app = create_app(Settings(store=store.location, policies="off"), store=store)
    with TestClient(app) as client:
        assert client.post("/api/v1/redact", json={"text": "x"}).status_code == 403
