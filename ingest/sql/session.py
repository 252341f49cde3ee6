"""Session state a script sets for the statements after it: ``USE`` picks the default
database or schema, so ``USE analytics; INSERT INTO daily ...`` writes ``analytics.daily``.

Names are qualified as far as the SQL says and no further: after Snowflake's
``USE DATABASE d`` a ``s.t`` becomes ``d.s.t`` but a bare ``t`` stays ``t`` (its schema is
not known), and ``USE WAREHOUSE`` / ``USE ROLE`` change nothing. Two-level dialects (MySQL,
Hive, Spark, DuckDB, ClickHouse) name ``database.table``; the others
``database.schema.table``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from ingest.sql.columns import Ref
from ingest.sql.dialects import DIALECT_ALIASES
from ingest.sql.names import table_parts
from ingest.sql.result import ColumnEdge, StatementLineage, TargetRef

__all__ = ["Session"]

_TWO_LEVEL = frozenset({"mysql", "hive", "spark", "spark2", "duckdb", "clickhouse", "doris",
                        "starrocks", "singlestore", "sqlite", ""})  # fmt: skip
_NOT_NAMESPACES = frozenset({"WAREHOUSE", "ROLE", "SECONDARY ROLES", "ROLES"})
#: three-level dialects where a bare ``USE x`` picks a database (elsewhere: a schema)
_USE_IS_DATABASE = frozenset({"tsql", "fabric", "snowflake"})


def _split(name: str) -> list[str]:
    """``a."b.c".d`` -> ``['a', '"b.c"', 'd']`` (names are joined by ``table_name``)."""
    parts: list[str] = []
    buf: list[str] = []
    quoted = False
    for ch in name:
        if ch == '"':
            quoted = not quoted
        if ch == "." and not quoted:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return parts


@dataclass
class Session:
    """The default container (database, or database and schema) of unqualified names."""

    dialect: str
    levels: int
    path: list[str | None] = field(default_factory=list)

    @classmethod
    def for_dialect(cls, name: str | None) -> Session:
        key = (name or "ansi").strip().lower()
        key = DIALECT_ALIASES.get(key, key)
        levels = 2 if key in _TWO_LEVEL else 3
        return cls(key, levels, [None] * (levels - 1))

    def use(self, stmt: exp.Use) -> None:
        kind = str(stmt.args.get("kind") or "").upper()
        if kind in _NOT_NAMESPACES or not isinstance(stmt.this, exp.Table):
            return
        parts = table_parts(stmt.this)
        if not parts:
            return
        bare_database = not kind and len(parts) == 1 and self.dialect in _USE_IS_DATABASE
        if self.levels == 2:
            self.path = [parts[-1]]
        elif kind in ("DATABASE", "CATALOG") or bare_database:
            self.path = [parts[-1], None]
        elif len(parts) >= 2:
            self.path = [*parts[-2:]]
        else:  # USE SCHEMA s / USE s: a schema of the current database
            self.path = [self.path[0], parts[0]]

    def qualify(self, name: str | None) -> str | None:
        if name is None or not any(self.path) or "/" in name or name.startswith("@"):
            return name
        missing = len(self.path) + 1 - len(_split(name))
        prefix = self.path[:missing] if missing > 0 else []
        if not prefix or any(p is None for p in prefix):
            return name
        return ".".join([*(p for p in prefix if p), name])

    def apply(self, stmt: StatementLineage) -> None:
        """Qualify every table name of one statement's lineage, in place."""
        if not any(self.path):
            return
        q = self.qualify
        stmt.sources = [q(n) or n for n in stmt.sources]
        stmt.targets = [q(n) or n for n in stmt.targets]
        stmt.modifies = [q(n) or n for n in stmt.modifies]
        stmt.drops = [q(n) or n for n in stmt.drops]
        stmt.columns = [
            ColumnEdge(
                TargetRef(q(e.target.table), e.target.column),
                tuple(Ref(q(s.table), s.column) for s in e.sources),
                e.transformation,
            )
            for e in stmt.columns
        ]
