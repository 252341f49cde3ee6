"""Which labels an edge carries: the propagation semantics as pure functions.

A node's label state is a set of *tokens*. A token is a label string (``PII:EMAIL_ADDRESS``)
when some support path to it is precise, or ``~`` + label when it arrived only over coarse
(dataset-level, no column detail) edges. Every rule maps tokens one by one, so the effective
labels are the least fixpoint of a monotone system: cycles settle, and removals retract
exactly what lost support.

Per ``FLOWS_TO`` edge (see docs/sensitivity.md):

* ``stale`` edges and ``INDIRECT`` edges (filter, join, group by...) carry no values;
* a dataset-level edge with ``column_detail`` carries only the source dataset's own labels
  (the column edges carry the rest), marked coarse;
* a dataset-level edge between datasets without column detail carries everything, coarse;
* masking edges and ``AGGREGATION`` apply the :class:`~lineage.sensitivity.policy.Policy`;
* labels declassified on the edge stop there; labels declassified on a node stop at it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lineage.model import Kind
from lineage.sensitivity.policy import PSEUDONYMISED, Action, Policy

__all__ = [
    "COARSE",
    "EdgeRule",
    "category_of",
    "coarse",
    "effective_labels",
    "label_of",
    "matches",
    "strip_declassified",
]

COARSE = "~"


def label_of(token: str) -> str:
    """The label a token stands for (drops the coarse mark)."""
    return token[1:] if token.startswith(COARSE) else token


def coarse(token: str) -> str:
    return token if token.startswith(COARSE) else COARSE + token


def category_of(label: str) -> str:
    return label.partition(":")[0]


def matches(pattern: str, label: str) -> bool:
    """``*`` matches all; ``PII`` matches ``PII`` and ``PII:<entity>``; else exact."""
    if pattern in ("*", label):
        return True
    return ":" not in pattern and category_of(label) == pattern


def strip_declassified(tokens: Iterable[str], patterns: Iterable[str]) -> set[str]:
    pats = [p.upper() for p in patterns]  # "*" stays "*"
    if not pats:
        return set(tokens)
    return {t for t in tokens if not any(matches(p, label_of(t)) for p in pats)}


def effective_labels(tokens: Iterable[str]) -> tuple[list[str], list[str]]:
    """``(labels, coarse_labels)`` as stored: categories are added next to entity labels."""
    precise = {t for t in tokens if not t.startswith(COARSE)}
    rough = {label_of(t) for t in tokens if t.startswith(COARSE)}
    labels = precise | rough
    labels |= {category_of(label) for label in labels}
    coarse_only = rough - precise
    coarse_only |= {category_of(label) for label in coarse_only}
    coarse_only -= {category_of(label) for label in precise}
    return sorted(labels), sorted(coarse_only)


def _apply(action: Action, token: str) -> str | None:
    if action is Action.PASS:
        return token
    if action is Action.STOP:
        return None
    label = label_of(token)
    if category_of(label) == PSEUDONYMISED:
        return token
    marked = f"{PSEUDONYMISED}:{label}"
    return coarse(marked) if token.startswith(COARSE) else marked


@dataclass(frozen=True, slots=True)
class EdgeRule:
    """What one ``FLOWS_TO`` edge does, decided once from its properties."""

    carries: bool  # False: passes nothing at all
    own_only: bool  # dataset-level edge with column detail: only the source's own labels
    to_coarse: bool  # marks what passes as coarse
    masking: bool
    aggregation: bool
    declassified: tuple[str, ...]

    @classmethod
    def of(cls, props: Mapping[str, Any], src_kind: str, dst_kind: str) -> EdgeRule:
        ttype = str(props.get("transformation_type") or "DIRECT").upper()
        subtype = str(props.get("transformation_subtype") or "").upper()
        # A hop between two datasets is dataset-level unless it says it is column-level.
        between_datasets = src_kind == dst_kind == Kind.DATASET.value
        dataset_level = between_datasets and (props.get("granularity") or "dataset") == "dataset"
        detail = bool(props.get("column_detail"))
        return cls(
            carries=not props.get("stale") and ttype != "INDIRECT",
            own_only=dataset_level and detail,
            to_coarse=dataset_level,
            masking=bool(props.get("masking")),
            aggregation=subtype == "AGGREGATION",
            declassified=tuple(str(p) for p in (props.get("declassified") or ())),
        )

    @property
    def plain(self) -> bool:
        """Carries every token unchanged (the common case, kept cheap)."""
        return self.carries and not (
            self.to_coarse or self.masking or self.aggregation or self.declassified
        )

    def passes(self, tokens: Iterable[str], policy: Policy) -> set[str]:
        """Tokens arriving at the target from ``tokens`` at the source (before the target's
        own declassification). For ``own_only`` edges pass the source's *own* tokens."""
        if not self.carries:
            return set()
        if self.plain:
            return set(tokens)
        out: set[str] = set()
        for token in tokens:
            category = category_of(label_of(token))
            result: str | None = token
            if self.masking:
                result = _apply(policy.action(policy.masking, category), token)
            if result is not None and self.aggregation:
                result = _apply(policy.action(policy.aggregation, category), result)
            if result is None:
                continue
            out.add(coarse(result) if self.to_coarse else result)
        if self.declassified:
            out = strip_declassified(out, self.declassified)
        return out
