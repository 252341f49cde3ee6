"""Connection-style pagination (Relay shape) with opaque cursors and a page-size cap.

Cursors are base64 of ``o:<offset>`` (ranked or in-memory lists) or ``k:<uid>`` (keyset
lists such as search): clients treat them as opaque, we can change them without breaking
anyone. ``first`` is capped at :data:`MAX_PAGE` so no single request returns the estate.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import strawberry

from lineage.errors import LineageError

__all__ = [
    "DEFAULT_PAGE",
    "MAX_PAGE",
    "BadCursor",
    "Connection",
    "Edge",
    "PageInfo",
    "decode_key",
    "decode_offset",
    "encode_key",
    "encode_offset",
    "keyset_connection",
    "offset_connection",
    "page_size",
    "slice_connection",
]

T = TypeVar("T")
DEFAULT_PAGE = 20
MAX_PAGE = 100
MAX_OFFSET = 2**31 - 1  # no list is longer; larger offsets are cursors we never made


class BadCursor(LineageError, ValueError):
    """A cursor this server did not hand out."""


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):  # noqa: UP046 - strawberry resolves Generic[T] types
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):  # noqa: UP046 - strawberry resolves Generic[T] types
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int | None = strawberry.field(
        description="Items in the whole list, when known (null: not counted, more may exist)."
    )


def page_size(first: int | None) -> int:
    """Validate ``first``: 1..MAX_PAGE (default DEFAULT_PAGE)."""
    n = DEFAULT_PAGE if first is None else first
    if n < 1 or n > MAX_PAGE:
        raise LineageError(f"first must be between 1 and {MAX_PAGE}, not {n}")
    return n


def _encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def _decode(cursor: str, prefix: str) -> str:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadCursor(f"invalid cursor {cursor!r}") from None
    if not text.startswith(prefix) or not text.isprintable():
        raise BadCursor(f"invalid cursor {cursor!r}")  # NUL or controls: never one of ours
    return text[len(prefix) :]


def encode_offset(offset: int) -> str:
    return _encode(f"o:{offset}")


def decode_offset(cursor: str | None) -> int:
    """The offset *after* the cursor's item (0 without a cursor)."""
    if cursor is None:
        return 0
    raw = _decode(cursor, "o:")
    # ASCII digits only ("²".isdigit() holds, int("²") fails), and an offset a list can have
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10 or int(raw) >= MAX_OFFSET:
        raise BadCursor(f"invalid cursor {cursor!r}")
    return int(raw) + 1


def encode_key(key: str) -> str:
    return _encode(f"k:{key}")


def decode_key(cursor: str | None) -> str:
    return "" if cursor is None else _decode(cursor, "k:")


def slice_connection[S, T](
    items: Sequence[S], first: int | None, after: str | None, view: Callable[[S], T]
) -> Connection[T]:
    """Page through a list already in memory (a blast radius's tables), then view it."""
    size, start = page_size(first), decode_offset(after)
    chunk = [view(item) for item in items[start : start + size]]
    return offset_connection(chunk, start, total=len(items), has_next=start + size < len(items))


def offset_connection[T](
    chunk: Sequence[T], start: int, *, total: int | None, has_next: bool
) -> Connection[T]:
    edges = [Edge(cursor=encode_offset(start + i), node=item) for i, item in enumerate(chunk)]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=start > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=total,
    )


def keyset_connection[T](
    chunk: Sequence[T], key: Callable[[T], str], *, has_next: bool, has_previous: bool
) -> Connection[T]:
    edges = [Edge(cursor=encode_key(key(item)), node=item) for item in chunk]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=None,
    )
