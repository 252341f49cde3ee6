"""Neo4j store behaviour that a real Neo4j 5 answers (these replaced recording-driver tests).

Chunked writes and deletes with a tiny ``neo4j_batch_rows``, batches that fail or run on
other threads, schema creation on an empty database and refusal of a newer one, the ``uid``
constraint holding, the configured database, and server errors with their real codes.
"""

from __future__ import annotations

import itertools
import threading

import neo4j
import pytest

from lineage import ids
from lineage.errors import StoreError
from lineage.model import Edge, Kind, Node, Rel
from lineage.settings import Settings
from lineage.store import ddl
from lineage.store.neo4j import Neo4jStore

pytestmark = pytest.mark.neo4j

SEEN = "2026-01-01T00:00:00.000Z"


def _datasets(n: int) -> list[Node]:
    return [
        Node(
            ids.dataset_id("postgres://db:5432", f"shop.public.t{i:05d}"),
            Kind.DATASET,
            f"shop.public.t{i:05d}",
            "postgres://db:5432",
        )
        for i in range(n)
    ]


@pytest.fixture
def tiny(neo4j_store: Neo4jStore) -> Neo4jStore:
    """A second store on the same graph writing 7 rows per UNWIND statement."""
    s = Neo4jStore(neo4j_store.location, settings=Settings(neo4j_batch_rows=7))
    yield s
    s.close()


def test_chunked_upserts_and_deletes_count_every_chunk(tiny: Neo4jStore) -> None:
    nodes = _datasets(30)
    tiny.upsert_nodes(nodes, seen=SEEN)
    chain = [Edge(a.uid, Rel.FLOWS_TO, b.uid, {"kind": "transform"}, "j")
             for a, b in itertools.pairwise(nodes)]  # fmt: skip
    tiny.upsert_edges(chain, seen=SEEN)
    assert tiny.counts() == {"Dataset": 30, "FLOWS_TO": 29}
    doomed = [(e.src, e.rel, e.dst, e.key) for e in chain[:10]]
    assert tiny.delete_edges(doomed + doomed[:3]) == 10
    uids = [n.uid for n in nodes]
    assert tiny.delete_nodes(uids[:20] + uids[:5] + ["dataset:pg:absent"]) == 20
    assert tiny.counts() == {"Dataset": 10, "FLOWS_TO": 9}


def test_a_failing_batch_block_writes_nothing(neo4j_store: Neo4jStore) -> None:
    with pytest.raises(RuntimeError), neo4j_store.batch():
        neo4j_store.upsert_nodes(_datasets(2), seen=SEEN)
        raise RuntimeError("caller failed half-way")
    assert neo4j_store.counts() == {}
    neo4j_store.upsert_nodes(_datasets(1), seen=SEEN)  # and the store is usable afterwards
    assert neo4j_store.counts() == {"Dataset": 1}


def test_a_batch_is_invisible_until_it_ends_and_other_threads_write_alone(
    neo4j_store: Neo4jStore,
) -> None:
    inside, release = threading.Event(), threading.Event()
    nodes = _datasets(3)

    def other_thread() -> None:
        with neo4j_store.batch():
            neo4j_store.upsert_nodes(nodes[:2], seen=SEEN)
            inside.set()
            release.wait(30)

    worker = threading.Thread(target=other_thread)
    worker.start()
    assert inside.wait(30)
    neo4j_store.upsert_nodes(nodes[2:], seen=SEEN)  # not part of their batch: lands now
    assert neo4j_store.counts() == {"Dataset": 1}
    release.set()
    worker.join(30)
    assert neo4j_store.counts() == {"Dataset": 3}


def test_the_uid_constraint_holds_against_a_raw_create(neo4j_store: Neo4jStore) -> None:
    (node,) = _datasets(1)
    neo4j_store.upsert_nodes([node], seen=SEEN)
    with pytest.raises(StoreError, match="ConstraintValidationFailed"):
        neo4j_store.execute("CREATE (:Asset:Dataset {uid: $uid})", {"uid": node.uid})
    assert neo4j_store.counts() == {"Dataset": 1}


def test_schema_is_created_on_an_empty_database_then_versioned(neo4j_store: Neo4jStore) -> None:
    uri = neo4j_store.location
    with neo4j.GraphDatabase.driver(uri) as driver:
        for name, statement in ddl.NEO4J_SCHEMA:
            kind = "CONSTRAINT" if statement.split()[1] == "CONSTRAINT" else "INDEX"
            driver.execute_query(f"DROP {kind} {name} IF EXISTS")
        driver.execute_query("MATCH (m:LineageMeta) DETACH DELETE m")
        before = driver.execute_query("SHOW CONSTRAINTS YIELD name RETURN name").records
        assert not {r["name"] for r in before} & {n for n, _ in ddl.NEO4J_SCHEMA}
        fresh = Neo4jStore(uri)
        fresh.close()
        constraints = driver.execute_query("SHOW CONSTRAINTS YIELD name RETURN name").records
        indexes = driver.execute_query("SHOW INDEXES YIELD name RETURN name").records
        (meta,) = driver.execute_query("MATCH (m:LineageMeta {key: 'schema'}) RETURN m").records
    names = {r["name"] for r in constraints} | {r["name"] for r in indexes}
    assert {n for n, _ in ddl.NEO4J_SCHEMA} <= names
    assert meta["m"]["version"] == ddl.SCHEMA_VERSION


def test_replicas_opening_an_empty_database_together_all_succeed(
    neo4j_store: Neo4jStore,
) -> None:
    uri = neo4j_store.location
    with neo4j.GraphDatabase.driver(uri) as driver:
        for name, statement in ddl.NEO4J_SCHEMA:
            kind = "CONSTRAINT" if statement.split()[1] == "CONSTRAINT" else "INDEX"
            driver.execute_query(f"DROP {kind} {name} IF EXISTS")
        driver.execute_query("MATCH (m:LineageMeta) DETACH DELETE m")
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            Neo4jStore(uri).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []


def test_a_newer_graph_schema_is_refused(neo4j_store: Neo4jStore) -> None:
    neo4j_store.execute(
        "MATCH (m:LineageMeta {key: 'schema'}) SET m.version = $v", {"v": ddl.SCHEMA_VERSION + 1}
    )
    try:
        with pytest.raises(StoreError, match="upgrade"):
            Neo4jStore(neo4j_store.location)
    finally:
        neo4j_store.execute(
            "MATCH (m:LineageMeta {key: 'schema'}) SET m.version = $v", {"v": ddl.SCHEMA_VERSION}
        )


def test_the_configured_database_is_used(neo4j_store: Neo4jStore) -> None:
    named = Neo4jStore(neo4j_store.location, settings=Settings(neo4j_database="neo4j"))
    try:
        named.upsert_nodes(_datasets(1), seen=SEEN)
        assert neo4j_store.counts() == {"Dataset": 1}  # "neo4j" is the default database
    finally:
        named.close()
    with pytest.raises(StoreError, match="DatabaseNotFound"):
        Neo4jStore(neo4j_store.location, settings=Settings(neo4j_database="nosuchdb"))


def test_server_errors_come_back_with_their_code(neo4j_store: Neo4jStore) -> None:
    with pytest.raises(StoreError, match=r"Neo\.ClientError\.Statement\.SyntaxError"):
        neo4j_store.query("MATCH (n RETURN n")
    with pytest.raises(StoreError, match="Nothing was committed"):
        neo4j_store.execute("THIS IS NOT CYPHER")
    neo4j_store.upsert_nodes(_datasets(1), seen=SEEN)  # the store stays usable
    assert neo4j_store.counts() == {"Dataset": 1}
