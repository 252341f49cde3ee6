"""Bounded YAML/JSON loading of config files: a size limit before reading, and YAML
composed by :class:`lineage.boundedyaml.BoundedLoader`, which refuses YAML bombs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lineage.boundedyaml import Limits, safe_load_all
from lineage.errors import ParseError

__all__ = ["Limits", "load_config_text", "read_config", "read_config_text"]


def load_config_text(
    text: str, path: str, *, limits: Limits | None = None, as_json: bool | None = None
) -> list[Any]:
    """The documents in a YAML or JSON text. Raises :class:`ParseError` saying why not."""
    limits = limits or Limits()
    if len(text.encode("utf-8", "replace")) > limits.max_bytes:
        raise ParseError(f"config larger than {limits.max_bytes} bytes", path=path)
    if as_json if as_json is not None else path.endswith(".json"):
        try:
            return [json.loads(text)]
        except json.JSONDecodeError as exc:
            raise ParseError(exc.msg, path=path, line=exc.lineno, column=exc.colno) from None
    return safe_load_all(text, path, limits=limits)


def read_config(path: str | Path, *, limits: Limits | None = None, ref: str = "") -> list[Any]:
    path = Path(path)
    text = read_config_text(path, limits=limits, ref=ref)
    return load_config_text(
        text, ref or path.as_posix(), limits=limits, as_json=path.suffix == ".json"
    )


def read_config_text(path: str | Path, *, limits: Limits | None = None, ref: str = "") -> str:
    """A config file's text, refusing files over the size limit before reading them."""
    path = Path(path)
    ref = ref or path.as_posix()
    limits = limits or Limits()
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise ParseError(f"config is {size} bytes; the limit is {limits.max_bytes}", path=ref)
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ParseError(f"cannot read: {exc}", path=ref) from None
    return text
