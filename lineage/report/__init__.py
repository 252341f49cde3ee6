"""Reports for people: the blast-radius report in HTML (with a picture), Markdown or JSON."""

from lineage.report.blast_report import Format, render, summary
from lineage.report.picture import subgraph_svg

__all__ = ["Format", "render", "subgraph_svg", "summary"]
