"""One request as every access-log format is reduced to, and the helpers that build it.

Adapters (native JSON Lines, nginx/Envoy JSON, OpenTelemetry gen_ai spans) turn a parsed
line into :class:`AccessRecord` values; the aggregator never sees a format. Values that
identify a person beyond the principal (client IPs, inputs) are reduced here to
pseudonymous keys and fingerprints, so nothing raw travels further.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import NamedTuple
from urllib.parse import urlsplit

from lineage import ids
from lineage.model import Kind

__all__ = [
    "DEFAULT_ENDPOINT_NAMESPACE",
    "DEFAULT_PRINCIPAL_NAMESPACE",
    "AccessRecord",
    "BadRecord",
    "Resolver",
    "as_int",
    "epoch_seconds",
]

DEFAULT_ENDPOINT_NAMESPACE = "gateway"
DEFAULT_PRINCIPAL_NAMESPACE = "users"

# Path segments that are ids, not routes: numbers, UUIDs, long hex. Collapsed to {id} so
# /v1/users/123 and /v1/users/456 are one endpoint, not one per caller.
_ID_SEGMENT = re.compile(
    r"^(\d+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|[0-9a-fA-F]{16,})$"
)


class BadRecord(ValueError):
    """A line that parsed as JSON but is not a usable request (reported with its line)."""


class AccessRecord(NamedTuple):
    """One request: who called which endpoint when, with what outcome and volume.

    A named tuple rather than a frozen dataclass: it is built once per log line, and tuple
    construction is several times cheaper than a frozen dataclass's ``__setattr__`` calls.
    """

    ts: float  # epoch seconds
    principal: str  # principal uid
    endpoint: str  # endpoint uid
    status: int = 200
    bytes_in: int = 0
    bytes_out: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    source: str = ""  # pseudonymous source key (see fingerprint.source_key)
    fp: int | None = None  # 64-bit input fingerprint
    groups: tuple[str, ...] = ()

    @property
    def error(self) -> bool:
        return self.status >= 400 or self.status == 0


def as_int(value: object) -> int:
    """Sizes and counts as logged: ints, numeric strings, or nginx's ``-`` for none."""
    if type(value) is int:  # the common case first: this runs per field per line
        return value
    if value is None or value in ("", "-"):
        return 0
    if isinstance(value, bool):
        return int(value)
    try:
        return int(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise BadRecord(f"not a number: {type(value).__name__}") from None


def epoch_seconds(value: object) -> float:
    """ISO-8601 (any offset), nginx ``time_local``, or epoch s/ms/ns as number or string."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and value:
        text = value.strip()
        if text.replace(".", "", 1).isdigit():
            number = float(text)
        else:
            try:
                dt = datetime.fromisoformat(text)
            except ValueError:
                try:
                    dt = datetime.strptime(text, "%d/%b/%Y:%H:%M:%S %z")
                except ValueError:
                    raise BadRecord("unreadable timestamp") from None
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=UTC)
            return dt.timestamp()
    else:
        raise BadRecord("missing timestamp")
    if number > 1e17:
        return number / 1e9
    if number > 1e14:
        return number / 1e6
    if number > 1e11:
        return number / 1e3
    return number


def _route(path: str) -> str:
    path = path.split("?", 1)[0].split("#", 1)[0] or "/"
    parts = ["{id}" if _ID_SEGMENT.match(p) else p for p in path.split("/")]
    return "/".join(parts)


class Resolver:
    """Turns the names a log uses into node ids, once per distinct name (cached).

    Endpoints may be given as an id (``endpoint:ns:name``), a URL (namespace
    ``scheme://host``, name = route with id-like segments collapsed), or a bare name in
    ``endpoint_namespace``. Principals likewise: an id, or a name in
    ``principal_namespace``.
    """

    def __init__(
        self,
        *,
        endpoint_namespace: str = DEFAULT_ENDPOINT_NAMESPACE,
        principal_namespace: str = DEFAULT_PRINCIPAL_NAMESPACE,
    ) -> None:
        self.endpoint_namespace = endpoint_namespace
        self.principal_namespace = principal_namespace
        self._endpoints: dict[tuple[str, str], str] = {}
        self._principals: dict[str, str] = {}

    def endpoint(self, value: object, *, host: str = "", scheme: str = "http") -> str:
        if not isinstance(value, str) or not value.strip():
            raise BadRecord("missing endpoint")
        value = value.split("?", 1)[0]  # the query is input, not identity (and may be private)
        key = (value, host)
        uid = self._endpoints.get(key)
        if uid is None:
            uid = self._endpoint(value.strip(), host, scheme)
            if len(self._endpoints) < 100_000:
                self._endpoints[key] = uid
        return uid

    def _endpoint(self, value: str, host: str, scheme: str) -> str:
        try:
            if value.startswith("endpoint:"):
                parsed = ids.parse(value)
                if parsed.kind is not Kind.ENDPOINT:
                    raise BadRecord("endpoint id of the wrong kind")
                return str(parsed)
            if "://" in value:
                url = urlsplit(value)
                return ids.make(
                    Kind.ENDPOINT, f"{url.scheme}://{url.netloc}", _route(url.path or "/")
                )
            if host:
                return ids.make(Kind.ENDPOINT, f"{scheme}://{host}", _route(value))
            name = _route(value) if value.startswith("/") else value
            return ids.make(Kind.ENDPOINT, self.endpoint_namespace, name)
        except ValueError as exc:  # InvalidId is a ValueError
            raise BadRecord(f"bad endpoint: {exc}") from None

    def principal(self, value: object) -> str:
        if not isinstance(value, str) or not value.strip() or value == "-":
            raise BadRecord("missing principal")
        uid = self._principals.get(value)
        if uid is None:
            try:
                if value.startswith("principal:"):
                    parsed = ids.parse(value)
                    if parsed.kind is not Kind.PRINCIPAL:
                        raise BadRecord("principal id of the wrong kind")
                    uid = str(parsed)
                else:
                    uid = ids.make(Kind.PRINCIPAL, self.principal_namespace, value)
            except ValueError as exc:
                raise BadRecord(f"bad principal: {exc}") from None
            if len(self._principals) < 1_000_000:
                self._principals[value] = uid
        return uid
