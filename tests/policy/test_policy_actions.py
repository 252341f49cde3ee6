"""Responses change exactly what they say, are audited, and undo restores the exact state."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from graphs import SEEN, flow, label, node, uid, write

from lineage import ids, transfer
from lineage.errors import LineageError
from lineage.model import Edge, Kind, Rel
from lineage.policy import Enforcer, Redactor, actions, audit, load_text, undo, verify
from lineage.store import Store

pytestmark = pytest.mark.all_stores  # embedded and Neo4j

EP = uid(Kind.ENDPOINT, "chat", "https://api.x")
MODEL = uid(Kind.MODEL, "bot", "mlflow://r")
ANN = uid(Kind.PRINCIPAL, "ann", "okta")
BOB = uid(Kind.PRINCIPAL, "bob", "okta")
USERS = uid(Kind.DATASET, "crm.public.users")


def _access(store: Store) -> None:
    write(
        store,
        node(MODEL, registered=True),
        node(EP, exposure="external", owner="team-a"),
        flow(MODEL, EP, "serve"),
        node(ANN, groups=["support"]),
        node(BOB),
        Edge(
            ANN,
            Rel.CAN_ACCESS,
            EP,
            {"permission": "invoke", "requests": 12, "win_start": [0, 60]},
            key="access-log",
        ),
        Edge(ANN, Rel.CAN_ACCESS, EP, {"permission": "admin"}, key="iam"),
        Edge(BOB, Rel.CAN_ACCESS, EP, {"permission": "invoke"}, key="iam"),
    )


def _export(store: Store) -> list[str]:
    return list(transfer.export_lines(store))


def test_quarantine_dry_run_apply_and_exact_undo(store: Store) -> None:
    _access(store)
    before = _export(store)
    dry = actions.quarantine(store, EP, actor="user:sec", reason="investigation")
    assert dry.dry_run and _export(store) == before  # nothing changed
    assert len(dry.before["can_access"]) == 3

    done = actions.quarantine(store, EP, actor="user:sec", reason="investigation", dry_run=False)
    quarantined = store.get_node(EP)
    assert quarantined.props["quarantined"] is True
    assert quarantined.props["quarantine_action"] == done.action_id
    assert store.neighbours(EP, direction="in", rels=[Rel.CAN_ACCESS]) == []
    kept = {(e["src"], e["key"]): e["props"] for e in done.before["can_access"]}
    assert kept[(ANN, "access-log")]["requests"] == 12
    with pytest.raises(LineageError, match="already quarantined"):
        actions.quarantine(store, EP, actor="user:sec", reason="again", dry_run=False)
    with pytest.raises(LineageError, match="only models"):
        actions.quarantine(store, ANN, actor="user:sec", reason="x", dry_run=False)

    with pytest.raises(LineageError, match="dry run"):
        undo(store, dry.action_id, actor="user:sec")
    undone = undo(store, done.action_id, actor="user:lead", reason="false positive")
    assert _export(store) == before  # exact: props, edges and their properties
    assert undone.entry.kind == "undo" and undone.entry.undoes == done.action_id
    assert undone.entry.actor == "user:lead" and undone.entry.reason == "false positive"
    with pytest.raises(LineageError, match="already undone"):
        undo(store, done.action_id, actor="user:lead")
    with pytest.raises(LineageError, match="no action"):
        undo(store, "act_nope", actor="user:lead")
    assert verify(store).ok and verify(store).entries == 3


def test_undo_refuses_when_the_state_moved_on(store: Store) -> None:
    _access(store)
    done = actions.quarantine(store, EP, actor="user:sec", reason="r", dry_run=False)
    store.set_props(EP, {"quarantined": None, "quarantine_action": None})  # lifted by hand
    with pytest.raises(LineageError, match="no longer under quarantine"):
        undo(store, done.action_id, actor="user:sec")
    undo(store, done.action_id, actor="user:sec", force=True)
    assert len(store.neighbours(EP, direction="in", rels=[Rel.CAN_ACCESS])) == 3


def test_revoke_one_principal_and_undo(store: Store) -> None:
    _access(store)
    before = _export(store)
    with pytest.raises(LineageError, match="no access"):
        actions.revoke(store, BOB, MODEL, actor="u", reason="r", dry_run=False)
    done = actions.revoke(store, ANN, EP, actor="user:sec", reason="left team", dry_run=False)
    left = store.neighbours(EP, direction="in", rels=[Rel.CAN_ACCESS])
    assert [n.node.uid for n in left] == [BOB]
    assert len(done.before["can_access"]) == 2
    undo(store, done.action_id, actor="user:sec")
    assert _export(store) == before


def test_policy_revoke_resolves_the_access_finding(store: Store) -> None:
    cards = uid(Kind.DATASET, "pay.public.cards")
    write(store, node(cards), flow(cards, EP, "serve"), label(cards, "PCI:CREDIT_CARD"))
    _access(store)
    (policy,) = load_text(
        """
id: pci
description: only payments
severity: high
match: {kind: principal_outside_group_accesses, categories: [PCI], groups: [payments, bob]}
responses: [{action: revoke, target: principal, dry_run: false}]
"""
    )
    enforcer = Enforcer(store, [policy])
    result = enforcer.check()
    assert [f.roles["principal"] for f in result.new] == [ANN]  # bob is allowed by name
    (act,) = result.actions
    assert act.action == "revoke" and not act.dry_run
    assert [n.node.uid for n in store.neighbours(EP, direction="in", rels=[Rel.CAN_ACCESS])] == [
        BOB
    ]
    assert [f.status for f in enforcer.check().resolved] == ["resolved"]
    undo(store, act.action_id, actor="user:sec")
    again = enforcer.check()  # back: re-opened, and the revoke runs once more for it
    assert [f.occurrences for f in again.reopened] == [2]


def _users_table(
    store: Store, namespace: str = "postgres://db:5432", name: str = "crm.public.users"
) -> str:
    dataset = ids.dataset_id(namespace, name)
    cols = {c: ids.column_id(namespace, name, c) for c in ("id", "email", "phone")}
    write(
        store,
        node(dataset, fields=list(cols)),
        *(node(c) for c in cols.values()),
        *(Edge(dataset, Rel.HAS_COLUMN, c) for c in cols.values()),
        label(cols["email"], "PII:EMAIL_ADDRESS"),
        label(cols["phone"], "PII:PHONE_NUMBER"),
    )
    return dataset


def test_masking_view_sql_runs_on_sqlite(store: Store, tmp_path: Path) -> None:
    users = _users_table(store, "sqlite://crm-db", "main.users")
    before = _export(store)
    done = actions.redact_view(
        store, users, actor="u", reason="r", dialect="sqlite", output=tmp_path, operator="hash"
    )
    assert done.after["masked"] == ["email", "phone"] and _export(store) == before
    sql = (tmp_path / "main.users_masked.sql").read_text()
    assert sql.startswith("-- sqlite has no built-in hash function")  # said, not hidden
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE users (id INTEGER, email TEXT, phone TEXT)")
    db.execute("INSERT INTO users VALUES (1, 'ann@example.com', '212-555-0100')")
    db.executescript(sql)
    assert db.execute("SELECT * FROM main.users_masked").fetchall() == [
        (1, "<PII:EMAIL_ADDRESS>", "<PII:PHONE_NUMBER>")
    ]
    undo(store, done.action_id, actor="u")
    assert not (tmp_path / "main.users_masked.sql").exists()


def test_masking_view_sql_runs_on_postgresql(store: Store, postgres_url: str) -> None:
    import sqlalchemy as sa

    users = _users_table(store)
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS crm CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA crm"))
        conn.execute(sa.text("CREATE TABLE crm.users (id INT, email TEXT, phone TEXT)"))
        conn.execute(sa.text("INSERT INTO crm.users VALUES (1, 'ann@example.com', '212-555-0100')"))
        for operator in ("hash", "mask"):
            done = actions.redact_view(
                store, users, actor="u", reason="r", dialect="postgres", operator=operator
            )
            sql = (
                done.after["sql"]
                .replace("crm.public.", "crm.")
                .replace("users_masked", f"users_{operator}")
            )
            conn.execute(sa.text(sql))
        hashed = conn.execute(sa.text("SELECT * FROM crm.users_hash")).one()
        masked = conn.execute(sa.text("SELECT * FROM crm.users_mask")).one()
    engine.dispose()
    assert hashed[0] == 1 and len(hashed[1]) == 64 and "ann" not in hashed[1]
    assert masked == (1, "***********.com", "********0100")


def test_redacted_copy_of_a_sampled_file_stops_propagation(store: Store, tmp_path: Path) -> None:
    sample = tmp_path / "export.csv"
    sample.write_text(
        "id,email,comment\n1,ann@example.com,call 212-555-0100\n2,bob@example.org,fine\n"
    )
    export = ids.dataset_id("s3://exports", "crm/export.csv")
    write(store, node(export, path=str(sample)), label(export, "PII:EMAIL_ADDRESS"))
    before = _export(store)
    done = actions.redact_file(
        store, export, actor="u", reason="r", redactor=Redactor(), operator="replace",
        output=tmp_path / "out",
    )  # fmt: skip
    copy = tmp_path / "out" / "export.redacted.csv"
    text = copy.read_text()
    assert "ann@example.com" not in text and "<EMAIL_ADDRESS>" in text
    assert "212-555-0100" not in text and "fine" in text
    assert done.after["records"] == 2 and done.after["masked_fields"] == ["comment", "email"]
    copied = store.get_node(done.after["copy"])
    assert copied is not None and not [x for x in copied.labels if x.split(":")[0] == "PII"]
    (nb,) = store.neighbours(export, direction="out", rels=[Rel.FLOWS_TO])
    assert nb.edge.props["masking"] is True
    undo(store, done.action_id, actor="u")
    assert not copy.exists() and _export(store) == before
    assert SEEN


def test_notify_retries_against_a_real_server(store: Store, receiver) -> None:
    receiver.fail = 2  # two 503s, then 204
    done = actions.notify(
        store, receiver.url, {"finding": "f_1"}, actor="u", reason="r", backoff=0.01
    )
    delivery = done.after["delivery"]
    assert delivery["delivered"] and [a["status"] for a in delivery["attempts"]] == [503, 503, 204]
    assert len(receiver.received) == 3 and receiver.received[-1] == {"finding": "f_1"}

    receiver.fail, receiver.status = 5, 400  # a refusal is not retried
    refused = actions.notify(store, receiver.url, {"x": 1}, actor="u", reason="r", backoff=0.01)
    assert [a["status"] for a in refused.after["delivery"]["attempts"]] == [400]

    closed = receiver.url.rsplit(":", 1)[0] + ":9/hook"  # discard port: nothing listens
    gone = actions.notify(store, closed, {"x": 1}, actor="u", reason="r", retries=2, backoff=0.01)
    assert not gone.after["delivery"]["delivered"] and len(gone.after["delivery"]["attempts"]) == 3
    assert [e.action for e in audit.entries(store)] == ["notify"] * 3


def test_policy_notify_sends_ids_not_values(store: Store, receiver) -> None:
    shadow = uid(Kind.MODEL, "wrapper", "https://api.openai.com")
    write(
        store,
        node(USERS),
        node(shadow, registered=False),
        flow(USERS, shadow, "infer"),
        label(USERS, "PII:EMAIL_ADDRESS"),
    )
    (policy,) = load_text(
        f"""
id: shadow
description: no PII to shadow models
severity: high
match: {{kind: shadow_model_receives}}
responses:
  - {{action: notify, url: "{receiver.url}", backoff: 0.01}}
  - {{action: recommend, target: model, message: register it}}
"""
    )
    result = Enforcer(store, [policy]).check()
    assert [a.action for a in result.actions] == ["notify", "recommend"]
    (payload,) = receiver.received
    assert payload["policy"] == "shadow" and payload["roles"]["model"] == shadow
    assert payload["labels"] == ["PII", "PII:EMAIL_ADDRESS"]
    (finding,) = result.current
    stored = Enforcer(store, [policy]).check().ongoing[0]  # responses run once per occurrence
    assert stored.recommendations == ["register it"] and len(receiver.received) == 1
    assert finding.fingerprint == stored.fingerprint


def test_only_containment_mitigates(store: Store, tmp_path: Path) -> None:
    """A masking view's SQL does not mitigate a finding; a quarantine does."""
    users = _users_table(store)
    model = uid(Kind.MODEL, "m", "mlflow://r")
    write(store, node(model, registered=False), flow(users, model, "infer"))
    (policy,) = load_text(
        f"""
id: shadow
description: d
severity: high
match: {{kind: shadow_model_receives}}
responses:
  - {{action: redact, target: origin, mode: view, output: "{tmp_path}"}}
  - {{action: quarantine, target: model, dry_run: true}}
"""
    )
    result = Enforcer(store, [policy]).check()
    assert [(a.action, a.dry_run) for a in result.actions] == [
        ("redact", False),
        ("quarantine", True),
    ]
    (finding,) = result.current
    assert finding.status == "open" and finding.in_force == []


def test_two_findings_one_quarantine(store: Store) -> None:
    """Two models behind one endpoint: one quarantine contains both; undo re-opens both."""
    feats = uid(Kind.DATASET, "ml.public.features")
    m1, m2 = uid(Kind.MODEL, "a", "mlflow://r"), uid(Kind.MODEL, "b", "mlflow://r")
    write(
        store,
        node(feats),
        node(m1, registered=True),
        node(m2, registered=True),
        node(EP, exposure="external"),
        flow(feats, m1, "train", "job:airflow:t1"),
        flow(feats, m2, "train", "job:airflow:t2"),
        flow(m1, EP, "serve", "job:airflow:s1"),
        flow(m2, EP, "serve", "job:airflow:s2"),
        label(feats, "PII:EMAIL_ADDRESS"),
    )
    (policy,) = load_text(
        """
id: t
description: d
severity: critical
match: {kind: training_data_of_exposed_model}
responses: [{action: quarantine, target: endpoint, dry_run: false}]
"""
    )
    enforcer = Enforcer(store, [policy])
    result = enforcer.check()
    (act,) = result.actions
    assert len(result.new) == 2 and not result.errors
    assert {f.status for f in enforcer.check().ongoing} == {"mitigated"}
    undo(store, act.action_id, actor="u")
    assert {f.status for f in enforcer.check().ongoing} == {"open"}


@pytest.mark.parametrize(
    ("namespace", "name", "written"),
    [
        ("file", "/tmp/outside/users", "tmp_outside_users_masked.sql"),
        ("sqlite://crm-db", "main.users", "main.users_masked.sql"),
    ],
)
def test_masking_view_file_stays_inside_the_output_folder(
    store: Store, tmp_path: Path, namespace: str, name: str, written: str
) -> None:
    users = _users_table(store, namespace, name)
    out = tmp_path / "out"
    done = actions.redact_view(store, users, actor="u", reason="r", output=out)
    assert [p.name for p in out.iterdir()] == [written]
    assert done.after["file"] == str(out / written)
    assert not Path("/tmp/outside/users_masked.sql").exists()
