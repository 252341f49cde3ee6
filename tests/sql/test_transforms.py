"""Transformation classification and masking on column edges (OpenLineage terms)."""

from __future__ import annotations

import pytest

from ingest.sql import MaskingPolicy, parse_sql


def _edges(sql: str, dialect: str = "ansi", **kw: object) -> dict[str, set[tuple]]:
    """target column -> {(source column, type, subtype, masking)}; None key = dataset-wide."""
    out: dict[str, set[tuple]] = {}
    for entry in parse_sql(sql, dialect=dialect, **kw)["columns"]:
        t = entry["transformation"]
        for src in entry["sources"]:
            out.setdefault(entry["target"]["column"], set()).add(
                (src["column"], t["type"], t["subtype"], t["masking"])
            )
    return out


@pytest.mark.parametrize(
    ("expression", "subtype"),
    [
        ("a", "IDENTITY"),
        ("CAST(a AS INT)", "TRANSFORMATION"),
        ("a || 'x'", "TRANSFORMATION"),
        ("upper(a)", "TRANSFORMATION"),
        ("sum(a)", "AGGREGATION"),
        ("count(DISTINCT a)", "AGGREGATION"),
        ("coalesce(a, 0) + 1", "TRANSFORMATION"),
    ],
)
def test_direct_subtypes(expression: str, subtype: str) -> None:
    edges = _edges(f"INSERT INTO t SELECT {expression} AS x FROM s")
    assert edges["x"] == {("a", "DIRECT", subtype, False)}


def test_indirect_subtypes_per_column_and_dataset_wide() -> None:
    edges = _edges(
        "INSERT INTO t SELECT CASE WHEN s.flag THEN s.v END AS x, "
        "rank() OVER (PARTITION BY s.grp ORDER BY s.ts) AS r "
        "FROM s JOIN u ON s.id = u.id WHERE s.country = 'DE' "
        "GROUP BY s.flag, s.v, s.grp, s.ts ORDER BY s.v"
    )
    assert edges["x"] == {
        ("flag", "INDIRECT", "CONDITIONAL", False),
        ("v", "DIRECT", "TRANSFORMATION", False),
    }
    assert edges["r"] == {("grp", "INDIRECT", "WINDOW", False), ("ts", "INDIRECT", "WINDOW", False)}
    wide = edges[None]
    assert ("country", "INDIRECT", "FILTER", False) in wide
    assert {("id", "INDIRECT", "JOIN", False)} <= wide
    assert ("grp", "INDIRECT", "GROUP_BY", False) in wide
    assert ("v", "INDIRECT", "SORT", False) in wide


def test_transformations_compose_through_ctes_and_subqueries() -> None:
    edges = _edges(
        "WITH c AS (SELECT sha2(email, 256) AS h, amount FROM crm.users) "
        "INSERT INTO t SELECT upper(h) AS h2, sum(amount) AS total FROM (SELECT * FROM c) d "
        "GROUP BY upper(h)"
    )
    assert edges["h2"] == {("email", "DIRECT", "TRANSFORMATION", True)}
    assert edges["total"] == {("amount", "DIRECT", "AGGREGATION", False)}


@pytest.mark.parametrize(
    ("dialect", "expression"),
    [
        ("spark", "sha2(email, 256)"),
        ("spark", "md5(email)"),
        ("spark", "hash(email)"),
        ("hive", "mask(email)"),
        ("hive", "mask_hash(email)"),
        ("snowflake", "sha2(email)"),
        ("snowflake", "md5(email)"),
        ("bigquery", "farm_fingerprint(email)"),
        ("bigquery", "to_hex(sha256(email))"),
        ("postgres", "md5(email)"),
        ("postgres", "pgp_sym_encrypt(email, 'k')"),
        ("tsql", "hashbytes('SHA2_256', email)"),
        ("mysql", "aes_encrypt(email, 'k')"),
        ("spark", "regexp_replace(email, '.+@', '***@')"),
    ],
)
def test_masking_functions(dialect: str, expression: str) -> None:
    edges = _edges(f"INSERT INTO t SELECT {expression} AS x FROM s", dialect)
    assert edges["x"] == {("email", "DIRECT", "TRANSFORMATION", True)}


def test_regexp_replace_with_a_column_replacement_is_not_masking() -> None:
    edges = _edges("INSERT INTO t SELECT regexp_replace(a, 'x', b) AS x FROM s", "spark")
    assert {m for *_, m in edges["x"]} == {False}


def test_masking_list_is_configurable() -> None:
    sql = "INSERT INTO t SELECT vault_tokenize(card) AS c FROM s"
    assert _edges(sql)["c"] == {("card", "DIRECT", "TRANSFORMATION", False)}
    policy = MaskingPolicy.with_functions(["vault_tokenize"])
    assert _edges(sql, masking=policy)["c"] == {("card", "DIRECT", "TRANSFORMATION", True)}
    only = MaskingPolicy.with_functions(["vault_tokenize"], only=True)
    assert _edges("INSERT INTO t SELECT md5(a) AS x FROM s", masking=only)["x"] == {
        ("a", "DIRECT", "TRANSFORMATION", False)
    }


def test_masking_does_not_leak_to_unmasked_siblings() -> None:
    edges = _edges("INSERT INTO t SELECT concat(md5(a), b) AS x FROM s")
    assert edges["x"] == {
        ("a", "DIRECT", "TRANSFORMATION", True),
        ("b", "DIRECT", "TRANSFORMATION", False),
    }
