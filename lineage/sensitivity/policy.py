"""What masking and aggregation do to labels: a small, documented, configurable policy.

The policy is read once per process from ``LINEAGE_LABEL_POLICY`` (a YAML file) or built in
code. Changing it changes what every edge passes, so run ``recompute`` after a change.

.. code-block:: yaml

    masking: {default: stop, PII: pseudonymise}   # hashed e-mail: pseudonymised, not clean
    aggregation: {default: stop}                   # count(email) carries no e-mail
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from lineage.errors import ConfigError, ParseError

__all__ = ["PSEUDONYMISED", "Action", "Policy", "load_policy"]

PSEUDONYMISED = "PSEUDONYMISED"


class Action(StrEnum):
    """What an edge does to one label it would otherwise carry."""

    PASS = "pass"  # noqa: S105 - the label goes through unchanged
    STOP = "stop"  # the label does not go through
    PSEUDONYMISE = "pseudonymise"  # goes through as PSEUDONYMISED:<label>


def _actions(raw: Mapping[str, Any] | None, default: Action) -> dict[str, Action]:
    out = {"default": default}
    for key, value in (raw or {}).items():
        try:
            out[str(key).upper() if key != "default" else "default"] = Action(str(value).lower())
        except ValueError as exc:
            raise ConfigError(
                f"label policy: {key}: {value!r} is not one of {list(Action)}"
            ) from exc
    return out


@dataclass(frozen=True, slots=True)
class Policy:
    """Per-category actions for masking edges and for aggregations (``default`` as fallback)."""

    masking: Mapping[str, Action] = field(default_factory=lambda: {"default": Action.STOP})
    aggregation: Mapping[str, Action] = field(default_factory=lambda: {"default": Action.STOP})

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Policy:
        unknown = set(raw) - {"masking", "aggregation"}
        if unknown:
            raise ConfigError(f"label policy: unknown keys {sorted(unknown)}")
        return cls(
            _actions(raw.get("masking"), Action.STOP),
            _actions(raw.get("aggregation"), Action.STOP),
        )

    def action(self, table: Mapping[str, Action], category: str) -> Action:
        return table.get(category, table.get("default", Action.STOP))

    def fingerprint(self) -> str:
        """A stable text form, stored with labels so a policy change can be noticed."""
        parts = [f"{name}.{k}={v.value}" for name in ("masking", "aggregation")
                 for k, v in sorted(getattr(self, name).items())]  # fmt: skip
        return ";".join(parts)


def load_policy(path: str | Path | None = None) -> Policy:
    """The policy from ``path``, else ``LINEAGE_LABEL_POLICY``, else the default (stop both)."""
    path = path or os.environ.get("LINEAGE_LABEL_POLICY")
    if not path:
        return Policy()
    from lineage.boundedyaml import safe_load

    try:
        raw = safe_load(Path(path).read_text(encoding="utf-8"), str(path)) or {}
    except (OSError, ParseError) as exc:
        raise ConfigError(f"label policy {path}: {exc}") from exc
    if not isinstance(raw, Mapping):
        raise ConfigError(f"label policy {path}: expected a mapping")
    return Policy.from_mapping(raw)
