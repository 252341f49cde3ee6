"""Transaction shapes of the Neo4j store over the driver's interfaces (what a server cannot show).

What a real server answers (chunked deletes, failing and concurrent batches, schema set-up,
a newer schema refused) is in test_neo4j_live_store.py.
"""

from __future__ import annotations

from neo4j_driver_double import RecordingDriver

from lineage import ids
from lineage.model import Edge, EdgeKind, Kind, Node, Rel
from lineage.settings import Settings
from lineage.store import cypher, ddl
from lineage.store.neo4j import Neo4jStore, plan_rows

SEEN = "2026-01-01T00:00:00.000Z"
URI = "neo4j://graph.example.internal:7687"


def _store(driver: RecordingDriver, **settings: object) -> Neo4jStore:
    return Neo4jStore(URI, settings=Settings(**settings), driver=driver)  # type: ignore[arg-type]


def _datasets(n: int) -> list[Node]:
    out = []
    for i in range(n):
        uid = ids.dataset_id("postgres://db:5432", f"shop.public.t{i:05d}")
        out.append(Node(uid, Kind.DATASET, f"shop.public.t{i:05d}", "postgres://db:5432"))
    return out


def test_plan_rows_chunks_sorts_and_keeps_every_row_once() -> None:
    rows = [{"uid": f"u{i:04d}"} for i in reversed(range(2500))]
    work = plan_rows("UNWIND $rows AS row RETURN row", rows, 1000)
    assert [len(params["rows"]) for _, params in work] == [1000, 1000, 500]
    flat = [r["uid"] for _, params in work for r in params["rows"]]
    assert flat == sorted(r["uid"] for r in rows)
    assert plan_rows("X", [], 1000) == []


def test_plan_rows_orders_edges_by_composite_key() -> None:
    rows = [{"src": "b", "dst": "a", "key": ""}, {"src": "a", "dst": "z", "key": "j2"},
            {"src": "a", "dst": "z", "key": "j1"}]  # fmt: skip
    ((_, params),) = plan_rows("X", rows, 10, key="src,dst,key")
    assert [(r["src"], r["key"]) for r in params["rows"]] == [("a", "j1"), ("a", "j2"), ("b", "")]


def test_upsert_is_one_transaction_of_unwind_chunks() -> None:
    driver = RecordingDriver()
    store = _store(driver, neo4j_batch_rows=400)
    driver.transactions.clear()
    store.upsert_nodes(_datasets(1000), seen=SEEN)
    (tx,) = driver.writes
    assert [len(p["rows"]) for _, p in tx.runs] == [400, 400, 200]
    assert {q for q, _ in tx.runs} == {cypher.UPSERT_NODES[Kind.DATASET]}
    row = tx.runs[0][1]["rows"][0]
    assert row["seen"] == SEEN and row["kind"] == "Dataset"


def test_batch_commits_everything_as_one_transaction_at_the_end() -> None:
    driver = RecordingDriver()
    store = _store(driver)
    driver.transactions.clear()
    nodes = _datasets(3)
    edge = Edge(nodes[0].uid, Rel.FLOWS_TO, nodes[1].uid, {"kind": EdgeKind.TRANSFORM.value}, "j")
    with store.batch():
        store.upsert_nodes(nodes, seen=SEEN)
        with store.batch():  # nested: joins the outer block
            store.upsert_edges([edge], seen=SEEN)
        assert driver.writes == []  # nothing sent before the block ends
    (tx,) = driver.writes
    assert [q for q, _ in tx.runs] == [
        cypher.UPSERT_NODES[Kind.DATASET],
        cypher.UPSERT_EDGES[Rel.FLOWS_TO],
    ]


def test_reads_are_read_transactions_on_the_configured_database() -> None:
    driver = RecordingDriver()
    store = _store(driver, neo4j_database="lineage")
    driver.transactions.clear()
    store.get_node("dataset:postgres://db:5432:shop.public.t")
    (tx,) = driver.transactions
    assert tx.mode == "READ" and tx.database == "lineage"
    assert tx.runs[0][0] == cypher.GET_NODE
    bookmark_managers = {id(cfg["bookmark_manager"]) for cfg in driver.sessions}
    assert len(bookmark_managers) == 1  # one causal chain: a process reads its own writes


def test_schema_is_left_alone_when_current() -> None:
    driver = RecordingDriver(schema_version=ddl.SCHEMA_VERSION)
    _store(driver)
    assert driver.writes == []
