"""A SQL script as graph facts: Dataset, Column, Job and Source nodes; lineage edges.

One script is one Job (``job:<namespace>:<job_name>``). Every statement contributes, per hop
(an intermediate table is a real node between its writer and its readers):

- ``Job -[READS]-> Dataset`` and ``Job -[WRITES]-> Dataset``, each with the ``source_ref``
  ``path:line`` of the first statement that does it;
- column ``FLOWS_TO`` edges, keyed by the job uid, with the transformation of the flow:
  when one source column reaches one target column in several ways, the edge is DIRECT if
  any way is, masking only if every direct way masks, and ``transformations`` lists them all;
- dataset-wide INDIRECT inputs (WHERE, JOIN, GROUP BY, ORDER BY columns) as
  ``Column -[FLOWS_TO {granularity: dataset}]-> Dataset``, as the OpenLineage mapping does;
- one dataset-level ``FLOWS_TO`` per (source table, target table), with ``column_detail``
  true only when the statement's column lineage is complete (no unresolved column, no
  ``*`` of unknown columns), so propagation may trust the column edges; otherwise coarse.

Parse failures become error Problems carrying ``path:line`` and a snippet; unresolved
columns become warnings. Nothing here touches a store.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ingest.sql.catalog import Catalog
from ingest.sql.columns import Ref
from ingest.sql.result import ColumnEdge, ScriptLineage, StatementLineage
from ingest.sql.script import analyse
from ingest.sql.transforms import MaskingPolicy, Subtype, Transformation
from lineage import ids
from lineage.errors import InvalidId
from lineage.model import Edge, EdgeKind, Fact, Kind, Node, Problem, Rel, Severity

__all__ = ["default_job_name", "script_facts", "sql_facts"]

_DIRECT_ORDER = (Subtype.IDENTITY, Subtype.TRANSFORMATION, Subtype.AGGREGATION)


def default_job_name(path: str, text: str) -> str:
    """The job a script is, when the caller names none: its path, else a content hash."""
    if path and not path.startswith("<"):
        return path
    return "sql-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def sql_facts(
    text: str,
    *,
    dialect: str = "ansi",
    namespace: str,
    job_name: str | None = None,
    path: str = "<sql>",
    line_offset: int = 0,
    catalog: Mapping[str, Sequence[str]] | Catalog | None = None,
    observed_at: str = "",
    masking: MaskingPolicy | None = None,
    default_database: str | None = None,
    default_schema: str | None = None,
) -> Iterator[Fact]:
    """Graph facts for a SQL script (see the module doc). Bad SQL yields Problems.

    ``default_database`` / ``default_schema`` qualify unqualified table names the way the
    warehouse session would (``orders`` -> ``public.orders``), so ids meet those of other
    ingestors that see fully qualified names.
    """
    result = analyse(
        text, dialect=dialect, catalog=catalog, masking=masking, line_offset=line_offset
    )
    yield from script_facts(
        result,
        namespace=namespace,
        job_name=job_name or default_job_name(path, text),
        path=path,
        observed_at=observed_at,
        text_hash=hashlib.sha256(text.encode("utf-8")).hexdigest()[:16],
        default_database=default_database,
        default_schema=default_schema,
    )


class _Emitter:
    def __init__(
        self, namespace: str, job: str, path: str, seen: str, defaults: tuple[str | None, ...]
    ) -> None:
        self.defaults = defaults
        self.namespace = ids.normalise_namespace(namespace)
        self.job = job
        self.path = path
        self.seen = seen
        self.datasets: dict[str, Node] = {}
        self.columns: dict[str, Node] = {}
        self.edges: dict[tuple[str, str, str, str], Edge] = {}

    def ref(self, line: int) -> str:
        return f"{self.path}:{line}"

    def name(self, name: str) -> str:
        """Unqualified names get the default database/schema (``orders`` -> ``public.orders``)."""
        database, schema = self.defaults
        if not (database or schema) or "/" in name or "://" in name:
            return name
        return ids.normalise_name(name, default_database=database, default_schema=schema)

    def ds_id(self, name: str) -> str:
        return ids.dataset_id(self.namespace, self.name(name))

    def dataset(self, name: str, line: int, props: Mapping[str, Any] | None = None) -> str:
        uid = self.ds_id(name)
        prior = self.datasets.get(uid)
        merged = {**(prior.props if prior else {}), **(props or {})}
        parsed = ids.parse(uid)
        ref = prior.source_ref if prior else self.ref(line)
        self.datasets[uid] = Node(
            uid, Kind.DATASET, parsed.name, self.namespace, merged, ref, self.seen
        )
        return uid

    def column(self, table: str, column: str, line: int) -> str:
        dataset = self.dataset(table, line)
        uid = ids.column_id(self.namespace, self.name(table), column)
        if uid not in self.columns:
            self.columns[uid] = Node(
                uid,
                Kind.COLUMN,
                ids.parse(uid).field,
                self.namespace,
                {},
                self.ref(line),
                self.seen,
            )
            self.edge(Edge(dataset, Rel.HAS_COLUMN, uid, {}, "", self.ref(line), self.seen))
        return uid

    def edge(self, edge: Edge) -> None:
        prior = self.edges.get(edge.ident)
        if prior is None:
            self.edges[edge.ident] = edge
        elif edge.rel is Rel.FLOWS_TO:  # two statements of one job link the same pair
            props = _merge_flows(prior.props, edge.props)
            self.edges[edge.ident] = Edge(
                prior.src,
                prior.rel,
                prior.dst,
                props,
                prior.key,
                prior.source_ref,
                prior.observed_at,
            )


def _merge_flows(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """The safe union: DIRECT if either is, masked and column-detailed only if both are."""
    merged = dict(a)
    direct = [p for p in (a, b) if p["transformation_type"] == "DIRECT"]
    if direct:
        merged["transformation_type"] = "DIRECT"
        merged["transformation_subtype"] = direct[0].get("transformation_subtype")
    merged["masking"] = bool(direct) and all(p["masking"] for p in direct)
    if "column_detail" in a or "column_detail" in b:
        merged["column_detail"] = bool(a.get("column_detail")) and bool(b.get("column_detail"))
    if "transformations" in a or "transformations" in b:
        tags = set(a.get("transformations") or []) | set(b.get("transformations") or [])
        merged["transformations"] = sorted(tags)
    return merged


def _combine(hows: set[Transformation]) -> tuple[str, str, bool, list[str]]:
    direct = [h for h in hows if h.type == "DIRECT"]
    chosen = sorted(direct, key=lambda h: _DIRECT_ORDER.index(h.subtype)) or sorted(hows)
    kind = "DIRECT" if direct else "INDIRECT"
    masking = bool(direct) and all(h.masking for h in direct)
    tags = sorted({f"{h.type}:{h.subtype.value}" for h in hows})
    return kind, chosen[0].subtype.value, masking, tags


def _flow_props(
    job: str, granularity: str, kind: str, subtype: str, masking: bool
) -> dict[str, Any]:
    return {
        "kind": EdgeKind.TRANSFORM.value,
        "via": job,
        "granularity": granularity,
        "transformation_type": kind,
        "transformation_subtype": subtype or None,
        "masking": masking,
        "stale": False,
    }


def _writes(operation: str) -> dict[str, Any]:
    return {"operation": operation, "stale": False}


_PROMISES = re.compile(
    r"^\s*(?:create\b(?:(?!\bfunction\b|\bprocedure\b|\bmacro\b|\btrigger\b).)*?"
    r"\b(?:table|view)\b.*?\bas\b|insert\b|merge\b)",
    re.IGNORECASE | re.DOTALL,
)


def _promises_lineage(stmt: StatementLineage) -> bool:
    """CREATE TABLE/VIEW ... AS, INSERT and MERGE move rows: a result with no table at all
    means the statement was not understood (sqlglot keeps ``CREATE ... AS SELEC`` as an
    opaque command), which must be said rather than dropped."""
    return bool(_PROMISES.match(stmt.text))


def _complete(stmt: StatementLineage) -> bool:
    """True when every value reaching the target is accounted for by column edges.

    ``COUNT(*)`` reads every row of a table but no column's value: its ``table.*`` source
    (an AGGREGATION) leaves the lineage complete, so the dataset-level edge does not pass
    the table's column labels to a summary that holds none of their values.
    """
    if stmt.unresolved:
        return False
    return all(
        s.table is not None and (s.column != "*" or e.transformation.subtype is Subtype.AGGREGATION)
        for e in stmt.columns
        for s in e.sources
    )


def _statement_facts(em: _Emitter, stmt: StatementLineage) -> Iterator[Problem]:
    line = stmt.line
    ref = em.ref(line)
    targets = [*stmt.targets, *stmt.target_paths]
    for name in stmt.sources:
        uid = em.dataset(name, line)
        em.edge(Edge(em.job, Rel.READS, uid, {"stale": False}, "", ref, em.seen))
    for i, name in enumerate(targets):
        props: dict[str, Any] = {}
        if i == 0 and stmt.target_columns and stmt.defines_schema:
            props = {"fields": stmt.target_columns, "field_types": stmt.target_types}
        uid = em.dataset(name, line, props)
        em.edge(Edge(em.job, Rel.WRITES, uid, _writes(stmt.kind), "", ref, em.seen))
    for name in stmt.modifies:  # rows removed: no lineage, but the job changes the table
        uid = em.dataset(name, line)
        em.edge(Edge(em.job, Rel.WRITES, uid, _writes(stmt.kind), "", ref, em.seen))
    for name in stmt.drops:  # DROP TABLE: the job destroys it (integrity), moves no data
        uid = em.dataset(name, line)
        em.edge(Edge(em.job, Rel.WRITES, uid, _writes("drop"), "", ref, em.seen))
    flows: dict[tuple[str, str], set[Transformation]] = defaultdict(set)
    pairs: dict[tuple[str, str], list[Transformation]] = defaultdict(list)
    for edge in stmt.columns:
        _column_flows(em, edge, line, flows, pairs)
    for (src_col, dst), hows in flows.items():
        kind, subtype, masking, tags = _combine(hows)
        granularity = "column" if ids.kind_of(dst) is Kind.COLUMN else "dataset"
        props = _flow_props(em.job, granularity, kind, subtype, masking)
        props["transformations"] = tags
        em.edge(Edge(src_col, Rel.FLOWS_TO, dst, props, em.job, ref, em.seen))
    complete = _complete(stmt)
    for target in targets:
        dst = em.ds_id(target)
        for source in stmt.sources:
            src = em.ds_id(source)
            paired = pairs.get((src, dst), [])
            detail = complete and bool(paired)
            direct = [h for h in paired if h.type == "DIRECT"]
            kind = "DIRECT" if direct or not detail else "INDIRECT"
            masking = detail and bool(direct) and all(h.masking for h in direct)
            props = _flow_props(em.job, "dataset", kind, "", masking)
            props["column_detail"] = detail
            em.edge(Edge(src, Rel.FLOWS_TO, dst, props, em.job, ref, em.seen))
    if stmt.unresolved:
        shown = ", ".join(stmt.unresolved[:8]) + (" ..." if len(stmt.unresolved) > 8 else "")
        yield Problem(
            Severity.WARNING,
            f"column lineage incomplete (not tied to a table, or * of unknown columns): {shown};"
            " dataset-level lineage kept coarse (give a schema catalog to resolve)",
            ref,
            stmt.snippet,
        )


def _column_flows(
    em: _Emitter,
    edge: ColumnEdge,
    line: int,
    flows: dict[tuple[str, str], set[Transformation]],
    pairs: dict[tuple[str, str], list[Transformation]],
) -> None:
    target = edge.target
    if target.table is None:
        return
    if target.column is None:
        dst = em.dataset(target.table, line)
    elif target.column == "*":
        return
    else:
        dst = em.column(target.table, target.column, line)
    dst_dataset = em.ds_id(target.table)
    for source in edge.sources:
        if not _usable(source):
            continue
        src = em.column(source.table, source.column, line)  # type: ignore[arg-type]
        flows[(src, dst)].add(edge.transformation)
        pairs[(em.ds_id(source.table), dst_dataset)].append(edge.transformation)  # type: ignore[arg-type]


def _usable(ref: Ref) -> bool:
    return ref.table is not None and ref.column != "*"


def script_facts(
    result: ScriptLineage,
    *,
    namespace: str,
    job_name: str,
    path: str = "<sql>",
    observed_at: str = "",
    text_hash: str = "",
    default_database: str | None = None,
    default_schema: str | None = None,
) -> Iterator[Fact]:
    """Facts for an analysed script (see :func:`sql_facts`)."""
    job = ids.job_id(namespace, job_name)
    em = _Emitter(namespace, job, path, observed_at, (default_database, default_schema))
    first = result.statements[0].line if result.statements else 1
    problems: list[Problem] = [Problem(Severity.WARNING, w, path) for w in result.warnings]
    for stmt in result.statements:
        if stmt.error:
            where = em.ref(stmt.line) + (f":{stmt.error_column}" if stmt.error_column else "")
            problems.append(
                Problem(Severity.ERROR, f"SQL not parsed: {stmt.error}", where, stmt.snippet)
            )
            continue
        if _promises_lineage(stmt) and not (stmt.sources or stmt.targets or stmt.target_paths):
            problems.append(
                Problem(
                    Severity.ERROR,
                    "SQL not understood: no table read or written by a statement whose shape "
                    "promises lineage (CREATE ... AS, INSERT, MERGE); a misspelt keyword?",
                    em.ref(stmt.line),
                    stmt.snippet,
                )
            )
            continue
        try:
            problems.extend(_statement_facts(em, stmt))
        except InvalidId as exc:
            problems.append(Problem(Severity.ERROR, f"bad table name: {exc}", em.ref(stmt.line)))
    job_props: dict[str, Any] = {
        "job_type": "sql",
        "source_ref": em.ref(first),
        "dialect": result.dialect,
        "statements": len(result.statements),
        "sql_hash": text_hash or None,  # check_props drops None values
    }
    namespace = ids.normalise_namespace(namespace)
    yield Node(job, Kind.JOB, job_name, namespace, job_props, em.ref(first), observed_at)
    if em.datasets:
        source = ids.source_id(namespace)
        platform = em.namespace.split("://", 1)[0] if "://" in em.namespace else em.namespace
        yield Node(source, Kind.SOURCE, em.namespace, em.namespace, {"platform": platform},
                   em.ref(first), observed_at)  # fmt: skip
        for uid in em.datasets:
            em.edge(Edge(source, Rel.CONTAINS, uid, {}, "", em.ref(first), observed_at))
    yield from em.datasets.values()
    yield from em.columns.values()
    yield from em.edges.values()
    yield from problems
