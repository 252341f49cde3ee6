"""Bounded YAML/JSON loading: safe constructors only, and limits against YAML bombs.

``yaml.safe_load`` refuses arbitrary objects but still builds a "billion laughs" document:
aliases are shared references, so the load is cheap and the *walk* explodes. The loader
here counts composed nodes, alias uses and depth while composing, and refuses the
document as soon as a limit is crossed, before any walk.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from lineage.errors import ParseError

__all__ = ["Limits", "load_config_text", "read_config", "read_config_text"]


@dataclass(frozen=True, slots=True)
class Limits:
    max_bytes: int = 2 * 1024 * 1024
    max_nodes: int = 200_000
    max_aliases: int = 1_000
    max_depth: int = 64


class _BoundedLoader(yaml.SafeLoader):
    """A SafeLoader that counts what it composes (one instance per document)."""

    limits = Limits()

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._nodes = 0
        self._aliases = 0
        self._depth = 0
        self._sizes: dict[int, int] = {}
        self._keep: list[yaml.Node] = []

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > self.limits.max_aliases:
                raise _LimitError(f"more than {self.limits.max_aliases} aliases (YAML bomb?)")
        self._nodes += 1
        if self._nodes > self.limits.max_nodes:
            raise _LimitError(f"more than {self.limits.max_nodes} nodes")
        self._depth += 1
        try:
            if self._depth > self.limits.max_depth:
                raise _LimitError(f"nested deeper than {self.limits.max_depth}")
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        self._measure(node)
        return node

    def _measure(self, node: yaml.Node) -> None:
        """The node's size once aliases are expanded; a bomb is refused here, not walked."""
        if id(node) in self._sizes:
            return
        if isinstance(node, yaml.MappingNode):
            size = 1 + sum(
                self._sizes.get(id(k), 1) + self._sizes.get(id(v), 1) for k, v in node.value
            )
        elif isinstance(node, yaml.SequenceNode):
            size = 1 + sum(self._sizes.get(id(c), 1) for c in node.value)
        else:
            size = 1
        self._sizes[id(node)] = size
        self._keep.append(node)  # ids stay unique while the document is composed
        if size > self.limits.max_nodes:
            raise _LimitError(f"expands to more than {self.limits.max_nodes} nodes (YAML bomb?)")


class _LimitError(Exception):
    pass


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
    loader_cls = type("_Loader", (_BoundedLoader,), {"limits": limits})
    loader = loader_cls(text)
    docs: list[Any] = []
    try:
        while loader.check_data():
            docs.append(loader.get_data())
    except _LimitError as exc:
        raise ParseError(f"refused: {exc}", path=path) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise ParseError(
            str(exc.problem or exc),
            path=path,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as exc:
        raise ParseError(str(exc), path=path) from None
    finally:
        loader.dispose()
    return docs


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
