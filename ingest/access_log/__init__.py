"""Endpoint access logs -> Principal/Endpoint nodes and windowed ``CAN_ACCESS`` usage edges.

Formats: the native JSON Lines schema (:mod:`.native`), nginx/Envoy JSON access logs
(:mod:`.gateway`) and OpenTelemetry ``gen_ai`` spans (:mod:`.otel`). Pure: records are
aggregated in one pass (:class:`Usage`) and become facts; merging with counts already in a
store is done by passing the stored edge props as ``prior`` to :meth:`Usage.facts`.

>>> usage = Usage()
>>> lines = ['{"timestamp": 0, "principal": "ann", "endpoint": "chat", "status": 200}', "{"]
>>> [p.source_ref for p in usage.add_all(read_access_log(lines, path="x.jsonl"))]
['x.jsonl:2']
>>> [e.props["requests"] for e in usage.facts() if hasattr(e, "rel")]
[1]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ingest.access_log.aggregate import EDGE_KEY, MAX_SOURCES, PairUsage, Usage, merge_props
from ingest.access_log.fingerprint import (
    NEAR_BITS,
    hamming,
    is_public_source,
    simhash64,
    source_key,
)
from ingest.access_log.parallel import aggregate_file, merge_usage
from ingest.access_log.reader import Format, ReadStats, detect_format, read_access_log
from ingest.access_log.records import (
    DEFAULT_ENDPOINT_NAMESPACE,
    DEFAULT_PRINCIPAL_NAMESPACE,
    AccessRecord,
    Resolver,
)
from lineage.model import Fact

__all__ = [
    "DEFAULT_ENDPOINT_NAMESPACE",
    "DEFAULT_PRINCIPAL_NAMESPACE",
    "EDGE_KEY",
    "MAX_SOURCES",
    "NEAR_BITS",
    "AccessRecord",
    "Format",
    "PairUsage",
    "ReadStats",
    "Resolver",
    "Usage",
    "access_log_facts",
    "aggregate_file",
    "detect_format",
    "hamming",
    "is_public_source",
    "merge_props",
    "merge_usage",
    "read_access_log",
    "simhash64",
    "source_key",
]


def access_log_facts(
    lines: Iterable[str | bytes],
    *,
    fmt: Format | str = Format.AUTO,
    path: str = "<stream>",
    window_s: int = 3600,
    resolver: Resolver | None = None,
) -> Iterator[Fact]:
    """Problems first (as lines are read), then the aggregated nodes and edges."""
    usage = Usage(window_s=window_s)
    yield from usage.add_all(read_access_log(lines, fmt=fmt, path=path, resolver=resolver))
    yield from usage.facts(source_ref=path)
