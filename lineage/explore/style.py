"""How a node or an edge looks, shared by the interactive and the static picture.

Colours are the blast-radius report's (``lineage.report.picture.KIND_COLOUR``) so a
notebook and a report speak the same visual language: fill by kind, a red outline on
anything holding a sensitivity label, a dashed outline on shadow AI (a model nobody
registered), red arrows for the path being explained, dashed arrows where the data is
masked or only decides which rows arrive (``INDIRECT``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lineage.report.picture import KIND_COLOUR

__all__ = [
    "HOT",
    "KIND_COLOUR",
    "SENSITIVE",
    "categories",
    "edge_text",
    "fill",
    "short",
    "tooltip",
]

SENSITIVE = "#b91c1c"  # outline of nodes holding a label
HOT = "#dc2626"  # highlighted path
PLAIN_EDGE = "#94a3b8"
_EXPOSED_FILL = {"public": "#fca5a5", "external": "#fdba74"}
_EXTRA_COLOUR = {"Job": "#fef9c3", "Principal": "#dcfce7"}


def fill(attrs: Mapping[str, Any]) -> str:
    """Fill colour: by kind; exposed endpoints (public, external) stand out."""
    kind = attrs.get("kind", "")
    if kind == "Endpoint" and attrs.get("exposure") in _EXPOSED_FILL:
        return _EXPOSED_FILL[attrs["exposure"]]
    return KIND_COLOUR.get(kind) or _EXTRA_COLOUR.get(kind, "#f8fafc")


def categories(attrs: Mapping[str, Any]) -> list[str]:
    """``PII:EMAIL_ADDRESS`` and ``PII`` -> ``["PII"]``: the label categories held."""
    return sorted({str(x).partition(":")[0] for x in attrs.get("labels") or ()})


def short(name: str, width: int = 30) -> str:
    """Keep the end of a long name: ``…ures.ticket_text`` says more than ``features.tic…``."""
    return name if len(name) <= width else "…" + name[-(width - 1) :]


def tooltip(uid: str, attrs: Mapping[str, Any]) -> str:
    """Plain text shown on hover: kind, id, labels and posture facts."""
    lines = [f"{attrs.get('kind', '')} {attrs.get('name', uid)}", uid]
    if attrs.get("labels"):
        lines.append("labels: " + ", ".join(attrs["labels"]))
    if attrs.get("own_labels"):
        lines.append("own: " + ", ".join(attrs["own_labels"]))
    for key in ("exposure", "provider", "model_type", "job_type", "engine"):
        if attrs.get(key):
            lines.append(f"{key}: {attrs[key]}")
    if attrs.get("shadow"):
        lines.append("shadow AI: not registered")
    if attrs.get("quarantined"):
        lines.append("QUARANTINED")
    return "\n".join(lines)


def edge_text(attrs: Mapping[str, Any]) -> str:
    """``fine_tune DIRECT/IDENTITY via job:...`` for hover text and path tables."""
    rel = attrs.get("rel", "")
    if rel != "FLOWS_TO":
        extra = f" ({attrs['permission']})" if attrs.get("permission") else ""
        return rel.lower().replace("_", " ") + extra
    parts = [attrs.get("kind") or "flows"]
    kind = "/".join(
        str(attrs[k]) for k in ("transformation_type", "transformation_subtype") if attrs.get(k)
    )
    if kind:
        parts.append(kind)
    if attrs.get("masking"):
        parts.append("masked")
    if attrs.get("granularity") == "dataset":
        parts.append("dataset-level")
    if attrs.get("via"):
        parts.append(f"via {attrs['via']}")
    return " ".join(parts)
