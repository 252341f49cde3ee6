"""A whole script: statements in order, intermediates, and end-to-end column lineage.

A table written by one statement and read by a later one is an *intermediate*; so is one
the script drops after writing it. The script's ``sources`` are tables read before any
statement wrote them; its ``targets`` the written tables that are not intermediates. Its
``columns`` follow intermediates through: a read of ``tmp.c`` after a statement wrote
``tmp.c`` is replaced by what that statement wrote into it, transformations composed, so
each entry goes from a real source column to a final target column (how sqllineage and
OpenLineage report multi-statement lineage). The per-statement view keeps every hop.
"""

from __future__ import annotations

from collections import defaultdict

from sqlglot import exp

from ingest.sql.catalog import Catalog, CatalogInput
from ingest.sql.columns import Link, Ref
from ingest.sql.dialects import (
    fallback_dialects,
    lateral_aliases_default,
    preprocess,
    resolve_dialect,
)
from ingest.sql.names import name_key
from ingest.sql.result import ColumnEdge, ScriptLineage, StatementLineage, TargetRef
from ingest.sql.session import Session
from ingest.sql.statement_lineage import statement_lineage
from ingest.sql.statements import split_statements
from ingest.sql.transforms import MaskingPolicy, Transformation, compose
from lineage.errors import ConfigError

__all__ = ["analyse"]


def analyse(
    text: str,
    *,
    dialect: str = "ansi",
    catalog: Catalog | CatalogInput | None = None,
    masking: MaskingPolicy | None = None,
    columns: bool = True,
    line_offset: int = 0,
    lateral_aliases: bool | None = None,
) -> ScriptLineage:
    """Read a SQL script. Never raises on bad SQL: bad statements carry their error.

    ``lateral_aliases`` (default: the dialect's rule) lets a select item name an earlier
    item's alias, as Snowflake, Redshift, Databricks and DuckDB allow.
    """
    warnings: list[str] = []
    try:
        sqlglot_dialect = resolve_dialect(dialect)
    except ConfigError:  # e.g. vertica: the generic grammar still reads most of it
        warnings.append(f"unknown SQL dialect {dialect!r}: read with the generic dialect")
        dialect = "ansi"
        sqlglot_dialect = resolve_dialect(dialect)
    if lateral_aliases is None:
        lateral_aliases = lateral_aliases_default(dialect)
    cat = catalog.copy() if isinstance(catalog, Catalog) else Catalog(catalog)
    policy = masking or MaskingPolicy()
    result = ScriptLineage(dialect=dialect, warnings=warnings)
    text = preprocess(text, dialect)
    session = Session.for_dialect(dialect)
    for stmt in split_statements(text, sqlglot_dialect, fallback_dialects(dialect)):
        if isinstance(stmt.expression, exp.Use):
            session.use(stmt.expression)
        try:
            lineage = statement_lineage(
                stmt,
                dialect=sqlglot_dialect,
                catalog=cat,
                policy=policy,
                columns=columns,
                line_offset=line_offset,
                lateral_aliases=lateral_aliases,
            )
        except Exception as exc:  # one statement must never sink the script: report it
            lineage = StatementLineage(stmt.line + line_offset, stmt.text)
            lineage.error = f"lineage failed ({type(exc).__name__}: {exc})"
        session.apply(lineage)
        result.statements.append(lineage)
    _tables(result)
    if columns:
        result.columns = _end_to_end(result)
    return result


def _tables(result: ScriptLineage) -> None:
    names: dict[str, str] = {}
    written: set[str] = set()
    intermediate: set[str] = set()
    sources: list[str] = []
    targets: list[str] = []
    for stmt in result.statements:
        for name in stmt.sources:
            key = name_key(name)
            names.setdefault(key, name)
            if key in written:
                intermediate.add(key)
            elif key not in sources:
                sources.append(key)
        for name in stmt.targets:
            key = name_key(name)
            names.setdefault(key, name)
            if not stmt.declares_only:  # an empty table declared by DDL holds no rows yet
                written.add(key)
            if key not in targets:
                targets.append(key)
        for name in stmt.target_paths:
            names.setdefault(name, name)
            if name not in targets:
                targets.append(name)
        for name in stmt.drops:
            key = name_key(name)
            if key in written:
                intermediate.add(key)
    result.sources = [names[k] for k in sources]
    result.targets = [names[k] for k in targets if k not in intermediate]
    result.intermediates = [names[k] for k in targets if k in intermediate]


def _end_to_end(result: ScriptLineage) -> list[ColumnEdge]:
    if len(result.statements) == 1:  # nothing to follow through
        return sorted(result.statements[0].columns, key=_edge_order)
    produced: dict[tuple[str, str], set[Link]] = defaultdict(set)
    wide: dict[str, set[Link]] = defaultdict(set)  # dataset-wide inputs of each written table
    final: dict[tuple[TargetRef, Transformation], set[Ref]] = defaultdict(set)
    intermediates = {name_key(n) for n in result.intermediates}
    for stmt in result.statements:
        expanded: list[tuple[TargetRef, set[Link]]] = []
        for edge in stmt.columns:
            links: set[Link] = set()
            for ref in edge.sources:
                upstream = _upstream(produced, ref)
                if upstream:
                    links |= {(r, compose(edge.transformation, how)) for r, how in upstream}
                else:
                    links.add((ref, edge.transformation))
            expanded.append((edge.target, links))
        inherited: set[Link] = set()
        for name in stmt.sources:  # rows of an intermediate were already filtered upstream
            inherited |= wide.get(name_key(name), set())
        if inherited and stmt.targets:
            expanded.append((TargetRef(stmt.targets[0], None), inherited))
        for target, links in expanded:
            if target.table is not None and target.column is not None:
                produced[(name_key(target.table), target.column.lower())] |= links
            elif target.table is not None:
                wide[name_key(target.table)] |= links
            if target.table is None or name_key(target.table) not in intermediates:
                for ref, how in links:
                    final[(target, how)].add(ref)
    edges = [
        ColumnEdge(target, tuple(sorted(refs, key=lambda r: (r.table or "", r.column))), how)
        for (target, how), refs in final.items()
    ]
    return sorted(edges, key=_edge_order)


def _upstream(produced: dict[tuple[str, str], set[Link]], ref: Ref) -> set[Link]:
    """What an earlier statement wrote into ``ref``; a column of an intermediate written
    through an unexpanded ``*`` comes from the same-named column of the star's sources."""
    if ref.table is None:
        return set()
    table = name_key(ref.table)
    found = produced.get((table, ref.column.lower()))
    if found:
        return found
    star = produced.get((table, "*"))
    if not star or ref.column == "*":
        return set()
    return {(Ref(r.table, ref.column) if r.column == "*" else r, how) for r, how in star}


def _edge_order(edge: ColumnEdge) -> tuple[str, str, Transformation]:
    return (edge.target.table or "", edge.target.column or "", edge.transformation)
