"""A bounded YAML loader: safe constructors only, and limits against YAML bombs.

``yaml.safe_load`` refuses arbitrary objects but still builds a "billion laughs" document:
aliases are shared references, so the load is cheap and the *walk* explodes (and so does
any code that walks the composed nodes, as the policy loader does to find line numbers).
:class:`BoundedLoader` counts composed nodes, alias uses, depth and the expanded size while
composing, and refuses the document as soon as a limit is crossed, before any walk. It is
used for every YAML file the project reads: RAG/vector configs, policies, declared
endpoints, label policies.

One Python tag is accepted: ``!!python/tuple``, which PyYAML's default dumper writes for any
tuple (Haystack 2.x serialises pipelines so: ``http_auth: !!python/tuple [user, pass]``).
It is read as a plain list (a sequence node composed like any other, so the limits hold);
no Python object is ever constructed, and every other ``python/*`` tag is still refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml  # type: ignore[import-untyped]

from lineage.errors import ParseError

__all__ = [
    "BoundedLoader",
    "LimitError",
    "Limits",
    "bounded_loader",
    "safe_load",
    "safe_load_all",
]


@dataclass(frozen=True, slots=True)
class Limits:
    max_bytes: int = 2 * 1024 * 1024
    max_nodes: int = 200_000
    max_aliases: int = 1_000
    max_depth: int = 64


class BoundedLoader(yaml.SafeLoader):
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
                raise LimitError(f"more than {self.limits.max_aliases} aliases (YAML bomb?)")
        self._nodes += 1
        if self._nodes > self.limits.max_nodes:
            raise LimitError(f"more than {self.limits.max_nodes} nodes")
        self._depth += 1
        try:
            if self._depth > self.limits.max_depth:
                raise LimitError(f"nested deeper than {self.limits.max_depth}")
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
            raise LimitError(f"expands to more than {self.limits.max_nodes} nodes (YAML bomb?)")


def _tuple_as_list(loader: BoundedLoader, node: yaml.Node) -> list[Any]:
    if not isinstance(node, yaml.SequenceNode):
        raise yaml.constructor.ConstructorError(
            None, None, f"expected a sequence for {node.tag}", node.start_mark
        )
    return loader.construct_sequence(node, deep=True)


BoundedLoader.add_constructor("tag:yaml.org,2002:python/tuple", _tuple_as_list)


class LimitError(Exception):
    pass


def bounded_loader(text: str, limits: Limits | None = None) -> BoundedLoader:
    """A loader over ``text`` with these limits (a class per limits: PyYAML instantiates it)."""
    cls = BoundedLoader if limits is None else type("_Loader", (BoundedLoader,), {"limits": limits})
    return cls(text)


def safe_load(text: str, path: str, *, limits: Limits | None = None) -> Any:
    """``yaml.safe_load`` with the limits; every failure is a :class:`ParseError` naming
    ``path`` (and the line, for syntax errors)."""
    return _load(text, path, limits, lambda loader: loader.get_single_data())


def safe_load_all(text: str, path: str, *, limits: Limits | None = None) -> list[Any]:
    """Every document of a multi-document YAML text (``---``), with the same limits."""

    def documents(loader: BoundedLoader) -> list[Any]:
        docs: list[Any] = []
        while loader.check_data():
            docs.append(loader.get_data())
        return docs

    return _load(text, path, limits, documents)


def _load(text: str, path: str, limits: Limits | None, read: Any) -> Any:
    limits = limits or Limits()
    if len(text) > limits.max_bytes:
        raise ParseError(f"larger than {limits.max_bytes} bytes", path=path)
    loader = bounded_loader(text, limits)
    try:
        return read(loader)
    except LimitError as exc:
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
