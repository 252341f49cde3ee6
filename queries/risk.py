"""Risk: one documented formula, explainable per result.

::

    risk = min(100, 100 x sensitivity x exposure x access x confidence x runtime)

* **sensitivity** (0-1): the most sensitive label carried. Categories have a weight
  (``SECRET`` 1.0, ``PCI``/``PHI`` 0.95, ``PII`` 0.8, anything else 0.5); a few entities
  are heavier than their category (``US_SSN``, ``CREDIT_CARD``, ``MEDICAL_RECORD`` ...).
* **exposure** (0-1): who can reach the asset. Endpoints by their ``exposure``: public 1.0,
  external 0.8, unknown 0.6, internal 0.4. A model is 0.5, or 0.7 when unregistered (shadow
  AI: nobody reviews what it serves); a vector index 0.5; datasets and columns 0.3.
* **access** (0-1): how many principals can use it. Public means anyone (1.0); otherwise
  ``0.4 + 0.6 x min(1, log10(1 + principals) / 2)``: 0 principals 0.4, 9 about 0.7,
  99 and more 1.0. Breadth matters logarithmically: the 500th user adds little.
* **confidence** (0-1): how sure the evidence is. The origin's detector confidence (from
  ``label_evidence``; 1.0 for declared labels or when absent), times 0.85 per dataset-level
  hop without column detail (coarse: maybe the sensitive column was not used), times 0.8
  when the asset holds the label only through coarse edges (``coarse_labels``).
* **runtime** (1-1.5): what the gateway logs and model scans saw (``queries.runtime``):
  ``1 + 0.5 x runtime_anomaly_score`` on endpoints with extraction-like usage, input sweeps,
  callers outside their allowed group or an unsafe model behind them; 1.0 otherwise, and
  left out of the explanation then.

Each factor is returned with the reason it has its value, so a reader can check the score.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CATEGORY_WEIGHT",
    "ENTITY_WEIGHT",
    "EXPOSURE_WEIGHT",
    "Factor",
    "Risk",
    "access",
    "confidence",
    "exposure",
    "label_confidence",
    "risk",
    "runtime",
    "sensitivity",
]

CATEGORY_WEIGHT = {"SECRET": 1.0, "PCI": 0.95, "PHI": 0.95, "PII": 0.8, "CONFIDENTIAL": 0.6}
ENTITY_WEIGHT = {
    "US_SSN": 1.0,
    "CREDIT_CARD": 0.95,
    "IBAN_CODE": 0.9,
    "US_BANK_NUMBER": 0.9,
    "MEDICAL_RECORD": 0.95,
    "MEDICAL_LICENSE": 0.9,
    "US_PASSPORT": 0.95,
    "CRYPTO": 0.9,
}
DEFAULT_WEIGHT = 0.5
EXPOSURE_WEIGHT = {"public": 1.0, "external": 0.8, "unknown": 0.6, "internal": 0.4}
COARSE_HOP = 0.85
COARSE_LABEL = 0.8


@dataclass(frozen=True, slots=True)
class Factor:
    name: str
    value: float
    why: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": round(self.value, 3), "why": self.why}


@dataclass(frozen=True, slots=True)
class Risk:
    """A score with the factors that make it (four, and ``runtime`` when usage is abnormal)."""

    score: float
    factors: tuple[Factor, ...]

    def explain(self) -> str:
        parts = " x ".join(f"{f.name} {f.value:.2f}" for f in self.factors)
        reasons = "; ".join(f"{f.name}: {f.why}" for f in self.factors)
        return f"{self.score:.1f} = 100 x {parts} ({reasons})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "factors": [f.to_dict() for f in self.factors],
            "explanation": self.explain(),
        }


def _label_weight(label: str) -> float:
    category, _, entity = label.partition(":")
    base = CATEGORY_WEIGHT.get(category, DEFAULT_WEIGHT)
    return max(base, ENTITY_WEIGHT.get(entity, 0.0)) if entity else base


def sensitivity(labels: Iterable[str]) -> Factor:
    """The weight of the most sensitive label (0 when there is none)."""
    best, which = 0.0, ""
    for label in labels:
        w = _label_weight(label)
        if w > best or (w == best and len(label) > len(which)):
            best, which = w, label
    why = f"most sensitive label {which}" if which else "no sensitivity label"
    return Factor("sensitivity", best, why)


def exposure(
    kind: str, exposure_value: str | None = None, registered: bool | None = None
) -> Factor:
    if kind == "Endpoint":
        value = exposure_value or "unknown"
        return Factor("exposure", EXPOSURE_WEIGHT.get(value, 0.6), f"{value} endpoint")
    if kind == "Model":
        if registered is False:
            return Factor("exposure", 0.7, "unregistered (shadow) model")
        return Factor("exposure", 0.5, "model")
    if kind == "VectorIndex":
        return Factor("exposure", 0.5, "vector index (retrievable)")
    return Factor("exposure", 0.3, f"{kind.lower() or 'asset'} at rest")


def access(principals: int, exposure_value: str | None = None) -> Factor:
    if exposure_value == "public":
        return Factor("access", 1.0, "public: anyone")
    value = 0.4 + 0.6 * min(1.0, math.log10(1 + max(0, principals)) / 2)
    return Factor("access", value, f"{principals} principal(s) can access it")


def label_confidence(evidence: Iterable[str], label: str) -> float:
    """Best detector confidence recorded for ``label`` (or its entities) in ``label_evidence``.

    Evidence entries are JSON objects; anything unreadable counts as certain (declared).
    """
    best: float | None = None
    for raw in evidence:
        try:
            item = json.loads(raw)
        except (TypeError, ValueError):
            continue
        if not isinstance(item, dict):
            continue
        found = str(item.get("label", ""))
        if found == label or found.partition(":")[0] == label:
            try:
                conf = float(item.get("confidence", 1.0))
            except (TypeError, ValueError):
                conf = 1.0
            best = conf if best is None else max(best, conf)
    return 1.0 if best is None else best


def confidence(origin: float = 1.0, coarse_hops: int = 0, coarse_label: bool = False) -> Factor:
    value = origin * COARSE_HOP**coarse_hops * (COARSE_LABEL if coarse_label else 1.0)
    why = [f"detector {origin:.2f}"]
    if coarse_hops:
        why.append(f"{coarse_hops} dataset-level hop(s) without column detail")
    if coarse_label:
        why.append("label known only through coarse edges")
    return Factor("confidence", value, ", ".join(why))


def runtime(score: float = 0.0, findings: Iterable[str] = ()) -> Factor:
    score = min(1.0, max(0.0, score))
    codes = ", ".join(sorted(findings)) or "anomaly"
    return Factor("runtime", 1.0 + 0.5 * score, f"observed {codes} (score {score:.2f})")


def risk(
    labels: Iterable[str],
    *,
    kind: str,
    exposure_value: str | None = None,
    registered: bool | None = None,
    principals: int = 0,
    origin_confidence: float = 1.0,
    coarse_hops: int = 0,
    coarse_label: bool = False,
    runtime_score: float = 0.0,
    runtime_findings: Iterable[str] = (),
) -> Risk:
    """Score an asset (an exposure path's endpoint, or a blast-radius hit)."""
    factors = (
        sensitivity(labels),
        exposure(kind, exposure_value, registered),
        access(principals, exposure_value if kind == "Endpoint" else None),
        confidence(origin_confidence, coarse_hops, coarse_label),
    )
    if runtime_score > 0:
        factors = (*factors, runtime(runtime_score, runtime_findings))
    score = 100.0
    for f in factors:
        score *= f.value
    return Risk(round(min(score, 100.0), 1), factors)
