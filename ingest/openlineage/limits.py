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

import orjson

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


def _scan(event: dict[str, Any]) -> tuple[bool, bool]:
    """The fast path, one pass over the containers: (no limit problem for sure, every name
    short and printable so no id can break the rules). False only sends the event on to
    the precise checks, which decide.

    orjson serialises in C and fails on lone surrogates and past 254 levels; a NUL shows as
    ``\\u0000`` in its output (a literal backslash-u0000 is a harmless false alarm). Depth
    is counted over containers; strings are only looked at under the keys ids are made of
    (``name``, ``namespace``, ``field``) and as keys (column names in column lineage)."""
    try:
        if b"\\u0000" in orjson.dumps(event):
            return False, False
    except orjson.JSONEncodeError:
        return False, False
    plain = True
    stack: list[tuple[Any, int]] = [(event, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False, False
        if type(value) is dict:
            for key, item in value.items():
                if type(item) is str:
                    if plain and key in _NAME_KEYS and not _short(item):
                        plain = False
                elif type(item) is dict or type(item) is list:
                    stack.append((item, depth + 1))
                if plain and not _short(key):
                    plain = False
        else:
            stack.extend((item, depth + 1) for item in value if type(item) in (dict, list))
    return True, plain


def check_limits(event: Any) -> list[Violation]:
    """Nesting and code points, checked before anything else parses the event (the schema
    validator itself fails on very deep JSON). At most 20 violations."""
    if type(event) is dict and _scan(event)[0]:
        return []
    out: list[Violation] = []
    for violation in _walk(event):
        out.append(violation)
        if len(out) >= _MAX_REPORTED:
            break
    return out


# A name part this short and printable cannot break the id rules: three parts of at most
# 150 characters are at most 1,800 bytes of UTF-8 with the prefix, under MAX_ID_BYTES.
_SAFE_PART = (MAX_ID_BYTES - 248) // 12


_NAME_KEYS = frozenset({"name", "namespace", "field"})


def _short(text: str) -> bool:
    return len(text) <= _SAFE_PART and text.isprintable()


def _plain(*parts: str) -> bool:
    return all(len(p) <= _SAFE_PART and p.isprintable() for p in parts)


def _blame(where: str, namespace: str, exc: InvalidId) -> Violation:
    try:
        check_text(namespace, "namespace")
    except InvalidId as bad:
        return Violation(f"{where}.namespace", str(bad))
    return Violation(f"{where}.name", str(exc))


def _job(where: str, job: Any) -> Iterator[Violation]:
    if isinstance(job, dict):
        ns, name = str(job.get("namespace", "")), str(job.get("name", ""))
        if _plain(ns, name):
            return
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
            if not isinstance(f, dict):
                continue
            column = f"{prefix}{f.get('name', '')}"
            if not _plain(ns, name, column):
                try:
                    ids.column_id(ns, name, column)
                except InvalidId as exc:
                    yield Violation(f"{at}[{i}].name", str(exc))
                    continue
            if f.get("fields"):
                pending.append((f"{at}[{i}].fields", f["fields"], f"{column}."))
    lineage = facets.get("columnLineage")
    if not isinstance(lineage, dict):
        return
    for target, spec in (lineage.get("fields") or {}).items():
        try:
            if not _plain(ns, name, target):
                ids.column_id(ns, name, target)
        except InvalidId as exc:
            yield Violation(f"{where}.facets.columnLineage.fields.{target[:80]}", str(exc))
        inputs = spec.get("inputFields") if isinstance(spec, dict) else None
        yield from _input_fields(f"{where}.facets.columnLineage.fields.{target[:80]}", inputs)
    yield from _input_fields(f"{where}.facets.columnLineage.dataset", lineage.get("dataset"))


def _input_fields(where: str, fields: Any) -> Iterator[Violation]:
    for i, f in enumerate(fields or ()):
        if isinstance(f, dict):
            ns, name, field = (str(f.get(k, "")) for k in ("namespace", "name", "field"))
            if _plain(ns, name, field):
                continue
            try:
                ids.column_id(ns, name, field)
            except InvalidId as exc:
                yield Violation(f"{where}.inputFields[{i}]", str(exc))


def _dataset(where: str, dataset: Any) -> Iterator[Violation]:
    if not isinstance(dataset, dict):
        return
    ns, name = str(dataset.get("namespace", "")), str(dataset.get("name", ""))
    if not _plain(ns, name):
        try:
            ids.dataset_id(ns, name)
        except InvalidId as exc:
            yield _blame(where, ns, exc)
            return
    facets = dataset.get("facets")
    if not isinstance(facets, dict):
        return
    symlinks = facets.get("symlinks")
    links = symlinks.get("identifiers") if isinstance(symlinks, dict) else None
    for i, link in enumerate(links or ()):
        if isinstance(link, dict):
            link_ns, link_name = str(link.get("namespace", "")), str(link.get("name", ""))
            if _plain(link_ns, link_name):
                continue
            try:
                ids.dataset_id(link_ns, link_name)
            except InvalidId as exc:
                yield _blame(f"{where}.facets.symlinks.identifiers[{i}]", link_ns, exc)
    yield from _columns(where, ns, name, facets)


def check_names(event: Mapping[str, Any]) -> list[Violation]:
    """Every job, dataset and column the mapping will make an id of, checked against the id
    rules; run on schema-valid events (the shapes are known). At most 20 violations."""
    found: list[Violation] = []
    found.extend(_job("job", event.get("job")))
    run = event.get("run")
    parent = run.get("facets", {}).get("parent") if isinstance(run, dict) else None
    if isinstance(parent, dict):
        found.extend(_job("run.facets.parent.job", parent.get("job")))
        root = parent.get("root")
        if isinstance(root, dict):
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
    if not isinstance(event, dict):
        return validate_event(event)
    clean, plain = _scan(event)
    if not clean:
        limits = check_limits(event)
        if limits:
            return limits
    return validate_event(event) or ([] if plain else check_names(event))
