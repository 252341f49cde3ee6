"""The picture of an affected subgraph: a layered layout drawn as inline SVG.

Data flows left to right, one column per depth. Columns are folded into their dataset so
the picture speaks in tables; when the radius is large, only the nodes on the witness paths
to the ranked assets are drawn (the tables list everything). The layout is networkx's
``multipartite_layout`` with a barycentre pass per layer to cut edge crossings; no script,
no external resource, so the file renders the same offline and in a mail client.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass
from html import escape

import networkx as nx

from queries.blast_radius import BlastRadius

__all__ = ["KIND_COLOUR", "Picture", "risk_colour", "subgraph_svg"]

KIND_COLOUR = {
    "Dataset": "#dbeafe",
    "Column": "#e0f2fe",
    "Model": "#ede9fe",
    "VectorIndex": "#fce7f3",
    "Endpoint": "#fee2e2",
    "Source": "#f1f5f9",
}
_COL_W, _ROW_H, _NODE_W, _NODE_H, _PAD = 230, 58, 178, 40, 30


def risk_colour(score: float) -> str:
    """Red from 60, orange from 35, amber from 15, green below: the report's one scale."""
    if score >= 60:
        return "#dc2626"
    if score >= 35:
        return "#ea580c"
    if score >= 15:
        return "#d97706"
    return "#16a34a"


@dataclass(frozen=True, slots=True)
class Picture:
    svg: str
    shown: int
    total: int


def _fold(result: BlastRadius) -> tuple[dict[str, int], dict[str, str], set[tuple[str, str]]]:
    """Depth per shown node, kind per node, and folded edges (columns -> their dataset)."""
    fold = {a.node.uid: a.dataset for a in result.affected if a.dataset}
    if result.origin.kind == "Column":
        fold.setdefault(result.origin.uid, result.origin.uid)
    depth: dict[str, int] = {result.origin.uid: 0}
    kind: dict[str, str] = {result.origin.uid: result.origin.kind}
    for a in result.affected:
        uid = fold.get(a.node.uid) or a.node.uid
        depth[uid] = min(a.depth, depth.get(uid, a.depth))
        kind.setdefault(uid, "Dataset" if uid != a.node.uid else a.node.kind)
    edges = set()
    for hop in result.edges:
        a, b = fold.get(hop.src) or hop.src, fold.get(hop.dst) or hop.dst
        if a != b and a in depth and b in depth:
            edges.add((a, b))
    return depth, kind, edges


def _keep(result: BlastRadius, depth: dict[str, int], limit: int) -> set[str]:
    if len(depth) <= limit:
        return set(depth)
    fold = {a.node.uid: a.dataset for a in result.affected if a.dataset}
    keep = {result.origin.uid}
    for ranked in result.ranked:
        path_nodes = {fold.get(n.uid) or n.uid for n in ranked.path.nodes}
        if len(keep | path_nodes) > limit:
            break
        keep |= path_nodes
    return keep & set(depth)


def _order(graph: nx.DiGraph, layers: dict[int, list[str]]) -> dict[int, list[str]]:
    """Two barycentre sweeps: place each node near the mean position of its neighbours."""
    pos = {n: i for layer in layers.values() for i, n in enumerate(layer)}
    keys = sorted(layers)
    for sweep in (keys, list(reversed(keys))):
        for k in sweep:

            def centre(n: str) -> float:
                near = [pos[m] for m in nx.all_neighbors(graph, n) if m in pos]
                return sum(near) / len(near) if near else pos[n]

            layers[k] = sorted(layers[k], key=lambda n: (centre(n), n))
            pos.update({n: i for i, n in enumerate(layers[k])})
    return layers


def subgraph_svg(result: BlastRadius, *, limit: int = 60) -> Picture:
    """Draw the radius: origin on the left (right for upstream), endpoints coloured by risk,
    a red ring on nodes holding sensitivity labels, witness paths in red."""
    depth, kind, edges = _fold(result)
    keep = _keep(result, depth, limit)
    upstream = result.direction == "up"
    graph = nx.DiGraph()
    for uid in sorted(keep):
        layer = -depth[uid] if upstream else depth[uid]
        graph.add_node(uid, layer=layer)
    graph.add_edges_from((a, b) for a, b in edges if a in keep and b in keep)
    layers: dict[int, list[str]] = defaultdict(list)
    for uid, data in graph.nodes(data=True):
        layers[data["layer"]].append(uid)
    layers = _order(graph, dict(sorted(layers.items())))
    # networkx places the layers; we scale to pixels (columns by layer, rows by order)
    ordered = nx.DiGraph()
    for k in sorted(layers):
        for uid in layers[k]:
            ordered.add_node(uid, layer=k)
    raw = nx.multipartite_layout(ordered, subset_key="layer", align="vertical")
    first = min(layers) if layers else 0
    tallest = max((len(v) for v in layers.values()), default=1)
    xy: dict[str, tuple[float, float]] = {}
    for k, members in layers.items():
        offset = (tallest - len(members)) * _ROW_H / 2
        ys = sorted(members, key=lambda n: -raw[n][1])
        for i, uid in enumerate(ys):
            xy[uid] = (_PAD + (k - first) * _COL_W, _PAD + offset + i * _ROW_H)
    width = _PAD * 2 + max(len(layers) - 1, 0) * _COL_W + _NODE_W
    height = _PAD * 2 + (tallest - 1) * _ROW_H + _NODE_H
    return Picture(_draw(result, graph, xy, kind, (width, height)), len(keep), len(depth))


def _draw(
    result: BlastRadius,
    graph: nx.DiGraph,
    xy: dict[str, tuple[float, float]],
    kind: dict[str, str],
    size: tuple[int, int],
) -> str:
    width, height = size
    info = {a.node.uid: a.node for a in result.affected}
    info[result.origin.uid] = result.origin
    risk = {r.node.uid: r.risk.score for r in result.ranked}
    witness: set[tuple[str, str]] = set()
    fold = {a.node.uid: a.dataset for a in result.affected if a.dataset}
    for r in result.ranked[:5]:
        uids = [fold.get(n.uid) or n.uid for n in r.path.nodes]
        witness |= {(a, b) for a, b in itertools.pairwise(uids) if a != b}
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="radius-graph" role="img" '
        f'width="100%" style="max-width:{width}px" viewBox="0 0 {width} {height}" '
        'font-family="system-ui, sans-serif" font-size="12">',
        "<title>Affected subgraph</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#64748b"/></marker><marker id="arrow-hot" viewBox="0 0 10 10" refX="9" '
        'refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#dc2626"/></marker></defs>',
    ]
    for a, b in sorted(graph.edges):
        (x1, y1), (x2, y2) = xy[a], xy[b]
        sx, sy = x1 + _NODE_W, y1 + _NODE_H / 2
        tx, ty = x2, y2 + _NODE_H / 2
        if tx < sx:  # drawn right to left (upstream or a cycle): leave from the other side
            sx, tx = x1, x2 + _NODE_W
        hot = (a, b) in witness
        mid = (sx + tx) / 2
        out.append(
            f'<path class="edge{" hot" if hot else ""}" d="M{sx:.0f},{sy:.0f} C{mid:.0f},'
            f'{sy:.0f} {mid:.0f},{ty:.0f} {tx:.0f},{ty:.0f}" fill="none" '
            f'stroke="{"#dc2626" if hot else "#94a3b8"}" stroke-width="{2.2 if hot else 1.2}" '
            f'marker-end="url(#{"arrow-hot" if hot else "arrow"})"/>'
        )
    for uid, (x, y) in sorted(xy.items()):
        node = info.get(uid)
        k = kind.get(uid, node.kind if node else "")
        name = node.name if node else uid
        labels = node.labels if node else ()
        fill = KIND_COLOUR.get(k, "#f8fafc")
        stroke, sw = ("#0f172a", 3) if uid == result.origin.uid else ("#64748b", 1)
        if uid in risk:
            fill, stroke, sw = risk_colour(risk[uid]), "#0f172a", 1
        text_fill = "#ffffff" if uid in risk else "#0f172a"
        short = name if len(name) <= 24 else "…" + name[-23:]
        cats = sorted({lab.partition(":")[0] for lab in labels})
        out.append(f'<g class="node" data-uid="{escape(uid)}" data-kind="{escape(k)}">')
        out.append(f"<title>{escape(uid)}{' — ' + escape(', '.join(labels)) if labels else ''}")
        out.append(
            f"{f' — risk {risk[uid]:.1f}' if uid in risk else ''}</title>"
            f'<rect x="{x:.0f}" y="{y:.0f}" width="{_NODE_W}" height="{_NODE_H}" rx="7" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="{sw}"/>'
        )
        if cats:
            out.append(
                f'<rect class="label-ring" x="{x - 3:.0f}" y="{y - 3:.0f}" '
                f'width="{_NODE_W + 6}" height="{_NODE_H + 6}" rx="9" fill="none" '
                'stroke="#b91c1c" stroke-width="1.5" stroke-dasharray="4 2"/>'
            )
        out.append(
            f'<text x="{x + 8:.0f}" y="{y + 16:.0f}" fill="{text_fill}" font-weight="600">'
            f"{escape(short)}</text>"
            f'<text x="{x + 8:.0f}" y="{y + 31:.0f}" fill="{text_fill}" font-size="10">'
            f"{escape(k)}{' · ' + escape(' '.join(cats)) if cats else ''}"
            f"{f' · risk {risk[uid]:.0f}' if uid in risk else ''}</text></g>"
        )
    out.append("</svg>")
    return "".join(out)
