"""GraphQL abuse limits, fragment-aware and linear in the size of the document.

A document of a few hundred bytes can name an exponential amount of work: each of
``fragment F{i} on Query { ...F{i-1} ...F{i-1} }`` doubles the fields, and validators
that walk fragment spreads afresh (strawberry's depth and alias limiters) take as long as
the expanded query, on the event loop. Here every fragment is measured once and its
figures reused wherever it is spread (memoised), so one pass over the document gives:

===============  =============================================================  ========
figure           what is counted (after expanding fragments)                    limit
===============  =============================================================  ========
depth            nested field levels; a top-level field is level 1              10
introspection    the same, for a top-level ``__schema`` / ``__type`` field      20
aliases          aliased fields                                                 15
fields           field selections (the cost of the question)                    500
spreads          fragment spreads                                               100
===============  =============================================================  ========

Counts are capped while they are added (no huge integers). A fragment cycle is an error.
:class:`Limits` runs this check and then graphql-core's validation in a worker thread
under a deadline (:data:`VALIDATION_SECONDS`, ``LINEAGE_GRAPHQL_VALIDATION_SECONDS``), so
even an unforeseen slow rule cannot stall the event loop: ``/healthz`` keeps answering
while an attack query is sent, and the query gets a ``TIMEOUT`` error saying so.
Results are cached per query text, as strawberry's ``ValidationCache`` did.
"""

from __future__ import annotations

import logging
import os
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass

import anyio
from anyio import to_thread
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from lineage.errors import LineageError

__all__ = [
    "GQL_LIMITS",
    "VALIDATION_SECONDS",
    "LimitExceeded",
    "Limits",
    "Measure",
    "ValidationTimeout",
    "measure",
]

log = logging.getLogger(__name__)

GQL_LIMITS = {
    "max_depth": 10,
    "max_introspection_depth": 20,
    "max_aliases": 15,
    "max_fields": 500,
    "max_spreads": 100,
}


def _seconds(default: float = 2.0) -> float:
    raw = os.environ.get("LINEAGE_GRAPHQL_VALIDATION_SECONDS", "")
    try:
        value = float(raw) if raw else default
    except ValueError:
        value = 0.0
    if not value > 0:
        log.warning("LINEAGE_GRAPHQL_VALIDATION_SECONDS=%r is not a positive number", raw)
        return default
    return value


VALIDATION_SECONDS = _seconds()


class ValidationTimeout(LineageError):
    """Validating a query took longer than the deadline: reported as ``TIMEOUT``."""


_CACHE_SIZE = 512
_CAP = 1 << 20  # counts stop growing here: far past every limit, never a huge integer


class LimitExceeded(Exception):
    """A figure of the document is over its limit (or fragments form a cycle)."""


@dataclass(frozen=True, slots=True)
class Measure:
    """Figures of one selection set, fragments expanded. ``meta_depth`` is the depth
    reached under fields named ``__*`` at this level, ``depth`` under the others."""

    depth: int = 0
    meta_depth: int = 0
    aliases: int = 0
    fields: int = 0
    spreads: int = 0

    @property
    def deepest(self) -> int:
        return max(self.depth, self.meta_depth)

    def plus(self, other: Measure) -> Measure:
        return Measure(
            max(self.depth, other.depth),
            max(self.meta_depth, other.meta_depth),
            min(_CAP, self.aliases + other.aliases),
            min(_CAP, self.fields + other.fields),
            min(_CAP, self.spreads + other.spreads),
        )


class _Measurer:
    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.memo: dict[str, Measure] = {}
        self.open: set[str] = set()

    def fragment(self, name: str) -> Measure:
        if name in self.memo:
            return self.memo[name]
        if name in self.open:
            raise LimitExceeded(f"fragment {name!r} spreads itself (a cycle)")
        definition = self.fragments.get(name)
        if definition is None:
            return Measure()  # graphql-core reports the unknown fragment
        self.open.add(name)
        try:
            found = self.selections(definition.selection_set)
        finally:
            self.open.discard(name)
        self.memo[name] = found
        return found

    def selections(self, selection_set: SelectionSetNode | None) -> Measure:
        total = Measure()
        for node in selection_set.selections if selection_set else ():
            if isinstance(node, FieldNode):
                inner = self.selections(node.selection_set)
                depth = 1 + inner.deepest
                meta = node.name.value.startswith("__")
                total = total.plus(
                    Measure(
                        0 if meta else depth,
                        depth if meta else 0,
                        inner.aliases + (1 if node.alias else 0),
                        inner.fields + 1,
                        inner.spreads,
                    )
                )
            elif isinstance(node, InlineFragmentNode):
                total = total.plus(self.selections(node.selection_set))
            elif isinstance(node, FragmentSpreadNode):
                inner = self.fragment(node.name.value)
                total = total.plus(
                    Measure(
                        inner.depth,
                        inner.meta_depth,
                        inner.aliases,
                        inner.fields,
                        inner.spreads + 1,
                    )
                )
        return total


def measure(document: DocumentNode) -> Measure:
    """The figures of the document's largest operation (every fragment measured once)."""
    measurer = _Measurer(document)
    worst = Measure()
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            worst = worst.plus(measurer.selections(definition.selection_set))
    for name in measurer.fragments:  # unused fragments: a cycle among them is still refused
        measurer.fragment(name)
    return worst


def check(document: DocumentNode) -> None:
    """Raise :class:`LimitExceeded` naming the first figure over its limit."""
    m = measure(document)
    figures = [
        ("depth", m.depth, "max_depth"),
        ("introspection depth", m.meta_depth, "max_introspection_depth"),
        ("aliases", m.aliases, "max_aliases"),
        ("fields (fragments expanded)", m.fields, "max_fields"),
        ("fragment spreads (expanded)", m.spreads, "max_spreads"),
    ]
    for what, value, key in figures:
        limit = GQL_LIMITS[key]
        if value > limit:
            shown = f"more than {_CAP}" if value >= _CAP else str(value)
            if key == "max_depth":  # the wording clients of strawberry's limiter know
                raise LimitExceeded(f"query exceeds maximum operation depth of {limit}")
            raise LimitExceeded(f"query has {shown} {what}: the limit is {limit}")


def _validate(extension: Limits) -> list[GraphQLError]:
    context = extension.execution_context
    document = context.graphql_document
    assert document is not None
    try:
        check(document)
    except LimitExceeded as exc:
        return [GraphQLError(str(exc))]
    return validate_document(context.schema._schema, document, context.validation_rules)


_cache: OrderedDict[str, list[GraphQLError]] = OrderedDict()


class Limits(SchemaExtension):
    """Validation (our limits, then graphql-core's rules) in a worker thread, with a
    deadline and a cache per query text; replaces strawberry's own validation step."""

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        key = context.query or ""
        errors = _cache.get(key)
        if errors is None:
            with anyio.move_on_after(VALIDATION_SECONDS) as scope:
                errors = await to_thread.run_sync(_validate, self, abandon_on_cancel=True)
            if scope.cancelled_caught or errors is None:
                message = (
                    f"query validation took longer than {VALIDATION_SECONDS:g} s "
                    "(LINEAGE_GRAPHQL_VALIDATION_SECONDS): simplify the query"
                )
                errors = [GraphQLError(message, original_error=ValidationTimeout(message))]
            _cache[key] = errors
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
        else:
            _cache.move_to_end(key)
        context.pre_execution_errors = list(errors)
        yield
