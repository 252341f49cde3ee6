"""The job's ``sql`` facet, parsed by the SQL ingestor when the event has no typed column
lineage (see :mod:`.enrich` for an emitter's untyped lineage).

The SQL ingestor names tables as the query does (``top_delivery_times``), while the event
names them fully (``food_delivery.public.top_delivery_times``). A SQL table whose dotted
name is a suffix of exactly one event dataset in the same namespace is taken to be that
dataset, so the parsed lineage lands on the nodes the emitter reported instead of on
look-alikes. The SQL ingestor is imported lazily: without it the facet is only recorded.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ingest.openlineage import _ids as ids
from ingest.openlineage.aliases import rewrite
from ingest.openlineage.columns import flatten_schema
from ingest.openlineage.models import Dataset
from lineage.errors import InvalidId, LineageError
from lineage.model import Edge, Fact, Kind, Node, Problem, Rel, Severity

__all__ = ["as_model", "dialect_for", "sql_facet_facts"]

_DIALECTS = {
    "postgres": "postgres",
    "postgresql": "postgres",
    "redshift": "redshift",
    "mysql": "mysql",
    "trino": "trino",
    "presto": "presto",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "awsathena": "athena",
    "athena": "athena",
    "hive": "hive",
    "spark": "spark",
    "databricks": "databricks",
    "mssql": "tsql",
    "sqlserver": "tsql",
    "oracle": "oracle",
    "duckdb": "duckdb",
    "sqlite": "sqlite",
    "clickhouse": "clickhouse",
    "teradata": "teradata",
}


def dialect_for(namespace: str, declared: str | None) -> str:
    """The sqlglot dialect: the facet's own, else the namespace scheme's, else ANSI."""
    if declared:
        return _DIALECTS.get(declared.lower(), declared.lower())
    scheme = namespace.split("://", 1)[0].lower() if "://" in namespace else ""
    return _DIALECTS.get(scheme, "ansi")


def as_model(query: str, dialect: str, output: str) -> str:
    """A bare SELECT (a dbt model's compiled SQL) as ``CREATE TABLE <output> AS`` it
    (``output``: the event's dataset name, dotted).

    dbt-ol puts the model's SELECT in the ``sql`` facet; the relation it builds is the
    event's output. Without a target the query would have no column lineage at all.
    Anything else (or SQL sqlglot cannot read) is returned unchanged.
    """
    import sqlglot
    from sqlglot import exp

    try:
        trees = [t for t in sqlglot.parse(query, read=dialect) if t is not None]
        if len(trees) != 1 or not isinstance(trees[0], exp.Query):
            return query
        parts = [exp.to_identifier(p, quoted=True) for p in output.split(".")]
        if len(parts) > 3 or not all(parts):
            return query
        table = exp.Table(this=parts[-1], db=parts[-2] if len(parts) > 1 else None,
                          catalog=parts[0] if len(parts) > 2 else None)  # fmt: skip
        create = exp.Create(this=table, kind="TABLE", expression=trees[0])
        return create.sql(dialect=dialect)
    except (sqlglot.errors.SqlglotError, ValueError):
        return query


def _suffix_map(
    sql_uids: set[str], event_uids: Sequence[str], preferred: Sequence[str] = ()
) -> dict[str, str]:
    out: dict[str, str] = {}
    for uid in sql_uids:
        parsed = ids.parse(uid)
        matches = {
            e
            for e in event_uids
            if (p := ids.parse(e)).namespace == parsed.namespace
            and (p.name == parsed.name or p.name.endswith("." + parsed.name))
        }
        if len(matches) > 1:  # e.g. Airflow: db.public.t in inputs, public.t in columnLineage
            matches &= set(preferred)
        if len(matches) == 1:
            target = matches.pop()
            if target != uid:
                out[uid] = target
    out.update(_qualify_rest(sql_uids - out.keys(), out))
    return out


def _qualify_rest(unmatched: set[str], matched: dict[str, str]) -> dict[str, str]:
    """Name the query's other tables as the connection does.

    An unqualified table resolves against the session's default database and schema. When
    every table the event confirmed (``customers`` reported as ``wh.public.customers``)
    shows the same default for names of that length, a table the event does not list (the
    ``CREATE TABLE customers_hashed`` of a START event, sent before the table exists) gets
    it too, instead of landing beside the real one as a look-alike ``customers_hashed``.
    """
    defaults: dict[tuple[str, int], set[str]] = {}
    for sql_uid, target in matched.items():
        short, full = ids.parse(sql_uid), ids.parse(target)
        if short.namespace == full.namespace and full.name.endswith("." + short.name):
            prefix = full.name[: -len(short.name) - 1]
            defaults.setdefault((short.namespace, short.name.count(".")), set()).add(prefix)
    out: dict[str, str] = {}
    for uid in unmatched:
        parsed = ids.parse(uid)
        prefix = defaults.get((parsed.namespace, parsed.name.count(".")), set())
        if len(prefix) == 1:
            out[uid] = ids.dataset_id(parsed.namespace, f"{next(iter(prefix))}.{parsed.name}")
    return out


def sql_facet_facts(
    query: str,
    *,
    dialect: str | None,
    job: str,
    run_id: str,
    datasets: Sequence[tuple[Dataset, str]],
    ref: str,
    seen: str,
    candidates: Sequence[str] = (),
    preferred: Sequence[str] = (),
    output_names: Sequence[str] = (),
) -> Iterator[Fact]:
    """Facts from parsing ``query``, attached to ``job`` and to the event's datasets
    (``candidates``: more dataset ids the query's tables may stand for, ``preferred``
    winning when a table could be several of them; a bare SELECT
    is taken to build the event's one output, as a dbt model does)."""
    try:
        from ingest.sql import sql_facts
    except ImportError:
        yield Problem(Severity.INFO, "sql facet not parsed: the SQL ingestor is unavailable", ref)
        return
    # From the event, not ids.parse: a namespace with a path (duckdb:///w.duckdb) does not
    # parse back out of an id.
    namespace = (
        ids.strip_credentials(datasets[0][0].namespace) if datasets else ids.parse(job).namespace
    )
    catalog: dict[str, list[str]] = {}
    for dataset, uid in datasets:
        if dataset.facets.schema_ is not None:
            names = [name for name, _, _ in flatten_schema(dataset.facets.schema_.fields)]
            catalog[ids.parse(uid).name] = names
    sql_dialect = dialect_for(namespace, dialect)
    if len(output_names) == 1:
        query = as_model(query, sql_dialect, output_names[0])
    try:
        facts = list(
            sql_facts(
                query,
                dialect=sql_dialect,
                namespace=namespace,
                job_name=ids.parse(job).name,
                path=ref or "<sql facet>",
                catalog=catalog or None,
                observed_at=seen,
            )
        )
    except (LineageError, ValueError) as exc:
        yield Problem(Severity.WARNING, f"sql facet not parsed: {exc}", ref)
        return
    sql_jobs = {f.uid for f in facts if isinstance(f, Node) and f.kind is Kind.JOB}
    sql_datasets = {f.uid for f in facts if isinstance(f, Node) and f.kind is Kind.DATASET}
    known = list(dict.fromkeys([*(uid for _, uid in datasets), *candidates]))
    mapping = _suffix_map(sql_datasets, known, preferred)
    for fact in rewrite(facts, mapping):
        if isinstance(fact, Node) and fact.kind is Kind.JOB and fact.uid in sql_jobs:
            continue  # the event's job node speaks for the job
        if not isinstance(fact, Edge):
            yield fact
            continue
        try:
            retargeted = _retarget(fact, sql_jobs, job, run_id)
        except InvalidId as exc:
            yield Problem(Severity.WARNING, f"sql facet: {exc}", ref)
            continue
        if retargeted is not None:
            yield retargeted


def _retarget(edge: Edge, sql_jobs: set[str], job: str, run_id: str) -> Edge | None:
    """Put the SQL ingestor's job-owned edges on the event's job."""
    if edge.rel in (Rel.READS, Rel.WRITES):
        props = {**edge.props, "run_id": run_id or None, "stale": False, "evidence": "sql_facet"}
        src = job if edge.src in sql_jobs else edge.src
        return Edge(src, edge.rel, edge.dst, props, edge.key, edge.source_ref, edge.observed_at)
    if edge.rel is Rel.FLOWS_TO:
        props = {**edge.props, "via": job, "run_id": run_id or None, "stale": False}
        props["evidence"] = "sql_facet"
        return Edge(edge.src, edge.rel, edge.dst, props, job, edge.source_ref, edge.observed_at)
    if edge.src in sql_jobs or edge.dst in sql_jobs:
        src = job if edge.src in sql_jobs else edge.src
        dst = job if edge.dst in sql_jobs else edge.dst
        return Edge(src, edge.rel, dst, edge.props, edge.key, edge.source_ref, edge.observed_at)
    return edge
