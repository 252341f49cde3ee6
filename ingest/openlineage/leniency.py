"""Accept an event whose only faults are in its facets, as Marquez does.

Emitters in the field send facets without ``_producer``/``_schemaURL``
(``"documentation": {"description": ...}``) or a ``symlinks`` identifier without
``namespace``. Refusing the whole event for that loses its lineage. The core stays strict:
``eventType``, ``eventTime``, ``run``, ``job``, dataset ``namespace``/``name`` (and the
limits and id rules of :mod:`.limits`) must be right, or the event is refused as before.
When only facets are wrong:

* a ``symlinks`` identifier without ``namespace`` takes the dataset's namespace (warned);
* every other malformed facet is set aside: removed from the event, its path and the
  reason reported; the valid facets are kept.

What was set aside travels with the logged event in an ``intake_setAside`` facet (on the
run, or on the job or dataset of a job or dataset event), so every replay reports it again
as a warning problem. Strict mode (``LINEAGE_OPENLINEAGE_STRICT``) skips all of this.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from ingest.openlineage.limits import check_event, check_limits
from ingest.openlineage.validate import SPEC_VERSION, Violation, event_kind, validate_event

__all__ = ["SET_ASIDE_FACET", "FacetWarning", "lenient_event", "set_aside_of"]

SET_ASIDE_FACET = "intake_setAside"
_PRODUCER = "https://github.com/ai-spm-lineage/lineage/intake"
_SCHEMA = f"https://openlineage.io/spec/{SPEC_VERSION}/OpenLineage.json#/$defs/BaseFacet"
_SIDES = {"inputs": "inputFacets", "outputs": "outputFacets"}


@dataclass(frozen=True, slots=True)
class FacetWarning:
    """A facet set aside (or repaired): where it was and why."""

    facet: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"facet": self.facet, "message": self.message}

    def __str__(self) -> str:
        return f"{self.facet}: {self.message}"


def _slots(event: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], str]]:
    """(path, owner, key) of every facet container: ``owner[key]`` is the facets object."""
    for part in ("run", "job", "dataset"):
        owner = event.get(part)
        if isinstance(owner, dict) and "facets" in owner:
            yield f"{part}.facets", owner, "facets"
    for side, extra in _SIDES.items():
        items = event.get(side)
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            for key in ("facets", extra):
                if key in item:
                    yield f"{side}[{i}].{key}", item, key


def _repair_symlinks(event: dict[str, Any], warnings: list[FacetWarning]) -> None:
    targets: list[tuple[str, Any]] = [("dataset", event.get("dataset"))]
    for side in _SIDES:
        items = event.get(side)
        if isinstance(items, list):
            targets += [(f"{side}[{i}]", item) for i, item in enumerate(items)]
    for path, dataset in targets:
        if not isinstance(dataset, dict) or not isinstance(dataset.get("namespace"), str):
            continue
        facets = dataset.get("facets")
        symlinks = facets.get("symlinks") if isinstance(facets, dict) else None
        identifiers = symlinks.get("identifiers") if isinstance(symlinks, dict) else None
        for j, ident in enumerate(identifiers if isinstance(identifiers, list) else ()):
            if isinstance(ident, dict) and "namespace" not in ident and "name" in ident:
                ident["namespace"] = dataset["namespace"]
                warnings.append(
                    FacetWarning(
                        f"{path}.facets.symlinks.identifiers[{j}].namespace",
                        f"missing: the dataset's namespace ({dataset['namespace'][:200]}) is used",
                    )
                )


def _marker(warnings: list[FacetWarning]) -> dict[str, Any]:
    return {
        "_producer": _PRODUCER,
        "_schemaURL": _SCHEMA,
        "facets": [w.to_dict() for w in warnings[:50]],
    }


def _reason(value: Any, problems: list[Violation]) -> str:
    """Why a facet was set aside, short (the schema's own message for a facet missing its
    base fields is an unreadable anyOf quoting the whole facet)."""
    if not isinstance(value, dict):
        return f"set aside: a facet is an object, not {type(value).__name__}"
    missing = [k for k in ("_producer", "_schemaURL") if k not in value]
    if missing:
        return f"set aside: missing {' and '.join(missing)}"
    first = problems[0]
    message = first.message if len(first.message) <= 160 else first.message[:157] + "..."
    return f"set aside: {first.path}: {message}"


def lenient_event(event: Any) -> tuple[dict[str, Any], list[FacetWarning]] | None:
    """The event with its malformed facets set aside, and what was done; None when the
    core itself is wrong (or nothing about facets would make it acceptable)."""
    if not isinstance(event, Mapping) or check_limits(event):
        return None  # too deep, unstorable characters: never lenient about those
    try:
        work: dict[str, Any] = orjson.loads(orjson.dumps(event))
    except (orjson.JSONEncodeError, orjson.JSONDecodeError, TypeError):
        return None
    warnings: list[FacetWarning] = []
    _repair_symlinks(work, warnings)
    slots = list(_slots(work))
    saved = [(path, owner, key, owner.pop(key)) for path, owner, key in slots]
    if validate_event(work):
        return None  # the core is wrong: strict as ever
    for path, owner, key, facets in saved:
        if not isinstance(facets, dict):
            warnings.append(FacetWarning(path, f"not an object ({type(facets).__name__})"))
            continue
        kept: dict[str, Any] = {}
        owner[key] = kept
        for name, value in facets.items():
            kept[name] = value
            problems = validate_event(work)
            if problems:
                del kept[name]
                warnings.append(FacetWarning(f"{path}.{name}", _reason(value, problems)))
    if not warnings or check_event(work):
        return None
    _attach(work, warnings)
    return work, warnings


def _attach(event: dict[str, Any], warnings: list[FacetWarning]) -> None:
    kind = event_kind(event)
    part = {"RunEvent": "run", "JobEvent": "job", "DatasetEvent": "dataset"}[kind]
    owner = event[part]
    facets = owner.setdefault("facets", {})
    facets[SET_ASIDE_FACET] = _marker(warnings)


def set_aside_of(event: Mapping[str, Any]) -> list[FacetWarning]:
    """What intake set aside of a logged event (read back from its marker facet)."""
    for part in ("run", "job", "dataset"):
        owner = event.get(part)
        facets = owner.get("facets") if isinstance(owner, Mapping) else None
        marker = facets.get(SET_ASIDE_FACET) if isinstance(facets, Mapping) else None
        if isinstance(marker, Mapping):
            return [
                FacetWarning(str(w.get("facet", "")), str(w.get("message", "")))
                for w in marker.get("facets") or ()
                if isinstance(w, Mapping)
            ]
    return []
