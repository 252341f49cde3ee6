"""The base tables a query reads: every table reference that is not a CTE name.

Cheap on purpose (no qualification), so table-level lineage stays fast. A reference is a
CTE when a ``WITH`` around it defines that name, except inside the CTE's own definition
unless the ``WITH`` is recursive (``WITH t AS (SELECT * FROM t)`` reads the real ``t``).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

__all__ = ["base_tables", "is_real_table"]


def _with_of(node: exp.Expr) -> exp.With | None:
    found = node.args.get("with_") or node.args.get("with")
    return found if isinstance(found, exp.With) else None


def _is_cte_ref(table: exp.Table) -> bool:
    if table.args.get("db") or table.args.get("catalog"):
        return False
    name = table.name.lower()
    child: exp.Expr = table
    node = table.parent
    while node is not None:
        with_ = _with_of(node)
        if with_ is not None:
            recursive = bool(with_.args.get("recursive"))
            for cte in with_.expressions:
                if cte.alias_or_name.lower() != name:
                    continue
                inside_own = child is cte or _contains(cte, table)
                if recursive or not inside_own:
                    return True
        child, node = node, node.parent
    return False


def _contains(ancestor: exp.Expr, node: exp.Expr) -> bool:
    parent = node.parent
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.parent
    return False


def is_real_table(table: exp.Table) -> bool:
    """A data-holding table reference (not a table function, UNNEST, or CTE name)."""
    this = table.this
    if not isinstance(this, (exp.Identifier, exp.Dot)) or not table.name:
        return False
    return not _is_cte_ref(table)


def base_tables(query: exp.Expr) -> Iterator[exp.Table]:
    """Real tables read by ``query``, in order of appearance (duplicates included)."""
    tables: list[exp.Table] = []
    ctes: set[str] = set()
    for node in query.walk(bfs=False):
        if isinstance(node, exp.Table):
            tables.append(node)
        elif isinstance(node, exp.CTE):
            ctes.add(node.alias_or_name.lower())
    for table in tables:
        if isinstance(table.parent, (exp.Schema, exp.Into)) or table.meta.get("lineage_target"):
            continue
        this = table.this
        if not isinstance(this, (exp.Identifier, exp.Dot)) or not table.name:
            continue
        if table.name.lower() in ctes and _is_cte_ref(table):  # the parent walk only if needed
            continue
        yield table
