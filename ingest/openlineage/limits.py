"""What an OpenLineage event must respect beyond the spec before it is logged.

The spec's JSON Schema says nothing about sizes or code points, but the store does: FalkorDB
refuses a NUL anywhere in a query parameter (and every later write of the batch with it),
crashes on an indexed id of about 4 KiB, and orjson, which writes the event log, stops at
255 levels of nesting. An event that passed validation is acknowledged and replayed at every
start, so whatever the store or the log cannot take must be refused *here*, by field:

* nesting deeper than :data:`MAX_DEPTH` levels (objects and arrays) anywhere in the event;
* a NUL or a lone surrogate in any string, key or value;
* a job, dataset, symlink, parent or column whose id would break the id rules of
  :mod:`lineage.ids` (over :data:`~lineage.ids.MAX_ID_BYTES` bytes, or a control character).

:func:`check_limits` walks the event once, without recursion (a 100,000-level array costs
no stack), and only builds paths for what it reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from ingest.openlineage import _ids as ids
from ingest.openlineage.validate import Violation, validate_event
from lineage.errors import InvalidId
from lineage.ids import MAX_ID_BYTES, check_text

__all__ = ["MAX_DEPTH", "MAX_ID_BYTES", "check_event", "check_limits", "check_names"]

MAX_DEPTH = 64
_BAD_CHAR = re.compile(r"[\x00\ud800-\udfff]")
_MAX_REPORTED = 20


def _path(parts: tuple[Any, ...]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<event>"


def _bad_char(text: str) -> str:
    m = _BAD_CHAR.search(text)
    assert m is not None
    kind = "NUL" if m.group() == "\x00" else f"lone surrogate U+{ord(m.group()):04X}"
    return f"{kind} at position {m.start()} (not storable)"


def _walk(event: Any) -> Iterator[Violation]:
    """Depth and code-point problems, depth-first, each with its path."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(event, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if _BAD_CHAR.search(value):
                yield Violation(_path(path), _bad_char(value))
            continue
        if not isinstance(value, (dict, list)):
            continue
        if len(path) >= MAX_DEPTH:
            yield Violation(_path(path), f"nested deeper than {MAX_DEPTH} levels")
            continue
        if isinstance(value, dict):
            for key, item in value.items():
                if _BAD_CHAR.search(key):
                    yield Violation(_path((*path, repr(key)[1:-1])), "key: " + _bad_char(key))
                stack.append((item, (*path, key)))
        else:
            stack.extend((item, (*path, i)) for i, item in enumerate(value))


def check_limits(event: Any) -> list[Violation]:
    """Nesting and code points, checked before anything else parses the event (the schema
    validator itself fails on very deep JSON). At most 20 violations."""
    out: list[Violation] = []
    for violation in _walk(event):
        out.append(violation)
        if len(out) >= _MAX_REPORTED:
            break
    return out


def _blame(where: str, namespace: str, exc: InvalidId) -> Violation:
    try:
        check_text(namespace, "namespace")
    except InvalidId as bad:
        return Violation(f"{where}.namespace", str(bad))
    return Violation(f"{where}.name", str(exc))


def _job(where: str, job: Any) -> Iterator[Violation]:
    if isinstance(job, Mapping):
        ns, name = str(job.get("namespace", "")), str(job.get("name", ""))
        try:
            ids.job_id(ns, name)
        except InvalidId as exc:
            yield _blame(where, ns, exc)


def _columns(where: str, ns: str, name: str, facets: Mapping[str, Any]) -> Iterator[Violation]:
    schema = facets.get("schema")
    pending = [(f"{where}.facets.schema.fields", schema.get("fields"), "")] if schema else []
    while pending:  # nested schema fields become dotted column names
        at, fields, prefix = pending.pop()
        for i, f in enumerate(fields or ()):
            if not isinstance(f, Mapping):
                continue
            column = f"{prefix}{f.get('name', '')}"
            try:
                ids.column_id(ns, name, column)
            except InvalidId as exc:
                yield Violation(f"{at}[{i}].name", str(exc))
                continue
            if f.get("fields"):
                pending.append((f"{at}[{i}].fields", f["fields"], f"{column}."))
    lineage = facets.get("columnLineage")
    if not isinstance(lineage, Mapping):
        return
    for target, spec in (lineage.get("fields") or {}).items():
        try:
            ids.column_id(ns, name, target)
        except InvalidId as exc:
            yield Violation(f"{where}.facets.columnLineage.fields.{target[:80]}", str(exc))
        inputs = spec.get("inputFields") if isinstance(spec, Mapping) else None
        yield from _input_fields(f"{where}.facets.columnLineage.fields.{target[:80]}", inputs)
    yield from _input_fields(f"{where}.facets.columnLineage.dataset", lineage.get("dataset"))


def _input_fields(where: str, fields: Any) -> Iterator[Violation]:
    for i, f in enumerate(fields or ()):
        if isinstance(f, Mapping):
            ns, name = str(f.get("namespace", "")), str(f.get("name", ""))
            try:
                ids.column_id(ns, name, str(f.get("field", "")))
            except InvalidId as exc:
                yield Violation(f"{where}.inputFields[{i}]", str(exc))


def _dataset(where: str, dataset: Any) -> Iterator[Violation]:
    if not isinstance(dataset, Mapping):
        return
    ns, name = str(dataset.get("namespace", "")), str(dataset.get("name", ""))
    try:
        ids.dataset_id(ns, name)
    except InvalidId as exc:
        yield _blame(where, ns, exc)
        return
    facets = dataset.get("facets")
    if not isinstance(facets, Mapping):
        return
    symlinks = facets.get("symlinks")
    links = symlinks.get("identifiers") if isinstance(symlinks, Mapping) else None
    for i, link in enumerate(links or ()):
        if isinstance(link, Mapping):
            link_ns = str(link.get("namespace", ""))
            try:
                ids.dataset_id(link_ns, str(link.get("name", "")))
            except InvalidId as exc:
                yield _blame(f"{where}.facets.symlinks.identifiers[{i}]", link_ns, exc)
    yield from _columns(where, ns, name, facets)


def check_names(event: Mapping[str, Any]) -> list[Violation]:
    """Every job, dataset and column the mapping will make an id of, checked against the id
    rules; run on schema-valid events (the shapes are known). At most 20 violations."""
    found: list[Violation] = []
    found.extend(_job("job", event.get("job")))
    run = event.get("run")
    parent = run.get("facets", {}).get("parent") if isinstance(run, Mapping) else None
    if isinstance(parent, Mapping):
        found.extend(_job("run.facets.parent.job", parent.get("job")))
        root = parent.get("root")
        if isinstance(root, Mapping):
            found.extend(_job("run.facets.parent.root.job", root.get("job")))
    for side in ("inputs", "outputs"):
        for i, dataset in enumerate(event.get(side) or ()):
            found.extend(_dataset(f"{side}[{i}]", dataset))
    if "dataset" in event:
        found.extend(_dataset("dataset", event["dataset"]))
    return found[:_MAX_REPORTED]


def check_event(event: Any) -> list[Violation]:
    """Everything that keeps an event out of the log: limits, then the spec's schema, then
    the id rules. An empty list means the event may be logged and applied."""
    if not isinstance(event, Mapping):
        return validate_event(event)
    return check_limits(event) or validate_event(event) or check_names(event)
