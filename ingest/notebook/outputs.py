"""Notebook outputs as samples of the data a notebook read, for the classifier.

A printed data frame or a ``display(ds)`` shows rows of the data: the text of a cell's
outputs is a sample of the datasets that cell touched. This module extracts that text
(bounded, no images) and turns a classifier's detections into :class:`Labeling` facts on
those datasets (or on the notebook's job when the cell touched none).

The classifier is a hook, not an import: any callable taking a list of sample strings and
returning detections with ``label`` (``Label`` or ``"PII:EMAIL_ADDRESS"``), ``hits``,
``confidence`` and ``detector`` attributes. Raw values never leave the classifier.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ingest.notebook.load import Cell
from ingest.notebook.printed import columns
from lineage import ids
from lineage.model import Kind, Label, Labeling

__all__ = [
    "MAX_SAMPLE_CHARS",
    "Classifier",
    "Detection",
    "OutputSample",
    "labelings",
    "output_texts",
    "presidio_classifier",
    "samples",
]

MAX_SAMPLE_CHARS = 64 * 1024
_TEXT_TYPES = ("text/plain", "text/markdown", "text/csv", "application/json")
_TAG = re.compile(r"<[^>]{0,400}>")


class Detection(Protocol):
    """What a classifier reports per entity found (read-only view)."""

    @property
    def label(self) -> Label | str: ...
    @property
    def hits(self) -> int: ...
    @property
    def confidence(self) -> float: ...
    @property
    def detector(self) -> str: ...


type Classifier = Callable[[Sequence[str]], Iterable[Detection]]


@dataclass(frozen=True, slots=True)
class OutputSample:
    """The text a cell printed or displayed (bounded), and the cell it came from."""

    cell: int
    text: str


def _text_of(output: dict[str, Any]) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        return _join(output.get("text", ""))
    if kind in ("execute_result", "display_data", "pyout"):
        data = output.get("data", {}) or {}
        for mime in _TEXT_TYPES:
            if mime in data:
                return _join(data[mime])
        if "text/html" in data:
            return _TAG.sub(" ", _join(data["text/html"]))
        return _join(output.get("text", ""))
    if kind in ("error", "pyerr"):
        return "\n".join(output.get("traceback", ()) or ())
    return ""


def _join(value: Any) -> str:
    if isinstance(value, list):
        return "".join(str(v) for v in value)
    return value if isinstance(value, str) else str(value)


def output_texts(cells: Iterable[Cell]) -> Iterator[OutputSample]:
    """Every text output of every cell, whole: the secret scan reads all of it (a key
    printed after 64 KiB of log is still a key), the classifier only a sample."""
    for cell in cells:
        for output in cell.outputs or ():
            text = _text_of(output)
            if text:
                yield OutputSample(cell.index, text)


def samples(cells: Iterable[Cell], *, limit: int = MAX_SAMPLE_CHARS) -> Iterator[OutputSample]:
    """One sample per code cell with text output, cut at ``limit`` characters."""
    for cell in cells:
        if cell.cell_type != "code" or not cell.outputs:
            continue
        parts: list[str] = []
        size = 0
        for output in cell.outputs:
            text = _text_of(output)
            if text:
                parts.append(text[: limit - size])
                size += len(parts[-1])
            if size >= limit:
                break
        if parts:
            yield OutputSample(cell.index, "\n".join(parts))


@dataclass(frozen=True, slots=True)
class _Found:
    label: Label
    hits: int
    confidence: float
    detector: str


def presidio_classifier() -> Classifier:
    """The project's classifier (:mod:`ingest.sensitivity`, offline Presidio) as a hook.

    A printed table is classified column by column, under its column names; other output
    lines are one value each (:mod:`ingest.notebook.printed`). The classifier's column rule
    then decides from the share of values that hold an entity; one finding per label.
    """
    from ingest.sensitivity import Classifier as ColumnClassifier

    column = ColumnClassifier()

    def classify(texts: Sequence[str]) -> list[_Found]:
        best: dict[str, _Found] = {}
        for text in texts:
            for name, values in columns(text):
                for e in column.classify(name, values[:2000]).entities:
                    key, prior = str(e.label), best.get(str(e.label))
                    hits = e.hits + (prior.hits if prior else 0)
                    confidence = max(e.confidence, prior.confidence if prior else 0.0)
                    best[key] = _Found(e.label, hits, confidence, "presidio")
        return list(best.values())

    return classify


def labelings(
    classifier: Classifier,
    sample: OutputSample,
    touched: Iterable[str],
    job_uid: str,
    ref: str,
) -> Iterator[Labeling]:
    """Detections in one cell's output as own labels of the datasets that cell touched."""
    targets = sorted(u for u in touched if ids.kind_of(u) is Kind.DATASET) or [job_uid]
    for found in classifier([sample.text]):
        label = found.label if isinstance(found.label, Label) else Label.parse(found.label)
        for uid in targets:
            yield Labeling(
                uid,
                label,
                f"notebook-output:{found.detector}",
                float(found.confidence),
                int(found.hits),
                1,
                ref,
            )
