"""Statement splitting, bad input, procedural scripts, intermediates and line numbers."""

from __future__ import annotations

from ingest.sql import analyse, parse_sql


def test_bad_statement_is_reported_and_the_rest_still_lands() -> None:
    sql = "INSERT INTO a SELECT x FROM s1;\n\nINSERT INTO WHERE;\nINSERT INTO b SELECT y FROM s2;"
    result = analyse(sql, dialect="postgres")
    assert [s.line for s in result.statements] == [1, 3, 4]
    bad = result.statements[1]
    assert bad.error and "WHERE" in bad.error
    assert bad.snippet == "INSERT INTO WHERE"
    assert result.sources == ["s1", "s2"]
    assert result.targets == ["a", "b"]


def test_unterminated_string_does_not_lose_the_other_statements() -> None:
    result = analyse("INSERT INTO a SELECT x FROM s1;\nSELECT 'open FROM t;")
    assert result.targets == ["a"]
    assert result.statements[-1].error


def test_line_offset_shifts_every_line() -> None:
    got = parse_sql("SELECT 1;\nSELECT a FROM t;")
    assert [s["line"] for s in got["statements"]] == [1, 2]
    shifted = analyse("SELECT 1;\nSELECT a FROM t;", line_offset=10)
    assert [s.line for s in shifted.statements] == [11, 12]


def test_dml_inside_procedural_blocks_is_recovered() -> None:
    sql = """CREATE PROCEDURE dbo.load @d DATE AS
BEGIN
  SET NOCOUNT ON;
  IF @d IS NULL
    SET @d = GETDATE();
  INSERT INTO dw.facts
  SELECT s.id, s.amount FROM staging.sales s WHERE s.day = @d;
END"""
    result = analyse(sql, dialect="tsql")
    assert result.sources == ["staging.sales"]
    assert result.targets == ["dw.facts"]
    line = next(s.line for s in result.statements if s.targets)
    assert line == 6


def test_written_then_read_is_intermediate_read_then_written_is_not() -> None:
    got = parse_sql(
        "INSERT INTO t2 SELECT a FROM t1;\n"
        "INSERT INTO t3 SELECT a FROM t2;\n"
        "INSERT INTO t1 SELECT a FROM t0;"
    )
    assert got["intermediates"] == ["t2"]
    assert got["sources"] == ["t1", "t0"]
    assert got["targets"] == ["t3", "t1"]
    assert {(c["target"]["table"], c["sources"][0]["table"]) for c in got["columns"]} == {
        ("t3", "t1"),
        ("t1", "t0"),
    }


def test_self_referencing_insert_reads_and_writes_the_same_table() -> None:
    got = parse_sql("INSERT OVERWRITE TABLE foo SELECT col FROM foo WHERE flag", dialect="spark")
    assert got["sources"] == ["foo"] and got["targets"] == ["foo"]
    assert got["intermediates"] == []


def test_dropped_after_use_is_intermediate() -> None:
    got = parse_sql(
        "CREATE TABLE tmp AS SELECT a FROM s; INSERT INTO t SELECT a FROM tmp; DROP TABLE tmp;"
    )
    assert (got["sources"], got["targets"], got["intermediates"]) == (["s"], ["t"], ["tmp"])


def test_plain_select_has_null_target_table() -> None:
    got = parse_sql("SELECT a AS x FROM t")
    assert got["columns"] == [
        {
            "target": {"table": None, "column": "x"},
            "sources": [{"table": "t", "column": "a"}],
            "transformation": {"type": "DIRECT", "subtype": "IDENTITY", "masking": False},
        }
    ]
    assert got["targets"] == []


def test_names_keep_the_authors_spelling_without_quotes() -> None:
    got = parse_sql('INSERT INTO "Sales"."Orders" SELECT "Id" FROM [dbo].[Src]', dialect="tsql")
    assert got["targets"] == ["Sales.Orders"]
    assert got["sources"] == ["dbo.Src"]


def test_rename_moves_lineage_and_paths_are_targets() -> None:
    got = parse_sql("ALTER TABLE a RENAME TO b", dialect="postgres")
    assert (got["sources"], got["targets"]) == (["a"], ["b"])
    got = parse_sql("INSERT OVERWRITE DIRECTORY 's3://b/k' SELECT * FROM t", dialect="spark")
    assert (got["sources"], got["targets"]) == (["t"], ["s3://b/k"])


def test_json_shape_is_exactly_the_contract() -> None:
    got = parse_sql("INSERT INTO t SELECT a FROM s WHERE b > 0")
    assert list(got) == ["sources", "targets", "intermediates", "columns", "statements"]
    assert list(got["statements"][0]) == ["line", "sources", "targets", "columns", "error"]
    assert list(got["columns"][0]) == ["target", "sources", "transformation"]
    assert list(got["columns"][0]["transformation"]) == ["type", "subtype", "masking"]


def test_a_parser_crash_is_a_bad_statement_not_an_exception() -> None:
    # sqlglot's Snowflake parser raises TypeError on this Spark DDL; the script goes on
    sql = (
        "CREATE TABLE student (id INT) USING CSV PARTITIONED BY (age) "
        "CLUSTERED BY (Id) INTO 4 buckets;\nINSERT INTO t SELECT a FROM s;"
    )
    result = analyse(sql, dialect="snowflake")
    assert result.statements[0].error
    assert result.targets == ["t"]


def test_every_corpus_input_reads_in_every_dialect_without_raising(corpus) -> None:
    import json

    texts = [json.loads(p.read_text())["input"] for p in sorted((corpus / "sql").glob("*.json"))]
    for dialect in ("ansi", "postgres", "snowflake", "bigquery", "tsql", "hive"):
        for text in texts[::7]:
            analyse(text, dialect=dialect)


def test_long_cte_chains_and_long_scripts() -> None:
    ctes = ", ".join(f"c{i} AS (SELECT a FROM c{i - 1})" for i in range(1, 400))
    got = parse_sql(f"WITH c0 AS (SELECT a FROM base), {ctes} INSERT INTO t SELECT a FROM c399")
    assert got["sources"] == ["base"]
    assert [(c["target"]["column"], c["sources"]) for c in got["columns"]] == [
        ("a", [{"table": "base", "column": "a"}])
    ]
    script = ";\n".join(f"INSERT INTO t{i} SELECT a FROM t{i - 1}" for i in range(1, 500))
    result = analyse(script)
    assert (result.sources, result.targets, len(result.intermediates)) == (["t0"], ["t499"], 498)
    assert [(c.target.table, c.sources[0].table) for c in result.columns] == [("t499", "t0")]


def test_columns_of_a_star_written_intermediate_trace_to_the_star_source() -> None:
    got = parse_sql(
        "CREATE TABLE tmp AS SELECT * FROM src;\n"
        "INSERT INTO t SELECT a, b + 1 AS c FROM tmp;\n"
        "INSERT INTO u SELECT * FROM tmp;"
    )
    assert {(c["target"]["table"], c["target"]["column"], c["sources"][0]["table"],
             c["sources"][0]["column"]) for c in got["columns"]} == {
        ("t", "a", "src", "a"), ("t", "c", "src", "b"), ("u", "*", "src", "*")
    }  # fmt: skip


def test_use_qualifies_the_names_that_follow_as_far_as_it_says() -> None:
    got = parse_sql(
        "USE DATABASE d; INSERT INTO s.t SELECT a FROM s.u; INSERT INTO t SELECT a FROM u;\n"
        "USE SCHEMA d.mart; INSERT INTO t2 SELECT a FROM raw.x; USE WAREHOUSE w;\n"
        "SELECT a FROM t3",
        dialect="snowflake",
    )
    assert got["targets"] == ["d.s.t", "t", "d.mart.t2"]  # a bare t: its schema is unknown
    assert got["sources"] == ["d.s.u", "u", "d.raw.x", "d.mart.t3"]
    mysql = parse_sql("USE shop; INSERT INTO copy SELECT id FROM orders", dialect="mysql")
    assert (mysql["sources"], mysql["targets"]) == (["shop.orders"], ["shop.copy"])
    assert mysql["columns"][0]["sources"] == [{"table": "shop.orders", "column": "id"}]
    tsql = parse_sql("USE [dw]; INSERT INTO dbo.t SELECT id FROM staging.s", dialect="tsql")
    assert (tsql["sources"], tsql["targets"]) == (["dw.staging.s"], ["dw.dbo.t"])
