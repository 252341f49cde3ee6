"""Column lineage for a whole query in one pass over its scope tree.

``sqlglot.lineage()`` answers one output column per call, and each call copies and
re-qualifies the whole query. Here the scope tree is built once and every output column is
resolved by a memoised walk: a column reference resolves to a base table column, or to an
output of a derived table, CTE, union branch or UNNEST/LATERAL, whose lineage is computed
once and shared. Name resolution is done here rather than by sqlglot's ``qualify`` (which
costs more than the whole walk): aliases, case-insensitive names, ``USING`` joins, select
alias references, correlated columns, and ``*`` / ``t.*`` / ``* EXCEPT`` / ``* REPLACE``
expanded from the catalog and from derived tables' outputs. Each step records how the
value travels (:mod:`ingest.sql.transforms`), and paths compose.

Besides per-column lineage, the walk collects the dataset-wide INDIRECT inputs (WHERE,
JOIN, GROUP BY, ORDER BY, HAVING, QUALIFY of every scope), which decide which rows reach
the target but carry no values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.scope import Scope, build_scope

from ingest.sql.catalog import Catalog
from ingest.sql.names import table_name
from ingest.sql.prepare import prepare
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
type Source = exp.Table | Scope


@dataclass(slots=True)
class QueryLineage:
    outputs: list[tuple[str, frozenset[Link]]] = field(default_factory=list)
    indirect: set[Link] = field(default_factory=set)
    unresolved: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Output:
    """One output column: a select expression, a column passed through a star, or a star."""

    name: str
    expression: exp.Expr | None = None
    source: Source | None = None
    star: bool = False


_CLAUSES: tuple[tuple[str, Subtype], ...] = (
    ("where", Subtype.FILTER),
    ("having", Subtype.FILTER),
    ("qualify", Subtype.FILTER),
    ("group", Subtype.GROUP_BY),
    ("order", Subtype.SORT),
)
_UDTF = (exp.Unnest, exp.Lateral, exp.Explode, exp.UDTF)


def _star_of(node: exp.Expr) -> tuple[exp.Star | None, str | None]:
    if isinstance(node, exp.Star):
        return node, None
    if isinstance(node, exp.Column) and isinstance(node.this, exp.Star):
        return node.this, node.table or None
    return None, None


class _Walker:
    def __init__(
        self, root: Scope, catalog: Catalog, policy: MaskingPolicy, lateral_aliases: bool
    ) -> None:
        self.lateral_aliases = lateral_aliases
        self.catalog = catalog
        self.policy = policy
        self.memo: dict[tuple[int, int], frozenset[Link]] = {}
        self.outputs_memo: dict[int, list[_Output]] = {}
        self.sources_memo: dict[int, list[tuple[str, Source]]] = {}
        self.index_memo: dict[int, dict[str, int]] = {}
        self.names_memo: dict[int, str] = {}
        self.by_expression: dict[int, Scope] = {}
        self.unresolved: list[str] = []
        self.scopes = list(root.traverse())
        for scope in self.scopes:
            self.by_expression[id(scope.expression)] = scope

    # -- sources ------------------------------------------------------------------------------
    def sources(self, scope: Scope) -> list[tuple[str, Source]]:
        cached = self.sources_memo.get(id(scope))
        if cached is None:
            try:
                cached = [(name, src) for name, (_, src) in scope.selected_sources.items()]
            except SqlglotError:  # duplicate aliases: the SQL is ambiguous anyway
                cached = []
            self.sources_memo[id(scope)] = cached
        return cached

    def table(self, table: exp.Table) -> str:
        name = self.names_memo.get(id(table))
        if name is None:
            name = self.names_memo[id(table)] = table_name(table)
        return name

    def find_source(self, scope: Scope, alias: str) -> Source | None:
        want = alias.lower()
        current: Scope | None = scope
        while current is not None:
            for name, source in self.sources(current):
                if name.lower() == want:
                    return source
            current = current.parent
        for _, source in self.sources(scope):  # ``tab.col`` where ``tab`` has an alias
            if isinstance(source, exp.Table):
                original = self.table(source).lower()
                if want in (original, original.rsplit(".", 1)[-1]):
                    return source
        return None

    # -- outputs -------------------------------------------------------------------------------
    def outputs(self, scope: Scope) -> list[_Output]:
        cached = self.outputs_memo.get(id(scope))
        if cached is not None:
            return cached
        self.outputs_memo[id(scope)] = []  # cycles (recursive CTEs) see no outputs
        expression = scope.expression
        if isinstance(expression, exp.SetOperation):
            branches = scope.set_operation_scopes
            result = self.outputs(branches[0]) if branches else []
        elif isinstance(expression, exp.Select):
            result = []
            for item in expression.expressions:
                star, alias = _star_of(item)
                if star is None:
                    result.append(_Output(item.alias_or_name, item))
                else:
                    result.extend(self.expand(scope, star, alias))
        else:
            result = []
        self.outputs_memo[id(scope)] = result
        return result

    def expand(self, scope: Scope, star: exp.Star, alias: str | None) -> list[_Output]:
        if alias:
            found = self.find_source(scope, alias)
            sources = [found] if found is not None else []
        else:
            sources = [src for _, src in self.sources(scope)]
        excluded = {c.name.lower() for c in star.args.get("except_") or star.args.get("except")
                    or []}  # fmt: skip
        replaced = {r.alias.lower(): r for r in star.args.get("replace") or []}
        out: list[_Output] = []
        for source in sources:
            names = self.known_columns(source)
            if names is None:
                out.append(_Output("*", source=source, star=True))
                continue
            for name in names:
                key = name.lower()
                if key in excluded:
                    continue
                if key in replaced:
                    out.append(_Output(name, replaced[key]))
                else:
                    out.append(_Output(name, source=source))
        return out

    def known_columns(self, source: Source) -> list[str] | None:
        """A source's column names, or None when unknown (table not in the catalog)."""
        if isinstance(source, exp.Table):
            return self.catalog.columns(self.table(source))
        if isinstance(source.expression, _UDTF):
            alias = source.expression.args.get("alias")
            if not isinstance(alias, exp.TableAlias):
                return None
            cols = [c.name for c in alias.columns]
            if not cols and isinstance(source.expression, exp.Unnest) and alias.name:
                cols = [alias.name]  # BigQuery: ``UNNEST(arr) AS x`` names the value x
            return cols or None
        names = [o.name for o in self.outputs(source)]
        return None if any(o.star for o in self.outputs(source)) else names

    def output_names(self, scope: Scope) -> list[str]:
        return [o.name for o in self.outputs(scope)]

    def output_index(self, scope: Scope) -> dict[str, int]:
        cached = self.index_memo.get(id(scope))
        if cached is None:
            cached = {}
            for i, o in enumerate(self.outputs(scope)):
                cached.setdefault(o.name.lower(), i)
            self.index_memo[id(scope)] = cached
        return cached

    # -- lineage of one output ---------------------------------------------------------------
    def column(self, scope: Scope, index: int) -> frozenset[Link]:
        key = (id(scope), index)
        cached = self.memo.get(key)
        if cached is not None:
            return cached
        self.memo[key] = frozenset()  # recursive CTEs: a cycle contributes nothing new
        result: set[Link] = set()
        if isinstance(scope.expression, exp.SetOperation):
            branches = scope.set_operation_scopes
            if not isinstance(scope.expression, exp.Union):  # EXCEPT / INTERSECT: the right
                branches = branches[:1]  # side only filters rows (see ``indirect``)
            for branch in branches:
                result |= self.column(branch, index)
        else:
            outputs = self.outputs(scope)
            if index < len(outputs):
                result = self.output(scope, outputs[index])
        frozen = frozenset(result)
        self.memo[key] = frozen
        return frozen

    def output(self, scope: Scope, out: _Output) -> set[Link]:
        if out.expression is not None:
            return self.expression(scope, out.expression)
        if out.star:
            return self.star_of(out.source)  # type: ignore[arg-type]
        return self.through(out.source, out.name)  # type: ignore[arg-type]

    def star_of(self, source: Source) -> set[Link]:
        if isinstance(source, exp.Table):
            self.unresolved.append(f"{self.table(source)}.*")
            return {(Ref(self.table(source), "*"), IDENTITY)}
        outputs = self.outputs(source)
        out: set[Link] = set()
        for i, o in enumerate(outputs):
            if o.star:
                out |= self.column(source, i)
        return out

    def expression(self, scope: Scope, root: exp.Expr) -> set[Link]:
        out: set[Link] = set()
        target = root.this if isinstance(root, exp.Alias) else root
        for node in target.walk(prune=lambda n: n is not target and _is_subquery(n)):
            if isinstance(node, exp.Column):
                if isinstance(node.this, exp.Star):
                    how = classify(node, target, self.policy)
                    links = self.all_stars(scope, node.table or None)
                else:
                    how = classify(node, target, self.policy)
                    item = isinstance(root.parent, exp.Select) and root.arg_key == "expressions"
                    links = self.resolve(scope, node, root if item else None)
                out |= {(ref, compose(how, inner)) for ref, inner in links}
            elif isinstance(node, exp.Star) and not isinstance(node.parent, exp.Column):
                how = classify(node, target, self.policy)  # COUNT(*): every row of every source
                out |= {(ref, compose(how, inner)) for ref, inner in self.all_stars(scope, None)}
            elif node is not target and _is_subquery(node):
                sub = self.scope_for(node)
                if sub is None:
                    continue
                how = classify(node, target, self.policy)
                if how.subtype is Subtype.IDENTITY:
                    how = Transformation(Subtype.TRANSFORMATION, how.masking)
                for i in range(len(self.outputs(sub))):
                    out |= {(ref, compose(how, inner)) for ref, inner in self.column(sub, i)}
        return out

    def all_stars(self, scope: Scope, alias: str | None) -> set[Link]:
        if alias:
            found = self.find_source(scope, alias)
            sources = [found] if found is not None else []
        else:
            sources = [src for _, src in self.sources(scope)]
        out: set[Link] = set()
        for source in sources:
            if isinstance(source, exp.Table):
                out.add((Ref(self.table(source), "*"), IDENTITY))
            else:
                out |= self.star_of(source)
        return out

    def scope_for(self, node: exp.Expr) -> Scope | None:
        inner = node.this if isinstance(node, exp.Subquery) else node
        return self.by_expression.get(id(inner)) or self.by_expression.get(id(node))

    # -- name resolution ---------------------------------------------------------------------
    def resolve(
        self, scope: Scope, column: exp.Column, within: exp.Expr | None = None
    ) -> set[Link]:
        name = column.name
        if column.table:
            source = self.find_source(scope, column.table)
            if source is not None and (
                not column.args.get("db") or self._names_table(source, column)
            ):
                return self.through(source, name)
            struct = self.struct_field(scope, column, within)
            if struct is not None:
                return struct
            if source is not None:
                return self.through(source, name)
            self.unresolved.append(f"{column.table}.{name}")
            return {(Ref(None, name), IDENTITY)}
        candidates = [src for _, src in self.sources(scope)]
        known = [s for s in candidates if self.has_column(s, name)]
        if within is not None and self.lateral_aliases and not known:
            lateral = self.alias_reference(scope, column, within)
            if lateral is not None:
                return lateral
        if len(candidates) > 1 and not known:  # drop sources known not to have it
            candidates = [c for c in candidates if self.known_columns(c) is None]
        if len(candidates) == 1 and not isinstance(scope.expression, exp.SetOperation):
            return self.through(candidates[0], name)
        if self.is_using_column(scope, name):
            matching = known or candidates
            out: set[Link] = set()
            for source in matching:
                out |= self.through(source, name)
            return out
        if len(known) == 1:
            return self.through(known[0], name)
        if within is None:  # ORDER BY / GROUP BY / HAVING may name a select alias
            aliased = self.alias_reference(scope, column, None)
            if aliased is not None:
                return aliased
        if not candidates and scope.parent is not None:  # correlated: SELECT (SELECT outer)
            return self.resolve(scope.parent, column)
        if len(known) > 1:
            out = set()
            for source in known:
                out |= self.through(source, name)
            return out
        self.unresolved.append(name)
        return {(Ref(None, name), IDENTITY)}

    def _names_table(self, source: Source, column: exp.Column) -> bool:
        """``db.t.x`` naming table ``db.t`` itself (not a struct ``t.x`` in source ``db``)."""
        if not isinstance(source, exp.Table):
            return False
        qualifier = ".".join(p.name for p in column.parts[:-1]).lower()
        original = self.table(source).lower()
        return original == qualifier or original.endswith("." + qualifier)

    def struct_field(
        self, scope: Scope, column: exp.Column, within: exp.Expr | None
    ) -> set[Link] | None:
        """``payload.user.email`` / ``t.payload.ip``: a field of a struct column. The value
        comes from the struct column (``payload``), transformed (one field of it)."""
        parts = [p.name for p in column.parts]
        if len(parts) < 2:
            return None
        first = self.find_source(scope, parts[0]) if len(parts) > 2 else None
        if first is not None:
            links = self.through(first, parts[1])
        else:
            root = exp.column(parts[0])
            root.parent = column.parent
            links = self.resolve(scope, root, within)
            if any(ref.table is None for ref, _ in links):
                self.unresolved.pop()  # not a struct after all: the caller reports it
                return None
        field = Transformation(Subtype.TRANSFORMATION)
        return {(ref, compose(field, how)) for ref, how in links}

    def is_using_column(self, scope: Scope, name: str) -> bool:
        select = scope.expression
        if not isinstance(select, exp.Select):
            return False
        want = name.lower()
        for join in select.args.get("joins") or []:
            for using in join.args.get("using") or []:
                if using.name.lower() == want:
                    return True
        return False

    def alias_reference(
        self, scope: Scope, column: exp.Column, within: exp.Expr | None
    ) -> set[Link] | None:
        """``... ORDER BY x`` naming ``a + 1 AS x``; with lateral aliases, a select item
        naming an earlier item's alias (``a + 1 AS x, x * 2 AS y``)."""
        select = scope.expression
        if not isinstance(select, exp.Select):
            return None
        want = column.name.lower()
        for item in select.expressions:
            if within is not None and item is within:
                return None  # only aliases defined before the referencing item
            if isinstance(item, exp.Alias) and item.alias.lower() == want:
                if _inside(column, item):
                    return None
                return self.expression(scope, item)
        return None

    def has_column(self, source: Source, name: str) -> bool:
        if isinstance(source, Scope) and not isinstance(source.expression, _UDTF):
            if any(o.star for o in self.outputs(source)):
                return False
            return name.lower() in self.output_index(source)
        names = self.known_columns(source)
        return names is not None and name.lower() in {n.lower() for n in names}

    def through(self, source: Source, name: str) -> set[Link]:
        if isinstance(source, exp.Table):
            return {(Ref(self.table(source), name), IDENTITY)}
        if isinstance(source.expression, _UDTF):
            return self.udtf(source)
        index = self.output_index(source).get(name.lower())
        if index is not None:
            return set(self.column(source, index))
        outputs = self.outputs(source)
        stars = [i for i, o in enumerate(outputs) if o.star]
        if stars:  # a column passing through a star of unknown columns
            out: set[Link] = set()
            for i in stars:
                for ref, how in self.column(source, i):
                    out.add((Ref(ref.table, name) if ref.column == "*" else ref, how))
            return out
        self.unresolved.append(name)
        return set()

    def udtf(self, source: Scope) -> set[Link]:
        """Columns of UNNEST(arr) / LATERAL VIEW explode(arr): made from ``arr``."""
        outer = source.parent
        how = Transformation(Subtype.TRANSFORMATION)
        out: set[Link] = set()
        if outer is None:
            return out
        for column in source.expression.find_all(exp.Column):
            if isinstance(column.this, exp.Star):
                continue
            for ref, inner in self.resolve(outer, column):
                out.add((ref, compose(how, inner)))
        return out

    # -- dataset-wide indirect inputs --------------------------------------------------------
    def indirect(self) -> set[Link]:
        out: set[Link] = set()
        for scope in self.scopes:
            select = scope.expression
            if isinstance(select, (exp.Except, exp.Intersect)):
                right = scope.set_operation_scopes[1:]
                for branch in right:
                    for i in range(len(self.outputs(branch))):
                        out |= {(ref, compose(indirect(Subtype.FILTER), how))
                                for ref, how in self.column(branch, i)}  # fmt: skip
                continue
            if not isinstance(select, exp.Select):
                continue
            clauses = [(select.args.get(key), subtype) for key, subtype in _CLAUSES]
            for join in select.args.get("joins") or []:
                clauses.append((join.args.get("on"), Subtype.JOIN))
                for using in join.args.get("using") or []:
                    clauses.append((exp.column(using.name), Subtype.JOIN))
            for clause, subtype in clauses:
                if clause is not None:
                    out |= self.clause(scope, clause, indirect(subtype))
        return out

    def _clause_alias(self, scope: Scope, column: exp.Column) -> set[Link] | None:
        """ORDER BY / GROUP BY / HAVING / QUALIFY may name a select alias (``rn``)."""
        if column.table or any(self.has_column(s, column.name) for _, s in self.sources(scope)):
            return None
        clause = column.parent
        while clause is not None and not isinstance(
            clause, (exp.Order, exp.Group, exp.Having, exp.Qualify, exp.Where, exp.Join)
        ):
            clause = clause.parent  # fmt: skip
        if clause is None or isinstance(clause, (exp.Where, exp.Join)):
            return None
        return self.alias_reference(scope, column, None)

    def clause(self, scope: Scope, clause: exp.Expr, how: Transformation) -> set[Link]:
        out: set[Link] = set()
        for node in clause.walk(prune=lambda n: n is not clause and _is_subquery(n)):
            if isinstance(node, exp.Column) and not isinstance(node.this, exp.Star):
                if node.parent is None:  # a synthetic USING column
                    links = self.resolve_using(scope, node.name)
                else:
                    links = self._clause_alias(scope, node) or self.resolve(scope, node)
                out |= {(ref, compose(how, inner)) for ref, inner in links}
            elif node is not clause and _is_subquery(node):
                sub = self.scope_for(node)
                if sub is None:
                    continue
                for i in range(len(self.outputs(sub))):
                    out |= {(ref, compose(how, inner)) for ref, inner in self.column(sub, i)}
        return out

    def resolve_using(self, scope: Scope, name: str) -> set[Link]:
        candidates = [src for _, src in self.sources(scope)]
        known = [s for s in candidates if self.has_column(s, name)] or candidates
        out: set[Link] = set()
        for source in known:
            out |= self.through(source, name)
        return out


def _inside(node: exp.Expr, ancestor: exp.Expr) -> bool:
    parent = node.parent
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.parent
    return False


_QUERY_NODES = (exp.Subquery, exp.Query)


def _is_subquery(node: exp.Expr) -> bool:
    return isinstance(node, _QUERY_NODES) and not isinstance(node.parent, exp.From)


def query_lineage(
    query: exp.Expr,
    *,
    dialect: Dialect,
    catalog: Catalog,
    policy: MaskingPolicy,
    lateral_aliases: bool = False,
    source: str = "",
) -> QueryLineage:
    """Lineage of every output column of ``query`` (in order) and its dataset-wide inputs.

    ``lateral_aliases``: a select item may name an earlier item's alias (Snowflake,
    Redshift, Databricks, DuckDB, Teradata); columns of the sources still win. ``source``
    is the text the tree's token offsets point into (for naming ``col::type`` outputs).

    ``query`` is consumed: unaliased outputs and derived tables get names in place.
    """
    prepare(query, dialect, source)
    result = QueryLineage()
    try:
        root = build_scope(query)
    except SqlglotError:
        root = None
    if root is None:
        return result
    walker = _Walker(root, catalog, policy, lateral_aliases)
    for i, out in enumerate(walker.outputs(root)):
        result.outputs.append((out.name, walker.column(root, i)))
    result.indirect = walker.indirect()
    result.unresolved = sorted(set(walker.unresolved))
    return result
