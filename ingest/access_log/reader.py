"""Lines in, access records out: format detection, line numbers, malformed-line accounting.

A bad line never stops a file: it is counted, and the first ``max_problems`` are reported
as :class:`~lineage.model.Problem` facts with ``path:line`` (then one summary). Problems
carry no snippet of the line, because access-log lines hold tokens, addresses and prompts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ingest.access_log.gateway import from_gateway, looks_envoy, looks_nginx
from ingest.access_log.native import from_native, looks_native
from ingest.access_log.otel import from_otel, looks_otel
from ingest.access_log.records import AccessRecord, BadRecord, Resolver
from lineage.model import Problem, Severity

__all__ = ["Format", "ReadStats", "detect_format", "read_access_log"]

try:  # orjson parses a log line about 4x faster; the stdlib is the fallback
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - orjson is a declared dependency
    _loads = json.loads

type Adapter = Callable[[Mapping[str, Any], Resolver], Sequence[AccessRecord]]


class Format(StrEnum):
    AUTO = "auto"
    JSONL = "jsonl"  # the native schema (see native.py)
    NGINX = "nginx"
    ENVOY = "envoy"
    OTEL = "otel"


_ADAPTERS: dict[Format, Adapter] = {
    Format.JSONL: from_native,
    Format.NGINX: from_gateway,
    Format.ENVOY: from_gateway,
    Format.OTEL: from_otel,
}


@dataclass
class ReadStats:
    """What a read saw; ``malformed`` counts every bad line, reported or not."""

    lines: int = 0
    records: int = 0
    malformed: int = 0
    blank: int = 0
    format: str = ""

    def add(self, other: ReadStats) -> None:
        """Fold in another read's counts (parallel parts, several files)."""
        self.lines += other.lines
        self.records += other.records
        self.malformed += other.malformed
        self.blank += other.blank
        self.format = self.format or other.format


def detect_format(obj: Mapping[str, Any]) -> Format | None:
    """The format one parsed line looks like, or None (the next line may tell)."""
    if looks_otel(obj):
        return Format.OTEL
    if looks_native(obj):
        return Format.JSONL
    if looks_envoy(obj):
        return Format.ENVOY
    if looks_nginx(obj):
        return Format.NGINX
    return None


def read_access_log(
    lines: Iterable[str | bytes],
    *,
    fmt: Format | str = Format.AUTO,
    path: str = "<stream>",
    resolver: Resolver | None = None,
    stats: ReadStats | None = None,
    max_problems: int = 100,
    first_line: int = 1,
) -> Iterator[AccessRecord | Problem]:
    """Yield records and problems for ``lines`` (numbered from ``first_line``)."""
    resolver = resolver or Resolver()
    stats = stats if stats is not None else ReadStats()
    fmt = Format(fmt)
    adapter = _ADAPTERS.get(fmt)
    stats.format = fmt.value
    loads = _loads
    reported = 0
    for number, line in enumerate(lines, first_line):
        stats.lines += 1
        if not line.strip():
            stats.blank += 1
            continue
        try:
            obj = loads(line)
            if not isinstance(obj, dict):
                raise BadRecord("a line must be a JSON object")
            if adapter is None:
                detected = detect_format(obj)
                if detected is None:
                    raise BadRecord("not a recognised access-log record")
                adapter = _ADAPTERS[detected]
                stats.format = detected.value
            for record in adapter(obj, resolver):
                stats.records += 1
                yield record
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            stats.malformed += 1
            if reported < max_problems:
                reported += 1
                yield Problem(Severity.WARNING, f"malformed line: {_why(exc)}", f"{path}:{number}")
    if stats.malformed > reported:
        yield Problem(
            Severity.WARNING,
            f"{stats.malformed - reported} more malformed lines not listed "
            f"({stats.malformed} of {stats.lines})",
            path,
        )


def _why(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON at column {exc.colno}: {exc.msg}"
    if isinstance(exc, BadRecord):
        return str(exc)
    return f"{type(exc).__name__} reading the record"
