"""What a vector index holds: sampled chunks of a collection export, one field a column.

Exports of Qdrant, Chroma, Weaviate, Pinecone or pgvector collections are JSON Lines (or
CSV) with nested payloads (``{"payload": {"text": ..., "metadata": {"source": ...}}}``) and
the embedding beside them. Payload fields are flattened to dotted names so the text and each
metadata field are classified on their own; embeddings (arrays of numbers) and ids are left
out: a vector of floats holds no entity, and classifying its digits finds card numbers that
are not there.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ingest.sensitivity.samplers import DEFAULT_ROWS, Sample, sample

__all__ = ["sample_chunks"]

_MAX_DEPTH = 6  # payloads nest a few levels; deeper is stored as JSON text by the sampler


def _is_vector(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) > 0
        and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in value)
    )


def _flatten(record: Mapping[str, Any], prefix: str = "", depth: int = 0) -> Iterator[tuple]:
    for key, value in record.items():
        name = f"{prefix}{key}"
        if _is_vector(value):
            continue
        if isinstance(value, Mapping) and depth < _MAX_DEPTH:
            yield from _flatten(value, f"{name}.", depth + 1)
        else:
            yield name, value


def _nested(value: Any) -> Any:
    """The sampler keeps nested values as JSON text: read them back as objects."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def sample_chunks(location: str | Path, *, rows: int = DEFAULT_ROWS) -> Sample:
    """Sample ``rows`` chunks of a collection export; columns are dotted payload fields."""
    raw = sample(location, rows=rows)
    records: list[dict[str, Any]] = [{} for _ in range(raw.rows)]
    for name, values in raw.columns.items():
        for i, value in enumerate(values[: raw.rows]):
            records[i][name] = _nested(value)
    columns: dict[str, list[Any]] = {}
    for record in records:
        for name, value in _flatten(record):
            columns.setdefault(name, []).append(value)
    columns = {
        name: values
        for name, values in columns.items()
        if name.rsplit(".", 1)[-1].lower() not in {"id", "_id", "uuid", "vector", "embedding"}
    }
    return Sample(raw.location, raw.table, raw.rows, columns, {})
