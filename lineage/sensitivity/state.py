"""Label state of nodes as stored, and the label-carrying edges, read in bulk.

On every data-holding node (see docs/sensitivity.md):

* ``own_labels``: labels detected on or declared for the node itself;
* ``label_evidence``: one JSON object per (label, detector): confidence, hits, sample size,
  who/when/why for declarations. Never a raw value;
* ``labels``: effective labels (own + inherited), categories listed next to entities;
* ``coarse_labels``: the effective labels only known through dataset-level edges;
* ``label_sources``: ``TOKEN|PREDECESSOR`` entries, the provenance of inherited tokens;
* ``declassified`` / ``declassification_log``: labels explicitly stopped here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from lineage.model import Kind
from lineage.sensitivity import cypher
from lineage.sensitivity.rules import EdgeRule, effective_labels, strip_declassified
from lineage.store.base import Store

__all__ = [
    "Flow",
    "NodeState",
    "chunks",
    "kind_from_uid",
    "parse_state",
    "read_carrying",
    "read_flows",
    "read_states",
    "write_states",
]

CHUNK = 5000
SEP = "|"


def chunks(items: Iterable[str], size: int = CHUNK) -> Iterator[list[str]]:
    buf: list[str] = []
    for item in items:
        buf.append(item)
        if len(buf) >= size:
            yield buf
            buf = []
    if buf:
        yield buf


@dataclass(slots=True)
class NodeState:
    """One node's label inputs (own, declassified) and stored results (sources, labels)."""

    uid: str
    own: frozenset[str] = frozenset()  # own tokens, already without declassified ones
    declassified: tuple[str, ...] = ()
    sources: dict[str, set[str]] = field(default_factory=dict)  # token -> predecessors
    stored: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]] = ((), (), ())

    def tokens(self) -> set[str]:
        return set(self.own) | set(self.sources)

    def encoded(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """``(labels, coarse_labels, label_sources)`` as they would be stored."""
        labels, rough = effective_labels(self.tokens())
        sources = sorted(f"{t}{SEP}{p}" for t, preds in self.sources.items() for p in preds)
        return tuple(labels), tuple(rough), tuple(sources)


def parse_state(row: Mapping[str, Any], *, with_sources: bool = True) -> NodeState:
    """A node's state from a query row (``uid, own, declassified, sources, labels, coarse``).
    Hot path of a full recompute (which replaces sources, hence ``with_sources``)."""
    declassified = tuple(row.get("declassified") or ())
    own_raw = row.get("own") or ()
    own = frozenset(strip_declassified(own_raw, declassified) if declassified else own_raw)
    raw_sources = row.get("sources") or ()
    sources: dict[str, set[str]] = {}
    for entry in raw_sources if with_sources else ():
        token, _, pred = entry.partition(SEP)
        if token in sources:
            sources[token].add(pred)
        else:
            sources[token] = {pred}
    # we write sources sorted; anything else just compares unequal and is rewritten
    stored = (tuple(row.get("labels") or ()), tuple(row.get("coarse") or ()), tuple(raw_sources))
    return NodeState(row["uid"], own, declassified, sources, stored)


def read_states(store: Store, uids: Iterable[str]) -> dict[str, NodeState]:
    out: dict[str, NodeState] = {}
    for part in chunks(uids):
        for row in store.query(cypher.NODE_STATES, {"uids": part}):
            out[str(row["uid"])] = parse_state(row)
    return out


@dataclass(frozen=True, slots=True)
class Flow:
    """A label-carrying hop: a ``FLOWS_TO`` edge, or column -> dataset (``rule`` None)."""

    src: str
    dst: str
    rule: EdgeRule | None
    props: tuple[tuple[str, object], ...] = ()


_EDGE_FIELDS = (
    ("ttype", "transformation_type"),
    ("subtype", "transformation_subtype"),
    ("granularity", "granularity"),
    ("masking", "masking"),
    ("stale", "stale"),
    ("column_detail", "column_detail"),
    ("declassified", "declassified"),
    ("key", "key"),
    ("kind", "kind"),
    ("via", "via"),
)


@lru_cache(maxsize=4096)
def _rule(key: tuple[Any, ...], src_kind: str, dst_kind: str) -> EdgeRule:
    return EdgeRule.of(dict(zip(_RULE_PROPS, key, strict=True)), src_kind, dst_kind)


_RULE_PROPS = (
    "transformation_type",
    "transformation_subtype",
    "granularity",
    "masking",
    "stale",
    "column_detail",
    "declassified",
)


def _flow(row: Mapping[str, Any]) -> Flow:
    declassified = row.get("declassified")
    key = (
        row.get("ttype"),
        row.get("subtype"),
        row.get("granularity"),
        row.get("masking"),
        row.get("stale"),
        row.get("column_detail"),
        tuple(declassified) if declassified else None,
    )
    props = tuple((prop, row[col]) for col, prop in _EDGE_FIELDS if row.get(col) is not None)
    return Flow(row["src"], row["dst"], _rule(key, row["src_kind"], row["dst_kind"]), props)


def _far_state(row: Mapping[str, Any], outgoing: bool) -> NodeState:
    end = "dst" if outgoing else "src"
    return parse_state(
        {
            "uid": row[end],
            "own": row.get("o_own"),
            "declassified": row.get("o_declassified"),
            "sources": row.get("o_sources"),
            "labels": row.get("o_labels"),
            "coarse": row.get("o_coarse"),
        }
    )


def read_flows(
    store: Store,
    uids: Iterable[str],
    *,
    outgoing: bool,
    states: dict[str, NodeState] | None = None,
) -> list[Flow]:
    """Every label-carrying hop out of (or into) ``uids``, column -> dataset hops included.

    The far ends' stored states are added to ``states`` (when given) if not there yet.
    """
    flows_q = cypher.OUT_FLOWS if outgoing else cypher.IN_FLOWS
    cols_q = cypher.DATASET_OF if outgoing else cypher.IN_COLUMNS
    out: list[Flow] = []
    for part in chunks(uids):
        for query in (flows_q, cols_q):
            for row in store.query(query, {"uids": part}):
                if query is flows_q:
                    out.append(_flow(row))
                else:
                    out.append(Flow(str(row["src"]), str(row["dst"]), None))
                if states is not None:
                    far = str(row["dst"] if outgoing else row["src"])
                    if far not in states:
                        states[far] = _far_state(row, outgoing)
    return out


_KINDS = {kind.value.lower(): kind.value for kind in Kind}


def kind_from_uid(uid: str) -> str:
    """The kind of a well-formed uid from its prefix (cheap; ids are checked on ingest)."""
    return _KINDS.get(uid.partition(":")[0], "")


@lru_cache(maxsize=4096)
def _packed_rule(
    packed: str, declassified: tuple[str, ...] | None, src_kind: str, dst_kind: str
) -> EdgeRule:
    ttype, subtype, granularity, masking, detail = packed.split("|")
    props: dict[str, Any] = {
        "transformation_type": ttype,
        "transformation_subtype": subtype,
        "granularity": granularity,
        "masking": masking == "true",
        "column_detail": detail == "true",
        "declassified": declassified,
    }
    return EdgeRule.of(props, src_kind, dst_kind)


def read_carrying(store: Store, uids: Iterable[str]) -> list[Flow]:
    """Hops out of ``uids`` that can carry labels (the full recompute's lean read).

    Chunks are queried two at a time, so the server works on one while this process
    decodes the other.
    """
    jobs: list[tuple[str, list[str]]] = []
    for part in chunks(uids):
        jobs.append((cypher.OUT_CARRYING, part))
        columns = [uid for uid in part if uid.startswith("column:")]
        if columns:
            jobs.append((cypher.DATASET_OF_UID, columns))
    out: list[Flow] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = [pool.submit(store.query, q, {"uids": part}) for q, part in jobs]
        for (query, _), future in zip(jobs, results, strict=True):
            rows = future.result()
            if query is cypher.DATASET_OF_UID:
                out.extend(Flow(row["src"], row["dst"], None) for row in rows)
                continue
            for row in rows:
                src, dst, declassified = row["src"], row["dst"], row["declassified"]
                rule = _packed_rule(
                    row["rule"],
                    tuple(declassified) if declassified else None,
                    kind_from_uid(src),
                    kind_from_uid(dst),
                )
                out.append(Flow(src, dst, rule))
    return out


def write_states(store: Store, states: Iterable[NodeState]) -> int:
    """Write the label state of nodes whose encoded state differs from what is stored."""
    rows = []
    for state in states:
        labels, rough, sources = state.encoded()
        if (labels, rough, sources) == state.stored:
            continue
        rows.append(
            {
                "uid": state.uid,
                "labels": list(labels) or None,
                "coarse": list(rough) or None,
                "sources": list(sources) or None,
            }
        )
        state.stored = (labels, rough, sources)
    if not rows:
        return 0
    with store.batch():
        for i in range(0, len(rows), CHUNK):
            store.execute(cypher.SET_LABEL_STATE, {"rows": rows[i : i + CHUNK]})
    return len(rows)
