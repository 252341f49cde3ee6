"""Name resolution without sqlglot's qualify: aliases, structs, USING, correlated columns."""

from __future__ import annotations

from ingest.sql import analyse, parse_sql


def _lineage(sql: str, dialect: str = "ansi", **kw: object) -> dict[str | None, set[tuple]]:
    out: dict[str | None, set[tuple]] = {}
    for entry in parse_sql(sql, dialect=dialect, **kw)["columns"]:
        for src in entry["sources"]:
            out.setdefault(entry["target"]["column"], set()).add(
                (src["table"], src["column"], entry["transformation"]["subtype"])
            )
    return out


def test_correlated_and_exists_subqueries() -> None:
    got = _lineage(
        "SELECT u.id, (SELECT max(o.total) FROM orders o WHERE o.uid = u.id) AS top "
        "FROM users u WHERE EXISTS (SELECT 1 FROM bans b WHERE b.uid = u.id)"
    )
    assert got["top"] == {("orders", "total", "AGGREGATION")}
    assert {("bans", "uid", "FILTER"), ("users", "id", "FILTER")} <= got[None]


def test_struct_fields_come_from_the_struct_column() -> None:
    got = _lineage("SELECT payload.user.email AS e, t.payload.ip AS ip FROM events t", "bigquery")
    assert got["e"] == {("events", "payload", "TRANSFORMATION")}
    assert got["ip"] == {("events", "payload", "TRANSFORMATION")}


def test_fully_qualified_column_names_the_table_not_a_struct() -> None:
    got = _lineage("SELECT db.t.x AS x FROM db.t AS t1", "postgres")
    assert got["x"] == {("db.t", "x", "IDENTITY")}


def test_using_join_column_comes_from_both_sides() -> None:
    got = _lineage("SELECT id FROM a JOIN b USING (id)", "postgres")
    assert got["id"] == {("a", "id", "IDENTITY"), ("b", "id", "IDENTITY")}


def test_qualify_and_order_by_name_select_aliases() -> None:
    got = _lineage(
        "SELECT id, row_number() OVER (PARTITION BY g ORDER BY ts) AS rn FROM t QUALIFY rn = 1",
        "snowflake",
    )
    assert got[None] == {("t", "g", "FILTER"), ("t", "ts", "FILTER")}


def test_lateral_column_aliases_follow_the_dialect() -> None:
    sql = "SELECT a + 1 AS x, x * 2 AS y FROM t"
    assert _lineage(sql, "snowflake")["y"] == {("t", "a", "TRANSFORMATION")}
    assert _lineage(sql, "postgres")["y"] == {("t", "x", "TRANSFORMATION")}
    assert _lineage(sql, "postgres")["y"] != _lineage(sql, "duckdb")["y"]


def test_cte_named_like_the_table_it_reads() -> None:
    result = analyse("WITH x AS (SELECT a FROM x) SELECT a FROM x")
    assert result.sources == ["x"]


def test_bigquery_project_names_with_dashes() -> None:
    got = parse_sql(
        "INSERT INTO `proj-x.ds.out` SELECT email FROM `proj-x.ds.users`", dialect="bigquery"
    )
    assert got["targets"] == ["proj-x.ds.out"] and got["sources"] == ["proj-x.ds.users"]


def test_join_star_over_catalog_tables_and_unknown_column_in_a_join() -> None:
    got = _lineage(
        "CREATE TABLE out AS SELECT * FROM a JOIN b ON a.id = b.id",
        catalog={"a": ["id", "x"], "b": ["id", "y"]},
    )
    assert got["x"] == {("a", "x", "IDENTITY")} and got["y"] == {("b", "y", "IDENTITY")}
    assert _lineage("SELECT x FROM a JOIN b ON a.id = b.id")["x"] == {(None, "x", "IDENTITY")}
