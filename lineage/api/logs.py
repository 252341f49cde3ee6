"""Logging for ``lineage serve``: our own loggers shown, credentials never written.

uvicorn configures only its own loggers, so ``lineage.audit`` (who declared or declassified
a label) and ``lineage.*`` warnings went nowhere under the default setup. The access log
writes each request line with its query string; the :class:`HideQueryCredentials` filter
replaces the value of any credential-like parameter (the request itself is refused with
400 by :mod:`lineage.api.guard`, but the line is logged all the same).
"""

from __future__ import annotations

import copy
import logging
from typing import Any
from urllib.parse import parse_qsl, quote

from lineage.api.guard import QUERY_TOKEN_NAMES

__all__ = ["HideQueryCredentials", "hide_credentials", "log_config"]

HIDDEN = "***"


def hide_credentials(path: str) -> str:
    """``path?token=abc&x=1`` -> ``path?token=***&x=1`` (other parameters kept)."""
    base, sep, query = path.partition("?")
    if not sep:
        return path
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(name.lower() in QUERY_TOKEN_NAMES for name, _ in pairs):
        return path
    shown = [
        f"{quote(name)}={HIDDEN if name.lower() in QUERY_TOKEN_NAMES else quote(value)}"
        for name, value in pairs
    ]
    return f"{base}?{'&'.join(shown)}"


class HideQueryCredentials(logging.Filter):
    """Rewrites uvicorn's access record (client, method, path, version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], hide_credentials(args[2]), *args[3:])
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging config plus our loggers at INFO and the access-log filter."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"hide_credentials": {"()": HideQueryCredentials}}
    config["handlers"]["access"]["filters"] = ["hide_credentials"]
    config["loggers"]["lineage"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
