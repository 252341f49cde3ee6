"""Classification of sampled data: Presidio (offline) plus our recognisers, column verdicts.

Importing this package does not import Presidio (it is slow to import); the analyzer is
built on first use. Public API::

    sample(location, rows=100, table=None) -> Sample           (CSV, JSON Lines, Parquet, SQL)
    Classifier(rule=VerdictRule(), ner_model=None).classify(column, values) -> ColumnVerdict
    scan_facts(sample, dataset_uid, verdicts) -> facts for the pipeline (never a value)
"""

from __future__ import annotations

import os

# tldextract (behind Presidio's e-mail and URL recognisers) builds its extractor when it is
# imported and then fetches the public-suffix list. Nothing may download at run time: an
# empty URL list keeps it on the snapshot it ships, whoever imports Presidio first.
os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""

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
