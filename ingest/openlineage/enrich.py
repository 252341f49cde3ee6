"""Untyped column lineage from an emitter, typed by the job's own SQL.

openlineage-dbt (and the SQL extractors of Airflow's providers) send ``columnLineage``
whose input fields carry no ``transformations``: ``sha256(ssn) as ssn_hash`` arrives as a
plain dependency, which the mapping must read as an unmasked DIRECT copy, and the hash
would inherit the raw column's entity label. The same events carry the compiled query in
the job's ``sql`` facet. When they do, the SQL ingestor's typed edges (DIRECT/INDIRECT,
masking, aggregation) replace the emitter's for every column pair the query states, and
land on the emitter's dataset nodes; an emitter pair the query shows only shaping the rows
(a join or filter key) becomes INDIRECT, and one the query does not mention is kept as
sent (the conservative reading). A query that cannot be read leaves the emitter's lineage untouched.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

from ingest.openlineage import _ids as ids
from ingest.openlineage.columns import ColumnFlow
from ingest.openlineage.mapping import output_flows
from ingest.openlineage.models import ColumnLineageFacet, Dataset
from ingest.openlineage.sql_facet import sql_facet_facts
from lineage.errors import InvalidId
from lineage.model import Edge, Fact, Kind, Node, Problem, Rel, Severity

__all__ = ["enriched_facts", "is_untyped"]


def is_untyped(facet: ColumnLineageFacet | None) -> bool:
    """True when the facet names dependencies but says nothing of how values flow."""
    if facet is None:
        return True
    fields = facet.fields.values()
    if any(spec.transformationType for spec in fields):
        return False
    inputs = [f for spec in fields for f in spec.inputFields] + list(facet.dataset)
    return not any(f.transformations for f in inputs)


def _dataset_of(uid: str) -> str | None:
    try:
        parsed = ids.parse(uid)
    except InvalidId:
        return None
    if parsed.kind is Kind.COLUMN:
        return parsed.dataset
    return uid if parsed.kind is Kind.DATASET else None


def _on_known(fact: Fact, known: set[str]) -> bool:
    """Whether a SQL fact stays on the emitter's datasets (a table the query names that
    the event does not is a look-alike, not a new dataset)."""
    if isinstance(fact, Node):
        return fact.kind not in (Kind.DATASET, Kind.COLUMN) or _dataset_of(fact.uid) in known
    if isinstance(fact, Edge):
        return all(
            _dataset_of(end) in known or ids.parse(end).kind not in (Kind.DATASET, Kind.COLUMN)
            for end in (fact.src, fact.dst)
        )
    return True


def _retyped(flow: ColumnFlow, shaping: Edge | None) -> ColumnFlow:
    """An emitter dependency the query shows only shaping the rows (a join or filter key)
    is INDIRECT, as the query says; one the query does not mention is kept as sent."""
    if flow.dst_column is None or shaping is None or shaping.props.get("masking"):
        return flow
    if shaping.props.get("transformation_type") != "INDIRECT":
        return flow
    tags = tuple(shaping.props.get("transformations") or ())
    subtype = str(shaping.props.get("transformation_subtype") or "")
    return replace(flow, type="INDIRECT", subtype=subtype, masking=False, transformations=tags)


def enriched_facts(
    query: str,
    *,
    dialect: str | None,
    job: str,
    run_id: str,
    datasets: Sequence[tuple[Dataset, str]],
    outputs: Sequence[tuple[str, Sequence[ColumnFlow]]],
    inputs: Sequence[str],
    output_names: Sequence[str],
    ref: str,
    seen: str,
    emitted: set[str],
) -> Iterator[Fact]:
    """The outputs' flows, the SQL's typed edges winning over the emitter's untyped ones."""
    named = {f.src_dataset for _, flows in outputs for f in flows} | {o for o, _ in outputs}
    known = {uid for _, uid in datasets} | named
    parsed = list(
        sql_facet_facts(
            query, dialect=dialect, job=job, run_id=run_id, datasets=datasets, ref=ref,
            seen=seen, candidates=sorted(known), preferred=sorted(named), output_names=output_names,
        )
    )  # fmt: skip
    facts = [f for f in parsed if _on_known(f, known)]
    typed = [f for f in facts if isinstance(f, Edge) and f.rel is Rel.FLOWS_TO and f.src != f.dst]
    if not any(e.props.get("granularity") == "column" for e in typed):
        yield from (p for p in parsed if isinstance(p, Problem))
        yield Problem(
            Severity.INFO,
            f"sql facet of {job} accounts for none of the emitter's columns: its untyped "
            "column lineage is kept as sent (read as unmasked DIRECT)",
            ref,
        )
        for out, flows in outputs:
            yield from output_flows(flows, out, inputs, job, run_id, ref=ref, seen=seen,
                                    emitted=emitted)  # fmt: skip
        return
    pairs = {(e.src, e.dst) for e in typed if e.props.get("granularity") == "dataset"}
    column_pairs = {(e.src, e.dst) for e in typed if e.props.get("granularity") == "column"}
    shaping = {(e.src, e.dst): e for e in typed if e.props.get("granularity") == "dataset"}
    for out, flows in outputs:
        kept = [
            _retyped(f, shaping.get((f.src_column, out)))
            for f in flows
            if f.dst_column is None or (f.src_column, f.dst_column) not in column_pairs
        ]
        for fact in output_flows(kept, out, inputs, job, run_id, ref=ref, seen=seen,
                                 emitted=emitted):  # fmt: skip
            if (
                isinstance(fact, Edge)
                and fact.rel is Rel.FLOWS_TO
                and (fact.src, fact.dst) in pairs
            ):
                continue  # the query's dataset edge (typed, masking known) wins
            yield fact
    yield from facts  # FLOWS_TO edges say ``evidence: sql_facet``
