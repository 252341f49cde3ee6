"""Typed node ids: built, parsed and normalised here and nowhere else.

Ids use OpenLineage naming so that the same table seen in a SQL file, a notebook and a
Spark event meets as one node::

    dataset:<namespace>:<name>        column:<namespace>:<name>#<field>
    job:<namespace>:<name>            model:<namespace>:<name>
    vectorindex:<namespace>:<name>    endpoint:<namespace>:<name>
    principal:<namespace>:<name>      source:<namespace>

Namespaces may contain ``://`` and a port (``postgres://db:5432``), so parsing splits the
namespace off by its shape rather than by the first colon.

>>> dataset_id("postgres://db:5432", '"Shop"."Public".Orders')
'dataset:postgres://db:5432:shop.public.orders'
>>> parse("column:postgres://db:5432:shop.public.orders#email").field
'email'

Limits every id obeys (checked in :func:`make`, so no ingestor can produce another id):
at most :data:`MAX_ID_BYTES` bytes of UTF-8 (FalkorDB crashes in its unique-constraint
check on ids of about 4 KiB, Neo4j refuses index keys over 8 KiB), and no control
character (C0, DEL, C1: NUL cannot even be sent to FalkorDB as a parameter) or lone
surrogate (not encodable as UTF-8).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lineage.errors import InvalidId
from lineage.model import Kind

__all__ = [
    "MAX_ID_BYTES",
    "NodeId",
    "check_text",
    "column_id",
    "dataset_id",
    "job_id",
    "kind_of",
    "make",
    "model_id",
    "normalise_name",
    "normalise_namespace",
    "parse",
    "source_id",
]

_PREFIX = {kind: kind.value.lower() for kind in Kind}
_BY_PREFIX = {prefix: kind for kind, prefix in _PREFIX.items()}
# scheme://authority[:port], or a plain word such as "bigquery" or "file".
_NAMESPACE = re.compile(
    r"(?P<ns>[A-Za-z][\w+.-]*://[^:/]*(?::\d+)?|[^:]+)(?::(?P<rest>.*))?$", re.S
)
# ... or one with a path (duckdb:///w.duckdb, s3://bucket/prefix), when a name follows.
_PATH_NAMESPACE = re.compile(
    r"(?P<ns>[A-Za-z][\w+.-]*://[^:/]*(?::\d+)?/[^:]*):(?P<rest>.+)$", re.S
)
_QUOTES = {'"': '"', "`": "`", "[": "]"}

MAX_ID_BYTES = 2048
# What an id may not contain: C0 controls, DEL, C1 controls, lone surrogates.
_UNSTORABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def check_text(value: str, what: str, *, limit: int = MAX_ID_BYTES) -> None:
    """Raise :class:`InvalidId` if ``value`` cannot be part of an id: too long, or holding a
    control character or a lone surrogate. ``what`` names it in the message.

    >>> check_text("a\\x00b", "name")
    Traceback (most recent call last):
    lineage.errors.InvalidId: name: control character U+0000 at position 1
    """
    bad = _UNSTORABLE.search(value)
    if bad is not None:
        kind = "lone surrogate" if bad.group() >= "\ud800" else "control character"
        raise InvalidId(f"{what}: {kind} U+{ord(bad.group()):04X} at position {bad.start()}")
    size = len(value.encode("utf-8"))
    if size > limit:
        raise InvalidId(f"{what}: {size} bytes, over the limit of {limit}")


@dataclass(frozen=True, slots=True)
class NodeId:
    """A parsed id; ``str(NodeId)`` gives the canonical string back."""

    kind: Kind
    namespace: str
    name: str = ""
    field: str = ""

    def __str__(self) -> str:
        if self.kind is Kind.SOURCE:
            return f"source:{self.namespace}"
        base = f"{_PREFIX[self.kind]}:{self.namespace}:{self.name}"
        return f"{base}#{self.field}" if self.kind is Kind.COLUMN else base

    @property
    def dataset(self) -> str:
        """The owning dataset's id (for a column), else the id itself."""
        if self.kind is Kind.COLUMN:
            return str(NodeId(Kind.DATASET, self.namespace, self.name))
        return str(self)

    @property
    def display(self) -> str:
        """Short human name: ``table.column`` for columns, the name otherwise."""
        if self.kind is Kind.COLUMN:
            return f"{self.name}.{self.field}"
        return self.name or self.namespace


def _split_identifier(name: str) -> list[str]:
    """Split a dotted SQL name into parts, honouring quotes (``"a.b".c`` is two parts)."""
    parts: list[str] = []
    buf: list[str] = []
    quote: str | None = None
    for ch in name:
        if quote:
            if ch == quote:
                quote = None
            buf.append(ch)
        elif ch in _QUOTES:
            quote = _QUOTES[ch]
            buf.append(ch)
        elif ch == ".":
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return parts


def _normalise_part(part: str, *, preserve_quoted_case: bool) -> str:
    part = part.strip()
    if len(part) >= 2 and part[0] in _QUOTES and part[-1] == _QUOTES[part[0]]:
        inner = part[1:-1]
        return inner if preserve_quoted_case else inner.lower()
    return part.lower()


def _is_path(name: str) -> bool:
    return "/" in name or "://" in name


def normalise_name(
    name: str,
    *,
    default_database: str | None = None,
    default_schema: str | None = None,
    preserve_quoted_case: bool = False,
) -> str:
    """Normalise a dataset name: unquote, lower-case, fill default database/schema.

    Paths (``/data/x.parquet``, ``s3://b/k``) are kept exactly, since object stores and file
    systems are case-sensitive. Identifiers are case-folded because every warehouse we
    target resolves unquoted names case-insensitively; quoted mixed case is folded too
    unless ``preserve_quoted_case`` (so ``"Orders"`` and ``orders`` meet, the common intent).
    """
    name = name.strip()
    if not name:
        raise InvalidId("empty dataset name")
    if _is_path(name):
        return name
    parts = [
        _normalise_part(p, preserve_quoted_case=preserve_quoted_case)
        for p in _split_identifier(name)
    ]
    if any(not p for p in parts):
        raise InvalidId(f"malformed dotted name {name!r}")
    if len(parts) == 1 and default_schema:
        parts.insert(0, default_schema.lower())
    if len(parts) == 2 and default_database:
        parts.insert(0, default_database.lower())
    return ".".join(parts)


def normalise_namespace(namespace: str) -> str:
    """Lower-case the scheme and host of a namespace; drop a trailing slash."""
    namespace = namespace.strip().rstrip("/")
    if not namespace:
        raise InvalidId("empty namespace")
    if "://" in namespace:
        scheme, _, rest = namespace.partition("://")
        authority, sep, path = rest.partition("/")
        return f"{scheme.lower()}://{authority.lower()}{sep}{path}"
    return namespace


def make(kind: Kind | str, namespace: str, name: str = "", field: str = "") -> str:
    """Build a canonical id of any kind. Dataset and column names are normalised."""
    kind = Kind(kind) if not isinstance(kind, Kind) else kind
    namespace = normalise_namespace(namespace)
    if kind is Kind.SOURCE:
        uid = str(NodeId(kind, namespace))
        check_text(uid, "source id")
        return uid
    if not name.strip():
        raise InvalidId(f"{kind.value} id needs a name")
    name = normalise_name(name) if kind in (Kind.DATASET, Kind.COLUMN) else name.strip()
    if kind is Kind.COLUMN:
        field = _normalise_part(field, preserve_quoted_case=False)
        if not field:
            raise InvalidId("column id needs a field")
    uid = str(NodeId(kind, namespace, name, field))
    check_text(uid, f"{kind.value.lower()} id")
    return uid


def dataset_id(namespace: str, name: str) -> str:
    return make(Kind.DATASET, namespace, name)


def column_id(namespace: str, name: str, field: str) -> str:
    return make(Kind.COLUMN, namespace, name, field)


def job_id(namespace: str, name: str) -> str:
    return make(Kind.JOB, namespace, name)


def model_id(namespace: str, name: str) -> str:
    return make(Kind.MODEL, namespace, name)


def source_id(namespace: str) -> str:
    return make(Kind.SOURCE, namespace)


def parse(uid: str) -> NodeId:
    """Parse a canonical id. Raises :class:`InvalidId` saying what is wrong.

    >>> parse("source:snowflake://acme").namespace
    'snowflake://acme'
    """
    prefix, sep, rest = uid.partition(":")
    kind = _BY_PREFIX.get(prefix)
    if not sep or kind is None:
        raise InvalidId(
            f"{uid!r}: unknown id kind {prefix!r} (expected one of {sorted(_BY_PREFIX)})"
        )
    m = (kind is not Kind.SOURCE and _PATH_NAMESPACE.match(rest)) or _NAMESPACE.match(rest)
    if not m:
        raise InvalidId(f"{uid!r}: no namespace")
    namespace, name = m["ns"], m["rest"]
    if kind is Kind.SOURCE:
        if name:
            namespace = f"{namespace}:{name}"
        return NodeId(kind, namespace)
    if not name:
        raise InvalidId(f"{uid!r}: no name after the namespace")
    field = ""
    if kind is Kind.COLUMN:
        name, sep, field = name.rpartition("#")
        if not sep or not name or not field:
            raise InvalidId(f"{uid!r}: a column id ends in #<field>")
    return NodeId(kind, namespace, name, field)


def kind_of(uid: str) -> Kind:
    return parse(uid).kind
