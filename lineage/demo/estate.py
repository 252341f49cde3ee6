"""A seed estate until the artefact ingestors land (then this becomes artefacts on disk)."""

from __future__ import annotations

from collections.abc import Iterator

from lineage import ids
from lineage.model import Edge, Fact, Kind, Node, Rel

WH = "snowflake://acme"


def _dataset(name: str, cols: list[str]) -> Iterator[Fact]:
    uid = ids.dataset_id(WH, name)
    yield Node(uid, Kind.DATASET, name, WH, {"fields": cols}, "demo:estate")
    for col in cols:
        cid = ids.column_id(WH, name, col)
        yield Node(cid, Kind.COLUMN, f"{name}.{col}", WH, {}, "demo:estate")
        yield Edge(uid, Rel.HAS_COLUMN, cid)


def facts() -> Iterator[Fact]:
    yield Node(ids.source_id(WH), Kind.SOURCE, "acme warehouse", WH, {"platform": "snowflake"})
    yield from _dataset("raw.support_tickets", ["ticket_id", "customer_email", "body"])
    yield from _dataset("features.ticket_text", ["ticket_id", "body"])
    src, dst = ids.dataset_id(WH, "raw.support_tickets"), ids.dataset_id(WH, "features.ticket_text")
    yield Edge(src, Rel.FLOWS_TO, dst, {"kind": "transform", "granularity": "dataset"})
