"""Search assets by name (or id fragment) and kind: the way into every other question."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lineage.errors import LineageError
from lineage.model import Kind
from queries.cypher import SEARCH
from queries.results import NodeInfo

__all__ = ["SearchPage", "search", "suggest"]


@dataclass(frozen=True, slots=True)
class SearchPage:
    results: tuple[NodeInfo, ...]
    next_after: str | None  # pass as ``after`` for the next page; None on the last one

    def to_dict(self) -> dict[str, Any]:
        return {"results": [r.to_dict() for r in self.results], "next_after": self.next_after}


def search(
    store: Any, text: str, *, kind: str | None = None, limit: int = 50, after: str = ""
) -> SearchPage:
    """Case-insensitive substring match on name and uid, ordered by uid (keyset pages).

    >>> # search(store, "orders", kind="Dataset").results[0].uid
    """
    if kind is not None:
        try:
            kind = Kind(kind).value
        except ValueError:
            choices = ", ".join(k.value for k in Kind)
            raise LineageError(f"unknown kind {kind!r} (one of {choices})") from None
    if limit < 1:
        raise LineageError("limit must be at least 1")
    rows = store.query(
        SEARCH, {"text": text.strip().lower(), "kind": kind, "after": after, "limit": limit + 1}
    )
    results = tuple(NodeInfo.from_row(r) for r in rows[:limit])
    return SearchPage(results, results[-1].uid if len(rows) > limit else None)


def suggest(store: Any, text: str, *, limit: int = 5) -> list[str]:
    """Ids a user probably meant by ``text`` (a bare name or a mistyped id), best first.

    The name part (after the last ``:`` or ``#``-free tail) is searched; ids whose name is
    exactly it come first, then those whose name ends with it, then any that contain it.
    """
    fragment = text.strip().rsplit(":", 1)[-1].strip().lower()
    if not fragment:
        return []
    found = search(store, fragment, limit=500).results

    def rank(node: NodeInfo) -> tuple[int, bool, int, str]:
        name = node.name.lower()
        order = 0 if name == fragment else 1 if name.endswith(fragment) else 2
        return (order, node.kind == Kind.COLUMN, len(node.uid), node.uid)

    return [n.uid for n in sorted(found, key=rank)[:limit]]
