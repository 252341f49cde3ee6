"""One parsed statement -> :class:`StatementLineage`: tables, then (optionally) columns.

Output columns are mapped onto target columns by position when the SQL gives a column
list (``INSERT INTO t (a, b)``, ``CREATE VIEW v (a, b)``, a CTAS column list), or when the
catalog knows the target's columns for an ``INSERT`` without one; otherwise they keep the
query's names. What the statement defines (DDL, CTAS, views) is learned into the catalog,
so later statements in the same script can expand ``SELECT *`` over it.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect

from ingest.sql.catalog import Catalog
from ingest.sql.columns import Link, QueryLineage, Ref, query_lineage
from ingest.sql.names import name_key, table_name
from ingest.sql.result import ColumnEdge, StatementLineage, TargetRef
from ingest.sql.shapes import Shape, shape_of
from ingest.sql.statements import Statement, split_statements
from ingest.sql.tables import base_tables
from ingest.sql.transforms import MaskingPolicy, Transformation

__all__ = ["statement_lineage"]


def _dedup(names: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for name in names:
        key = name_key(name)
        if key not in seen:
            seen.add(key)
            out.append(name)
    return out


def _group(target: TargetRef, links: frozenset[Link] | set[Link]) -> list[ColumnEdge]:
    by_how: dict[Transformation, set[Ref]] = defaultdict(set)
    for ref, how in links:
        by_how[how].add(ref)
    return [
        ColumnEdge(target, tuple(sorted(refs, key=_ref_key)), how)
        for how, refs in sorted(by_how.items())
    ]


def _ref_key(ref: Ref) -> tuple[str, str]:
    return (ref.table or "", ref.column)


def _target_names(shape: Shape, names: list[str], catalog: Catalog) -> list[str]:
    """Target column per output: by position onto a column list, else the output's name.
    An unexpanded ``*`` hides how many columns it stands for, so nothing maps by position."""
    if not shape.targets or shape.kind in ("update", "merge") or "*" in names:
        return names
    target = shape.targets[0]
    if target.columns:
        return [target.columns[i] if i < len(target.columns) else n for i, n in enumerate(names)]
    if shape.kind == "insert":
        known = catalog.columns(target.name)
        if known and len(known) == len(names):
            return known
    return names


def _other_reads(shape: Shape, dialect: Dialect) -> list[str]:
    """Reads outside the query: named tables, files and stages, queries held in strings."""
    out = [*shape.reads, *shape.read_paths]
    for sql in shape.inner_queries:
        for inner in split_statements(sql, dialect):
            if inner.expression is not None:
                out.extend(table_name(t) for t in base_tables(inner.expression))
    return out


def statement_lineage(
    stmt: Statement,
    *,
    dialect: Dialect,
    catalog: Catalog,
    policy: MaskingPolicy,
    columns: bool = True,
    line_offset: int = 0,
    lateral_aliases: bool = False,
) -> StatementLineage:
    """Lineage of one statement; learns its DDL/CTAS columns into ``catalog``."""
    result = StatementLineage(stmt.line + line_offset, stmt.text)
    if stmt.expression is None:
        result.error = stmt.error or "could not parse the statement"
        result.error_column = stmt.column
        return result
    shape = shape_of(stmt.expression)
    result.kind = shape.kind
    sources = _other_reads(shape, dialect)
    if shape.query is not None:
        sources.extend(table_name(t) for t in base_tables(shape.query))
    result.sources = _dedup(sources)
    result.targets = _dedup([t.name for t in shape.targets if not t.is_path])
    result.target_paths = [t.name for t in shape.targets if t.is_path]
    result.drops = list(shape.drops)
    result.modifies = _dedup(shape.modifies)
    result.declares_only = shape.creates and shape.query is None and not shape.reads
    result.defines_schema = shape.creates
    _learn_renames(shape, catalog)
    target = next((t for t in shape.targets if not t.is_path), None)
    if target is not None and target.columns:
        result.target_columns = list(target.columns)
        result.target_types = list(target.types or ("",) * len(target.columns))
    if not columns or shape.query is None or isinstance(shape.query, exp.Values):
        _learn(shape, result, catalog)
        return result
    try:
        with _deeper_recursion():
            lineage = query_lineage(
                shape.query,
                dialect=dialect,
                catalog=catalog,
                policy=policy,
                lateral_aliases=lateral_aliases,
                source=stmt.source,
            )
    except RecursionError:  # keep the table lineage; say the columns are not known
        result.unresolved = ["* (query nested too deeply for column lineage)"]
        _learn(shape, result, catalog)
        return result
    _columns(result, shape, lineage, catalog)
    _learn(shape, result, catalog)
    return result


@contextmanager
def _deeper_recursion(limit: int = 20_000) -> Iterator[None]:
    """The walk recurses once per nesting level (CTE chains of dbt models run to hundreds)."""
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(max(before, limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(before)


def _columns(
    result: StatementLineage, shape: Shape, lineage: QueryLineage, catalog: Catalog
) -> None:
    table = (shape.targets[0].name if shape.targets else None) or None
    names = _target_names(shape, [n for n, _ in lineage.outputs], catalog)
    if shape.kind == "delete":
        names = []
    merged: dict[str, set[Link]] = {}  # MERGE may assign one column in several branches
    for name, (_, output) in zip(names, lineage.outputs, strict=False):
        if output:
            merged.setdefault(name.lower(), set()).update(output)
    first_spelling = {n.lower(): n for n in reversed(names)}
    for key, links in merged.items():
        result.columns.extend(_group(TargetRef(table, first_spelling[key]), links))
    if lineage.indirect:
        result.columns.extend(_group(TargetRef(table, None), lineage.indirect))
    if not result.target_columns and shape.kind not in ("update", "merge", "delete"):
        result.target_columns = [n for n in names if n != "*"]
        result.target_types = [""] * len(result.target_columns)
        if "*" in names:
            result.target_columns = []
    result.unresolved = lineage.unresolved


def _learn(shape: Shape, result: StatementLineage, catalog: Catalog) -> None:
    if not shape.creates or not result.targets or not result.target_columns:
        return
    catalog.add(result.targets[0], result.target_columns, result.target_types)


def _learn_renames(shape: Shape, catalog: Catalog) -> None:
    for old, new in shape.renames:
        cols = catalog.columns(old)
        if cols:
            catalog.add(new, cols, catalog.types(old))
