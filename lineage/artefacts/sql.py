"""SQL files into the graph: the store-aware part of SQL ingestion, shared by CLI, API and demo.

:mod:`ingest.sql` is pure (text -> facts). Ingesting a *file* also needs the store: the schema
catalog grows from datasets the graph already knows (OpenLineage schema facets, earlier
SQL), and re-ingesting a changed script marks the lineage it no longer produces ``stale``
so the labels it carried are retracted at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ingest.sql import Catalog, MaskingPolicy, ScriptLineage, analyse
from ingest.sql.dbt import is_dbt_template, render_dbt_model
from ingest.sql.facts import script_facts
from lineage import ids
from lineage.errors import InvalidId
from lineage.model import Edge, Fact, Kind, Node, Rel
from lineage.store import Store
from lineage.store.base import StoredEdge

__all__ = ["SqlReading", "read_sql_file", "sql_file_facts"]


def read_sql_file(path: Path, dbt_schema: str | None) -> str:
    """A file's SQL; a dbt model (Jinja) is rendered for the relation it builds."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if not is_dbt_template(text):
        return text
    relation = f"{dbt_schema}.{path.stem}" if dbt_schema else path.stem
    return render_dbt_model(text, relation, path=str(path))


@dataclass(frozen=True, slots=True)
class SqlReading:
    """How every file of one ``ingest sql`` run is read."""

    namespace: str
    dialect: str
    policy: MaskingPolicy = field(default_factory=MaskingPolicy)
    job: str | None = None
    graph_schema: bool = True
    dbt_schema: str | None = None
    default_database: str | None = None
    default_schema: str | None = None

    def qualified(self, name: str) -> str:
        if not (self.default_database or self.default_schema):
            return name
        return ids.normalise_name(
            name, default_database=self.default_database, default_schema=self.default_schema
        )


def _graph_catalog(store: Store, how: SqlReading, names: set[str], catalog: Catalog) -> None:
    """Add the columns of datasets the graph already knows (OpenLineage schemas, earlier SQL)."""
    for name in sorted(names):
        if name in catalog:
            continue
        try:
            node = store.get_node(ids.dataset_id(how.namespace, how.qualified(name)))
        except InvalidId:
            continue
        if node is not None and node.props.get("fields"):
            fields = list(node.props["fields"])
            catalog.add(name, fields, list(node.props.get("field_types") or []))


def sql_file_facts(
    store: Store, path: Path, base: Catalog, how: SqlReading, *, ref: str | None = None
) -> tuple[ScriptLineage, list[Fact]]:
    """One script's facts, plus ``stale`` marks for lineage an earlier version produced.

    ``ref`` names the file in source refs and in the job id (default: the path as given).
    """
    ref = ref or str(path)
    text = read_sql_file(path, how.dbt_schema)
    catalog = base.copy()
    if how.graph_schema:
        tables = analyse(text, dialect=how.dialect, columns=False)
        names = {n for s in tables.statements for n in (*s.sources, *s.targets)}
        _graph_catalog(store, how, names, catalog)
    result = analyse(text, dialect=how.dialect, catalog=catalog, masking=how.policy)
    facts = list(
        script_facts(
            result,
            namespace=how.namespace,
            job_name=how.job or ref,
            path=ref,
            default_database=how.default_database,
            default_schema=how.default_schema,
        )
    )
    return result, facts + _retired(store, facts)


def _previous_edges(store: Store, job: str) -> dict[tuple[str, str, str, str], StoredEdge]:
    """What an earlier ingest of this job wrote: its READS/WRITES, and the FLOWS_TO edges it
    keyed into the datasets it wrote and their columns."""
    found: dict[tuple[str, str, str, str], StoredEdge] = {}
    written: list[str] = []
    for n in store.neighbours(job, direction="out", rels=[Rel.READS, Rel.WRITES]):
        found[(n.edge.src, n.edge.rel.value, n.edge.dst, n.edge.key)] = n.edge
        if n.edge.rel is Rel.WRITES:
            written.append(n.edge.dst)
    for dataset in written:
        columns = [c.node.uid for c in store.neighbours(dataset, direction="out",
                                                          rels=[Rel.HAS_COLUMN])]  # fmt: skip
        for uid in (dataset, *columns):
            for n in store.neighbours(uid, direction="in", rels=[Rel.FLOWS_TO]):
                if n.edge.key == job:
                    found[(n.edge.src, n.edge.rel.value, n.edge.dst, n.edge.key)] = n.edge
    return found


def _retired(store: Store, facts: list[Fact]) -> list[Fact]:
    """Edges an earlier version of the script had and this one does not, marked ``stale`` (and
    written through the pipeline, so labels they carried are retracted at once)."""
    jobs = [f.uid for f in facts if isinstance(f, Node) and f.kind is Kind.JOB]
    if not jobs or store.get_node(jobs[0]) is None:
        return []
    current = {f.ident for f in facts if isinstance(f, Edge)}
    out: list[Fact] = []
    for ident, edge in _previous_edges(store, jobs[0]).items():
        if ident not in current and not edge.props.get("stale"):
            out.append(Edge(edge.src, edge.rel, edge.dst, {"stale": True}, edge.key))
    return out
