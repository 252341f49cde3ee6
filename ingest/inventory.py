"""The approved-AI-asset registry, and marking discovered assets ``registered`` or not.

A registry is a YAML file the security team keeps::

    providers: [azure_openai]                 # every model from these providers
    models:
      - model:openai:gpt-4o-mini              # an exact id
      - "huggingface:BAAI/*"                  # namespace:name, shell-style globs
      - {provider: huggingface, name: "sentence-transformers/*"}
    endpoints:
      - "endpoint:gradio:*"
    vector_indexes:
      - {engine: qdrant, namespace: "qdrant://qdrant.internal:6333"}

Every Model, VectorIndex and Endpoint a scan discovers that the registry does not list is
``registered=false``: shadow AI. The file is read with the bounded safe YAML loader.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ingest.vector_config.load import read_config
from lineage.errors import ConfigError, ParseError
from lineage.model import Fact, Kind, Node

__all__ = ["AI_KINDS", "ApprovedRegistry", "Entry", "load_registry", "mark_registered"]

AI_KINDS = (Kind.MODEL, Kind.VECTOR_INDEX, Kind.ENDPOINT)


class Entry(BaseModel):
    """One approval; every field given must match (globs allowed)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    uid: str | None = Field(default=None, description="Whole id, e.g. model:openai:gpt-4o.")
    namespace: str | None = Field(
        default=None, description="Namespace, e.g. openai or qdrant://h:6333."
    )
    name: str | None = Field(
        default=None, description="Name: model name, collection, endpoint name."
    )
    provider: str | None = Field(
        default=None, description="Model provider (openai, huggingface...)."
    )
    engine: str | None = Field(default=None, description="Vector index engine (qdrant, chroma...).")

    @classmethod
    def parse(cls, raw: Any, prefix: str) -> Entry:
        if isinstance(raw, str):
            text = raw if raw.startswith(prefix) else f"{prefix}{raw}"
            return cls(uid=text)
        return cls.model_validate(raw)

    def matches(self, uid: str, namespace: str, name: str, props: Mapping[str, Any]) -> bool:
        wanted = {
            "uid": uid,
            "namespace": namespace,
            "name": name,
            "provider": str(props.get("provider", "")),
            "engine": str(props.get("engine", "")),
        }
        given = {k: v for k, v in self.model_dump().items() if v is not None}
        return bool(given) and all(fnmatch.fnmatchcase(wanted[k], v) for k, v in given.items())


class ApprovedRegistry(BaseModel):
    """What the organisation approved. An empty registry approves nothing."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    providers: tuple[str, ...] = Field(
        default=(), description="Providers whose models are approved."
    )
    models: tuple[Entry, ...] = Field(default=(), description="Approved models.")
    endpoints: tuple[Entry, ...] = Field(default=(), description="Approved endpoints.")
    vector_indexes: tuple[Entry, ...] = Field(default=(), description="Approved vector indexes.")

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> ApprovedRegistry:
        prefixes = {"models": "model:", "endpoints": "endpoint:", "vector_indexes": "vectorindex:"}
        data: dict[str, Any] = {"providers": tuple(raw.get("providers") or ())}
        unknown = set(raw) - {"providers", *prefixes}
        if unknown:
            raise ConfigError(f"unknown registry section(s): {sorted(unknown)}")
        for key, prefix in prefixes.items():
            items = raw.get(key) or []
            if not isinstance(items, list):
                raise ConfigError(f"registry section {key!r} must be a list")
            data[key] = tuple(Entry.parse(item, prefix) for item in items)
        return cls.model_validate(data)

    def approves(
        self, kind: Kind, uid: str, namespace: str, name: str, props: Mapping[str, Any]
    ) -> bool:
        if kind is Kind.MODEL:
            if props.get("provider") in self.providers:
                return True
            entries = self.models
        elif kind is Kind.ENDPOINT:
            entries = self.endpoints
        elif kind is Kind.VECTOR_INDEX:
            entries = self.vector_indexes
        else:
            return True
        return any(e.matches(uid, namespace, name, props) for e in entries)


def load_registry(path: str | Path) -> ApprovedRegistry:
    """Read a registry file. Raises :class:`ConfigError` saying what is wrong."""
    try:
        docs = read_config(path)
    except ParseError as exc:
        raise ConfigError(f"registry {exc}") from None
    raw = docs[0] if docs else {}
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"registry {path}: expected a mapping at the top level")
    try:
        return ApprovedRegistry.from_mapping(raw)
    except ValidationError as exc:
        raise ConfigError(f"registry {path}: {exc}") from None


def mark_registered(facts: Iterable[Fact], registry: ApprovedRegistry) -> Iterator[Fact]:
    """Pass facts through, setting ``registered`` on every AI asset node."""
    for fact in facts:
        if isinstance(fact, Node) and fact.kind in AI_KINDS:
            ok = registry.approves(fact.kind, fact.uid, fact.namespace, fact.name, fact.props)
            yield replace(fact, props={**fact.props, "registered": ok})
        else:
            yield fact
