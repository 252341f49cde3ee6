"""Looking at the graph from a notebook: the estate as networkx, drawn interactive or static.

>>> # from lineage.explore import estate_graph, interactive, static
>>> # g = estate_graph(store, labels=["PII"])
>>> # interactive(g)      # pan, zoom, hover (vis-network, offline)
>>> # static(g)           # a PNG that renders without a kernel

The pictures need the ``notebooks`` extra (pyvis, matplotlib); the graph functions only
networkx. See docs/notebooks.md.
"""

from lineage.explore.estate import (
    DATA_KINDS,
    display_name,
    estate_graph,
    label_matches,
    path_graph,
    why_graph,
)
from lineage.explore.interactive import InteractivePicture, interactive
from lineage.explore.static import StaticPicture, layers, static

__all__ = [
    "DATA_KINDS",
    "InteractivePicture",
    "StaticPicture",
    "display_name",
    "estate_graph",
    "interactive",
    "label_matches",
    "layers",
    "path_graph",
    "static",
    "why_graph",
]
