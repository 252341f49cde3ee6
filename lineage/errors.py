"""One exception hierarchy. API and CLI map these to responses in one place each."""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "InvalidId",
    "LineageError",
    "NodeNotFound",
    "ParseError",
    "StoreError",
    "StoreNotEmpty",
    "StoreTimeout",
    "StoreUnavailable",
]


class LineageError(Exception):
    """Root of every error this project raises on purpose."""


class ConfigError(LineageError):
    """Settings, policy or catalog files that cannot be used as given."""


class InvalidId(LineageError, ValueError):
    """A node id that does not follow the id scheme (see :mod:`lineage.ids`)."""


class NodeNotFound(LineageError, KeyError):
    """A node id that is well formed but absent from the store."""

    def __init__(self, uid: str) -> None:
        super().__init__(uid)
        self.uid = uid

    def __str__(self) -> str:
        return f"no node {self.uid!r} in the store"


class StoreError(LineageError):
    """The store failed or refused an operation."""


class StoreUnavailable(StoreError):
    """The store's server cannot be reached (and could not be restarted): retry later."""


class StoreNotEmpty(StoreError):
    """A first-load (bulk) write asked of a store that already holds data."""


class StoreTimeout(StoreError):
    """A statement ran past the store timeout (``LINEAGE_STORE_TIMEOUT``)."""


class ParseError(LineageError):
    """An input that could not be parsed, with where and a snippet to show."""

    def __init__(
        self,
        message: str,
        *,
        path: str = "",
        line: int | None = None,
        column: int | None = None,
        snippet: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.snippet = snippet

    @property
    def where(self) -> str:
        loc = self.path or "<input>"
        if self.line is not None:
            loc += f":{self.line}"
            if self.column is not None:
                loc += f":{self.column}"
        return loc

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}"
        return f"{text}\n  {self.snippet}" if self.snippet else text
