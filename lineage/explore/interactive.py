"""An interactive picture of a graph: vis-network through pyvis, inline, offline.

pyvis ships vis-network's JavaScript; ``cdn_resources="in_line"`` puts it in the page, and
the Bootstrap tags pyvis's template always adds (styling only) are removed, so the page
loads nothing from the network: it works on an air-gapped analyst machine and in an
exported notebook. The page is shown in an ``<iframe srcdoc>`` so its script runs in
classic Jupyter, JupyterLab and VS Code alike. Needs the ``notebooks`` extra.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from lineage.errors import LineageError
from lineage.explore.static import layers
from lineage.explore.style import HOT, PLAIN_EDGE, SENSITIVE, edge_text, fill, short, tooltip

__all__ = ["InteractivePicture", "interactive"]

# Labels inside the shape, as in the static picture: boxes for data, ellipses for actors.
_SHAPE = {"Job": "ellipse", "Principal": "ellipse"}
# Any <link> or <script src> pointing off the machine (pyvis's Bootstrap), whole tag.
_REMOTE_TAG = re.compile(
    r"<link[^>]*href=\"https?://[^\"]*\"[^>]*/?>|<script[^>]*src=\"https?://[^\"]*\"[^>]*>\s*</script>",
    re.S,
)
_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>")


@dataclass(frozen=True, slots=True)
class InteractivePicture:
    """A self-contained HTML page; Jupyter shows it in an iframe (``_repr_html_``)."""

    page: str
    height: int
    nodes: int
    edges: int

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{html.escape(self.page, quote=True)}" width="100%" '
            f'height="{self.height + 24}" style="border:1px solid #e2e8f0" '
            'sandbox="allow-scripts"></iframe>'
        )

    def save(self, path: str) -> None:
        with open(path, "w", encoding="utf-8") as out:
            out.write(self.page)


def _pyvis():  # type: ignore[no-untyped-def]
    try:
        from pyvis.network import Network
    except ImportError:  # pragma: no cover - depends on the installed extras
        raise LineageError(
            "the interactive picture needs pyvis: pip install 'ai-spm-lineage[notebooks]'"
        ) from None
    return Network


def interactive(
    graph: nx.MultiDiGraph,
    *,
    highlight: Iterable[tuple[str, str]] = (),
    height: int = 560,
    layered: bool = True,
) -> InteractivePicture:
    """Draw ``graph`` (from :func:`lineage.explore.estate_graph` or ``path_graph``).

    Hover a node for its labels and posture, an arrow for its job and transformation;
    drag to rearrange, scroll to zoom. ``highlight``: (src, dst) pairs drawn in red.
    ``layered`` lays data flow out left to right in the static picture's layers
    (vis-network's hierarchical layout; principals in the last column); otherwise a
    force-directed layout.
    """
    network_cls = _pyvis()
    net = network_cls(height=f"{height}px", width="100%", directed=True, cdn_resources="in_line")
    hot = set(highlight)
    level = {u: k for k, members in layers(graph).items() for u in members}
    for uid, attrs in sorted(graph.nodes(data=True)):
        sensitive = bool(attrs.get("labels"))
        border = SENSITIVE if sensitive else "#475569"
        net.add_node(
            uid,
            label=short(str(attrs.get("name", uid))),
            title=tooltip(uid, attrs),
            shape=_SHAPE.get(attrs.get("kind", ""), "box"),
            level=level[uid],
            color={"background": fill(attrs), "border": border},
            borderWidth=3 if sensitive else 1,
            shapeProperties={"borderDashes": [6, 4] if attrs.get("shadow") else False},
            font={"size": 14},
        )
    for src, dst, attrs in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1])):
        is_hot = (src, dst) in hot
        dashed = bool(attrs.get("masking")) or attrs.get("transformation_type") == "INDIRECT"
        net.add_edge(
            src,
            dst,
            title=edge_text(attrs),
            color=HOT if is_hot else PLAIN_EDGE,
            width=3 if is_hot else 1,
            dashes=dashed or attrs.get("rel") not in ("FLOWS_TO", None),
        )
    options = {
        "interaction": {"hover": True, "navigationButtons": False},
        "physics": {"enabled": not layered, "stabilization": {"iterations": 150}},
        "edges": {"smooth": {"type": "cubicBezier", "forceDirection": "horizontal"}},
    }
    if layered:
        options["layout"] = {
            "hierarchical": {
                "enabled": True,
                "direction": "LR",
                "levelSeparation": 260,
                "nodeSpacing": 70,
            }
        }
    net.options = options
    page = _REMOTE_TAG.sub("", net.generate_html(notebook=False))
    page = _EMPTY_HEADING.sub("", page)
    return InteractivePicture(page, height, graph.number_of_nodes(), graph.number_of_edges())
