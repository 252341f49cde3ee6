"""The schema catalog: which columns a table has, so ``SELECT *`` can be expanded.

Columns come from three places, in this order of trust: DDL and CTAS earlier in the same
script (learned as statements are read), datasets already in the graph (their ``fields``
and ``field_types``), and a JSON file ``{"table": ["col", ...]}`` or
``{"table": {"col": "type"}}``. Lookups are case-insensitive; a name that is not found
fully qualified is tried by its trailing parts (``db.schema.t`` matches a ``schema.t`` or
``t`` entry) when that is unambiguous.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ingest.sql.names import name_key
from lineage.errors import ConfigError

__all__ = ["Catalog", "CatalogInput"]

type CatalogInput = Mapping[str, Sequence[str] | Mapping[str, str]]


class Catalog:
    """Ordered columns (and type strings, "" when unknown) per table."""

    def __init__(self, tables: CatalogInput | None = None) -> None:
        self._tables: dict[str, list[tuple[str, str]]] = {}
        self._by_suffix: dict[str, set[str]] = {}
        for name, columns in (tables or {}).items():
            if isinstance(columns, Mapping):
                self.add(name, list(columns), [str(t or "") for t in columns.values()])
            else:
                self.add(name, list(columns))

    @classmethod
    def from_file(cls, path: str | Path) -> Catalog:
        """Load ``{"table": [cols]}`` or ``{"table": {col: type}}``. Raises ConfigError."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"schema file {path}: {exc}") from None
        if not isinstance(data, dict) or not all(
            isinstance(v, (list, dict)) for v in data.values()
        ):
            raise ConfigError(
                f'schema file {path}: expected {{"table": ["col", ...]}} '
                'or {"table": {"col": "type"}}'
            )
        return cls(data)

    def copy(self) -> Catalog:
        other = Catalog()
        other._tables = {k: list(v) for k, v in self._tables.items()}
        other._by_suffix = {k: set(v) for k, v in self._by_suffix.items()}
        return other

    def __len__(self) -> int:
        return len(self._tables)

    def __contains__(self, name: str) -> bool:
        return self._find(name) is not None

    def add(self, name: str, columns: Iterable[str], types: Iterable[str] | None = None) -> None:
        """Record (or replace) a table's columns."""
        cols = [c for c in columns if c and c != "*"]
        typs = list(types) if types is not None else []
        key = name_key(name)
        self._tables[key] = [(c, typs[i] if i < len(typs) else "") for i, c in enumerate(cols)]
        parts = key.split(".")
        for i in range(1, len(parts)):
            self._by_suffix.setdefault(".".join(parts[i:]), set()).add(key)

    def _find(self, name: str) -> str | None:
        key = name_key(name)
        if key in self._tables:
            return key
        candidates = self._by_suffix.get(key, set())
        if len(candidates) == 1:
            return next(iter(candidates))
        parts = key.split(".")
        for i in range(1, len(parts)):  # reference more qualified than the entry
            tail = ".".join(parts[i:])
            if tail in self._tables:
                return tail
        return None

    def columns(self, name: str) -> list[str] | None:
        """The table's columns in order, or None when the catalog does not know it."""
        key = self._find(name)
        return None if key is None else [c for c, _ in self._tables[key]]

    def types(self, name: str) -> list[str] | None:
        key = self._find(name)
        return None if key is None else [t for _, t in self._tables[key]]

    def as_dict(self) -> dict[str, list[str]]:
        return {k: [c for c, _ in v] for k, v in self._tables.items()}
