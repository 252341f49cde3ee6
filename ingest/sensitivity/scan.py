"""From a sample and its verdicts to graph facts: columns, types, own labels. No values.

The facts are the dataset (``fields``/``field_types``), its Column nodes and HAS_COLUMN
edges, and one :class:`~lineage.model.Labeling` per (column, entity) verdict carrying the
entity type, hit count, sample size, confidence and the detector name, nothing else.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ingest.sensitivity.chunks import sample_chunks
from ingest.sensitivity.classify import Classifier
from ingest.sensitivity.samplers import DEFAULT_ROWS, Sample, sample
from ingest.sensitivity.verdict import ColumnVerdict
from lineage import ids
from lineage.errors import InvalidId
from lineage.model import Edge, Fact, Kind, Labeling, Node, Rel

__all__ = ["DETECTOR", "ScanResult", "scan", "scan_facts"]

DETECTOR = "presidio"


@dataclass(frozen=True)
class ScanResult:
    """A scanned dataset: where from, its columns' verdicts, and the facts to ingest."""

    dataset: str
    location: str
    rows: int
    verdicts: tuple[ColumnVerdict, ...]
    columns: Mapping[str, str] = field(default_factory=dict)  # column name -> column uid
    field_types: Mapping[str, str] = field(default_factory=dict)

    def labelings(self) -> dict[str, list[Labeling]]:
        """Per column uid, the detector's whole verdict (empty lists included). A vector
        index has no columns: every field's verdicts land on the index, the strongest
        evidence per entity kept."""
        out: dict[str, dict[str, Labeling]] = {}
        for v in self.verdicts:
            uid = self.columns[v.column]
            best = out.setdefault(uid, {})
            for e in v.entities:
                found = Labeling(
                    uid, e.label, DETECTOR, e.confidence, e.hits, v.non_empty, self.location
                )
                key = str(e.label)
                if key not in best or (found.confidence, found.hits) > (
                    best[key].confidence,
                    best[key].hits,
                ):
                    best[key] = found
        return {uid: list(found.values()) for uid, found in out.items()}

    def to_dict(self) -> dict[str, object]:
        return {
            "dataset": self.dataset,
            "location": self.location,
            "rows": self.rows,
            "columns": [{"uid": self.columns[v.column], **v.to_dict()} for v in self.verdicts],
        }


def _column_uid(dataset: str, name: str) -> str:
    parsed = ids.parse(dataset)
    if parsed.kind is Kind.VECTOR_INDEX:
        return dataset  # an index has no columns: what its chunks hold is the index's own
    if parsed.kind is not Kind.DATASET:
        raise InvalidId(f"{dataset!r} is not a dataset or vector index id")
    return ids.make(Kind.COLUMN, parsed.namespace, parsed.name, name)


def scan_facts(result: ScanResult) -> Iterator[Fact]:
    """Nodes and edges of a scan (labels go through ``replace_detected`` to retract)."""
    parsed = ids.parse(result.dataset)
    if parsed.kind is Kind.VECTOR_INDEX:
        fields = sorted(result.columns)
        yield Node(
            result.dataset,
            Kind.VECTOR_INDEX,
            parsed.name,
            parsed.namespace,
            {"sampled_fields": fields} if fields else {},
            result.location,
        )
        return
    names = list(result.columns)
    yield Node(
        result.dataset,
        Kind.DATASET,
        parsed.name,
        parsed.namespace,
        {"fields": names, "field_types": [result.field_types.get(n, "") for n in names]},
        result.location,
    )
    for name, uid in result.columns.items():
        props = {"type": result.field_types[name]} if result.field_types.get(name) else {}
        yield Node(
            uid, Kind.COLUMN, ids.parse(uid).display, parsed.namespace, props, result.location
        )
        yield Edge(result.dataset, Rel.HAS_COLUMN, uid, source_ref=result.location)


def scan(
    location: str | Path,
    *,
    dataset: str,
    rows: int = DEFAULT_ROWS,
    table: str | None = None,
    classifier: Classifier | None = None,
    data: Sample | None = None,
) -> ScanResult:
    """Sample ``location`` and classify every column for ``dataset`` (a dataset id), or every
    chunk field of a collection export for a vector index id."""
    classifier = classifier or Classifier()
    if data is None and ids.kind_of(dataset) is Kind.VECTOR_INDEX:
        data = sample_chunks(location, rows=rows)  # a collection export: chunks, not rows
    data = data or sample(location, rows=rows, table=table)
    columns = {name: _column_uid(dataset, name) for name in data.columns}
    verdicts = tuple(classifier.classify(name, values) for name, values in data.columns.items())
    return ScanResult(dataset, data.location, data.rows, verdicts, columns, dict(data.field_types))
