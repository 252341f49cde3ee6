"""The estate as a networkx graph a person can look at: filtered, columns folded into tables.

The store holds every column, job and principal; a picture of all of them is unreadable
past a few dozen assets. :func:`estate_graph` reads the graph through the store contract
and keeps what the question needs: the data-holding kinds by default (datasets, models,
vector indexes, endpoints), with columns folded into their table so a column-level
``FLOWS_TO`` becomes one table-to-table arrow per job; principals and jobs when asked.
Filters by label (``PII`` matches every ``PII:<entity>``) and by namespace (a prefix, so
``snowflake://`` keeps every Snowflake account).

:func:`path_graph` turns question results (exposure or blast-radius witness paths) into
the same kind of graph, columns kept, so both drawers draw both.

>>> # g = estate_graph(store, labels=["PII"])
>>> # sorted(g.nodes(data="kind"))
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import networkx as nx

from lineage import ids
from lineage.errors import LineageError
from lineage.model import Kind, Rel
from lineage.store.base import Store, StoredNode

__all__ = [
    "DATA_KINDS",
    "display_name",
    "estate_graph",
    "label_matches",
    "node_attrs",
    "path_graph",
    "why_graph",
]

DATA_KINDS = (Kind.DATASET, Kind.MODEL, Kind.VECTOR_INDEX, Kind.ENDPOINT)

# Node properties copied onto graph nodes (everything the drawers and tables show).
_SHOWN = ("exposure", "registered", "provider", "model_type", "job_type", "quarantined", "engine")


def label_matches(query: str, label: str) -> bool:
    """``PII`` matches ``PII`` and ``PII:<entity>``; an entity label matches only itself."""
    query = query.strip().upper()
    return query == label or (":" not in query and label.partition(":")[0] == query)


def display_name(uid: str, name: str = "") -> str:
    """``table.column`` for a column (its own name alone is ambiguous), else the name."""
    if uid.startswith("column:"):
        with contextlib.suppress(LineageError):
            return ids.parse(uid).display
    return name or uid


def node_attrs(node: StoredNode) -> dict[str, Any]:
    """What a graph node carries: identity, labels and the posture facts, never raw values."""
    props = node.props
    attrs: dict[str, Any] = {
        "kind": node.kind.value,
        "name": display_name(node.uid, node.name),
        "namespace": node.namespace,
        "labels": tuple(node.labels),
        "own_labels": tuple(props.get("own_labels") or ()),
    }
    attrs.update({k: props[k] for k in _SHOWN if props.get(k) is not None})
    if node.kind is Kind.MODEL:
        attrs["shadow"] = props.get("registered") is not True
    return attrs


def _wanted_kinds(kinds: Iterable[Kind | str]) -> set[Kind]:
    try:
        return {Kind(k) for k in kinds}
    except ValueError as exc:
        choices = ", ".join(k.value for k in Kind)
        raise LineageError(f"{exc} (kinds are {choices})") from None


def _fold(uid: str, kind: Kind, columns: bool) -> str:
    """A column's table when columns are folded, else the uid itself."""
    if kind is Kind.COLUMN and not columns:
        with contextlib.suppress(LineageError):
            return ids.parse(uid).dataset
    return uid


def estate_graph(
    store: Store,
    *,
    kinds: Iterable[Kind | str] = DATA_KINDS,
    labels: Sequence[str] = (),
    namespaces: Sequence[str] = (),
    max_nodes: int = 2000,
) -> nx.MultiDiGraph:
    """The estate (or the part of it the filters keep) as a ``MultiDiGraph``.

    ``kinds``: node kinds to keep; ``Column`` keeps columns as nodes, otherwise their edges
    are folded onto their tables. ``labels``: keep only nodes holding one of these labels
    (effective labels: own or inherited). ``namespaces``: keep only nodes whose namespace
    starts with one of these. Edges are kept between kept nodes; a ``FLOWS_TO`` keeps its
    job (``via``), edge kind and transformation. Arrows point the way data moves, so a job's
    ``READS`` edge runs from the dataset to the job. Raises :class:`LineageError` when more
    than ``max_nodes`` nodes remain: filter first, a picture of thousands says nothing.
    """
    wanted = _wanted_kinds(kinds)
    columns = Kind.COLUMN in wanted
    graph: nx.MultiDiGraph = nx.MultiDiGraph()
    folded: dict[str, str] = {}
    for node in store.iter_nodes():
        if node.kind is Kind.COLUMN and not columns:
            folded[node.uid] = _fold(node.uid, node.kind, columns)
            continue
        if node.kind not in wanted:
            continue
        if labels and not any(label_matches(q, x) for q in labels for x in node.labels):
            continue
        if namespaces and not node.namespace.startswith(tuple(namespaces)):
            continue
        graph.add_node(node.uid, **node_attrs(node))
        if graph.number_of_nodes() > max_nodes:
            raise LineageError(
                f"more than {max_nodes} nodes to draw: filter by kind, label or namespace"
            )
    merged: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for edge in store.iter_edges():
        if edge.rel is Rel.HAS_COLUMN and not columns:
            continue
        src, dst = folded.get(edge.src, edge.src), folded.get(edge.dst, edge.dst)
        if edge.rel is Rel.READS:  # Job -[READS]-> Dataset: the data moves into the job
            src, dst = dst, src
        if src == dst or src not in graph or dst not in graph:
            continue
        via = str(edge.props.get("via") or edge.key or "")
        key = (src, dst, edge.rel.value, via)
        attrs = _edge_attrs(edge.rel.value, edge.props)
        if key in merged:  # the same job's edges between two tables, folded: one arrow
            _merge(merged[key], attrs)
        else:
            merged[key] = attrs
    for (src, dst, rel, via), attrs in merged.items():
        graph.add_edge(src, dst, key=f"{rel}|{via}", **attrs)
    return graph


def _merge(into: dict[str, Any], more: Mapping[str, Any]) -> None:
    """Fold one more edge into an arrow: it masks only if every edge masks, it is INDIRECT
    only if every edge is, and it is column-level if any edge is."""
    into["masking"] = into["masking"] and more["masking"]
    into["stale"] = into["stale"] and more["stale"]
    if more.get("transformation_type") == "DIRECT":
        into["transformation_type"] = "DIRECT"
        into.pop("transformation_subtype", None)
    if more.get("granularity") == "column":
        into["granularity"] = "column"
    into["edges"] = into.get("edges", 1) + 1


def _edge_attrs(rel: str, props: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"rel": rel}
    for name in ("kind", "via", "granularity", "transformation_type", "permission"):
        if props.get(name) is not None:
            out[name] = props[name]
    subtype = props.get("transformation_subtype")
    if subtype:
        out["transformation_subtype"] = subtype
    out["masking"] = bool(props.get("masking"))
    out["stale"] = bool(props.get("stale"))
    return out


def path_graph(paths: Iterable[Any]) -> nx.MultiDiGraph:
    """The union of question paths (``queries.results.Path``) as a graph, columns kept.

    Each hop keeps its job and transformation; ``HAS_COLUMN`` steps (a column rolling up
    to its table, or a table moving on through a column) keep ``rel="HAS_COLUMN"``.
    """
    graph: nx.MultiDiGraph = nx.MultiDiGraph()
    for path in paths:
        for info in path.nodes:
            if info.uid in graph:
                continue
            attrs: dict[str, Any] = {
                "kind": info.kind,
                "name": display_name(info.uid, info.name),
                "namespace": info.namespace,
                "labels": tuple(info.labels),
                "own_labels": tuple(info.own_labels),
            }
            if info.exposure is not None:
                attrs["exposure"] = info.exposure
            if info.kind == Kind.MODEL.value:
                attrs["registered"] = info.registered
                attrs["shadow"] = info.registered is not True
            graph.add_node(info.uid, **attrs)
        for hop in path.hops:
            key = f"{hop.rel}|{hop.via or ''}"
            if graph.has_edge(hop.src, hop.dst, key=key):
                continue
            props = {
                "kind": hop.kind,
                "via": hop.via,
                "granularity": hop.granularity,
                "transformation_type": hop.transformation_type,
                "transformation_subtype": hop.transformation_subtype,
                "masking": hop.masking,
                "stale": hop.stale,
            }
            graph.add_edge(hop.src, hop.dst, key=key, **_edge_attrs(hop.rel, props))
    return graph


def why_graph(store: Store, paths: Iterable[Any]) -> nx.MultiDiGraph:
    """The provenance paths of ``lineage.sensitivity.why`` as a graph, origin first.

    Each hop's edge (the one that brought the label to it) becomes an arrow from the hop
    before; nodes carry their stored facts, and ``holds`` (the label as that node holds
    it, e.g. ``PSEUDONYMISED:PII:EMAIL_ADDRESS`` past a masking step).
    """
    graph: nx.MultiDiGraph = nx.MultiDiGraph()
    for path in paths:
        previous = None
        for hop in path.hops:
            if hop.uid not in graph:
                stored = store.get_node(hop.uid)
                attrs = node_attrs(stored) if stored else {"kind": "", "name": hop.uid}
                graph.add_node(hop.uid, **attrs, holds=hop.label)
            if previous is not None:
                rel = str(hop.edge.get("rel") or "FLOWS_TO")
                key = f"{rel}|{hop.edge.get('via') or ''}"
                if not graph.has_edge(previous, hop.uid, key=key):
                    graph.add_edge(previous, hop.uid, key=key, **_edge_attrs(rel, hop.edge))
            previous = hop.uid
    return graph
