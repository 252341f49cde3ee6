"""The demo estate: a small company's artefacts, ingested through the real pipeline."""

from __future__ import annotations

from typing import Any

from lineage.demo.estate import facts
from lineage.pipeline import ingest
from lineage.store.base import Store

__all__ = ["run_demo"]


def run_demo(store: Store, *, fresh: bool = True) -> dict[str, Any]:
    if fresh:
        store.clear()
    report = ingest(store, facts(), seen="2026-01-15T09:00:00.000Z")
    return {
        "store": store.location,
        "counts": store.counts(),
        "problems": [str(p) for p in report.problems],
    }
