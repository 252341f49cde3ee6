"""Dialect names as users write them, mapped onto sqlglot dialects.

Users say ``sqlserver``, ``databricks`` or ``ansi``; sqlglot knows ``tsql``, ``databricks``
and its own default. One table here, so every entry point accepts the same names.
"""

from __future__ import annotations

import re
from functools import cache

from sqlglot.dialects.dialect import Dialect

from lineage.errors import ConfigError

__all__ = [
    "DIALECT_ALIASES",
    "FALLBACKS",
    "LATERAL_ALIAS_DIALECTS",
    "fallback_dialects",
    "lateral_aliases_default",
    "preprocess",
    "resolve_dialect",
]

DIALECT_ALIASES: dict[str, str] = {
    "ansi": "",
    "sql": "",
    "generic": "",
    "default": "",
    "sqlserver": "tsql",
    "mssql": "tsql",
    "azure": "tsql",
    "synapse": "tsql",
    "fabric": "fabric",
    "postgresql": "postgres",
    "pg": "postgres",
    "sparksql": "spark",
    "spark2": "spark2",
    "delta": "databricks",
    "db2": "",  # no sqlglot db2 dialect; the ANSI grammar covers what lineage needs
    "mariadb": "mysql",
    "gbq": "bigquery",
    "trino": "trino",
    "presto": "presto",
    "impala": "hive",
    "greenplum": "postgres",
}


@cache
def resolve_dialect(name: str | None) -> Dialect:
    """Return the sqlglot dialect for a user-facing name. Raises ConfigError if unknown."""
    key = (name or "ansi").strip().lower()
    key = DIALECT_ALIASES.get(key, key)
    try:
        return Dialect.get_or_raise(key or None)
    except ValueError as exc:
        raise ConfigError(f"unknown SQL dialect {name!r}: {exc}") from None


#: Dialects tried, in order, for a statement the named dialect cannot parse. Athena runs
#: Hive DDL (backticks) next to Trino DML; Databricks and Spark scripts carry Hive syntax.
FALLBACKS: dict[str, tuple[str, ...]] = {
    "athena": ("hive", "trino"),
    "trino": ("hive",),
    "presto": ("hive",),
    "databricks": ("hive",),
    "spark": ("hive",),
    "db2": ("postgres",),
    "redshift": ("postgres",),
}


@cache
def fallback_dialects(name: str | None) -> tuple[Dialect, ...]:
    key = (name or "ansi").strip().lower()
    return tuple(resolve_dialect(d) for d in FALLBACKS.get(key, ()))


#: Dialects where a select item may name an earlier item's alias (lateral column alias).
LATERAL_ALIAS_DIALECTS = frozenset(
    {"snowflake", "redshift", "databricks", "spark", "duckdb", "teradata", "exasol"}
)


@cache
def lateral_aliases_default(name: str | None) -> bool:
    key = (name or "ansi").strip().lower()
    return DIALECT_ALIASES.get(key, key) in LATERAL_ALIAS_DIALECTS


# Teradata attribute phrases after a column, ``DOB (TITLE 'Birthdate')``, ``x (FORMAT 'YYYY')``,
# ``y (NAMED z)``: display metadata sqlglot cannot parse. Blanked to spaces of the same
# length, so offsets and line numbers stay true.
_TERADATA_PHRASE = re.compile(
    r"\(\s*(?:TITLE|FORMAT|NAMED)\s+(?:'(?:[^']|'')*'|\"[^\"]*\"|\w+)\s*\)", re.I
)


# Oracle PL/SQL session values: ``SQL%ROWCOUNT`` (cursor attributes), ``SQLERRM``, ``SQLCODE``
# read no table; sqlglot would parse ``SQL % ROWCOUNT`` as two columns. Made literals of the
# same length (offsets and line numbers stay true).
_ORACLE_SESSION = re.compile(
    r"\b\w+%(?:ROWCOUNT|FOUND|NOTFOUND|ISOPEN|BULK_ROWCOUNT|BULK_EXCEPTIONS)\b"
    r"|\bSQLERRM\b(?:\s*\(\s*[\w@:.]*\s*\))?|\bSQLCODE\b",
    re.I,
)


def _literal_of_length(match: re.Match[str]) -> str:
    literal = "NULL" if match.group().upper().startswith("SQLERRM") else "0"
    return literal + " " * (len(match.group()) - len(literal))


def preprocess(text: str, name: str | None) -> str:
    """Dialect syntax sqlglot does not read but that carries no lineage, made invisible."""
    key = (name or "ansi").strip().lower()
    dialect = DIALECT_ALIASES.get(key, key)
    if dialect == "teradata":
        return _TERADATA_PHRASE.sub(lambda m: " " * len(m.group()), text)
    if (dialect == "oracle" and "%" in text) or "SQLERRM" in text.upper():
        return _ORACLE_SESSION.sub(_literal_of_length, text) if dialect == "oracle" else text
    return text
