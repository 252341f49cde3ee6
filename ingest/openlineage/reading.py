"""Read a payload of OpenLineage events: one event, a JSON array, or NDJSON.

Used by the batch endpoint and by ``lineage ingest openlineage``. A payload that is not
JSON at all raises :class:`~lineage.errors.ParseError` (with line, column and a snippet);
in NDJSON one bad line is reported by index and the other lines still count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from lineage.errors import ParseError

__all__ = ["RawEvent", "read_events"]


@dataclass(frozen=True, slots=True)
class RawEvent:
    """One element of a payload: its position, the parsed JSON, or why it did not parse."""

    index: int
    event: Any = None
    error: str = ""
    line: int | None = None


def _snippet(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start : end if end != -1 else len(text)]
    col = pos - start
    lo = max(0, col - 40)
    return line[lo : col + 40]


def _parse_error(exc: orjson.JSONDecodeError, text: str, path: str) -> ParseError:
    return ParseError(
        f"malformed JSON: {exc.msg}",
        path=path,
        line=exc.lineno,
        column=exc.colno,
        snippet=_snippet(text, exc.pos),
    )


def read_events(payload: bytes | str, *, path: str = "<request>") -> list[RawEvent]:
    """Split a payload into events. Raises ParseError when it is not JSON/NDJSON at all."""
    try:
        data = orjson.loads(payload)  # the fast path: one well-formed document
    except orjson.JSONDecodeError:
        data = _slow_path(payload, path)
        if isinstance(data, list) and data and isinstance(data[0], RawEvent):
            return data
    if isinstance(data, list):
        return [RawEvent(i, item) for i, item in enumerate(data)]
    return [RawEvent(0, data)]


def _slow_path(payload: bytes | str, path: str) -> Any:
    """A BOM, NDJSON, or an error worth a precise message."""
    try:
        text = payload.decode("utf-8") if isinstance(payload, bytes) else payload
    except UnicodeDecodeError as exc:
        raise ParseError(f"payload is not UTF-8 (byte {exc.start})", path=path) from None
    text = text.lstrip("\ufeff")
    stripped = text.strip()
    if not stripped:
        raise ParseError("empty payload: expected an event, a JSON array or NDJSON", path=path)
    try:
        return orjson.loads(stripped)
    except orjson.JSONDecodeError as exc:
        if stripped[0] == "{" and "\n" in stripped:
            return _ndjson(text)
        raise _parse_error(exc, stripped, path) from None


def _ndjson(text: str) -> list[RawEvent]:
    out: list[RawEvent] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            out.append(RawEvent(len(out), orjson.loads(line), line=lineno))
        except orjson.JSONDecodeError as exc:
            out.append(RawEvent(len(out), error=f"malformed JSON: {exc.msg}", line=lineno))
    return out
