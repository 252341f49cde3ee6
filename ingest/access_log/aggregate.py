"""One pass over access records into per (principal, endpoint) usage with time windows.

Requests are never nodes or edges: each (principal, endpoint) pair becomes one
``CAN_ACCESS`` edge (key ``observed``, ``permission: invoke``) carrying totals, first/last
seen, ``public_requests`` (from internet addresses), up to 16 pseudonymous source keys,
and per-window counts as parallel lists (``win_start`` epoch seconds, ``win_requests``,
``win_errors``, ``win_near``; the last two are ``[]`` when all zero), trimmed to the
latest ``max_windows``. ``win_near`` counts
successive requests of the pair whose input fingerprints were distinct but near (the
systematic-sweep signal).

Ingest stays pure: counts add up across inputs by merging with the edge's stored props,
which the caller reads and passes in (``prior``); this module never touches a store.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ingest.access_log.fingerprint import NEAR_BITS
from ingest.access_log.records import AccessRecord
from lineage import ids
from lineage.model import Edge, Fact, Node, Problem, Rel
from lineage.timeutil import to_iso

__all__ = [
    "EDGE_KEY",
    "MAX_SOURCES",
    "PairUsage",
    "Usage",
    "merge_props",
]

EDGE_KEY = "observed"
MAX_SOURCES = 16
_TOTALS = (
    "requests",
    "errors",
    "bytes_in",
    "bytes_out",
    "tokens_in",
    "tokens_out",
    "public_requests",
)


@dataclass(slots=True)
class PairUsage:
    """Running totals of one (principal, endpoint) pair."""

    requests: int = 0
    errors: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    public_requests: int = 0  # from globally routable client addresses (pub- source keys)
    first: float = float("inf")
    last: float = float("-inf")
    windows: dict[int, list[int]] = field(default_factory=dict)  # start -> [req, err, near]
    sources: set[str] = field(default_factory=set)
    last_fp: int | None = None


class Usage:
    """The aggregate of any number of records; ``add`` is the hot loop (one dict hit)."""

    def __init__(self, *, window_s: int = 3600, max_windows: int = 24 * 30) -> None:
        if window_s <= 0 or max_windows <= 0:
            raise ValueError("window_s and max_windows must be positive")
        self.window_s = window_s
        self.max_windows = max_windows
        self.pairs: dict[tuple[str, str], PairUsage] = {}
        self.groups: dict[str, set[str]] = {}
        self.records = 0

    def add(self, r: AccessRecord) -> None:
        key = (r.principal, r.endpoint)
        pair = self.pairs.get(key)
        if pair is None:
            pair = self.pairs[key] = PairUsage()
        err = 1 if r.status >= 400 or r.status == 0 else 0
        pair.requests += 1
        pair.errors += err
        pair.bytes_in += r.bytes_in
        pair.bytes_out += r.bytes_out
        pair.tokens_in += r.tokens_in
        pair.tokens_out += r.tokens_out
        ts = r.ts
        pair.first = min(pair.first, ts)
        pair.last = max(pair.last, ts)
        start = int(ts // self.window_s) * self.window_s
        win = pair.windows.get(start)
        if win is None:
            win = pair.windows[start] = [0, 0, 0]
        win[0] += 1
        win[1] += err
        fp = r.fp
        if fp is not None:
            prev = pair.last_fp
            if prev is not None and prev != fp and (prev ^ fp).bit_count() <= NEAR_BITS:
                win[2] += 1
            pair.last_fp = fp
        source = r.source
        if source:
            if source.startswith("pub-"):
                pair.public_requests += 1
            if len(pair.sources) < MAX_SOURCES:
                pair.sources.add(source)
        if r.groups:
            self.groups.setdefault(r.principal, set()).update(r.groups)
        self.records += 1

    def add_all(self, items: Iterable[AccessRecord | Problem]) -> Iterator[Problem]:
        """Aggregate records; pass problems through (so a caller can stream them on)."""
        add = self.add
        for item in items:
            if isinstance(item, AccessRecord):
                add(item)
            else:
                yield item

    def facts(
        self,
        *,
        prior: Mapping[tuple[str, str], Mapping[str, Any]] | None = None,
        prior_groups: Mapping[str, Iterable[str]] | None = None,
        source_ref: str = "",
    ) -> Iterator[Fact]:
        """Principal and Endpoint nodes and one merged ``CAN_ACCESS`` edge per pair."""
        prior = prior or {}
        prior_groups = prior_groups or {}
        last_by_node: dict[str, float] = {}
        for (principal, endpoint), pair in self.pairs.items():
            for uid in (principal, endpoint):
                last_by_node[uid] = max(last_by_node.get(uid, pair.last), pair.last)
        for uid, last in sorted(last_by_node.items()):
            parsed = ids.parse(uid)
            props: dict[str, Any] = {}
            groups = self.groups.get(uid)
            if groups:
                props["groups"] = sorted(groups | set(prior_groups.get(uid, ())))
            yield Node(
                uid, parsed.kind, parsed.name, parsed.namespace, props, source_ref, to_iso(last)
            )
        for (principal, endpoint), pair in sorted(self.pairs.items()):
            props = merge_props(
                pair, prior.get((principal, endpoint)), self.window_s, self.max_windows
            )
            yield Edge(
                principal,
                Rel.CAN_ACCESS,
                endpoint,
                props,
                key=EDGE_KEY,
                source_ref=source_ref,
                observed_at=to_iso(pair.last),
            )


def _windows(props: Mapping[str, Any], window_s: int) -> dict[int, list[int]]:
    """Stored window lists back to a dict, re-bucketed if the window size changed."""
    out: dict[int, list[int]] = {}
    starts = props.get("win_start") or []
    cols = [props.get(k) or [] for k in ("win_requests", "win_errors", "win_near")]
    for i, start in enumerate(starts):
        bucket = int(start // window_s) * window_s
        win = out.setdefault(bucket, [0, 0, 0])
        for j, col in enumerate(cols):
            win[j] += int(col[i]) if i < len(col) else 0
    return out


def _sparse(counts: list[int]) -> list[int]:
    """All zeros are stored as ``[]`` (most pairs never err or sweep): less to write."""
    return counts if any(counts) else []


def merge_props(
    pair: PairUsage, stored: Mapping[str, Any] | None, window_s: int, max_windows: int
) -> dict[str, Any]:
    """The edge props for ``pair`` added onto what the store already holds (if anything)."""
    stored = stored or {}
    windows = _windows(stored, window_s) if stored else {}
    for start, (req, err, near) in pair.windows.items():
        win = windows.setdefault(start, [0, 0, 0])
        win[0] += req
        win[1] += err
        win[2] += near
    kept = sorted(windows)[-max_windows:]
    first, last = to_iso(pair.first), to_iso(pair.last)
    if stored.get("first_seen") and stored["first_seen"] < first:
        first = stored["first_seen"]
    if stored.get("last_seen") and stored["last_seen"] > last:
        last = stored["last_seen"]
    sources = sorted(set(stored.get("sources") or ()) | pair.sources)[:MAX_SOURCES]
    props: dict[str, Any] = {
        "permission": "invoke",
        "observed": True,
        **{name: int(stored.get(name) or 0) + getattr(pair, name) for name in _TOTALS},
        "first_seen": first,
        "last_seen": last,
        "window_s": window_s,
        "win_start": kept,
        "win_requests": [windows[s][0] for s in kept],
        "win_errors": _sparse([windows[s][1] for s in kept]),
        "win_near": _sparse([windows[s][2] for s in kept]),
        "sources": sources,
    }
    return props
