"""The audit log is append-only in effect: any edit, removal or truncation is detected."""

from __future__ import annotations

import itertools

import pytest
from graphs import node, uid, write

from lineage.model import Edge, Kind, Rel
from lineage.policy import actions, audit, verify
from lineage.store import Store

pytestmark = pytest.mark.all_stores  # embedded and Neo4j

EP = uid(Kind.ENDPOINT, "chat", "https://api.x")
ANN = uid(Kind.PRINCIPAL, "ann", "okta")

# Tampering statements: what someone with write access to the graph could run.
EDIT = "MATCH (a:AuditEntry {seq: $seq}) SET a.reason = $reason"
DELETE = "MATCH (a:AuditEntry {seq: $seq}) DELETE a"
REHASH = "MATCH (a:AuditEntry {seq: $seq}) SET a.reason = $reason, a.hash = $hash"


@pytest.fixture
def logged(store: Store) -> Store:
    write(store, node(EP, exposure="public"), node(ANN), Edge(ANN, Rel.CAN_ACCESS, EP, key="iam"))
    for i in range(4):
        actions.quarantine(store, EP, actor=f"user:u{i}", reason=f"check {i}")  # dry runs
    return store


def test_chain_verifies_and_links(logged: Store) -> None:
    entries = list(audit.entries(logged))
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert entries[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    result = verify(logged)
    assert result.ok and result.entries == 4 and result.head_hash == entries[-1].hash
    e = entries[1]
    assert (e.actor, e.action, e.target, e.reason, e.dry_run) == (
        "user:u1", "quarantine", EP, "check 1", True
    )  # fmt: skip
    assert e.before["can_access"][0]["src"] == ANN and e.at


def test_an_edited_entry_breaks_the_chain(logged: Store) -> None:
    logged.execute(EDIT, {"seq": 2, "reason": "nothing to see"})
    result = verify(logged)
    assert not result.ok and result.broken_at == 2 and "edited" in result.reason


def test_a_rehashed_entry_breaks_the_next_link(logged: Store) -> None:
    entry = next(e for e in audit.entries(logged) if e.seq == 2)
    body = {**entry.body(), "reason": "nothing to see"}
    forged = audit._digest(body)  # the forger recomputes the entry's own hash
    logged.execute(REHASH, {"seq": 2, "reason": "nothing to see", "hash": forged})
    result = verify(logged)
    assert not result.ok and result.broken_at == 3 and "prev_hash" in result.reason


def test_a_removed_entry_is_detected(logged: Store) -> None:
    logged.execute(DELETE, {"seq": 3})
    result = verify(logged)
    assert not result.ok and result.broken_at == 3 and "missing" in result.reason


def test_a_truncated_tail_is_detected_by_the_head(logged: Store) -> None:
    logged.execute(DELETE, {"seq": 4})
    result = verify(logged)
    assert not result.ok and "head is 4" in result.reason


def test_appends_continue_the_chain_after_verification(logged: Store) -> None:
    actions.quarantine(logged, EP, actor="user:x", reason="apply", dry_run=False)
    assert verify(logged).ok and verify(logged).head_seq == 5
