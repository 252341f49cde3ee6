"""Jupyter notebooks as lineage: jobs, datasets, models, vector indexes, endpoints, secrets.

>>> from ingest.notebook import notebook_facts  # doctest: +SKIP
>>> facts = list(notebook_facts("train.ipynb"))  # doctest: +SKIP
"""

from ingest.notebook.facts import JOB_NAMESPACE, analyse_notebook, notebook_facts
from ingest.notebook.load import LoadedNotebook, load_notebook, parse_notebook
from ingest.notebook.outputs import Classifier, OutputSample, presidio_classifier, samples
from ingest.notebook.recognisers import RECOGNISERS, Registry, Rule

__all__ = [
    "JOB_NAMESPACE",
    "RECOGNISERS",
    "Classifier",
    "LoadedNotebook",
    "OutputSample",
    "Registry",
    "Rule",
    "analyse_notebook",
    "load_notebook",
    "notebook_facts",
    "parse_notebook",
    "presidio_classifier",
    "samples",
]
