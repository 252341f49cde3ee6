"""The store contract every backend implements, and the records it returns."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from lineage import ids
from lineage.model import Edge, Kind, Node, Rel
from lineage.store import cypher

__all__ = ["Direction", "Neighbour", "Store", "StoredEdge", "StoredNode", "edge_row", "node_row"]

type Direction = Literal["out", "in", "both"]

# Properties every node carries that are not free props in the export format.
NODE_CORE = ("uid", "kind", "name", "namespace", "labels")


@dataclass(frozen=True, slots=True)
class StoredNode:
    """A node as read back: core fields, effective sensitivity labels, every other property."""

    uid: str
    kind: Kind
    name: str
    namespace: str
    labels: tuple[str, ...] = ()
    props: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_props(cls, props: Mapping[str, Any]) -> StoredNode:
        rest = {k: v for k, v in props.items() if k not in NODE_CORE}
        return cls(
            uid=props["uid"],
            kind=Kind(props["kind"]),
            name=props.get("name", ""),
            namespace=props.get("namespace", ""),
            labels=tuple(props.get("labels") or ()),
            props=rest,
        )


@dataclass(frozen=True, slots=True)
class StoredEdge:
    src: str
    rel: Rel
    dst: str
    key: str = ""
    props: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_row(cls, src: str, rel: str, dst: str, props: Mapping[str, Any]) -> StoredEdge:
        rest = {k: v for k, v in props.items() if k != "key"}
        return cls(src, Rel(rel), dst, props.get("key", ""), rest)


@dataclass(frozen=True, slots=True)
class Neighbour:
    edge: StoredEdge
    node: StoredNode


type Rows[K] = dict[K, list[dict[str, Any]]]


def _grouped[K](pairs: Iterable[tuple[K, dict[str, Any]]]) -> Rows[K]:
    out: Rows[K] = {}
    for key, row in pairs:
        out.setdefault(key, []).append(row)
    return out


def node_rows(nodes: Iterable[Node], seen: str) -> Rows[Kind]:
    """Upsert rows grouped by kind (the kind is a label: one statement per kind)."""
    return _grouped((n.kind, node_row(n, seen)) for n in nodes)


def stub_rows(uids: Iterable[str]) -> Rows[Kind]:
    """Rows for bare nodes known only by id (edge endpoints): kind and names parsed from it."""
    rows = []
    for uid in uids:
        parsed = ids.parse(uid)
        row = {"uid": uid, "kind": parsed.kind.value, "name": parsed.display,
               "namespace": parsed.namespace}  # fmt: skip
        rows.append((parsed.kind, row))
    return _grouped(rows)


def edge_rows(edges: Iterable[Edge], seen: str) -> Rows[Rel]:
    return _grouped((e.rel, edge_row(e, seen)) for e in edges)


def restore_node_rows(nodes: Iterable[StoredNode]) -> Rows[Kind]:
    """Rows that write nodes exactly as exported (import, migrate, restore)."""
    return _grouped(
        (n.kind, {"uid": n.uid, "kind": n.kind.value, "name": n.name, "namespace": n.namespace,
                  "labels": list(n.labels), "props": dict(n.props)})
        for n in nodes
    )  # fmt: skip


def restore_edge_rows(edges: Iterable[StoredEdge]) -> Rows[Rel]:
    return _grouped(
        (e.rel, {"src": e.src, "dst": e.dst, "key": e.key, "props": dict(e.props)}) for e in edges
    )


def edge_key_rows(edges: Iterable[tuple[str, Rel, str, str]]) -> Rows[Rel]:
    """Rows naming edges to delete: (source, type, target, key), each edge once.

    An edge named twice would be deleted once but counted twice (both backends count the
    rows that matched), so the count would overstate what was removed.
    """
    unique = dict.fromkeys((s, Rel(rel), d, k) for s, rel, d, k in edges)
    return _grouped((rel, {"src": s, "dst": d, "key": k}) for s, rel, d, k in unique)


def node_row(node: Node, seen: str) -> dict[str, Any]:
    """The parameter row the node upsert statements expect."""
    return {
        "uid": node.uid,
        "kind": node.kind.value,
        "name": node.name,
        "namespace": node.namespace,
        "seen": node.observed_at or seen,
        "ref": node.source_ref,
        "props": dict(node.props),
    }


def edge_row(edge: Edge, seen: str) -> dict[str, Any]:
    """The parameter row the edge upsert statements expect."""
    return {
        "src": edge.src,
        "dst": edge.dst,
        "key": edge.key,
        "seen": edge.observed_at or seen,
        "ref": edge.source_ref,
        "props": dict(edge.props),
    }


class Store(Protocol):
    """What the pipeline, the queries and the API need from a graph store.

    Writes are idempotent (MERGE on ``uid``; edges on source, type, target and ``key``) and
    durable once the call returns. ``batch()`` groups writes into one atomic unit.
    """

    location: str

    def upsert_nodes(self, nodes: Sequence[Node], *, seen: str) -> None: ...

    def ensure_nodes(self, uids: Iterable[str]) -> None:
        """Create bare (stub) nodes for ids not yet present; never touches existing ones."""

    def upsert_edges(self, edges: Sequence[Edge], *, seen: str) -> None: ...

    def restore_nodes(self, nodes: Iterable[StoredNode]) -> None:
        """Write nodes exactly as given (import/restore); no first/last-seen arithmetic."""

    def restore_edges(self, edges: Iterable[StoredEdge]) -> None: ...

    def delete_nodes(self, uids: Iterable[str]) -> int: ...

    def delete_edges(self, edges: Iterable[tuple[str, Rel, str, str]]) -> int: ...

    def set_props(self, uid: str, props: Mapping[str, Any]) -> None: ...

    def get_node(self, uid: str) -> StoredNode | None: ...

    def neighbours(
        self, uid: str, *, direction: Direction = "both", rels: Iterable[Rel] | None = None
    ) -> list[Neighbour]: ...

    def query(
        self, statement: str, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Run a read statement; rows as dicts keyed by the RETURN aliases."""

    def execute(
        self, statement: str, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Run a write statement (within the current batch, if any)."""

    def batch(self) -> AbstractContextManager[None]: ...

    def iter_nodes(self, page: int = 5000) -> Iterator[StoredNode]: ...

    def iter_edges(self, page: int = 2000) -> Iterator[StoredEdge]: ...

    def counts(self) -> dict[str, int]: ...

    def clear(self) -> None: ...

    def close(self) -> None: ...


class CypherReads:
    """The read half of the contract, written once over ``query()`` for every Cypher store.

    Both backends run the same statements (:mod:`lineage.store.cypher`), so only transport,
    transactions and DDL differ between them.
    """

    def query(
        self, statement: str, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        raise NotImplementedError

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
                edge = StoredEdge.from_row(src, row["rel"], dst, row["props"])
                out.append(Neighbour(edge, other))
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
        """Edges grouped by source node (pages of ``page`` source nodes), in a stable order."""
        after = ""
        while True:
            nodes = self.query(cypher.PAGE_NODES, {"after": after, "limit": page})
            if not nodes:
                return
            rows = self.query(cypher.PAGE_EDGES, {"after": after, "limit": page})
            rows.sort(key=lambda r: (r["src"], r["rel"], r["dst"], r["props"].get("key", "")))
            for row in rows:
                yield StoredEdge.from_row(row["src"], row["rel"], row["dst"], row["props"])
            if len(nodes) < page:
                return
            after = nodes[-1]["props"]["uid"]

    def counts(self) -> dict[str, int]:
        """Nodes by kind and edges by type (non-zero only)."""
        out: dict[str, int] = {}
        for name, statement in [*cypher.COUNT_KIND.items(), *cypher.COUNT_REL.items()]:
            rows = self.query(statement)
            if rows and int(rows[0]["n"]):
                out[name.value] = int(rows[0]["n"])
        return out
