"""The exported graph (``lineage.transfer.export_lines``) as a small queryable view."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ol_corpus import has_placeholder, pattern

from lineage import ids
from lineage.errors import InvalidId


@dataclass
class GraphView:
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> GraphView:
        view = cls()
        for line in lines:
            obj = json.loads(line)
            if obj["type"] == "node":
                view.nodes[obj["uid"]] = obj
            else:
                view.edges.append(obj)
        return view

    def out(self, uid: str, rel: str) -> list[dict[str, Any]]:
        return [e for e in self.edges if e["src"] == uid and e["rel"] == rel]

    def edge(self, src: str, rel: str, dst: str) -> list[dict[str, Any]]:
        return [e for e in self.edges if (e["src"], e["rel"], e["dst"]) == (src, rel, dst)]

    def canonical(self, uid: str) -> str:
        seen = {uid}
        while True:
            nxt = [e["dst"] for e in self.out(uid, "ALIAS_OF")]
            if not nxt or nxt[0] in seen:
                return uid
            uid = nxt[0]
            seen.add(uid)

    def find(self, kind: str, namespace: str | None, name: str | None) -> set[str]:
        """Nodes of ``kind`` matching an expected (namespace, name); placeholders and None
        match anything. Literal names go through the id module, as the service does."""
        if namespace and name and not has_placeholder(namespace) and not has_placeholder(name):
            try:
                uid = ids.make(kind, namespace, name)
            except InvalidId:
                return set()
            return {uid} if uid in self.nodes else set()
        ns_re, name_re = _loose(namespace), _loose(name)
        return {
            uid
            for uid, n in self.nodes.items()
            if n["kind"] == kind
            and ns_re.fullmatch(n["namespace"])
            and name_re.fullmatch(n["name"])
        }

    def datasets(self, namespace: str | None, name: str | None) -> set[str]:
        return {self.canonical(uid) for uid in self.find("Dataset", namespace, name)}

    def columns(self, namespace: str | None, name: str | None, column: str) -> set[str]:
        out = set()
        for uid in self.datasets(namespace, name):
            parsed = ids.parse(uid)
            out.add(ids.column_id(parsed.namespace, parsed.name, column))
        return out


def _loose(value: str | None) -> re.Pattern[str]:
    if value is None:
        return re.compile(".*", re.S)
    normalised = value.strip().rstrip("/")
    return pattern(normalised)
