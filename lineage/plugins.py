"""Ingestors and stores as plugins: the built-in ones, and third parties' by entry point.

A plugin is a dotted target (``package.module:attribute``) under a name. Third parties
register theirs in the ``lineage.ingestors`` or ``lineage.stores`` entry-point groups::

    [project.entry-points."lineage.ingestors"]
    dbt-manifest = "lineage_dbt.manifest:manifest_facts"

Loading is lazy and never fatal: a plugin whose module or optional dependency is missing
is listed as *disabled, with the reason*, so ``lineage plugins`` tells users why.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, Literal

__all__ = ["BUILTIN", "Plugin", "available", "check", "load"]

type Group = Literal["ingestors", "stores"]

BUILTIN: dict[Group, dict[str, str]] = {
    "ingestors": {
        "sql": "ingest.sql:sql_facts",
        "openlineage": "ingest.openlineage:event_facts",
        "notebook": "ingest.notebook:notebook_facts",
        "vector-config": "ingest.vector_config:vector_config_facts",
        "declared": "ingest.declared:declared_facts",
        "access-log": "ingest.access_log:access_log_facts",
        "sensitivity-scan": "ingest.sensitivity:scan",
        "model-scan": "ingest.model_scan:scan_model_facts",
    },
    "stores": {
        "embedded": "lineage.store.falkor:FalkorStore",
        "neo4j": "lineage.store.neo4j:Neo4jStore",
    },
}


@dataclass(frozen=True, slots=True)
class Plugin:
    group: Group
    name: str
    target: str
    origin: str  # "builtin" or the distribution that registered it
    enabled: bool
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "name": self.name,
            "target": self.target,
            "origin": self.origin,
            "enabled": self.enabled,
            "reason": self.reason,
        }


def load(target: str) -> Any:
    """Import ``module:attribute``; raises ImportError or AttributeError saying what is missing."""
    module_name, _, attribute = target.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module


def check(group: Group, name: str, target: str, origin: str) -> Plugin:
    """Import the plugin's target; a failure makes it disabled, with the error as reason."""
    try:
        load(target)
    except (ImportError, AttributeError) as exc:
        return Plugin(group, name, target, origin, False, f"{type(exc).__name__}: {exc}")
    return Plugin(group, name, target, origin, True)


def available(group: Group | None = None) -> Iterator[Plugin]:
    """Every plugin of ``group`` (default: all), built-in first, each checked by importing it."""
    for current in ("ingestors", "stores") if group is None else (group,):
        for name, target in BUILTIN[current].items():
            yield check(current, name, target, "builtin")
        for ep in entry_points(group=f"lineage.{current}"):
            origin = ep.dist.name if ep.dist is not None else "entry point"
            yield check(current, ep.name, ep.value, origin)
