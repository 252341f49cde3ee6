"""The demo estate: a small company's real artefacts, ingested through the real ingestors.

Acme runs a support desk and a public website:

* support tickets leave Zendesk (a SaaS export) through an Airflow task into the warehouse
  (an OpenLineage event), are cleaned and turned into prompt/completion pairs by warehouse
  SQL, and a notebook fine-tunes the **support model** on them; the model sits behind an
  **external** API the partner portal calls;
* CRM notes are embedded by a notebook into a Qdrant collection that a RAG app (an embedchain
  config) answers from, behind the **public** "Ask Acme" chat widget;
* HR people data is only read through a **masking view**; department aggregates feed an
  **internal** attrition model;
* the fine-tuning notebook also holds a hard-coded OpenAI key and calls GPT directly
  (shadow AI: OpenAI is not in the approved registry);
* a week of gateway logs says who calls what, including a crawler sweeping the chat widget.

Samples of the three sensitive sources are classified with Presidio; labels then follow the
lineage. :func:`run_demo` returns what a person wants to see first: the top exposure paths
and one blast radius.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.access_log import access_log_facts
from ingest.declared import declared_facts
from ingest.inventory import load_registry, mark_registered
from ingest.notebook import notebook_facts
from ingest.sensitivity import DETECTOR, scan, scan_facts
from ingest.sql import Catalog
from ingest.vector_config import vector_config_facts
from lineage import ids, sensitivity
from lineage.artefacts.sql import SqlReading, sql_file_facts
from lineage.intake import Intake, event_log_path
from lineage.model import Fact
from lineage.pipeline import IngestReport, ingest
from lineage.policy import CheckResult, Enforcer, starter_policies
from lineage.store.base import Store
from queries.blast_radius import BlastRadius, blast_radius
from queries.exposure import ExposurePage, exposure_paths
from queries.runtime import refresh_runtime

__all__ = ["ESTATE", "DemoResult", "run_demo"]

ESTATE = Path(__file__).parent / "estate"
WAREHOUSE = "snowflake://acme"
SEEN = "2026-01-15T09:00:00.000Z"  # fixed, so a re-run changes nothing
# The source whose leak the demo's blast radius answers for.
BLAST_ORIGIN = ids.dataset_id("zendesk://acme", "tickets")

# (sample file, dataset it was sampled from)
SAMPLES = (
    ("saas/zendesk_tickets.csv", BLAST_ORIGIN),
    ("samples/crm_notes.csv", ids.dataset_id("s3://acme-crm-exports", "crm_notes.csv")),
    ("samples/hr_people.csv", ids.dataset_id(WAREHOUSE, "hr.core.people")),
)


@dataclass
class DemoResult:
    """What the demo did and found."""

    store: str
    steps: list[tuple[str, IngestReport]] = field(default_factory=list)
    exposures: ExposurePage | None = None
    blast: BlastRadius | None = None
    runtime_findings: int = 0
    policy: CheckResult | None = None

    @property
    def problems(self) -> list[str]:
        return [f"{step}: {p}" for step, report in self.steps for p in report.problems]

    def to_dict(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "steps": {name: report.to_dict() for name, report in self.steps},
            "exposures": self.exposures.to_dict() if self.exposures else None,
            "blast_radius": self.blast.to_dict() if self.blast else None,
            "runtime_findings": self.runtime_findings,
            "policy": self.policy.to_dict() if self.policy else None,
        }


def _ref(path: Path) -> str:
    """Source refs relative to the estate, so ids do not depend on where it is installed."""
    return path.relative_to(ESTATE).as_posix()


def _openlineage(store: Store) -> IngestReport:
    report = IngestReport()
    intake = Intake.open(store, None)
    try:
        for path in sorted((ESTATE / "openlineage").glob("*.json")):
            result = intake.submit(
                Intake.read(path.read_bytes(), path=_ref(path)), source_ref=_ref(path)
            )
            report.problems.extend(result.problems)
            report.nodes += result.accepted
    finally:
        intake.close()
    return report


def _sql(store: Store) -> Iterator[Fact]:
    how = SqlReading(WAREHOUSE, "snowflake")
    for path in sorted((ESTATE / "warehouse").glob("*.sql")):
        _, facts = sql_file_facts(store, path, Catalog(), how, ref=_ref(path))
        yield from facts


def _classify(store: Store) -> IngestReport:
    """Scan each sample, write its dataset and columns, then its verdicts as own labels."""
    report = IngestReport()
    for sample, dataset in SAMPLES:
        result = scan(ESTATE / sample, dataset=dataset)
        ingest(store, scan_facts(result), seen=SEEN, report=report)
        labelings = result.labelings()
        sensitivity.replace_detected(store, labelings, DETECTOR, at=SEEN)
        report.labelings += len(labelings)
    return report


def _ai(registry_path: Path) -> Iterator[Fact]:
    registry = load_registry(registry_path)
    facts: list[Iterable[Fact]] = [
        notebook_facts(path, ref=_ref(path), classifier=None)
        for path in sorted((ESTATE / "notebooks").glob("*.ipynb"))
    ]
    facts += [
        vector_config_facts(path, ref=_ref(path))
        for path in sorted((ESTATE / "rag").glob("*.yaml"))
    ]
    facts.append(declared_facts(ESTATE / "deployments.yaml", ref="deployments.yaml"))
    for group in facts:
        yield from mark_registered(group, registry)


def _access() -> Iterator[Fact]:
    path = ESTATE / "access" / "gateway.jsonl"
    with path.open("rb") as lines:
        yield from access_log_facts(lines, path=_ref(path))


def run_demo(store: Store, *, fresh: bool = True) -> DemoResult:
    """Ingest the estate into ``store`` and ask it the first questions."""
    if fresh:
        store.clear()
        log = event_log_path(store.location)
        if log.is_dir() and "://" not in store.location:
            shutil.rmtree(log)  # the event log's idempotency keys belong to the old graph
    result = DemoResult(store.location)
    result.steps.append(("openlineage", _openlineage(store)))
    result.steps.append(("classification", _classify(store)))
    result.steps.append(("warehouse sql", ingest(store, list(_sql(store)), seen=SEEN)))
    result.steps.append(
        ("notebooks, rag, deployments", ingest(store, _ai(ESTATE / "registry.yaml"), seen=SEEN))
    )
    result.steps.append(("gateway logs", ingest(store, _access(), seen=SEEN)))
    result.runtime_findings = len(refresh_runtime(store))
    result.exposures = exposure_paths(store, limit=5)
    result.blast = blast_radius(store, BLAST_ORIGIN, with_edge_details=True)
    # The starter policies, as shipped: destructive responses stay dry runs.
    result.policy = Enforcer(store, starter_policies()).check()
    return result
