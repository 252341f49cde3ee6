"""The result of reading a SQL script, and its stable JSON form (``lineage parse-sql``).

The JSON shape is a contract (accuracy is scored on it)::

    {"sources": [...], "targets": [...], "intermediates": [...],
     "columns": [{"target": {"table", "column"}, "sources": [{"table", "column"}],
                  "transformation": {"type", "subtype", "masking"}}],
     "statements": [{"line", "sources", "targets", "columns", "error"}]}

A column entry whose target ``column`` is null is a dataset-wide INDIRECT input (a
WHERE, JOIN, GROUP BY or ORDER BY column that decides which rows reach the target table,
OpenLineage's dataset-level dependency); its ``table`` is null for a plain SELECT.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.sql.columns import Ref
from ingest.sql.statements import snippet
from ingest.sql.transforms import Transformation

__all__ = ["ColumnEdge", "ScriptLineage", "StatementLineage", "TargetRef"]


@dataclass(frozen=True, slots=True, order=True)
class TargetRef:
    """An output column; ``column`` None for the whole target (dataset-wide inputs)."""

    table: str | None
    column: str | None


@dataclass(frozen=True, slots=True)
class ColumnEdge:
    target: TargetRef
    sources: tuple[Ref, ...]
    transformation: Transformation

    def to_dict(self) -> dict[str, object]:
        return {
            "target": {"table": self.target.table, "column": self.target.column},
            "sources": [{"table": s.table, "column": s.column} for s in self.sources],
            "transformation": self.transformation.to_dict(),
        }


@dataclass(slots=True)
class StatementLineage:
    """One statement: where it is, what it reads and writes, its column edges or its error."""

    line: int
    text: str
    kind: str = ""
    sources: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    target_paths: list[str] = field(default_factory=list)
    columns: list[ColumnEdge] = field(default_factory=list)
    error: str | None = None
    error_column: int | None = None
    #: columns of the (first) target as this statement defines or fills them, with types
    target_columns: list[str] = field(default_factory=list)
    target_types: list[str] = field(default_factory=list)
    #: column references that could not be tied to a table, stars with unknown columns
    unresolved: list[str] = field(default_factory=list)
    drops: list[str] = field(default_factory=list)
    #: tables whose rows it only removes (plain DELETE, TRUNCATE): written, not lineage targets
    modifies: list[str] = field(default_factory=list)
    #: the statement defines the target's whole schema (CREATE / CTAS / view / SELECT INTO),
    #: so ``target_columns`` are the table's fields, not just the ones it fills
    defines_schema: bool = False
    #: DDL that only declares its target (no rows written), e.g. ``CREATE TABLE t (a INT)``
    declares_only: bool = False

    @property
    def snippet(self) -> str:
        return snippet(self.text)

    def to_dict(self) -> dict[str, object]:
        return {
            "line": self.line,
            "sources": list(self.sources),
            "targets": [*self.targets, *self.target_paths],
            "columns": [c.to_dict() for c in self.columns],
            "error": self.error,
        }


@dataclass(slots=True)
class ScriptLineage:
    """A whole script: external sources, final targets, intermediates, end-to-end columns."""

    sources: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    intermediates: list[str] = field(default_factory=list)
    columns: list[ColumnEdge] = field(default_factory=list)
    statements: list[StatementLineage] = field(default_factory=list)
    dialect: str = "ansi"
    #: script-wide notes (an unknown dialect read as the generic one)
    warnings: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[StatementLineage]:
        return [s for s in self.statements if s.error]

    def to_dict(self) -> dict[str, object]:
        return {
            "sources": list(self.sources),
            "targets": list(self.targets),
            "intermediates": list(self.intermediates),
            "columns": [c.to_dict() for c in self.columns],
            "statements": [s.to_dict() for s in self.statements],
            **({"warnings": list(self.warnings)} if self.warnings else {}),
        }
