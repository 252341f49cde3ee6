"""A static picture of a graph (matplotlib): what an exported notebook, a PDF or a
ticket shows when no kernel and no JavaScript run.

Data flows left to right in layers (the longest path from a source decides the layer;
cycles are layered as one block), principals stand in a column of their own on the
right, and each layer is ordered by two barycentre sweeps to cut crossings, as in the
blast-radius report. Nodes are text boxes in the shared style (:mod:`lineage.explore.style`),
so arrows end at the box edge. Needs the ``notebooks`` extra (matplotlib).
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from lineage.errors import LineageError
from lineage.explore.style import HOT, PLAIN_EDGE, SENSITIVE, categories, fill, short

__all__ = ["StaticPicture", "layers", "static"]


@dataclass(frozen=True, slots=True)
class StaticPicture:
    """A matplotlib figure; Jupyter shows it as a PNG (``_repr_png_``)."""

    figure: Any  # matplotlib.figure.Figure
    positions: dict[str, tuple[float, float]]

    def png(self, dpi: int = 110) -> bytes:
        buf = io.BytesIO()
        self.figure.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
        return buf.getvalue()

    def _repr_png_(self) -> bytes:
        return self.png()

    def save(self, path: str, dpi: int = 150) -> None:
        """Write the picture; the format follows the suffix (``.png``, ``.svg``, ``.pdf``)."""
        self.figure.savefig(path, dpi=dpi, bbox_inches="tight")


def layers(graph: nx.MultiDiGraph) -> dict[int, list[str]]:
    """Layer -> nodes in drawing order (left to right, top to bottom)."""
    flow = nx.DiGraph()
    flow.add_nodes_from(n for n, k in graph.nodes(data="kind") if k != "Principal")
    flow.add_edges_from((a, b) for a, b in graph.edges() if a in flow and b in flow)
    blocks = nx.condensation(flow)
    layer: dict[str, int] = {}
    for i, generation in enumerate(nx.topological_generations(blocks)):
        for block in generation:
            for uid in blocks.nodes[block]["members"]:
                layer[uid] = i
    last = max(layer.values(), default=-1) + 1
    for uid, kind in graph.nodes(data="kind"):
        if kind == "Principal":
            layer[uid] = last
    grouped: dict[int, list[str]] = defaultdict(list)
    for uid in sorted(layer):
        grouped[layer[uid]].append(uid)
    return _ordered(graph, dict(sorted(grouped.items())))


def _ordered(graph: nx.MultiDiGraph, grouped: dict[int, list[str]]) -> dict[int, list[str]]:
    pos = {n: i for members in grouped.values() for i, n in enumerate(members)}
    keys = list(grouped)
    for sweep in (keys, keys[::-1], keys):
        for k in sweep:

            def centre(n: str) -> float:
                near = [pos[m] for m in nx.all_neighbors(graph, n) if m in pos]
                return sum(near) / len(near) if near else pos[n]

            grouped[k] = sorted(grouped[k], key=lambda n: (centre(n), n))
            pos.update({n: i for i, n in enumerate(grouped[k])})
    return grouped


def _matplotlib() -> tuple[Any, Any, Any]:
    try:
        from matplotlib.figure import Figure
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch
    except ImportError:  # pragma: no cover - depends on the installed extras
        raise LineageError(
            "the static picture needs matplotlib: pip install 'ai-spm-lineage[notebooks]'"
        ) from None
    return Figure, Patch, Line2D


def static(
    graph: nx.MultiDiGraph,
    *,
    highlight: Iterable[tuple[str, str]] = (),
    title: str = "",
    legend: bool = True,
) -> StaticPicture:
    """Draw ``graph`` as a layered picture. ``highlight``: (src, dst) pairs drawn in red."""
    figure_cls, patch_cls, line_cls = _matplotlib()
    grouped = layers(graph)
    tallest = max((len(m) for m in grouped.values()), default=1)
    xy: dict[str, tuple[float, float]] = {}
    for k, members in grouped.items():
        for i, uid in enumerate(members):  # each layer centred on y = 0
            xy[uid] = (float(k), (len(members) - 1) / 2 - i)
    width = min(4.0 + 2.9 * max(len(grouped), 1), 40.0)
    height = min(1.6 + 0.75 * tallest, 40.0)
    fig = figure_cls(figsize=(width, height))
    ax = fig.add_subplot()
    ax.set_axis_off()
    boxes = {}
    for uid, attrs in graph.nodes(data=True):
        x, y = xy[uid]
        cats = categories(attrs)
        sub = attrs.get("kind", "") + (" · " + " ".join(cats) if cats else "")
        boxes[uid] = ax.text(
            x,
            y,
            f"{short(str(attrs.get('name', uid)))}\n{sub}",
            ha="center",
            va="center",
            fontsize=8,
            zorder=3,
            parse_math=False,  # names are data: "$" is a character, not mathtext
            bbox={
                "boxstyle": "round,pad=0.45",
                "facecolor": fill(attrs),
                "edgecolor": SENSITIVE if cats else "#475569",
                "linewidth": 2.2 if cats else 0.8,
                "linestyle": "--" if attrs.get("shadow") else "-",
            },
        )
    hot = set(highlight)
    drawn: set[tuple[str, str]] = set()
    for src, dst, attrs in graph.edges(data=True):
        if (src, dst) in drawn:
            continue
        drawn.add((src, dst))
        is_hot = (src, dst) in hot
        dashed = (
            attrs.get("masking")
            or attrs.get("transformation_type") == "INDIRECT"
            or attrs.get("rel") not in ("FLOWS_TO", None)
        )
        ax.annotate(
            "",
            xy=xy[dst],
            xytext=xy[src],
            zorder=5 if is_hot else 4,  # after the boxes: the clip uses their drawn size
            arrowprops={
                "arrowstyle": "-|>",
                "color": HOT if is_hot else PLAIN_EDGE,
                "linewidth": 2.2 if is_hot else 1.0,
                "linestyle": "--" if dashed else "-",
                "connectionstyle": "arc3,rad=0.06",
                "patchA": boxes[src].get_bbox_patch(),
                "patchB": boxes[dst].get_bbox_patch(),
                "shrinkA": 2,
                "shrinkB": 2,
            },
        )
    xs = [x for x, _ in xy.values()] or [0.0]
    ys = [y for _, y in xy.values()] or [0.0]
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(min(ys) - 0.7, max(ys) + 0.7)
    if title:
        ax.set_title(title, fontsize=11, loc="left", parse_math=False)
    if legend and graph.number_of_nodes():
        kinds = sorted({k for _, k in graph.nodes(data="kind") if k})
        handles = [
            patch_cls(facecolor=fill({"kind": k}), edgecolor="#475569", label=k) for k in kinds
        ]
        handles.append(patch_cls(facecolor="white", edgecolor=SENSITIVE, lw=2, label="labelled"))
        if any(a.get("shadow") for _, a in graph.nodes(data=True)):
            handles.append(
                patch_cls(facecolor="white", edgecolor="#475569", ls="--", label="shadow AI")
            )
        if hot:
            handles.append(line_cls([], [], color=HOT, lw=2, label="path"))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return StaticPicture(fig, xy)
