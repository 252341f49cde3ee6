"""Encode query parameters for FalkorDB's ``CYPHER name=value ...`` header, quickly.

FalkorDB takes parameters as Cypher literals in a header before the query text (that is
its protocol; values are still parameters, never spliced into the query). falkordb-py's
encoder was a third of the bulk-load time (measured: 1.7 s of 5.5 s for a 30k-node
load), so this one dispatches on the exact type first. Escaping matches falkordb-py's:
backslash and double quote.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["literal", "params_header"]


def _string(value: str) -> str:
    if "\x00" in value:  # FalkorDB refuses the whole parameter header: refuse it here first
        raise ValueError("a string parameter holds a NUL character, which the store cannot hold")
    if "\\" in value or '"' in value:
        value = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{value}"'


def _key(key: object) -> str:
    text = str(key)
    if not text or "`" in text:
        raise ValueError(f"parameter or map key {text!r} cannot be empty or hold a backtick")
    return f"`{text}`"


def literal(value: Any) -> str:
    """A Cypher literal for ``value`` (str, int, float, bool, None, list, tuple, dict)."""
    kind = type(value)
    if kind is str:
        return _string(value)
    if kind is dict:
        return "{" + ",".join(f"{_key(k)}:{literal(v)}" for k, v in value.items()) + "}"
    if kind is list or kind is tuple:
        return "[" + ",".join([literal(v) for v in value]) + "]"
    if kind is bool:
        return "true" if value else "false"
    if kind is int or kind is float:
        return repr(value)
    if value is None:
        return "null"
    if isinstance(value, Mapping):
        return literal(dict(value))
    if isinstance(value, str):  # str subclasses, e.g. StrEnum members
        return _string(str(value))
    if isinstance(value, (int, float)):
        return repr(value)
    raise TypeError(f"cannot pass {kind.__name__} as a query parameter")


def params_header(params: Mapping[str, Any] | None) -> str:
    if not params:
        return ""
    return "CYPHER " + " ".join(f"{_key(k)}={literal(v)}" for k, v in params.items()) + " "
