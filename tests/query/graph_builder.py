"""A tiny graph builder for query tests: ``chain("a", "b", "c")`` beats pages of setup.

Everything is written through :func:`lineage.pipeline.ingest`, the one write path. Short
names become real ids (``ds("a")`` is ``dataset:postgres://db:5432:app.a``). Effective
labels can be set directly with :meth:`Builder.labels` so a test pins the label state it
queries, independent of the propagation policy.
"""

from __future__ import annotations

import itertools
from typing import Any

from lineage import ids
from lineage.model import Edge, Fact, Kind, Node, Rel
from lineage.pipeline import delete, ingest
from lineage.store.base import Store

NS = "postgres://db:5432"
API = "https://api.example.com"
SEEN = "2026-01-01T00:00:00.000Z"


def ds(name: str) -> str:
    return ids.dataset_id(NS, f"app.{name}")


def col(table: str, field: str) -> str:
    return ids.column_id(NS, f"app.{table}", field)


def model(name: str) -> str:
    return ids.model_id("mlflow://ml", name)


def endpoint(name: str) -> str:
    return ids.make(Kind.ENDPOINT, API, name)


def index(name: str) -> str:
    return ids.make(Kind.VECTOR_INDEX, "qdrant://vec:6333", name)


def principal(name: str) -> str:
    return ids.make(Kind.PRINCIPAL, "okta://acme", name)


def resolve(name: str) -> str:
    """A short name or a full id: ``"a"`` is a dataset, ``"a.x"`` a column, ids pass."""
    if ":" in name:
        return name
    if "." in name:
        table, field = name.split(".", 1)
        return col(table, field)
    return ds(name)


def flow_props(**overrides: Any) -> dict[str, Any]:
    props: dict[str, Any] = {
        "kind": "transform",
        "granularity": "dataset",
        "transformation_type": "DIRECT",
        "transformation_subtype": "IDENTITY",
        "masking": False,
    }
    props.update(overrides)
    return props


class Builder:
    """Collects facts; :meth:`write` ingests them. Methods return ``self`` to chain."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.facts: list[Fact] = []
        self._known: set[str] = set()
        self._edges = 0

    def _node(self, uid: str, **props: Any) -> None:
        parsed = ids.parse(uid)
        if uid in self._known and not props:
            return
        self._known.add(uid)
        self.facts.append(Node(uid, parsed.kind, parsed.display, parsed.namespace, props))
        if parsed.kind is Kind.COLUMN:
            self._node(parsed.dataset)
            self.facts.append(Edge(parsed.dataset, Rel.HAS_COLUMN, uid))

    def node(self, name: str, **props: Any) -> Builder:
        self._node(resolve(name), **props)
        return self

    def flow(self, src: str, dst: str, **props: Any) -> Builder:
        a, b = resolve(src), resolve(dst)
        self._node(a)
        self._node(b)
        granularity = props.pop(
            "granularity", "column" if ids.kind_of(a) is Kind.COLUMN else "dataset"
        )
        self._edges += 1
        via = props.pop("via", ids.job_id(NS, f"job{self._edges}"))
        self.facts.append(
            Edge(a, Rel.FLOWS_TO, b, flow_props(granularity=granularity, via=via, **props), key=via)
        )
        return self

    def chain(self, *names: str, **props: Any) -> Builder:
        for a, b in itertools.pairwise(names):
            self.flow(a, b, **props)
        return self

    def endpoint(self, name: str, exposure: str = "public", *users: str) -> Builder:
        uid = endpoint(name)
        self._node(uid, exposure=exposure)
        for user in users:
            self._node(principal(user))
            self.facts.append(Edge(principal(user), Rel.CAN_ACCESS, uid, {"permission": "invoke"}))
        return self

    def write(self) -> Builder:
        ingest(self.store, self.facts, seen=SEEN, strict=True)
        self.facts = []
        return self

    def labels(self, name: str, labels: list[str], own: list[str] | None = None) -> Builder:
        """Pin effective (and optionally own) labels on a node, as propagation would."""
        props: dict[str, Any] = {"labels": labels}
        if own is not None:
            props["own_labels"] = own
        self.store.set_props(resolve(name), props)
        return self


def chain(store: Store, *names: str, **props: Any) -> Builder:
    """Write a chain of dataset-level flows ``names[0] -> names[1] -> ...``."""
    return Builder(store).chain(*names, **props).write()


def apply_op(store: Store, op: dict[str, Any]) -> None:
    """One random-test write, as JSON so that another process can apply it too."""
    match op["op"]:
        case "flow":
            via = ids.job_id(NS, op["job"])
            Builder(store).flow(op["src"], op["dst"], via=via, **op["props"]).write()
        case "labels":
            own = op["labels"] if op.get("own") else None  # an origin, as a detector made it
            Builder(store).node(op["name"]).write().labels(op["name"], op["labels"], own)
        case "endpoint":
            Builder(store).endpoint(op["name"], op["exposure"]).flow(
                op["src"], endpoint(op["name"])
            ).write()
        case "delete":
            delete(
                store,
                edges=[
                    (
                        resolve(op["src"]),
                        Rel.FLOWS_TO,
                        resolve(op["dst"]),
                        ids.job_id(NS, op["job"]),
                    )
                ],
            )
        case other:
            raise ValueError(f"unknown op {other!r}")
