"""The recogniser registry: qualified-name patterns mapped to handlers.

A recogniser is one row: ``Rule(patterns, handler, what)``. Patterns are shell-style
(``fnmatch``) over the *qualified name* the analysis resolves for a call: imports are
followed (``pd.read_csv`` is ``pandas.read_csv``) and methods on tracked values are named
after the value's type (``trainer.train()`` is ``transformers.Trainer.train``); ``*``
crosses dots, so ``*.to_parquet`` is any ``to_parquet`` method. Matching rules are tried in
registration order and the first handler that returns a value wins (a handler returns
None for calls that are not its business, e.g. ``pickle.dump`` of data, not of a model).

Adding support for a library is adding rows; nothing else changes::

    RECOGNISERS.add(Rule(("mylib.load_table",), read_location(0, "uri"), "mylib reads"))
"""

from __future__ import annotations

import ast
import fnmatch
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from ingest.notebook.values import UNKNOWN, Collector, Val, union
from lineage.model import EdgeKind

__all__ = ["RECOGNISERS", "Call", "Context", "Handler", "Registry", "Rule"]


class Context(Protocol):
    """What handlers may ask of the running analysis."""

    out: Collector
    notebook: str  # the notebook path, as used in ids
    base_dir: str  # the notebook's folder: relative paths in its code resolve against it
    target: str  # name the current statement assigns to, or ""
    loop_data: frozenset[str]  # provenance of the enclosing ``for`` iterables
    defaults: dict[str, Val]  # framework-wide settings (e.g. LlamaIndex ``Settings.llm``)
    saved: dict[str, str]  # local path -> model uid saved there in this notebook
    script: str  # the script a ``%%writefile`` cell writes, while its code is analysed
    script_platform: str  # sagemaker | azureml | vertex: where such scripts run, if known

    def rebind(self, name: str, value: Val) -> None: ...

    def sql(self, text: str, *, namespace: str, dialect: str) -> frozenset[str]: ...

    def local_model(self, name: str) -> str: ...

    def constant(self, name: str) -> str | int | float | None: ...

    def flow_into(
        self, sources: Iterable[str], target: str, kind: EdgeKind | None = None
    ) -> None: ...

    def compose(self, parts: list[Val]) -> Val: ...


@dataclass(frozen=True, slots=True)
class Call:
    """One resolved call site, as handlers see it."""

    qual: str
    recv: Val
    args: tuple[Val, ...]
    kwargs: Mapping[str, Val]
    node: ast.Call
    ctx: Context
    recv_name: str = ""
    arg_names: tuple[str, ...] = field(default=())

    def arg(self, pos: int | None, *names: str) -> Val:
        """The argument given by keyword (first of ``names`` present) or at ``pos``."""
        for name in names:
            if name in self.kwargs:
                return self.kwargs[name]
        if pos is not None and 0 <= pos < len(self.args):
            return self.args[pos]
        return UNKNOWN

    def text(self, pos: int | None, *names: str) -> str | None:
        return self.arg(pos, *names).text

    def name_of(self, pos: int | None, *names: str) -> str:
        """The variable name an argument was passed as (``Trainer(model=peft_model)``)."""
        for kw in self.node.keywords:
            if kw.arg in names and isinstance(kw.value, ast.Name):
                return kw.value.id
        if pos is not None and 0 <= pos < len(self.node.args):
            node = self.node.args[pos]
            if isinstance(node, ast.Name):
                return node.id
        return ""

    def inputs(self) -> Val:
        """Everything passed in, receiver included: the generic provenance of a result."""
        return union([self.recv, *self.args, *self.kwargs.values()])

    @property
    def method(self) -> str:
        return self.qual.rsplit(".", 1)[-1]

    @property
    def line(self) -> int:
        return self.node.lineno


type Handler = Callable[[Call], Val | None]


@dataclass(frozen=True, slots=True)
class Rule:
    """Patterns over qualified names, the handler they trigger, and what the row is for."""

    patterns: tuple[str, ...]
    handler: Handler
    what: str = ""


class Registry:
    """An ordered table of rules. Lookups are cached per qualified name."""

    def __init__(self, rules: Iterable[Rule] = ()) -> None:
        self._rules: list[Rule] = []
        self._compiled: list[re.Pattern[str]] = []
        self.extend(rules)

    def add(self, rule: Rule) -> None:
        self._rules.append(rule)
        body = "|".join(fnmatch.translate(p) for p in rule.patterns) or "(?!)"
        self._compiled.append(re.compile(body, re.S))
        self._match.cache_clear()

    def remove(self, rule: Rule) -> None:
        index = self._rules.index(rule)
        del self._rules[index]
        del self._compiled[index]
        self._match.cache_clear()

    def extend(self, rules: Iterable[Rule]) -> None:
        for rule in rules:
            self.add(rule)

    @property
    def rules(self) -> Sequence[Rule]:
        return tuple(self._rules)

    @lru_cache(maxsize=8192)  # noqa: B019 - registries live as long as the process
    def _match(self, qual: str) -> tuple[Rule, ...]:
        return tuple(r for r, rx in zip(self._rules, self._compiled, strict=True) if rx.match(qual))

    def lookup(self, qual: str) -> tuple[Rule, ...]:
        """Every rule matching ``qual`` in full, in order; the analysis tries them in turn
        and keeps the first handler that returns a value."""
        return self._match(qual) if qual else ()

    def __len__(self) -> int:
        return len(self._rules)


RECOGNISERS = Registry()
