"""SQL -> graph facts, and what lands in a real store (idempotent re-ingest)."""

from __future__ import annotations

from ingest.sql import sql_facts
from lineage import ids
from lineage.model import Edge, Kind, Node, Problem, Rel, Severity
from lineage.pipeline import ingest
from lineage.store import Store

NS = "postgres://warehouse:5432"
SCRIPT = """CREATE TABLE stage.users AS
SELECT id, sha2(email, 256) AS email_hash, email, country
FROM crm.users WHERE active;
INSERT INTO mart.users SELECT u.*, o.total FROM stage.users u JOIN sales.totals o ON o.uid = u.id;
SELEC oops;
"""


def _facts(sql: str = SCRIPT, **kw: object) -> list:
    return list(sql_facts(sql, dialect="postgres", namespace=NS, path="etl/users.sql", **kw))


def _flow(facts: list, src: str, dst: str) -> Edge:
    matches = [f for f in facts if isinstance(f, Edge) and f.rel is Rel.FLOWS_TO
               and f.src == src and f.dst == dst]  # fmt: skip
    assert len(matches) == 1, (src, dst, matches)
    return matches[0]


def test_job_datasets_columns_and_source_refs() -> None:
    facts = _facts()
    job = ids.job_id(NS, "etl/users.sql")
    nodes = {f.uid: f for f in facts if isinstance(f, Node)}
    assert nodes[job].kind is Kind.JOB
    assert nodes[job].props["job_type"] == "sql"
    assert nodes[job].props["source_ref"] == "etl/users.sql:1"
    stage = ids.dataset_id(NS, "stage.users")
    assert nodes[stage].props["fields"] == ["id", "email_hash", "email", "country"]
    assert ids.column_id(NS, "crm.users", "email") in nodes
    rw = {(f.rel, f.dst, f.source_ref) for f in facts if isinstance(f, Edge) and f.src == job}
    assert (Rel.READS, ids.dataset_id(NS, "crm.users"), "etl/users.sql:1") in rw
    assert (Rel.WRITES, stage, "etl/users.sql:1") in rw
    assert (Rel.READS, stage, "etl/users.sql:4") in rw  # intermediate: written, then read
    assert (Rel.WRITES, ids.dataset_id(NS, "mart.users"), "etl/users.sql:4") in rw


def test_column_edges_carry_the_transformation_and_the_job() -> None:
    facts = _facts()
    job = ids.job_id(NS, "etl/users.sql")
    col = lambda t, c: ids.column_id(NS, t, c)  # noqa: E731
    hashed = _flow(facts, col("crm.users", "email"), col("stage.users", "email_hash"))
    assert hashed.key == job
    assert {k: hashed.props[k] for k in ("kind", "via", "granularity", "masking")} == {
        "kind": "transform", "via": job, "granularity": "column", "masking": True,
    }  # fmt: skip
    assert hashed.props["transformation_type"] == "DIRECT"
    assert hashed.props["transformation_subtype"] == "TRANSFORMATION"
    plain = _flow(facts, col("crm.users", "email"), col("stage.users", "email"))
    assert plain.props["masking"] is False and plain.props["transformation_subtype"] == "IDENTITY"
    # the star over stage.users is expanded from the CTAS just before it
    _flow(facts, col("stage.users", "email_hash"), col("mart.users", "email_hash"))
    wide = _flow(facts, col("crm.users", "active"), ids.dataset_id(NS, "stage.users"))
    assert wide.props["transformation_type"] == "INDIRECT"
    assert wide.props["transformation_subtype"] == "FILTER"


def test_dataset_edges_say_whether_column_detail_is_complete() -> None:
    facts = _facts()
    ds = lambda t: ids.dataset_id(NS, t)  # noqa: E731
    assert _flow(facts, ds("crm.users"), ds("stage.users")).props["column_detail"] is True
    totals = _flow(facts, ds("sales.totals"), ds("mart.users"))
    assert totals.props["column_detail"] is True
    coarse = list(sql_facts("INSERT INTO m.t SELECT * FROM r.unknown", namespace=NS, path="x.sql"))
    edge = _flow(coarse, ds("r.unknown"), ds("m.t"))
    assert edge.props["column_detail"] is False
    assert edge.props["transformation_type"] == "DIRECT"
    assert any(isinstance(f, Problem) and f.severity is Severity.WARNING for f in coarse)


def test_one_column_edge_per_pair_direct_wins_and_masking_needs_every_direct_path() -> None:
    facts = list(sql_facts(
        "INSERT INTO t SELECT CASE WHEN s.a > 0 THEN md5(s.a) ELSE s.a END AS x FROM s",
        namespace=NS, path="m.sql",
    ))  # fmt: skip
    edge = _flow(facts, ids.column_id(NS, "s", "a"), ids.column_id(NS, "t", "x"))
    assert edge.props["transformation_type"] == "DIRECT"
    assert edge.props["masking"] is False  # the ELSE branch passes the raw value
    assert set(edge.props["transformations"]) == {"DIRECT:TRANSFORMATION", "INDIRECT:CONDITIONAL"}


def test_bad_statement_is_an_error_problem_with_file_line_and_snippet() -> None:
    problems = [f for f in _facts() if isinstance(f, Problem) and f.severity is Severity.ERROR]
    assert len(problems) == 1
    assert problems[0].source_ref.startswith("etl/users.sql:5")
    assert problems[0].snippet == "SELEC oops"
    assert "SELEC" in problems[0].message


def test_catalog_argument_and_line_offset() -> None:
    facts = list(sql_facts("INSERT INTO t SELECT * FROM s", namespace=NS, path="nb.ipynb",
                           catalog={"s": ["a"]}, line_offset=41))  # fmt: skip
    edge = _flow(facts, ids.column_id(NS, "s", "a"), ids.column_id(NS, "t", "a"))
    assert edge.source_ref == "nb.ipynb:42"


def test_ingest_into_store_is_idempotent(store: Store) -> None:
    first = ingest(store, _facts(), seen="2026-01-01T00:00:00.000000Z")
    counts = store.counts()
    edges = sorted((e.src, e.rel.value, e.dst, e.key, sorted(e.props.items(), key=str))
                   for e in store.iter_edges())  # fmt: skip
    assert len(first.errors) == 1 and first.nodes > 10
    second = ingest(store, _facts(), seen="2026-01-01T00:00:00.000000Z")
    assert second.nodes == first.nodes and second.edges == first.edges
    assert store.counts() == counts
    again = sorted((e.src, e.rel.value, e.dst, e.key, sorted(e.props.items(), key=str))
                   for e in store.iter_edges())  # fmt: skip
    assert again == edges
    hashed = store.get_node(ids.column_id(NS, "stage.users", "email_hash"))
    assert hashed is not None and hashed.kind is Kind.COLUMN


def test_two_statements_on_one_pair_merge_to_the_safe_reading() -> None:
    facts = list(sql_facts(
        "INSERT INTO t SELECT md5(a) AS x FROM s;\n"
        "INSERT INTO t SELECT a AS x FROM s;\n"
        "INSERT INTO t SELECT * FROM s;",
        namespace=NS, path="twice.sql",
    ))  # fmt: skip
    edge = _flow(facts, ids.column_id(NS, "s", "a"), ids.column_id(NS, "t", "x"))
    assert edge.props["masking"] is False  # the second statement copies the raw value
    assert edge.props["transformations"] == ["DIRECT:IDENTITY", "DIRECT:TRANSFORMATION"]
    dataset = _flow(facts, ids.dataset_id(NS, "s"), ids.dataset_id(NS, "t"))
    assert dataset.props["column_detail"] is False  # the third copies columns nobody named


def test_only_statements_that_define_a_table_set_its_fields() -> None:
    facts = list(sql_facts(
        "INSERT INTO dw.t (a) SELECT x FROM s;\nCREATE VIEW dw.v AS SELECT x, y FROM s;",
        namespace=NS, path="f.sql",
    ))  # fmt: skip
    nodes = {f.uid: f for f in facts if isinstance(f, Node)}
    assert "fields" not in nodes[ids.dataset_id(NS, "dw.t")].props  # a partial insert
    assert nodes[ids.dataset_id(NS, "dw.v")].props["fields"] == ["x", "y"]


def test_default_schema_qualifies_unqualified_names_for_the_ids() -> None:
    facts = list(sql_facts(
        "INSERT INTO t SELECT s.a FROM s JOIN other.u ON s.id = u.id;\n"
        "INSERT OVERWRITE DIRECTORY 's3://b/k' SELECT * FROM t;",
        dialect="spark", namespace=NS, path="d.sql", default_schema="public",
    ))  # fmt: skip
    nodes = {f.uid for f in facts if isinstance(f, Node)}
    assert {ids.dataset_id(NS, "public.t"), ids.dataset_id(NS, "public.s")} <= nodes
    assert ids.dataset_id(NS, "other.u") in nodes
    assert ids.dataset_id(NS, "s3://b/k") in nodes
    _flow(facts, ids.column_id(NS, "public.s", "a"), ids.column_id(NS, "public.t", "a"))
