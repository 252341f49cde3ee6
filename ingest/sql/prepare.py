"""Make a query tree easy to resolve without sqlglot's ``qualify``, in one walk.

``qualify`` would name, alias and normalise everything, but it costs more than the whole
lineage walk. The walker (:mod:`ingest.sql.columns`) needs only this: unaliased outputs named
by their SQL (``col1 + col2``, the name sqllineage and most engines give them), bare derived
tables aliased (scopes need a name), parenthesized joins flattened, and CTE names folded to
lower case (they resolve case-insensitively).
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect

__all__ = ["prepare"]


def _leftmost_select(query: exp.Expr) -> exp.Select | None:
    while isinstance(query, (exp.SetOperation, exp.Subquery)):
        query = query.this
    return query if isinstance(query, exp.Select) else None


def _unwrap(sub: exp.Subquery) -> None:
    """``FROM ((a JOIN b ON ...))``: sqlglot keeps the parentheses as a Subquery around a
    table carrying the joins; make it the plain ``FROM a JOIN b`` it means."""
    inner: exp.Expr = sub
    while isinstance(inner, exp.Subquery) and not inner.alias:
        inner = inner.this
    if not isinstance(inner, exp.Table) or not isinstance(sub.parent, exp.From):
        return
    select = sub.parent.parent
    joins = inner.args.get("joins") or []
    inner.set("joins", None)
    sub.replace(inner)
    if isinstance(select, exp.Select) and joins:
        select.set("joins", [*joins, *(select.args.get("joins") or [])])


def _output_name(item: exp.Expr, dialect: Dialect, source: str) -> str:
    """An unaliased output's name: its SQL, except ``col::type``, which Postgres (and
    sqllineage) name after the column; sqlglot parses it to the same CAST as the long form."""
    if isinstance(item, exp.Cast) and isinstance(item.this, exp.Column) and source:
        end = item.this.this.meta.get("end") if item.this.this else None
        if end is not None and source[end + 1 : end + 40].lstrip().startswith("::"):
            return item.this.name
    return item.sql(dialect=dialect)


def prepare(query: exp.Expr, dialect: Dialect, source: str = "") -> None:
    """One walk that makes the tree easy to resolve without sqlglot's ``qualify``:
    unaliased outputs named by their SQL (``col1 + col2``), bare derived tables aliased,
    parenthesized joins flattened, CTE names folded to lower case (they resolve
    case-insensitively: ``WITH CTE1 ... FROM cte1``)."""
    subqueries: list[exp.Expr] = []
    tables: list[exp.Table] = []
    ctes: set[str] = set()
    for node in query.walk():
        if isinstance(node, (exp.Subquery, exp.Values, exp.Unnest)):
            subqueries.append(node)
        elif isinstance(node, exp.Table):
            tables.append(node)
        elif isinstance(node, exp.CTE):
            alias = node.args.get("alias")
            if isinstance(alias, exp.TableAlias) and alias.this is not None:
                folded = alias.name.lower()
                if folded != alias.name:
                    alias.set("this", exp.to_identifier(folded))
                ctes.add(folded)
    for i, node in enumerate(subqueries):
        if (
            isinstance(node, exp.Subquery)
            and not node.alias
            and isinstance(node.this, exp.Subquery | exp.Table)
        ):
            _unwrap(node)
            if node.parent is None:
                continue
        alias = node.args.get("alias")
        if (
            isinstance(node, exp.Unnest)
            and isinstance(alias, exp.TableAlias)
            and not node.alias
            and len(alias.columns) == 1
        ):  # BigQuery ``UNNEST(o.items) AS item`` names the element: ``item.sku`` reads it
            alias.set("this", exp.to_identifier(alias.columns[0].name))
            continue
        if isinstance(node.parent, (exp.From, exp.Join)) and not node.alias:
            node.set("alias", exp.TableAlias(this=exp.to_identifier(f"_q_{i}")))
    if ctes:
        for table in tables:
            name = table.name
            if name.lower() in ctes and name != name.lower() and not table.args.get("db"):
                table.set("this", exp.to_identifier(name.lower()))
    top = _leftmost_select(query)
    if top is not None:
        for i, item in enumerate(top.expressions):
            if isinstance(item, (exp.Alias, exp.Column, exp.Star)) or item.alias:
                continue
            name = _output_name(item, dialect, source)
            aliased = exp.alias_(item, exp.to_identifier(name, quoted=True))
            top.expressions[i] = aliased
            aliased.parent = top
