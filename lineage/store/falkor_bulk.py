"""First load of an empty FalkorDB graph through ``GRAPH.BULK``, FalkorDB's binary bulk insert.

Why: a MERGE statement costs the server about 41 us per fact (index seek, property
arithmetic, an effects record in the append-only file); ``GRAPH.BULK`` creates the same
nodes and edges for about 3 us per fact, because it needs no look-up at all. It can only
create, so the caller (``lineage.firstload``) computes every record's final properties
first, and this module only encodes and sends them.

The wire format (FalkorDB ``src/bulk_insert/bulk_insert.c``, as used by the
falkordb-bulk-loader): ``GRAPH.BULK <graph> [BEGIN] <nodes> <edges> <node tokens>
<edge tokens> token...``. A token is one label (``Asset:Dataset``, colon-separated) or one
relationship type: its name NUL-terminated, a uint32 property count, the property names
NUL-terminated, then one record per entity: for an edge the source and target node ids as
two uint64, then one typed value per property (a type byte: 0 null = absent, 1 bool,
2 double, 3 NUL-terminated string, 4 int64, 5 array of typed values with an int64 length).
Node ids are assigned in the order the nodes arrive, from 0 in a fresh graph; that is how
edges name their ends.

While the server inserts one command, the next one is encoded (a sender thread): client
and server work overlap.
"""

from __future__ import annotations

import struct
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from queue import Queue
from typing import Any, NamedTuple

import redis

from lineage.errors import StoreError

__all__ = ["BulkEdge", "BulkNode", "encode_value", "send"]

_NULL, _BOOL, _DOUBLE, _STRING, _LONG, _ARRAY = range(6)
_INT64 = (-(1 << 63), (1 << 63) - 1)
NODES_PER_COMMAND = 50_000  # bounded commands: each fits the protocol's bulk limits easily
EDGES_PER_COMMAND = 100_000


class BulkNode(NamedTuple):
    """A node to create: its labels (``Asset:Dataset``) and every property it ends up with."""

    labels: str
    props: Mapping[str, Any]


class BulkEdge(NamedTuple):
    """An edge between two nodes of the same load, named by their position in it."""

    rel: str
    src: int
    dst: int
    props: Mapping[str, Any]


def _string(value: str) -> bytes:
    data = value.encode()
    if b"\x00" in data:  # the format ends strings at NUL: refuse rather than truncate
        raise ValueError("a string holds a NUL character, which the store cannot hold")
    return b"\x03" + data + b"\x00"


def encode_value(value: Any) -> bytes:
    """One typed property value in the bulk format (None is "absent")."""
    kind = type(value)
    if kind is str:
        return _string(value)
    if kind is bool:
        return b"\x01\x01" if value else b"\x01\x00"
    if kind is int:
        if not _INT64[0] <= value <= _INT64[1]:
            raise ValueError(f"integer {value} does not fit the store's 64-bit integers")
        return struct.pack("=Bq", _LONG, value)
    if kind is float:
        return struct.pack("=Bd", _DOUBLE, value)
    if value is None:
        return b"\x00"
    if kind is list or kind is tuple:
        return struct.pack("=Bq", _ARRAY, len(value)) + b"".join(map(encode_value, value))
    if isinstance(value, str):  # str subclasses, e.g. StrEnum members
        return _string(str(value))
    raise TypeError(f"cannot store {kind.__name__} as a property value")


def _header(name: str, keys: Sequence[str]) -> bytes:
    for key in (name, *keys):
        if "\x00" in key or not key:
            raise ValueError(f"name {key!r} cannot be empty or hold a NUL character")
    parts = [name.encode(), b"\x00", struct.pack("=I", len(keys))]
    for key in keys:
        parts += [key.encode(), b"\x00"]
    return b"".join(parts)


def _keys(records: Iterable[Mapping[str, Any]]) -> list[str]:
    return sorted({key for props in records for key in props})


_EMPTY = struct.pack("=Bq", _ARRAY, 0)


class _Encoder:
    """Encodes tokens, remembering the bytes of string values: most recur (timestamps,
    kinds, job ids on every column edge), and a look-up is cheaper than encoding."""

    def __init__(self) -> None:
        self.strings: dict[str, bytes] = {}

    def values(self, out: list[bytes], props: Mapping[str, Any], keys: Sequence[str]) -> None:
        strings = self.strings
        for value in map(props.get, keys):
            if type(value) is str:
                data = strings.get(value)
                if data is None:
                    data = strings[value] = _string(value)
                out.append(data)
            elif value is None:
                out.append(b"\x00")
            elif type(value) is list and not value:
                out.append(_EMPTY)
            else:
                out.append(encode_value(value))

    def nodes(self, labels: str, nodes: Sequence[BulkNode]) -> bytes:
        keys = _keys(n.props for n in nodes)
        out = [_header(labels, keys)]
        for node in nodes:
            self.values(out, node.props, keys)
        return b"".join(out)

    def edges(self, rel: str, edges: Sequence[BulkEdge]) -> bytes:
        keys = _keys(e.props for e in edges)
        out = [_header(rel, keys)]
        pack = struct.Struct("=QQ").pack
        for edge in edges:
            out.append(pack(edge.src, edge.dst))
            self.values(out, edge.props, keys)
        return b"".join(out)


def _commands(nodes: Sequence[BulkNode], edges: Sequence[BulkEdge]) -> Iterator[list[Any]]:
    """The GRAPH.BULK argument lists, after the graph name. Node tokens keep the nodes in
    their given order (a token is one label set, so a run of equal labels is one token):
    the n-th node gets id n, the id its edges use."""
    for at in range(0, len(nodes), NODES_PER_COMMAND):
        encoder = _Encoder()  # per command: the remembered strings stay bounded
        part = nodes[at : at + NODES_PER_COMMAND]
        tokens, run = [], [part[0]]
        for node in part[1:]:
            if node.labels != run[0].labels:
                tokens.append(encoder.nodes(run[0].labels, run))
                run = []
            run.append(node)
        tokens.append(encoder.nodes(run[0].labels, run))
        yield [len(part), 0, len(tokens), 0, *tokens]
    for at in range(0, len(edges), EDGES_PER_COMMAND):
        encoder = _Encoder()
        part = edges[at : at + EDGES_PER_COMMAND]
        by_rel: dict[str, list[BulkEdge]] = {}
        for edge in part:
            by_rel.setdefault(edge.rel, []).append(edge)
        tokens = [encoder.edges(rel, group) for rel, group in by_rel.items()]
        yield [0, len(part), 0, len(tokens), *tokens]


def send(
    client: redis.Redis, graph: str, nodes: Sequence[BulkNode], edges: Sequence[BulkEdge]
) -> None:
    """Create ``nodes`` then ``edges`` in ``graph`` (which must hold no node, ever deleted
    ones included: ids are counted from 0). Encoding overlaps the server's inserts.

    Nodes with equal labels should be next to each other: each run is one token."""
    for edge in edges:
        if not (0 <= edge.src < len(nodes) and 0 <= edge.dst < len(nodes)):
            raise StoreError(f"bulk edge {edge.rel} names a node outside the load")
    queue: Queue[list[Any] | None] = Queue(maxsize=2)
    failed: list[BaseException] = []

    def sender() -> None:
        while (args := queue.get()) is not None:
            if failed:
                continue
            try:
                client.execute_command("GRAPH.BULK", graph, *args)
            except BaseException as exc:
                failed.append(exc)

    thread = threading.Thread(target=sender, name="graph-bulk", daemon=True)
    thread.start()
    try:
        for args in _commands(nodes, edges):
            if failed:
                break
            queue.put(args)
    finally:
        queue.put(None)
        thread.join()
    if failed:
        raise StoreError(f"bulk load failed: {failed[0]}") from failed[0]
