"""The production store: Neo4j 5 over Bolt, with the same write-path Cypher as the embedded one.

Every write is a *managed* transaction (``execute_write``): the driver retries it on transient
errors (deadlocks between concurrent MERGEs, leader switches, a cluster member going away)
for up to ``neo4j_retry_seconds``, so the unit of work must be idempotent: it is, since it is a
list of MERGE statements replayed from the start in a fresh transaction. Reads are managed
read transactions, which a ``neo4j://`` (routing) URI sends to followers and read replicas.

Writes are UNWIND statements over row chunks of ``neo4j_batch_rows``, rows sorted by id so
that concurrent writers take node locks in the same order (fewer deadlocks). ``batch()``
buffers everything written inside it and commits it as *one* transaction at the end.

All sessions of a store share one bookmark manager, so a process reads its own writes even
when the read goes to a replica (causal consistency). Credentials come from settings only:
never from the URI, never in ``repr`` or error messages.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final, LiteralString, cast
from urllib.parse import urlsplit

import neo4j
from neo4j import exceptions as nx

from lineage.errors import ConfigError, StoreError
from lineage.model import Edge, Node, Rel
from lineage.settings import Settings
from lineage.store import cypher, ddl
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
from lineage.timeutil import now_iso

if TYPE_CHECKING:
    from lineage.store.neo4j_eventlog import Neo4jEventLog

__all__ = ["SCHEMES", "Neo4jStore", "plan_rows", "store_error"]

SCHEMES: Final = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")
_USER_AGENT: Final = "ai-spm-lineage/0.1"
_CLEAR_CHUNK: Final = 10_000

type Work = list[tuple[str, dict[str, Any]]]


def plan_rows(
    statement: str, rows: Sequence[dict[str, Any]], size: int, *, key: str = "uid"
) -> Work:
    """Split ``rows`` into UNWIND chunks of at most ``size``, sorted by ``key`` (lock order)."""
    ordered = sorted(rows, key=lambda r: tuple(str(r.get(k, "")) for k in key.split(",")))
    return [
        (statement, {"rows": ordered[start : start + size]})
        for start in range(0, len(ordered), size)
    ]


def store_error(
    exc: Exception, where: str, *, writing: bool, user: str | None = None
) -> StoreError | ConfigError:
    """Map a driver error to ours: what failed, the server's code, never a credential."""
    tail = " Nothing was committed." if writing else ""
    if isinstance(exc, nx.AuthError):
        who = f"user {user!r}" if user else "no credentials (set LINEAGE_NEO4J_USER/PASSWORD)"
        return StoreError(f"Neo4j at {where} refused {who} ({exc.code}).{tail}")
    if isinstance(exc, (nx.ServiceUnavailable, nx.SessionExpired)):
        return StoreError(f"Neo4j at {where} is unreachable: {exc}.{tail}")
    if isinstance(exc, nx.ConfigurationError):
        return ConfigError(f"Neo4j at {where}: {exc}")
    if isinstance(exc, nx.TransientError):
        return StoreError(
            f"Neo4j at {where} kept failing transiently after retries ({exc.code}): "
            f"{exc.message}.{tail}"
        )
    if isinstance(exc, nx.Neo4jError):
        return StoreError(
            f"Neo4j at {where} refused the statement ({exc.code}): {exc.message}.{tail}"
        )
    return StoreError(f"Neo4j at {where}: {type(exc).__name__}: {exc}.{tail}")


def _run_all(tx: neo4j.ManagedTransaction, work: Work) -> list[list[dict[str, Any]]]:
    """The unit of work for ``execute_write``: every statement, in order, in one transaction.

    Pure replay of ``work``: safe for the driver to call again after a transient failure.
    """
    return [tx.run(cast(LiteralString, stmt), params).data() for stmt, params in work]


class Neo4jStore(CypherReads):
    """Store on a Neo4j 5 server or cluster. Stateless: any number of processes may share it."""

    def __init__(
        self,
        uri: str,
        *,
        settings: Settings | None = None,
        driver: neo4j.Driver | None = None,
    ) -> None:
        settings = settings or Settings.from_env()
        parts = urlsplit(uri)
        if parts.scheme not in SCHEMES:
            raise ConfigError(f"not a Neo4j URI (want one of {', '.join(SCHEMES)}): {uri!r}")
        if parts.username or parts.password:
            raise ConfigError(
                "put Neo4j credentials in LINEAGE_NEO4J_USER / LINEAGE_NEO4J_PASSWORD "
                "(or LINEAGE_NEO4J_TOKEN), not in the URI"
            )
        self.location = uri
        self.database = settings.neo4j_database or None
        self.batch_rows = settings.neo4j_batch_rows
        self._user = _user(settings)
        self._local = threading.local()
        self._driver = driver or neo4j.GraphDatabase.driver(
            uri,
            auth=_auth(settings),
            max_transaction_retry_time=settings.neo4j_retry_seconds,
            user_agent=_USER_AGENT,
        )
        self._bookmarks = neo4j.GraphDatabase.bookmark_manager()
        try:
            self._ensure_schema()
        except BaseException:
            self._driver.close()
            raise

    def __repr__(self) -> str:
        return f"Neo4jStore(location={self.location!r}, database={self.database!r})"

    # -- lifecycle -------------------------------------------------------------------
    def _session(self, mode: str) -> neo4j.Session:
        return self._driver.session(
            database=self.database, default_access_mode=mode, bookmark_manager=self._bookmarks
        )

    def _ensure_schema(self) -> None:
        """Create constraints and indexes once per schema version; refuse a newer graph.

        DDL runs only when the recorded version is missing or older, so replicas started with
        a user that may not change the schema still open a graph that is already set up.
        """
        rows = self._transact(neo4j.READ_ACCESS, [(ddl.READ_SCHEMA_VERSION, {})])[-1]
        found = int(rows[0]["version"]) if rows and rows[0]["version"] is not None else 0
        if found > ddl.SCHEMA_VERSION:
            raise StoreError(
                f"the graph at {self.location} has schema version {found}; this release knows "
                f"up to {ddl.SCHEMA_VERSION}: upgrade ai-spm-lineage before opening it"
            )
        if found == ddl.SCHEMA_VERSION:
            return
        for _name, statement in ddl.NEO4J_SCHEMA:  # schema and data may not share a transaction
            try:
                self._transact(neo4j.WRITE_ACCESS, [(statement, {})])
            except StoreError as exc:
                cause = exc.__cause__
                if not (
                    isinstance(cause, nx.Neo4jError) and cause.code in ddl.NEO4J_ALREADY_EXISTS
                ):
                    raise
        self._transact(
            neo4j.WRITE_ACCESS,
            [(ddl.WRITE_SCHEMA_VERSION, {"version": ddl.SCHEMA_VERSION, "at": now_iso()})],
        )

    def close(self) -> None:
        self._driver.close()

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ----------------------------------------------------------------
    def _transact(self, mode: str, work: Work) -> list[list[dict[str, Any]]]:
        """Run ``work`` as one managed transaction (retried on transient errors)."""
        if not work:
            return [[]]
        return self.run_transaction(_run_all, work, write=mode == neo4j.WRITE_ACCESS)

    def run_transaction[R](self, fn: Callable[..., R], *args: Any, write: bool = True) -> R:
        """Run ``fn(tx, *args)`` as one managed transaction, retried on transient errors.

        For logs kept beside the graph (:meth:`event_log`): ``fn`` must be safe to re-run.
        """
        mode = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
        try:
            with self._session(mode) as session:
                run = session.execute_write if write else session.execute_read
                return run(fn, *args)
        except (nx.Neo4jError, nx.DriverError) as exc:
            raise store_error(exc, self.location, writing=write, user=self._user) from exc

    def event_log(self) -> Neo4jEventLog:
        """The OpenLineage event log, kept in this Neo4j database (stateless service)."""
        from lineage.store.neo4j_eventlog import Neo4jEventLog

        return Neo4jEventLog(self)

    @property
    def _pending(self) -> Work | None:
        return getattr(self._local, "pending", None)

    def _write(self, work: Work) -> list[list[dict[str, Any]]]:
        """Write now (one transaction), or join the open ``batch()`` of this thread."""
        pending = self._pending
        if pending is not None:
            pending.extend(work)
            return [[] for _ in work]
        return self._transact(neo4j.WRITE_ACCESS, work)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Buffer this thread's writes and commit them as one transaction at the end.

        Reads inside the block do not see the buffered writes (as with the embedded store).
        Nested blocks join the outer one. If the block raises, nothing is sent.
        """
        if self._pending is not None:
            yield
            return
        self._local.pending = []
        try:
            yield
            work, self._local.pending = self._local.pending, None
            self._transact(neo4j.WRITE_ACCESS, work)
        finally:
            self._local.pending = None

    def query(
        self, statement: str, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        return self._transact(neo4j.READ_ACCESS, [(statement, dict(params or {}))])[-1]

    def execute(
        self, statement: str, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        return self._write([(statement, dict(params or {}))])[-1]

    # -- writes ----------------------------------------------------------------------
    def _grouped(self, statements: Mapping[Any, str], groups: Mapping[Any, list[dict]], key: str):
        work: Work = []
        for member in sorted(groups, key=lambda m: m.value):  # fixed order: fewer deadlocks
            work += plan_rows(statements[member], groups[member], self.batch_rows, key=key)
        return work

    def upsert_nodes(self, nodes: Sequence[Node], *, seen: str) -> None:
        self._write(self._grouped(cypher.UPSERT_NODES, node_rows(nodes, seen), "uid"))

    def ensure_nodes(self, uids: Iterable[str]) -> None:
        self._write(self._grouped(cypher.ENSURE_NODES, stub_rows(uids), "uid"))

    def upsert_edges(self, edges: Sequence[Edge], *, seen: str) -> None:
        self._write(self._grouped(cypher.UPSERT_EDGES, edge_rows(edges, seen), "src,dst,key"))

    def restore_nodes(self, nodes: Iterable[StoredNode]) -> None:
        self._write(self._grouped(cypher.RESTORE_NODES, restore_node_rows(nodes), "uid"))

    def restore_edges(self, edges: Iterable[StoredEdge]) -> None:
        self._write(self._grouped(cypher.RESTORE_EDGES, restore_edge_rows(edges), "src,dst,key"))

    def delete_nodes(self, uids: Iterable[str]) -> int:
        wanted = sorted(set(uids))
        work: Work = [
            (cypher.DELETE_NODES, {"uids": wanted[start : start + self.batch_rows]})
            for start in range(0, len(wanted), self.batch_rows)
        ]
        return sum(int(rows[0]["deleted"]) for rows in self._write(work) if rows)

    def delete_edges(self, edges: Iterable[tuple[str, Rel, str, str]]) -> int:
        results = self._write(
            self._grouped(cypher.DELETE_EDGES, edge_key_rows(edges), "src,dst,key")
        )
        return sum(int(rows[0]["deleted"]) for rows in results if rows)

    def set_props(self, uid: str, props: Mapping[str, Any]) -> None:
        self.execute(cypher.SET_PROPS, {"uid": uid, "props": dict(props)})

    def clear(self) -> None:
        """Delete every asset, in chunks (one huge DETACH DELETE can exhaust the server heap)."""
        while True:
            rows = self._transact(neo4j.WRITE_ACCESS, [(CLEAR_CHUNK, {"limit": _CLEAR_CHUNK})])
            if not rows[-1] or int(rows[-1][0]["deleted"]) == 0:
                return


CLEAR_CHUNK = """
MATCH (n:Asset)
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted"""


def _user(settings: Settings) -> str | None:
    if settings.neo4j_user:
        return settings.neo4j_user
    return "neo4j" if settings.neo4j_password is not None else None


def _auth(settings: Settings) -> neo4j.Auth | None:
    """Bearer token (SSO) or user/password; ``None`` for a server with auth disabled."""
    if settings.neo4j_token is not None and settings.neo4j_password is not None:
        raise ConfigError("set LINEAGE_NEO4J_TOKEN or LINEAGE_NEO4J_PASSWORD, not both")
    if settings.neo4j_token is not None:
        return neo4j.bearer_auth(settings.neo4j_token.get_secret_value())
    if settings.neo4j_password is not None:
        return neo4j.basic_auth(
            _user(settings) or "neo4j", settings.neo4j_password.get_secret_value()
        )
    return None
