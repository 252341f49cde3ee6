"""Schema and column-lineage facets as graph facts.

``columnLineage`` gives, per output field, the input fields it is computed from, each with
OpenLineage's transformation terms (type DIRECT/INDIRECT, subtype IDENTITY, AGGREGATION,
FILTER, ..., and ``masking``). Each input field becomes one column ``FLOWS_TO`` edge keyed
by the job; the dataset-wide dependencies (``dataset``: filters, joins, sorts that shape
every row) become INDIRECT edges from the column to the output dataset.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ingest.openlineage import _ids as ids
from ingest.openlineage.models import ColumnLineageFacet, InputField, SchemaField, Transformation
from lineage.model import Edge, EdgeKind, Kind, Node, Rel

__all__ = [
    "ColumnFlow",
    "column_facts",
    "column_flows",
    "flatten_schema",
    "flow_props",
    "schema_facts",
]

# Legacy (pre 1-1) per-field transformationType values, as DIRECT subtypes.
_LEGACY = {"IDENTITY": ("IDENTITY", False), "MASKED": ("TRANSFORMATION", True)}
_MAX_DESCRIPTION = 200


def flatten_schema(fields: list[SchemaField], prefix: str = "") -> Iterator[tuple[str, str, str]]:
    """(name, type, description) of every field; nested (struct) fields as ``parent.child``."""
    for f in fields:
        name = f"{prefix}{f.name}"
        yield name, f.type or "", f.description or ""
        if f.fields:
            yield from flatten_schema(f.fields, f"{name}.")


def schema_facts(
    dataset: str, namespace: str, fields: list[SchemaField], *, ref: str, seen: str
) -> Iterator[Node | Edge]:
    """Column nodes and ``HAS_COLUMN`` edges for a dataset's schema facet."""
    parsed = ids.parse(dataset)
    for name, type_, description in flatten_schema(fields):
        uid = ids.column_id(namespace, parsed.name, name)
        props = {"type": type_ or None, "description": description[:500] or None}
        yield Node(uid, Kind.COLUMN, name, parsed.namespace, props, ref, seen)
        yield Edge(dataset, Rel.HAS_COLUMN, uid, {}, "", ref, seen)


@dataclass(frozen=True, slots=True)
class ColumnFlow:
    """One input field feeding one output field (or the whole output dataset)."""

    src_dataset: str
    src_column: str
    dst_dataset: str
    dst_column: str | None  # None: a dataset-wide dependency
    type: str
    subtype: str
    masking: bool
    transformations: tuple[str, ...]
    description: str


def _combine(
    transformations: list[Transformation], legacy: str, *, dataset_wide: bool
) -> tuple[str, str, bool, tuple[str, ...], str]:
    """Collapse one input field's transformations into the edge's type/subtype/masking.

    A field used both directly and indirectly carries values: the edge is DIRECT. Masking
    holds only if every direct use masks. Without transformation detail (old emitters) a
    field-level dependency is taken as DIRECT, the conservative reading for exposure.
    """
    if not transformations:
        if dataset_wide:
            return "INDIRECT", "", False, (), ""
        subtype, masking = _LEGACY.get(legacy.upper(), ("TRANSFORMATION", False))
        return "DIRECT", subtype, masking, (), ""
    direct = [t for t in transformations if t.type.upper() == "DIRECT"]
    chosen = direct or transformations
    kind = "DIRECT" if direct else chosen[0].type.upper()
    masking = all(t.masking for t in chosen)
    tags = tuple(dict.fromkeys(f"{t.type.upper()}:{t.subtype.upper()}" for t in transformations))
    description = next((t.description for t in chosen if t.description), "")
    return kind, chosen[0].subtype.upper(), masking, tags, description[:_MAX_DESCRIPTION]


def _src(field: InputField) -> tuple[str, str]:
    return ids.dataset_id(field.namespace, field.name), ids.column_id(
        field.namespace, field.name, field.field
    )


def column_flows(output: str, facet: ColumnLineageFacet) -> Iterator[ColumnFlow]:
    """Every column dependency the facet declares for the ``output`` dataset."""
    parsed = ids.parse(output)
    for target, spec in facet.fields.items():
        dst_column = ids.column_id(parsed.namespace, parsed.name, target)
        for field in spec.inputFields:
            kind, subtype, masking, tags, text = _combine(
                field.transformations, spec.transformationType, dataset_wide=False
            )
            yield ColumnFlow(*_src(field), output, dst_column, kind, subtype, masking, tags, text)
    for field in facet.dataset:
        kind, subtype, masking, tags, text = _combine(field.transformations, "", dataset_wide=True)
        yield ColumnFlow(*_src(field), output, None, kind, subtype, masking, tags, text)


def flow_props(
    via: str, *, granularity: str, kind: str, subtype: str, masking: bool, run_id: str
) -> dict[str, object]:
    """The shared ``FLOWS_TO`` property set (see the graph contract)."""
    return {
        "kind": EdgeKind.TRANSFORM.value,
        "via": via,
        "granularity": granularity,
        "transformation_type": kind,
        "transformation_subtype": subtype or None,
        "masking": masking,
        "run_id": run_id or None,
        "stale": False,
    }


def column_facts(
    flows: Sequence[ColumnFlow],
    via: str,
    run_id: str,
    *,
    ref: str,
    seen: str,
    emitted: set[str] | None = None,
) -> Iterator[Node | Edge]:
    """Column nodes, ``HAS_COLUMN`` and column ``FLOWS_TO`` edges for the flows.

    ``emitted`` holds column ids already produced in this batch, to skip repeating them.
    """
    emitted = set() if emitted is None else emitted
    for flow in flows:
        for column, dataset in ((flow.src_column, flow.src_dataset), (flow.dst_column, None)):
            if column is None or column in emitted:
                continue
            emitted.add(column)
            parsed = ids.parse(column)
            yield Node(column, Kind.COLUMN, parsed.field, parsed.namespace, {}, ref, seen)
            yield Edge(dataset or parsed.dataset, Rel.HAS_COLUMN, column, {}, "", ref, seen)
        props = flow_props(
            via,
            granularity="column" if flow.dst_column else "dataset",
            kind=flow.type,
            subtype=flow.subtype,
            masking=flow.masking,
            run_id=run_id,
        )
        props["transformations"] = list(flow.transformations) or None
        props["description"] = flow.description or None
        dst = flow.dst_column or flow.dst_dataset
        yield Edge(flow.src_column, Rel.FLOWS_TO, dst, props, via, ref, seen)
