"""The column verdict rule: from per-value findings to labels on a column.

For each sampled column, every non-empty value is analysed; overlapping findings inside a
value are resolved to the highest score (so a phone number is not also a UK NHS number).
An entity *hits* a value when its best score there is at least ``min_score``. The column
gets the entity when

* ``hits / non_empty >= min_share`` (default 0.3: a free-text column where a third of the
  rows carry an e-mail is an e-mail column), and
* ``hits >= min_hits`` (default 2, or every value when fewer were sampled).

Its confidence is the mean best score over the hit values, times the share, capped to
[0, 1] and rounded: a column full of context-boosted phone numbers is ~0.75, a column where
a third of values carry one is ~0.25. Entities map to categories by :data:`CATEGORY`;
entities not listed there (DATE_TIME, URL, UUID...) are not sensitive on their own and are
ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from lineage.model import Label

__all__ = ["CATEGORY", "ColumnVerdict", "EntityVerdict", "Finding", "VerdictRule", "decide"]

CATEGORY: Mapping[str, str] = {
    "EMAIL_ADDRESS": "PII",
    "PHONE_NUMBER": "PII",
    "US_SSN": "PII",
    "US_ITIN": "PII",
    "US_PASSPORT": "PII",
    "US_DRIVER_LICENSE": "PII",
    "IP_ADDRESS": "PII",
    "MAC_ADDRESS": "PII",
    "PERSON": "PII",
    "LOCATION": "PII",
    "DATE_OF_BIRTH": "PII",
    "IBAN_CODE": "PCI",
    "CREDIT_CARD": "PCI",
    "US_BANK_NUMBER": "PCI",
    "CRYPTO": "PCI",
    "MEDICAL_CONDITION": "PHI",
    "MEDICAL_RECORD_NUMBER": "PHI",
    "API_KEY": "SECRET",
    "PRIVATE_KEY": "SECRET",
    "JWT": "SECRET",
    "CONNECTION_STRING": "SECRET",
    "PASSWORD": "SECRET",
}


@dataclass(frozen=True, slots=True)
class VerdictRule:
    """The documented, configurable thresholds (see the module doc)."""

    min_score: float = 0.5
    min_share: float = 0.3
    min_hits: int = 2

    def __post_init__(self) -> None:
        if not (0 <= self.min_score <= 1 and 0 < self.min_share <= 1 and self.min_hits >= 1):
            raise ValueError("verdict rule: min_score in [0,1], min_share in (0,1], min_hits >= 1")


@dataclass(frozen=True, slots=True)
class Finding:
    """One Presidio result inside one value: no text, only where, what and how sure."""

    value: int
    start: int
    end: int
    entity: str
    score: float


@dataclass(frozen=True, slots=True)
class EntityVerdict:
    entity: str
    hits: int
    mean_score: float
    confidence: float

    @property
    def label(self) -> Label:
        return Label(CATEGORY[self.entity], self.entity)


@dataclass(frozen=True, slots=True)
class ColumnVerdict:
    """What a column holds: sampled/non-empty counts and the entities that passed the rule."""

    column: str
    sampled: int
    non_empty: int
    entities: tuple[EntityVerdict, ...] = field(default_factory=tuple)

    @property
    def labels(self) -> list[Label]:
        return [e.label for e in self.entities]

    def to_dict(self) -> dict[str, object]:
        return {
            "column": self.column,
            "sampled": self.sampled,
            "non_empty": self.non_empty,
            "labels": [
                {
                    "label": str(e.label),
                    "hits": e.hits,
                    "mean_score": e.mean_score,
                    "confidence": e.confidence,
                }
                for e in self.entities
            ],
        }


def _best_per_value(findings: Iterable[Finding]) -> dict[int, dict[str, float]]:
    """Per value: entity -> best score, after dropping findings overlapped by a better one."""
    by_value: dict[int, list[Finding]] = {}
    for f in findings:
        if f.entity in CATEGORY:
            by_value.setdefault(f.value, []).append(f)
    out: dict[int, dict[str, float]] = {}
    for value, items in by_value.items():
        items.sort(key=lambda f: (-f.score, f.start, f.entity))
        kept: list[Finding] = []
        for f in items:
            if any(k.start < f.end and f.start < k.end and k.entity != f.entity for k in kept):
                continue
            kept.append(f)
        best: dict[str, float] = {}
        for f in kept:
            best[f.entity] = max(best.get(f.entity, 0.0), f.score)
        out[value] = best
    return out


def decide(
    column: str,
    findings: Iterable[Finding],
    *,
    sampled: int,
    non_empty: int,
    weights: Mapping[int, int] | None = None,
    rule: VerdictRule | None = None,
) -> ColumnVerdict:
    """Apply the rule. ``weights`` counts duplicates when values were deduplicated."""
    rule = rule or VerdictRule()
    hits: dict[str, int] = {}
    score_sum: dict[str, float] = {}
    for value, best in _best_per_value(findings).items():
        weight = weights.get(value, 1) if weights else 1
        for entity, score in best.items():
            if score >= rule.min_score:
                hits[entity] = hits.get(entity, 0) + weight
                score_sum[entity] = score_sum.get(entity, 0.0) + score * weight
    need = min(rule.min_hits, non_empty)
    verdicts = []
    for entity, n in sorted(hits.items()):
        share = n / non_empty if non_empty else 0.0
        if n >= need and share >= rule.min_share:
            mean = score_sum[entity] / n
            verdicts.append(
                EntityVerdict(entity, n, round(mean, 3), round(min(1.0, mean * share), 3))
            )
    return ColumnVerdict(column, sampled, non_empty, tuple(verdicts))
