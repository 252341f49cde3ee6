"""The embedded default store: FalkorDB in a server this process owns (see ``_server``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import redis
from falkordb import Graph

from lineage import ids
from lineage.errors import StoreError
from lineage.model import Edge, Kind, Node, Rel
from lineage.store import cypher, ddl
from lineage.store._literal import params_header
from lineage.store._server import ServerHandle, open_server
from lineage.store.base import (
    Direction,
    Neighbour,
    StoredEdge,
    StoredNode,
    count_graph,
    edge_row,
    node_row,
)

__all__ = ["FalkorStore"]

GRAPH = "lineage"
_SCHEMA_VERSION = ddl.SCHEMA_VERSION


class FalkorStore:
    """Store on embedded FalkorDB. One process owns the server; others join as guests."""

    def __init__(self, path: str | Path) -> None:
        self.root = Path(path).resolve()
        self.location = str(self.root)
        self._server: ServerHandle = open_server(self.root)
        self._graph = Graph(self._server.client, GRAPH)
        self._pending: list[tuple[str, dict[str, Any]]] | None = None
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
        self._server.stop()

    def __enter__(self) -> FalkorStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- raw statements --------------------------------------------------------------
    def query(
        self, statement: str, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        try:
            result = self._graph.ro_query(params_header(params) + statement)
        except redis.ResponseError as exc:
            raise StoreError(f"query failed: {exc}") from exc
        return _rows(result)

    def execute(
        self, statement: str, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        if self._pending is not None:
            self._pending.append((statement, dict(params or {})))
            return []
        try:
            return _rows(self._graph.query(params_header(params) + statement))
        except redis.ResponseError as exc:
            raise StoreError(f"write failed: {exc}") from exc

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
        pipe = self._server.client.pipeline(transaction=True)
        for statement, params in pending:
            header = params_header(params)
            pipe.execute_command("GRAPH.QUERY", GRAPH, header + statement, "--compact")
        try:
            results = pipe.execute(raise_on_error=False)
        except redis.RedisError as exc:
            raise StoreError(f"batch failed, nothing committed: {exc}") from exc
        errors = [r for r in results if isinstance(r, Exception)]
        if errors:  # MULTI/EXEC does not roll back; surface it loudly
            raise StoreError(f"batch partly failed: {errors[0]}")

    # -- writes ----------------------------------------------------------------------
    def upsert_nodes(self, nodes: Sequence[Node], *, seen: str) -> None:
        by_kind: dict[Kind, list[dict[str, Any]]] = defaultdict(list)
        for node in nodes:
            by_kind[node.kind].append(node_row(node, seen))
        for kind, rows in by_kind.items():
            self.execute(cypher.UPSERT_NODES[kind], {"rows": rows})

    def ensure_nodes(self, uids: Iterable[str]) -> None:
        by_kind: dict[Kind, list[dict[str, Any]]] = defaultdict(list)
        for uid in uids:
            parsed = ids.parse(uid)
            by_kind[parsed.kind].append(
                {
                    "uid": uid,
                    "kind": parsed.kind.value,
                    "name": parsed.display,
                    "namespace": parsed.namespace,
                }
            )
        for kind, rows in by_kind.items():
            self.execute(cypher.ENSURE_NODES[kind], {"rows": rows})

    def upsert_edges(self, edges: Sequence[Edge], *, seen: str) -> None:
        by_rel: dict[Rel, list[dict[str, Any]]] = defaultdict(list)
        for edge in edges:
            by_rel[edge.rel].append(edge_row(edge, seen))
        for rel, rows in by_rel.items():
            self.execute(cypher.UPSERT_EDGES[rel], {"rows": rows})

    def restore_nodes(self, nodes: Iterable[StoredNode]) -> None:
        by_kind: dict[Kind, list[dict[str, Any]]] = defaultdict(list)
        for n in nodes:
            by_kind[n.kind].append(
                {
                    "uid": n.uid,
                    "kind": n.kind.value,
                    "name": n.name,
                    "namespace": n.namespace,
                    "labels": list(n.labels),
                    "props": dict(n.props),
                }
            )
        for kind, rows in by_kind.items():
            self.execute(cypher.RESTORE_NODES[kind], {"rows": rows})

    def restore_edges(self, edges: Iterable[StoredEdge]) -> None:
        by_rel: dict[Rel, list[dict[str, Any]]] = defaultdict(list)
        for e in edges:
            by_rel[e.rel].append({"src": e.src, "dst": e.dst, "key": e.key, "props": dict(e.props)})
        for rel, rows in by_rel.items():
            self.execute(cypher.RESTORE_EDGES[rel], {"rows": rows})

    def delete_nodes(self, uids: Iterable[str]) -> int:
        rows = self.execute(cypher.DELETE_NODES, {"uids": list(uids)})
        return int(rows[0]["deleted"]) if rows else 0

    def delete_edges(self, edges: Iterable[tuple[str, Rel, str, str]]) -> int:
        by_rel: dict[Rel, list[dict[str, str]]] = defaultdict(list)
        for src, rel, dst, key in edges:
            by_rel[Rel(rel)].append({"src": src, "dst": dst, "key": key})
        total = 0
        for rel, rows in by_rel.items():
            out = self.execute(cypher.DELETE_EDGES[rel], {"rows": rows})
            total += int(out[0]["deleted"]) if out else 0
        return total

    def set_props(self, uid: str, props: Mapping[str, Any]) -> None:
        self.execute(cypher.SET_PROPS, {"uid": uid, "props": dict(props)})

    def clear(self) -> None:
        with suppress(redis.ResponseError):  # no graph yet
            self._graph.delete()
        self._server.client.delete("lineage:schema_version")
        self._graph = Graph(self._server.client, GRAPH)
        self._ensure_schema()

    # -- reads -----------------------------------------------------------------------
    def get_node(self, uid: str) -> StoredNode | None:
        rows = self.query(cypher.GET_NODE, {"uid": uid})
        return StoredNode.from_props(rows[0]["props"]) if rows else None

    def neighbours(
        self, uid: str, *, direction: Direction = "both", rels: Iterable[Rel] | None = None
    ) -> list[Neighbour]:
        wanted = {Rel(r) for r in rels} if rels is not None else None
        out: list[Neighbour] = []
        for statement, outgoing in ((cypher.OUT_EDGES, True), (cypher.IN_EDGES, False)):
            if direction == ("in" if outgoing else "out"):
                continue
            for row in self.query(statement, {"uid": uid}):
                if wanted is not None and Rel(row["rel"]) not in wanted:
                    continue
                other = StoredNode.from_props(row["other"])
                src, dst = (uid, other.uid) if outgoing else (other.uid, uid)
                out.append(
                    Neighbour(StoredEdge.from_row(src, row["rel"], dst, row["props"]), other)
                )
        return out

    def iter_nodes(self, page: int = 5000) -> Iterator[StoredNode]:
        after = ""
        while True:
            rows = self.query(cypher.PAGE_NODES, {"after": after, "limit": page})
            for row in rows:
                yield StoredNode.from_props(row["props"])
            if len(rows) < page:
                return
            after = rows[-1]["props"]["uid"]

    def iter_edges(self, page: int = 2000) -> Iterator[StoredEdge]:
        """Edges grouped by source node (pages of ``page`` source nodes)."""
        after = ""
        while True:
            uids = [
                r["props"]["uid"]
                for r in self.query(cypher.PAGE_NODES, {"after": after, "limit": page})
            ]
            if not uids:
                return
            rows = self.query(cypher.PAGE_EDGES, {"after": after, "limit": page})
            for row in sorted(
                rows, key=lambda r: (r["src"], r["rel"], r["dst"], r["props"].get("key", ""))
            ):
                yield StoredEdge.from_row(row["src"], row["rel"], row["dst"], row["props"])
            if len(uids) < page:
                return
            after = uids[-1]

    def counts(self) -> dict[str, int]:
        return count_graph(self)


def _rows(result: Any) -> list[dict[str, Any]]:
    header = [h[1] if isinstance(h, (list, tuple)) else h for h in (result.header or [])]
    return [dict(zip(header, row, strict=True)) for row in result.result_set]
