"""The embedded default store: FalkorDB in a server this process owns (see ``_server``).

Failure handling, so that a store that fails is healed or says so:

* a lost connection (the server died or was killed) is healed once per call: the server is
  restarted from its append-only file, adopted, or (for a guest) rejoined, and the statement
  is retried; writes are idempotent MERGEs and a transaction is in the append-only file
  whole or not at all, so the retry cannot apply anything twice;
* if healing fails, :class:`~lineage.errors.StoreUnavailable` is raised at once on every
  call (no client-side back-off) and healing is tried again at most once a second;
* one statement timeout (``LINEAGE_STORE_TIMEOUT``, read by
  :func:`lineage.store.open_store`): reads are cut by FalkorDB's own ``TIMEOUT``; the
  socket waits that long plus a margin, and writes (never cut half-way by the server) at
  least :data:`BATCH_TIMEOUT`; a timeout raises :class:`~lineage.errors.StoreTimeout`
  naming the statement;
* rows are written in statements of at most :data:`ROWS_PER_STATEMENT` rows, so a huge event
  never becomes one statement with a giant parameter list.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import redis
from falkordb import Graph

from lineage.errors import StoreError, StoreNotEmpty, StoreTimeout, StoreUnavailable
from lineage.model import Edge, Kind, Node, Rel
from lineage.store import cypher, ddl, falkor_bulk
from lineage.store._literal import params_header
from lineage.store._server import ServerHandle, open_server
from lineage.store.base import (
    CypherReads,
    StoredEdge,
    StoredNode,
    edge_key_rows,
    edge_rows,
    node_rows,
    restore_edge_rows,
    restore_node_rows,
    stub_rows,
)

__all__ = ["BATCH_TIMEOUT", "ROWS_PER_STATEMENT", "FalkorStore"]

GRAPH = "lineage"
# Bumped by every committed write, by any process on this server: an in-process cache of the
# graph (queries.graph_index) compares it to know whether it still holds the store's state.
VERSION_KEY = "lineage:version"
_SCHEMA_VERSION = ddl.SCHEMA_VERSION
BATCH_TIMEOUT = 600.0  # seconds: the default for batch work, and the floor for writes
ROWS_PER_STATEMENT = 5000
_HEAL_EVERY = 1.0


def _what(statement: str) -> str:
    """The statement in a few words, for an error message (no parameter values)."""
    text = " ".join(statement.split())
    return text if len(text) <= 80 else text[:77] + "..."


class FalkorStore(CypherReads):
    """Store on embedded FalkorDB. One process owns the server; others join as guests."""

    def __init__(self, path: str | Path, *, timeout: float | None = None) -> None:
        self.root = Path(path).resolve()
        self.location = str(self.root)
        self.timeout = timeout if timeout is not None else BATCH_TIMEOUT
        socket_wait = max(self.timeout, BATCH_TIMEOUT)
        self._server: ServerHandle = open_server(self.root, timeout=socket_wait)
        self._graph = Graph(self._server.client, GRAPH)
        self._pending: list[tuple[str, dict[str, Any]]] | None = None
        self._down: str | None = None  # why the server cannot be reached, while it cannot
        self._heal_at = 0.0
        self._ensure_schema()

    # -- lifecycle -------------------------------------------------------------------
    def _ensure_schema(self) -> None:
        client = self._server.client
        if client.get("lineage:schema_version") == str(_SCHEMA_VERSION):
            return
        first, *per_kind = ddl.FALKOR_INDEXES
        try:
            self._graph.query(first)
        except redis.ResponseError as exc:
            if "already indexed" not in str(exc):
                raise StoreError(f"cannot create the uid index: {exc}") from exc
        try:
            client.execute_command("GRAPH.CONSTRAINT", "CREATE", GRAPH, *ddl.FALKOR_CONSTRAINT)
        except redis.ResponseError as exc:
            if "already exists" not in str(exc).lower():
                raise StoreError(f"cannot create the uid constraint: {exc}") from exc
        for statement in per_kind:  # kind-label indexes make `MATCH (n:Endpoint ...)` cheap
            with suppress(redis.ResponseError):
                self._graph.query(statement)
        client.set("lineage:schema_version", str(_SCHEMA_VERSION))

    def close(self) -> None:
        self._down = "the store is closed"
        self._heal_at = float("inf")  # never revived behind the caller's back
        self._server.stop()

    def __enter__(self) -> FalkorStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- health ----------------------------------------------------------------------
    @property
    def unavailable(self) -> str | None:
        """Why the store cannot be reached right now (None when it can)."""
        return self._down

    def check(self) -> None:
        """Ping the server, healing it if it went away; raise StoreUnavailable if it cannot be
        healed (``/healthz``, ``/readyz`` and the write guard of ``serve`` call this)."""
        # A lambda: after a heal, the client is a new one.
        self._call("ping", lambda: self._server.client.ping())  # noqa: PLW0108

    def _heal(self, exc: BaseException) -> None:
        now = time.monotonic()
        if self._down is not None and now < self._heal_at:
            raise StoreUnavailable(f"the embedded store is unavailable: {self._down}") from exc
        self._heal_at = now + _HEAL_EVERY
        try:
            self._server.revive()
        except (StoreError, OSError, redis.RedisError) as failed:
            self._down = str(failed) or type(failed).__name__
            raise StoreUnavailable(
                f"the embedded store stopped answering ({exc}) and could not be restarted: "
                f"{self._down}"
            ) from failed
        self._graph = Graph(self._server.client, GRAPH)
        self._down = None

    def _call[T](self, what: str, run: Callable[[], T]) -> T:
        """Run one round trip; heal a lost connection once and retry; say what timed out."""
        if self._down is not None:
            self._heal(ConnectionError(self._down))
        for attempt in (0, 1):
            try:
                return run()
            except redis.TimeoutError as exc:
                raise StoreTimeout(
                    f"{what}: no answer within {self.timeout:.0f} s (LINEAGE_STORE_TIMEOUT); "
                    "a write may still complete in the store and is safe to repeat"
                ) from exc
            except redis.ResponseError as exc:
                if "timed out" in str(exc).lower():
                    raise StoreTimeout(
                        f"{what}: stopped after {self.timeout:.0f} s (LINEAGE_STORE_TIMEOUT)"
                    ) from exc
                raise
            except (redis.ConnectionError, OSError) as exc:
                if attempt:
                    self._down = str(exc)
                    raise StoreUnavailable(
                        f"{what}: the embedded store does not answer: {exc}"
                    ) from exc
                self._heal(exc)
        raise AssertionError("unreachable")

    # -- raw statements --------------------------------------------------------------
    def query(
        self, statement: str, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        text = _encoded(statement, params)
        ms = max(1, int(self.timeout * 1000))
        try:
            result = self._call(
                f"read {_what(statement)!r}", lambda: self._graph.ro_query(text, timeout=ms)
            )
        except redis.ResponseError as exc:
            raise StoreError(f"query failed: {exc}") from exc
        return _rows(result)

    def query_values(
        self, statement: str, params: Mapping[str, Any] | None = None
    ) -> list[list[Any]]:
        """Run a read statement; rows as positional lists of plain values (ints, strings,
        floats, booleans, null, lists of them). For bulk reads: the compact reply is decoded
        here without the client's per-cell object model, several times faster."""
        text = _encoded(statement, params)
        ms = max(1, int(self.timeout * 1000))
        try:
            raw = self._call(
                f"read {_what(statement)!r}",
                lambda: self._server.client.execute_command(
                    "GRAPH.RO_QUERY", GRAPH, text, "--compact", "timeout", ms
                ),
            )
        except redis.ResponseError as exc:
            raise StoreError(f"query failed: {exc}") from exc
        if len(raw) < 3:
            return []
        return [[_value(cell) for cell in row] for row in raw[1]]

    def query_many(
        self, reads: Sequence[tuple[str, Mapping[str, Any] | None]]
    ) -> tuple[int, list[list[dict[str, Any]]]]:
        """The write counter and several reads of plain values, in one atomic round trip
        (MULTI/EXEC): a caller holding a copy of the graph checks its version and reads the
        rest from the very state it was checked against."""
        pipe = self._server.client.pipeline(transaction=True)
        pipe.get(VERSION_KEY)
        for statement, params in reads:
            header = params_header(params)
            pipe.execute_command("GRAPH.RO_QUERY", GRAPH, header + statement, "--compact")
        try:
            version, *replies = pipe.execute()
        except redis.ResponseError as exc:
            raise StoreError(f"query failed: {exc}") from exc
        except (redis.RedisError, OSError) as exc:
            raise StoreError(f"the embedded store does not answer: {exc}") from exc
        out: list[list[dict[str, Any]]] = []
        for raw in replies:
            header = [h[1] for h in raw[0]] if len(raw) >= 3 else []
            rows = raw[1] if len(raw) >= 3 else []
            out.append([dict(zip(header, map(_value, row), strict=True)) for row in rows])
        return int(version or 0), out

    def execute(
        self, statement: str, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        if self._pending is not None:
            self._pending.append((statement, dict(params or {})))
            return []
        text = _encoded(statement, params)
        try:
            rows = _rows(self._call(f"write {_what(statement)!r}", lambda: self._graph.query(text)))
            self._call("count the write", lambda: self._server.client.incr(VERSION_KEY))
        except redis.ResponseError as exc:
            raise StoreError(f"write failed: {exc}") from exc
        return rows

    def version(self) -> int:
        """How many writes this store has committed (all processes): equal means unchanged."""
        return int(
            self._call("read the write count", lambda: self._server.client.get(VERSION_KEY)) or 0
        )

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Buffer writes and commit them atomically (MULTI/EXEC) at the end of the block.

        Reads inside the block do not see the buffered writes. Nested blocks join the outer.
        """
        if self._pending is not None:
            yield
            return
        self._pending = []
        try:
            yield
            pending, self._pending = self._pending, None
            self._commit(pending)
        finally:
            self._pending = None

    def _commit(self, pending: list[tuple[str, dict[str, Any]]]) -> None:
        if not pending:
            return

        try:  # encode every statement first: a value the store cannot hold stops the batch
            texts = [params_header(params) + statement for statement, params in pending]
        except (ValueError, TypeError) as exc:  # before anything was sent
            raise StoreError(f"batch refused, nothing committed: {exc}") from exc

        def run() -> list[Any]:
            pipe = self._server.client.pipeline(transaction=True)
            for text in texts:
                pipe.execute_command("GRAPH.QUERY", GRAPH, text, "--compact")
            pipe.incr(VERSION_KEY)
            return pipe.execute(raise_on_error=False)

        what = f"a batch of {len(pending)} write statements"
        try:
            results = self._call(what, run)
        except StoreUnavailable as exc:
            # Whether the server ran it before the connection broke is unknown; the writes
            # are idempotent, so applying the batch again is safe.
            raise StoreUnavailable(f"batch not confirmed (safe to repeat): {exc}") from exc
        except redis.ResponseError as exc:  # EXECABORT: the server ran none of it
            raise StoreError(f"batch failed, nothing committed: {exc}") from exc
        except redis.RedisError as exc:
            raise StoreError(f"batch not confirmed (safe to repeat): {exc}") from exc
        results = results[: len(texts)]  # the last reply is the write count's
        errors = [r for r in results if isinstance(r, Exception)]
        if errors:  # MULTI/EXEC does not roll back: say so, never "nothing committed"
            raise StoreError(
                f"batch partly failed ({len(errors)} of {len(results)} statements; the "
                f"others are committed): {errors[0]}"
            )

    # -- writes ----------------------------------------------------------------------
    def _each(self, statements: Mapping[Any, str], grouped: Mapping[Any, list[Any]]) -> None:
        """One statement per group and per :data:`ROWS_PER_STATEMENT` rows: a bounded
        parameter list and a bounded run time for each, however large the batch."""
        for key, rows in grouped.items():
            for at in range(0, len(rows), ROWS_PER_STATEMENT):
                self.execute(statements[key], {"rows": rows[at : at + ROWS_PER_STATEMENT]})

    def upsert_nodes(self, nodes: Sequence[Node], *, seen: str) -> None:
        self._each(cypher.UPSERT_NODES, node_rows(nodes, seen))

    def ensure_nodes(self, uids: Iterable[str]) -> None:
        self._each(cypher.ENSURE_NODES, stub_rows(uids))

    def upsert_edges(self, edges: Sequence[Edge], *, seen: str) -> None:
        self._each(cypher.UPSERT_EDGES, edge_rows(edges, seen))

    def restore_nodes(self, nodes: Iterable[StoredNode]) -> None:
        self._each(cypher.RESTORE_NODES, restore_node_rows(nodes))

    def restore_edges(self, edges: Iterable[StoredEdge]) -> None:
        self._each(cypher.RESTORE_EDGES, restore_edge_rows(edges))

    def delete_nodes(self, uids: Iterable[str]) -> int:
        rows = self.execute(cypher.DELETE_NODES, {"uids": list(uids)})
        return int(rows[0]["deleted"]) if rows else 0

    def delete_edges(self, edges: Iterable[tuple[str, Rel, str, str]]) -> int:
        total = 0
        for rel, rows in edge_key_rows(edges).items():
            out = self.execute(cypher.DELETE_EDGES[rel], {"rows": rows})
            total += int(out[0]["deleted"]) if out else 0
        return total

    def set_props(self, uid: str, props: Mapping[str, Any]) -> None:
        self.execute(cypher.SET_PROPS, {"uid": uid, "props": dict(props)})

    def is_empty(self) -> bool:
        """Whether the graph holds no node at all (assets, findings, audit entries)."""
        rows = self.query("MATCH (n) RETURN count(n) AS n")
        return not rows or int(rows[0]["n"]) == 0

    def bulk_create(
        self,
        nodes: Sequence[Mapping[str, Any]],
        edges: Sequence[tuple[Rel | str, str, str, Mapping[str, Any]]],
    ) -> None:
        """Create every node (all its properties, ``uid`` and ``kind`` among them) and edge
        ``(rel, src uid, dst uid, props)`` in an empty store, through ``GRAPH.BULK``.

        Raises :class:`StoreNotEmpty` if the store holds anything: bulk insert only creates,
        so it could duplicate what is there. On failure the store is left empty.
        """
        if not self.is_empty():
            raise StoreNotEmpty(f"store {self.location} is not empty: bulk load refused")
        index: dict[str, int] = {}
        records = []
        for props in sorted(nodes, key=lambda p: p["kind"]):  # one token per kind
            labels = _BULK_LABELS.get(props["kind"])
            if labels is None:
                raise StoreError(f"bulk load: node {props['uid']!r} has no known kind")
            if props["uid"] in index:
                raise StoreError(f"bulk load names node {props['uid']!r} twice")
            index[props["uid"]] = len(records)
            records.append(falkor_bulk.BulkNode(labels, props))
        links = []
        edge = falkor_bulk.BulkEdge
        for rel, src, dst, props in edges:
            a, b, name = index.get(src), index.get(dst), _BULK_RELS.get(rel)
            if a is None or b is None or name is None:
                raise StoreError(f"bulk load: edge {src!r} -[{rel}]-> {dst!r} names no node")
            links.append(edge(name, a, b, props))
        # A fresh graph: node ids count from 0 (one that held nodes reuses deleted ids).
        self.clear()
        try:
            falkor_bulk.send(self._server.client, GRAPH, records, links)
        except (StoreError, ValueError, TypeError) as exc:
            self.clear()
            raise StoreError(f"bulk load failed, store left empty: {exc}") from exc
        self._call("count the write", lambda: self._server.client.incr(VERSION_KEY))
        self._server.compact(force=True)

    def clear(self) -> None:
        with suppress(redis.ResponseError):  # no graph yet
            self._graph.delete()
        self._server.client.delete("lineage:schema_version")
        self._server.client.incr(VERSION_KEY)
        self._graph = Graph(self._server.client, GRAPH)
        self._ensure_schema()


# Kind and Rel are StrEnums: these also answer for the members themselves.
_BULK_LABELS = {kind.value: f"Asset:{kind.value}" for kind in Kind}
_BULK_RELS = {rel.value: rel.value for rel in Rel}

_SCALAR = {1: lambda v: v, 2: lambda v: v, 3: int, 5: float, 4: lambda v: v == "true"}


def _value(cell: list[Any]) -> Any:
    """One compact-protocol cell (``[type, value]``) as a plain value."""
    kind, value = cell
    if kind == 6:
        return [_value(c) for c in value]
    if kind == 10:
        return {value[i]: _value(value[i + 1]) for i in range(0, len(value), 2)}
    convert = _SCALAR.get(kind)
    if convert is None:
        raise StoreError(f"query_values reads plain values only, not type {kind}")
    return convert(value)


def _encoded(statement: str, params: Mapping[str, Any] | None) -> str:
    try:
        return params_header(params) + statement
    except (ValueError, TypeError) as exc:
        raise StoreError(f"{_what(statement)!r} not sent: {exc}") from exc


def _rows(result: Any) -> list[dict[str, Any]]:
    header = [h[1] if isinstance(h, (list, tuple)) else h for h in (result.header or [])]
    return [dict(zip(header, row, strict=True)) for row in result.result_set]
