"""A recording stand-in for the *driver's* interfaces the store uses (not a Bolt server).

``neo4j.Driver.session(**config)`` -> a session with ``execute_write(fn, *args)`` /
``execute_read(fn, *args)`` that calls ``fn`` with a transaction whose ``run(query,
parameters)`` returns a result with ``.data()``: exactly the surface of neo4j 5/6 that
:class:`lineage.store.neo4j.Neo4jStore` touches. Each call to ``execute_*`` is recorded as
one transaction; ``failures`` are real driver exceptions raised by the next ``execute_write``
calls, standing for the error the driver gives up with after its own retries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lineage.store import ddl

__all__ = ["RecordedTx", "RecordingDriver"]


@dataclass
class RecordedTx:
    mode: str
    database: str | None
    runs: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


class _Result:
    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self._rows = rows

    def data(self) -> list[dict[str, Any]]:
        return list(self._rows)

    def consume(self) -> None:
        return None


class _Tx:
    def __init__(self, record: RecordedTx, answer: Callable[[str, dict], list[dict]]) -> None:
        self._record = record
        self._answer = answer

    def run(self, query: str, parameters: dict[str, Any] | None = None) -> _Result:
        params = dict(parameters or {})
        self._record.runs.append((query, params))
        return _Result(self._answer(query, params))


class _Session:
    def __init__(self, driver: RecordingDriver, config: dict[str, Any]) -> None:
        self._driver = driver
        self.config = config

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def _execute(self, mode: str, fn: Callable[..., Any], *args: Any) -> Any:
        record = RecordedTx(mode, self.config.get("database"))
        if mode == "WRITE" and self._driver.failures:
            raise self._driver.failures.pop(0)
        result = fn(_Tx(record, self._driver.answer), *args)
        self._driver.transactions.append(record)
        return result

    def execute_write(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self._execute("WRITE", fn, *args)

    def execute_read(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self._execute("READ", fn, *args)


class RecordingDriver:
    """Records every managed transaction; answers the schema-version read and deletes."""

    def __init__(self, schema_version: int | None = ddl.SCHEMA_VERSION) -> None:
        self.schema_version = schema_version
        self.transactions: list[RecordedTx] = []
        self.failures: list[Exception] = []
        self.sessions: list[dict[str, Any]] = []
        self.closed = False

    def session(self, **config: Any) -> _Session:
        self.sessions.append(config)
        return _Session(self, config)

    def close(self) -> None:
        self.closed = True

    def answer(self, query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        if query == ddl.READ_SCHEMA_VERSION:
            return [] if self.schema_version is None else [{"version": self.schema_version}]
        if "RETURN count(e) AS deleted" in query:
            return [{"deleted": len(params["rows"])}]
        if "RETURN count(n) AS deleted" in query:
            return [{"deleted": len(params["uids"])}]
        return []

    @property
    def writes(self) -> list[RecordedTx]:
        return [t for t in self.transactions if t.mode == "WRITE"]
