"""Column lineage for a whole query in one pass over its qualified scope tree.

``sqlglot.lineage()`` answers one output column per call and re-qualifies the query each
time. Here the query is qualified once (with the catalog, so ``*`` and ``* EXCEPT`` expand
where columns are known), its scopes are built once, and every output column is resolved
by a memoised walk: a column reference resolves to a base table column, or to an output of a
derived table, CTE or union branch, whose lineage is computed once and shared. Each step
records how the value travels (:mod:`ingest.sql.transforms`), and paths compose.

Besides per-column lineage, the walk collects the dataset-wide INDIRECT inputs (WHERE,
JOIN, GROUP BY, ORDER BY, HAVING, QUALIFY of every scope), which decide which rows reach
the target but carry no values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, build_scope

from ingest.sql.catalog import Catalog
from ingest.sql.names import name_key, table_name
from ingest.sql.tables import base_tables
from ingest.sql.transforms import (
    IDENTITY,
    MaskingPolicy,
    Subtype,
    Transformation,
    classify,
    compose,
    indirect,
)

__all__ = ["Link", "QueryLineage", "Ref", "query_lineage"]


@dataclass(frozen=True, slots=True, order=True)
class Ref:
    """A column of a table; ``table`` None when it could not be tied to one."""

    table: str | None
    column: str


type Link = tuple[Ref, Transformation]


@dataclass(slots=True)
class QueryLineage:
    outputs: list[tuple[str, frozenset[Link]]] = field(default_factory=list)
    indirect: set[Link] = field(default_factory=set)
    unresolved: list[str] = field(default_factory=list)
    qualified: bool = True


_CLAUSES: tuple[tuple[str, Subtype], ...] = (
    ("where", Subtype.FILTER),
    ("having", Subtype.FILTER),
    ("qualify", Subtype.FILTER),
    ("group", Subtype.GROUP_BY),
    ("order", Subtype.SORT),
)


def _name_unaliased(query: exp.Expression, dialect: Dialect) -> None:
    """Give unaliased output expressions their SQL text as name (``col1 + col2``)."""
    selects: Iterable[exp.Select]
    if isinstance(query, exp.Select):
        selects = [query]
    elif isinstance(query, exp.SetOperation):
        left = query
        while isinstance(left, exp.SetOperation):
            left = left.this
        while isinstance(left, exp.Subquery):
            left = left.this
        selects = [left] if isinstance(left, exp.Select) else []
    else:
        selects = []
    for select in selects:
        for i, item in enumerate(select.expressions):
            if isinstance(item, (exp.Alias, exp.Column, exp.Star)) or item.alias:
                continue
            if isinstance(item, exp.Cast) and isinstance(item.this, exp.Column):
                text = item.sql(dialect=dialect)
            else:
                text = item.sql(dialect=dialect)
            select.expressions[i] = exp.alias_(item, exp.to_identifier(text, quoted=True))
            select.expressions[i].parent = select


class _Walker:
    def __init__(
        self, root: Scope, originals: dict[str, str], catalog: Catalog, policy: MaskingPolicy
    ) -> None:
        self.root = root
        self.originals = originals
        self.catalog = catalog
        self.policy = policy
        self.memo: dict[tuple[int, int], frozenset[Link]] = {}
        self.by_expression: dict[int, Scope] = {}
        self.unresolved: list[str] = []
        for scope in root.traverse():
            self.by_expression[id(scope.expression)] = scope

    # -- outputs -------------------------------------------------------------------------
    def outputs(self, scope: Scope) -> list[exp.Expression]:
        if isinstance(scope.expression, exp.SetOperation):
            return self.outputs(scope.set_operation_scopes[0])
        expression = scope.expression
        if isinstance(expression, exp.Select):
            return list(expression.expressions)
        return []

    def output_names(self, scope: Scope) -> list[str]:
        names = []
        for sel in self.outputs(scope):
            if isinstance(sel, exp.Star) or (
                isinstance(sel, exp.Column) and isinstance(sel.this, exp.Star)
            ):
                names.append("*")
            else:
                names.append(sel.alias_or_name)
        return names

    def column(self, scope: Scope, index: int) -> frozenset[Link]:
        key = (id(scope), index)
        cached = self.memo.get(key)
        if cached is not None:
            return cached
        self.memo[key] = frozenset()  # recursive CTEs: a cycle contributes nothing new
        if isinstance(scope.expression, exp.SetOperation):
            result: set[Link] = set()
            for branch in scope.set_operation_scopes:
                result |= self.column(branch, index)
        else:
            outputs = self.outputs(scope)
            result = set(self.expression(scope, outputs[index])) if index < len(outputs) else set()
        frozen = frozenset(result)
        self.memo[key] = frozen
        return frozen

    # -- expressions ---------------------------------------------------------------------
    def expression(self, scope: Scope, root: exp.Expression) -> set[Link]:
        out: set[Link] = set()
        target = root.this if isinstance(root, exp.Alias) else root
        if isinstance(target, exp.Star):
            return self.star(scope, None)
        for node in target.walk(prune=lambda n: n is not target and _is_subquery(n)):
            if isinstance(node, exp.Column):
                how = classify(node, target, self.policy)
                for ref, inner in self.resolve(scope, node):
                    out.add((ref, compose(how, inner)))
            elif (
                isinstance(node, exp.Star)
                and node is not target
                and not isinstance(node.parent, exp.Column)
            ):  # COUNT(*)
                how = classify(node, target, self.policy)
                for ref, inner in self.star(scope, None, quiet=True):
                    out.add((ref, compose(how, inner)))
            elif node is not target and _is_subquery(node):
                sub = self._scope_for(node)
                if sub is None:
                    continue
                how = classify(node, target, self.policy)
                if how.subtype is Subtype.IDENTITY:
                    how = Transformation(Subtype.TRANSFORMATION, how.masking)
                for i in range(len(self.outputs(sub))):
                    for ref, inner in self.column(sub, i):
                        out.add((ref, compose(how, inner)))
        return out

    def _scope_for(self, node: exp.Expression) -> Scope | None:
        inner = node.this if isinstance(node, exp.Subquery) else node
        return self.by_expression.get(id(inner)) or self.by_expression.get(id(node))

    def _source(self, scope: Scope, alias: str) -> exp.Table | Scope | None:
        want = alias.lower()
        current: Scope | None = scope
        while current is not None:
            for name, (_, source) in current.selected_sources.items():
                if name.lower() == want:
                    return source
            for name, source in current.sources.items():
                if name.lower() == want:
                    return source
            current = current.parent
        for _, source in scope.selected_sources.values():  # ``tab.col`` with ``tab`` aliased
            if isinstance(source, exp.Table):
                original = self._table(source).lower()
                if want in (original, original.rsplit(".", 1)[-1]):
                    return source
        return None

    def resolve(self, scope: Scope, column: exp.Column) -> set[Link]:
        if isinstance(column.this, exp.Star):
            return self.star(scope, column.table or None)
        name = column.name
        if column.table:
            source = self._source(scope, column.table)
            if source is None:
                self.unresolved.append(f"{column.table}.{name}")
                return {(Ref(None, name), IDENTITY)}
            return self.through(source, name)
        candidates = [source for _, source in scope.selected_sources.values()]
        if len(candidates) == 1:
            return self.through(candidates[0], name)
        known = [s for s in candidates if self._has_column(s, name)]
        if len(known) == 1:
            return self.through(known[0], name)
        if not candidates and scope.parent is not None:  # e.g. SELECT (SELECT outer_col)
            return self.resolve(scope.parent, column)
        self.unresolved.append(name)
        return {(Ref(None, name), IDENTITY)}

    def _has_column(self, source: exp.Table | Scope, name: str) -> bool:
        want = name.lower()
        if isinstance(source, Scope):
            return want in {n.lower() for n in self.output_names(source)}
        cols = self.catalog.columns(self._table(source))
        return cols is not None and want in {c.lower() for c in cols}

    def _table(self, table: exp.Table) -> str:
        return self.originals.get(table.name.lower(), table_name(table))

    def through(self, source: exp.Table | Scope, name: str) -> set[Link]:
        if isinstance(source, exp.Table):
            return {(Ref(self._table(source), name), IDENTITY)}
        names = [n.lower() for n in self.output_names(source)]
        want = name.lower()
        if want in names:
            return set(self.column(source, names.index(want)))
        if "*" in names:  # a column passing through an unexpanded star
            out: set[Link] = set()
            for ref, how in self.column(source, names.index("*")):
                out.add((Ref(ref.table, name) if ref.column == "*" else ref, how))
            return out
        self.unresolved.append(name)
        return set()

    def star(self, scope: Scope, alias: str | None, *, quiet: bool = False) -> set[Link]:
        if alias:
            source = self._source(scope, alias)
            sources = [source] if source is not None else []
        else:
            sources = [s for _, s in scope.selected_sources.values()]
        out: set[Link] = set()
        for source in sources:
            if isinstance(source, exp.Table):
                table = self._table(source)
                if not quiet:
                    self.unresolved.append(f"{table}.*")
                out.add((Ref(table, "*"), IDENTITY))
            elif isinstance(source, Scope):
                names = self.output_names(source)
                if "*" in names:
                    out |= self.column(source, names.index("*"))
        return out

    # -- dataset-wide indirect inputs --------------------------------------------------------
    def indirect(self) -> set[Link]:
        out: set[Link] = set()
        for scope in self.root.traverse():
            select = scope.expression
            if not isinstance(select, exp.Select):
                continue
            clauses = [(select.args.get(key), subtype) for key, subtype in _CLAUSES]
            for join in select.args.get("joins") or []:
                clauses.append((join.args.get("on"), Subtype.JOIN))
                for using in join.args.get("using") or []:
                    clauses.append((using, Subtype.JOIN))
            for clause, subtype in clauses:
                if clause is None:
                    continue
                how = indirect(subtype)
                for node in clause.walk(prune=_is_subquery):
                    if isinstance(node, exp.Column) and not isinstance(node.this, exp.Star):
                        for ref, inner in self.resolve(scope, node):
                            out.add((ref, compose(how, inner)))
                    elif node is not clause and _is_subquery(node):
                        sub = self._scope_for(node)
                        for i in range(len(self.outputs(sub)) if sub else 0):
                            for ref, inner in self.column(sub, i):
                                out.add((ref, compose(how, inner)))
        return out


def _is_subquery(node: exp.Expression) -> bool:
    return isinstance(node, (exp.Subquery, exp.Query)) and not isinstance(node.parent, exp.From)


_QUALIFY_ERRORS = (SqlglotError, KeyError, ValueError, AttributeError, TypeError, IndexError)


def _qualify(
    tree: exp.Expression, dialect: Dialect, schema: dict[str, dict[str, str]]
) -> tuple[exp.Expression, bool]:
    """Qualify fully; if sqlglot gives up (ambiguous correlated columns), qualify tables only."""
    options = {
        "dialect": dialect,
        "schema": schema or None,
        "validate_qualify_columns": False,
        "quote_identifiers": False,
        "identify": False,
    }
    try:
        return qualify(tree.copy(), **options), True
    except _QUALIFY_ERRORS:
        pass
    try:
        return qualify(tree, qualify_columns=False, **options), False
    except _QUALIFY_ERRORS:
        return tree, False


def query_lineage(
    query: exp.Expression,
    *,
    dialect: Dialect,
    catalog: Catalog,
    policy: MaskingPolicy,
) -> QueryLineage:
    """Lineage of every output column of ``query`` (in order) and its dataset-wide inputs."""
    tree = query.copy()
    _name_unaliased(tree, dialect)
    originals: dict[str, str] = {}
    synthetic: dict[str, str] = {}
    schema: dict[str, dict[str, str]] = {}
    for table in list(base_tables(tree)):
        original = table_name(table)
        key = name_key(original)
        alias = table.alias or table.name
        synth = synthetic.setdefault(key, f"__t{len(synthetic)}")
        originals[synth] = original
        cols = catalog.columns(original)
        if cols:
            types = catalog.types(original) or []
            schema[synth] = {
                c: (types[i] if i < len(types) and types[i] else "UNKNOWN")
                for i, c in enumerate(cols)
            }
        replacement = exp.Table(
            this=exp.to_identifier(synth),
            alias=exp.TableAlias(this=exp.to_identifier(alias, quoted=True)),
        )
        for key_arg in ("joins", "pivots", "laterals"):
            if table.args.get(key_arg):
                replacement.set(key_arg, table.args[key_arg])
        table.replace(replacement)
    tree, qualified = _qualify(tree, dialect, schema)
    root = build_scope(tree)
    result = QueryLineage(qualified=qualified)
    if root is None:
        return result
    originals = {k.lower(): v for k, v in originals.items()}
    walker = _Walker(root, originals, catalog, policy)
    for i, name in enumerate(walker.output_names(root)):
        result.outputs.append((name, walker.column(root, i)))
    result.indirect = walker.indirect()
    result.unresolved = sorted(set(walker.unresolved))
    return result
