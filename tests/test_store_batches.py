"""Store batches say what happened (issue 14, point 5), large ones go in bounded statements,
and statements have one timeout that ends in an error naming them (issue 18, point 2)."""

from __future__ import annotations

import pytest

from lineage import ids
from lineage.errors import ConfigError, StoreError, StoreTimeout
from lineage.model import Edge, Kind, Node, Rel
from lineage.store import open_store
from lineage.store.falkor import ROWS_PER_STATEMENT, FalkorStore

SEEN = "2026-01-01T00:00:00.000Z"


def _ds(name: str) -> Node:
    return Node(ids.dataset_id("pg", name), Kind.DATASET, name, "pg")


def test_a_batch_with_a_value_the_store_cannot_hold_commits_nothing(store: FalkorStore) -> None:
    """A NUL in one statement's parameters: FalkorDB refuses that statement, and MULTI/EXEC
    would have committed the others (a job and its WRITES edge left behind by a failed
    /redact). The batch is refused before anything is sent, and says so truthfully."""
    job = ids.job_id("lineage", "redact/x")
    with pytest.raises(StoreError, match=r"nothing committed.*NUL"), store.batch():
        store.upsert_nodes([Node(job, Kind.JOB, "redact/x", "lineage")], seen=SEEN)
        store.upsert_nodes([_ds("s.dst")], seen=SEEN)
        store.upsert_edges([Edge(job, Rel.WRITES, _ds("s.dst").uid)], seen=SEEN)
        store.set_props(_ds("s.dst").uid, {"note": "a\x00b"})
    assert store.counts() == {}
    with pytest.raises(StoreError, match=r"not sent.*NUL"):
        store.query("MATCH (n {name: $name}) RETURN n", {"name": "a\x00b"})


def test_a_large_batch_goes_in_bounded_statements_and_lands_whole(store: FalkorStore) -> None:
    """10k inputs to one output (the shape of the 680 KB event): every edge lands, and no
    statement carries more than ROWS_PER_STATEMENT rows."""
    sent: list[int] = []
    real = store.execute

    def counting(statement: str, params: dict | None = None) -> list:
        rows = (params or {}).get("rows")
        if rows is not None:
            sent.append(len(rows))
        return real(statement, params)

    store.execute = counting  # type: ignore[method-assign]  # observe, do not replace
    inputs = [_ds(f"s.in_{i:05d}") for i in range(2 * ROWS_PER_STATEMENT + 17)]
    out = _ds("s.out")
    with store.batch():
        store.upsert_nodes([*inputs, out], seen=SEEN)
        store.upsert_edges([Edge(n.uid, Rel.FLOWS_TO, out.uid) for n in inputs], seen=SEEN)
    assert max(sent) <= ROWS_PER_STATEMENT and sum(sent) == 2 * len(inputs) + 1
    assert store.counts() == {"Dataset": len(inputs) + 1, "FLOWS_TO": len(inputs)}


def test_a_read_past_the_statement_timeout_is_an_error_naming_it(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LINEAGE_STORE_TIMEOUT", "0.001")
    store = open_store(tmp_path / "store")
    try:
        with pytest.raises(StoreTimeout, match=r"read 'UNWIND range.*LINEAGE_STORE_TIMEOUT"):
            store.query("UNWIND range(1, 20000000) AS x RETURN sum(x) AS s")
        assert store.query("RETURN 1 AS ok") == [{"ok": 1}]  # the store is fine after it
    finally:
        store.close()


def test_the_store_timeout_setting_is_checked(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LINEAGE_STORE_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match="LINEAGE_STORE_TIMEOUT must be seconds"):
        open_store(tmp_path / "store")
