"""Classification of sampled data: Presidio (offline) plus our recognisers, column verdicts.

Importing this package does not import Presidio (it is slow to import); the analyzer is
built on first use. Public API::

    sample(location, rows=100, table=None) -> Sample           (CSV, JSON Lines, Parquet, SQL)
    Classifier(rule=VerdictRule(), ner_model=None).classify(column, values) -> ColumnVerdict
    scan_facts(sample, dataset_uid, verdicts) -> facts for the pipeline (never a value)
"""

from __future__ import annotations

import lineage  # noqa: F401 - keeps tldextract offline before Presidio loads
from ingest.sensitivity.classify import Classifier
from ingest.sensitivity.samplers import Sample, sample
from ingest.sensitivity.scan import DETECTOR, scan, scan_facts
from ingest.sensitivity.verdict import CATEGORY, ColumnVerdict, EntityVerdict, VerdictRule

__all__ = [
    "CATEGORY",
    "DETECTOR",
    "Classifier",
    "ColumnVerdict",
    "EntityVerdict",
    "Sample",
    "VerdictRule",
    "sample",
    "scan",
    "scan_facts",
]
