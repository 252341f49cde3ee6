"""What a statement does to tables: its targets, the query that feeds them, what else it reads.

Every statement kind is reduced to one :class:`Shape`: targets (with an explicit column
list when the SQL gives one), a query whose rows flow into the targets, and for MERGE and
UPDATE a synthetic ``SELECT <assigned expr> AS <column> FROM <sources> WHERE ...`` so that
one column walker serves every kind. Targets of UPDATE and MERGE are not counted as their
own sources at table level (``UPDATE t SET a = 1`` reads nothing else).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlglot import exp

from ingest.sql.names import table_name

__all__ = ["Shape", "Target", "shape_of"]


@dataclass(frozen=True, slots=True)
class Target:
    """A written table (or a path for INSERT OVERWRITE DIRECTORY / UNLOAD)."""

    name: str
    columns: tuple[str, ...] | None = None
    types: tuple[str, ...] | None = None
    is_path: bool = False


@dataclass(slots=True)
class Shape:
    kind: str
    targets: list[Target] = field(default_factory=list)
    query: exp.Expr | None = None
    reads: list[str] = field(default_factory=list)
    #: files and stages read (``COPY INTO t FROM @stage``)
    read_paths: list[str] = field(default_factory=list)
    #: SQL text of queries embedded as strings (Redshift ``UNLOAD ('select ...')``)
    inner_queries: list[str] = field(default_factory=list)
    drops: list[str] = field(default_factory=list)
    renames: list[tuple[str, str]] = field(default_factory=list)
    #: creates a new table (CREATE / SELECT INTO) rather than writing an existing one
    creates: bool = False
    #: tables whose rows are only removed (DELETE without other inputs, TRUNCATE): no
    #: lineage flows into them, but the job still changes them (integrity)
    modifies: list[str] = field(default_factory=list)


def _schema_columns(node: exp.Expr) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    if not isinstance(node, exp.Schema):
        return None
    names, types = [], []
    for col in node.expressions:
        if isinstance(col, exp.ColumnDef):
            names.append(col.name)
            kind = col.args.get("kind")
            types.append(kind.sql() if kind is not None else "")
        elif isinstance(col, (exp.Identifier, exp.Column)):
            names.append(col.name)
            types.append("")
    return (tuple(names), tuple(types)) if names else None


def _target(node: exp.Expr | None) -> Target | None:
    """The written table of ``INSERT INTO t (a, b)``, ``CREATE TABLE t (a INT)``, a directory."""
    if node is None:
        return None
    if isinstance(node, exp.Directory):
        return Target(node.this.name, is_path=True)
    cols = _schema_columns(node)
    table = node.this if isinstance(node, exp.Schema) else node
    if not isinstance(table, exp.Table) or not table.name:
        return None
    return Target(table_name(table), cols[0] if cols else None, cols[1] if cols else None)


def _query_of(node: exp.Expr | None) -> exp.Expr | None:
    while isinstance(node, exp.Subquery) and not node.alias:
        node = node.this
    return node if isinstance(node, exp.Query | exp.Values) else None


def _hoist_joins(select: exp.Select) -> exp.Select:
    """sqlglot hangs T-SQL ``UPDATE ... FROM a JOIN b`` joins on the table; move them up."""
    for table in list(select.find_all(exp.Table)):
        joins = table.args.get("joins")
        if joins and table.parent_select is select:
            table.set("joins", None)
            for join in joins:
                select.append("joins", join)
    return select


def _assignment_select(
    assignments: list[tuple[str, exp.Expr]],
    sources: list[exp.Expr],
    joins: list[exp.Expr],
    where: exp.Expr | None,
) -> exp.Select:
    """Nodes move from the statement into the synthetic select (no copies). With no
    assignments (DELETE, a delete-only MERGE) it has no outputs: only its inputs matter."""
    select = exp.Select(
        expressions=[
            e if col == "*" else exp.alias_(e, col, quoted=False, copy=False)
            for col, e in assignments
        ]
    )
    if sources:
        select.set("from_", exp.From(this=sources[0]))
        for extra in sources[1:]:
            select.append("joins", exp.Join(this=extra))
    for join in joins:
        select.append("joins", join)
    if where is not None:
        select.set("where", exp.Where(this=where))
    return _hoist_joins(select)


def _update_shape(stmt: exp.Update) -> Shape:
    target_node = stmt.this
    from_ = stmt.args.get("from_")
    sources: list[exp.Expr] = []
    joins = list(target_node.args.get("joins") or [])
    real = target_node
    if from_ is not None:
        from_tables = [from_.this, *[j.this for j in from_.this.args.get("joins") or []]]
        alias_hit = next(
            (
                t
                for t in from_tables
                if isinstance(t, exp.Table)
                and t.alias_or_name.lower() == target_node.name.lower()
                and not target_node.args.get("db")
            ),
            None,
        )
        if alias_hit is not None:
            real = alias_hit
            sources = [from_.this]
        else:
            sources = [_bare(target_node), from_.this]
    else:
        sources = [_bare(target_node)]
    assignments = [
        (eq.this.name, eq.expression) for eq in stmt.expressions if isinstance(eq, exp.EQ)
    ]
    where = stmt.args.get("where")
    tgt = _target(real)
    shape = Shape("update", [tgt] if tgt else [])
    _mark_target(real)
    shape.query = _assignment_select(assignments, sources, joins, where.this if where else None)
    return shape


def _bare(table: exp.Expr) -> exp.Expr:
    table.set("joins", None)
    return table


def _mark_target(real: exp.Expr) -> None:
    """The statement's own target inside its synthetic query is not one of its sources."""
    if isinstance(real, exp.Table):
        real.meta["lineage_target"] = True


def _star_action(then: exp.Expr | None) -> bool:
    """Databricks ``WHEN MATCHED THEN UPDATE SET *`` / ``WHEN NOT MATCHED THEN INSERT *``."""
    if isinstance(then, exp.Update):
        return any(isinstance(e, exp.Star) for e in then.expressions)
    return isinstance(then, exp.Insert) and isinstance(then.this, exp.Star)


def _merge_shape(stmt: exp.Merge) -> Shape:
    target_node = stmt.this
    using = stmt.args.get("using")
    assignments: list[tuple[str, exp.Expr]] = []
    conditions: list[exp.Expr] = []
    whens = stmt.args.get("whens")
    for when in whens.expressions if whens else []:
        if when.args.get("condition") is not None:
            conditions.append(when.args["condition"])
        then = when.args.get("then")
        if _star_action(then) and using is not None:  # every source column, by name
            alias = using.alias_or_name
            assignments.append(("*", exp.Column(this=exp.Star(), table=exp.to_identifier(alias))))
        elif isinstance(then, exp.Update):
            assignments.extend(
                (eq.this.name, eq.expression) for eq in then.expressions if isinstance(eq, exp.EQ)
            )
        elif isinstance(then, exp.Insert):
            cols = then.this.expressions if isinstance(then.this, exp.Tuple) else []
            vals = then.expression.expressions if isinstance(then.expression, exp.Tuple) else []
            assignments.extend((c.name, v) for c, v in zip(cols, vals, strict=False))
    on = stmt.args.get("on")
    tgt = _target(target_node)
    shape = Shape("merge", [tgt] if tgt else [])
    _mark_target(target_node)
    join = exp.Join(this=using, on=on) if using is not None and on else None
    where = exp.and_(*conditions, copy=False) if conditions else None
    shape.query = _assignment_select(
        assignments,
        [_bare(target_node)] if join or using is None else [_bare(target_node), using],
        [join] if join else [],
        where,
    )
    return shape


def _delete_shape(stmt: exp.Delete) -> Shape:
    """Rows left after ``DELETE ... USING s`` / ``WHERE x IN (SELECT ...)`` depend on other
    tables (an INDIRECT FILTER): a lineage target. A plain DELETE only removes rows."""
    table = stmt.this
    if isinstance(table, exp.Table) and table.name.upper() == "TABLE" and table.alias:
        table = exp.Table(this=exp.to_identifier(table.alias))  # DELETE FROM TABLE t
        stmt.set("this", table)
    tgt = _target(table)
    using = list(stmt.args.get("using") or [])
    where = stmt.args.get("where")
    reads_others = bool(using) or (where is not None and where.find(exp.Query) is not None)
    if not reads_others:
        return Shape("delete", modifies=[tgt.name] if tgt else [])
    shape = Shape("delete", [tgt] if tgt else [])
    _mark_target(table)
    shape.query = _assignment_select(
        [], [_bare(table), *using], [], where.this if where is not None else None
    )
    return shape


def _location(node: exp.Expr) -> str:
    """A COPY file or stage: ``'s3://b/k'``, ``@stage/path``, ``STDIN``."""
    if isinstance(node, exp.Literal):
        return node.name
    if isinstance(node, exp.Table) and not isinstance(node.this, exp.Identifier):
        return node.this.name
    return node.sql()


def _copy_shape(stmt: exp.Copy) -> Shape:
    """``COPY INTO t FROM @stage`` / ``COPY t FROM 'file'`` load a table from files;
    ``COPY INTO @stage FROM (SELECT ...)`` / ``COPY (SELECT ...) TO 'f'`` / ``COPY t TO 'f'``
    unload into files. Files and stages are path datasets; STDIN/STDOUT are not."""
    this = stmt.this
    table = this.this if isinstance(this, exp.Schema) else this
    files = [f for f in stmt.args.get("files") or [] if _location(f).upper() not in _STDIO]
    query = next((f for f in files if isinstance(f, exp.Subquery)), None)
    if isinstance(this, exp.Subquery):
        query = this
    is_table = isinstance(table, exp.Table) and isinstance(table.this, exp.Identifier)
    loads = bool(stmt.args.get("kind")) and is_table
    if loads:
        tgt = _target(this)
        shape = Shape("copy", [tgt] if tgt else [])
        shape.read_paths.extend(_location(f) for f in files if f is not query)
        return shape
    shape = Shape("copy")
    if isinstance(table, exp.Table) and not is_table:  # COPY INTO @stage FROM (SELECT ...)
        shape.targets.append(Target(_location(table), is_path=True))
    else:
        shape.targets.extend(Target(_location(f), is_path=True) for f in files if f is not query)
        if is_table:
            shape.reads.append(table_name(table))
    shape.query = _query_of(query.this if isinstance(query, exp.Subquery) else query)
    return shape


_STDIO = frozenset({"STDIN", "STDOUT", "PROGRAM"})


def _create_shape(stmt: exp.Create) -> Shape:
    kind = str(stmt.args.get("kind") or "").upper()
    if kind not in {"TABLE", "VIEW", "MATERIALIZED VIEW", "TEMPORARY TABLE", ""} and not (
        "TABLE" in kind or "VIEW" in kind
    ):
        return Shape("create_" + kind.lower().replace(" ", "_"))
    tgt = _target(stmt.this)
    shape = Shape("create_" + (kind.lower().replace(" ", "_") or "table"), creates=True)
    if tgt is None:
        return shape
    shape.targets.append(tgt)
    shape.query = _query_of(stmt.expression)
    clone = stmt.args.get("clone")
    if clone is not None and isinstance(clone.this, exp.Table):
        shape.reads.append(table_name(clone.this))
    for prop in stmt.find_all(exp.LikeProperty):
        if isinstance(prop.this, exp.Table):
            shape.reads.append(table_name(prop.this))
    return shape


def _alter_shape(stmt: exp.Alter) -> Shape:
    tgt = _target(stmt.this)
    shape = Shape("alter")
    if tgt is None:
        return shape
    for action in stmt.args.get("actions") or []:
        if isinstance(action, exp.AlterRename) and isinstance(action.this, exp.Table):
            new = table_name(action.this)
            shape.renames.append((tgt.name, new))
            shape.reads.append(tgt.name)
            shape.targets.append(Target(new))
            return shape
        if isinstance(action, exp.SwapTable) and isinstance(action.this, exp.Table):
            shape.reads.append(table_name(action.this))
    shape.targets.append(tgt)
    return shape


_RENAME = re.compile(r"^\s*table\s+(.+)$", re.I | re.S)
_EXCHANGE = re.compile(
    r"^\s*table\s+(\S+)\s+exchange\s+partition\s*\(.*?\)\s*with\s+table\s+(\S+)\s*$", re.I | re.S
)
_UNLOAD = re.compile(r"^\s*\(\s*'((?:[^']|'')*)'\s*\)\s*to\s+'([^']+)'", re.I | re.S)


def _command_shape(stmt: exp.Command) -> Shape:
    """The few commands sqlglot keeps opaque but that move data."""
    verb = str(stmt.this).upper()
    body = stmt.expression
    if isinstance(body, exp.Literal):
        rest = body.name
    elif isinstance(body, exp.Expr):
        rest = body.sql()
    else:
        rest = str(body or "")
    shape = Shape("command_" + verb.lower())
    if verb == "RENAME" and (m := _RENAME.match(rest)):
        for pair in m.group(1).split(","):
            old, sep, new = pair.strip().partition(" to ")
            if not sep:
                old, sep, new = pair.strip().partition(" TO ")
            if sep and old.strip() and new.strip():
                shape.renames.append((old.strip(), new.strip()))
                shape.reads.append(old.strip())
                shape.targets.append(Target(new.strip()))
    elif verb == "ALTER" and (m := _EXCHANGE.match(rest)):
        shape.targets.append(Target(m.group(1)))
        shape.reads.append(m.group(2))
    elif verb == "UNLOAD" and (m := _UNLOAD.match(rest)):
        shape.targets.append(Target(m.group(2), is_path=True))
        shape.kind = "unload"
        shape.inner_queries.append(m.group(1).replace("''", "'"))
    return shape


def _with_of(node: exp.Expr) -> exp.With | None:
    found = node.args.get("with_") or node.args.get("with")
    return found if isinstance(found, exp.With) else None


def shape_of(stmt: exp.Expr) -> Shape:
    """Reduce one parsed statement to its :class:`Shape`."""
    shape = _shape_of(stmt)
    with_ = _with_of(stmt)
    if (
        with_ is not None
        and shape.query is not None
        and shape.query is not stmt
        and not isinstance(shape.query, exp.Values)
    ):
        # ``WITH c AS (...) INSERT INTO t SELECT ... FROM c``: the CTEs belong to the query
        query = shape.query  # nodes move from the statement into its query (no copies)
        inner = _with_of(query)
        if inner is None:
            query.set("with_", with_)
        else:
            for cte in reversed(with_.expressions):
                inner.expressions.insert(0, cte)
                cte.parent = inner
    return shape


def _shape_of(stmt: exp.Expr) -> Shape:
    if isinstance(stmt, exp.Insert):
        tgt = _target(stmt.this)
        return Shape("insert", [tgt] if tgt else [], _query_of(stmt.expression))
    if isinstance(stmt, exp.Create):
        return _create_shape(stmt)
    if isinstance(stmt, exp.Merge):
        return _merge_shape(stmt)
    if isinstance(stmt, exp.Update):
        return _update_shape(stmt)
    if isinstance(stmt, exp.Delete):
        return _delete_shape(stmt)
    if isinstance(stmt, exp.TruncateTable):
        shape = Shape("truncate")
        for table in stmt.expressions:
            tgt = _target(table)
            if tgt:
                shape.modifies.append(tgt.name)
        return shape
    if isinstance(stmt, exp.Drop):
        kind = str(stmt.args.get("kind") or "").upper()
        shape = Shape("drop")
        if "TABLE" in kind or "VIEW" in kind:
            tables = stmt.args.get("tables") or [stmt.this]
            shape.drops.extend(table_name(t) for t in tables if isinstance(t, exp.Table))
        return shape
    if isinstance(stmt, exp.Alter):
        return _alter_shape(stmt)
    if isinstance(stmt, exp.Command):
        return _command_shape(stmt)
    if isinstance(stmt, exp.Copy):
        return _copy_shape(stmt)
    if isinstance(stmt, exp.Cache) and isinstance(stmt.this, exp.Table):
        return Shape(
            "cache", [Target(table_name(stmt.this))], _query_of(stmt.args.get("expression"))
        )
    query = _query_of(stmt)
    if query is not None:
        into = query.args.get("into") if isinstance(query, exp.Select) else None
        if into is None and isinstance(query, exp.SetOperation):
            left = query
            while isinstance(left, exp.SetOperation):
                left = left.this
            into = left.args.get("into") if isinstance(left, exp.Select) else None
        if into is not None:
            tgt = _target(into.this)
            return Shape("select_into", [tgt] if tgt else [], query, creates=True)
        return Shape("select", [], query)
    return Shape(type(stmt).__name__.lower())
