"""Symlinks: one dataset known by several names resolves to one canonical node.

Spark reports a Hive table by its storage path (``file:/warehouse/t``) with a ``symlinks``
facet naming the table (``hive://metastore`` / ``default.t``, type TABLE); a SQL file or a
notebook names the table. The logical TABLE name is canonical, because that is the name
the other ingestors see; every other name becomes an alias node with an ``ALIAS_OF`` edge.
Lineage (READS, WRITES, FLOWS_TO, columns) attaches to the canonical node only.

:func:`rewrite` applies a known alias map (this event's symlinks plus the aliases already
in the store) to a fact stream, columns included, without touching the alias edges.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from ingest.openlineage import _ids as ids
from ingest.openlineage.models import Dataset
from lineage.errors import InvalidId
from lineage.model import Edge, Fact, Kind, Node, Rel

__all__ = ["canonical_of", "rewrite", "symlink_facts"]


def canonical_of(dataset: Dataset) -> tuple[str, list[str]]:
    """The canonical id of a dataset and the ids of its other names (aliases)."""
    own = ids.dataset_id(dataset.namespace, dataset.name)
    links = dataset.facets.symlinks.identifiers if dataset.facets.symlinks else []
    names: list[str] = []
    for link in links:
        try:
            names.append(ids.dataset_id(link.namespace, link.name))
        except InvalidId:
            continue
    tables = [
        ids.dataset_id(link.namespace, link.name)
        for link in links
        if link.type.upper() == "TABLE" and link.name.strip() and link.namespace.strip()
    ]
    canonical = tables[0] if tables else own
    aliases = [uid for uid in dict.fromkeys([own, *names]) if uid != canonical]
    return canonical, aliases


def symlink_facts(canonical: str, aliases: list[str], *, ref: str, seen: str) -> Iterator[Fact]:
    """Alias nodes and their ``ALIAS_OF`` edges to the canonical node."""
    for alias in aliases:
        parsed = ids.parse(alias)
        yield Node(alias, Kind.DATASET, parsed.name, parsed.namespace, {"alias": True}, ref, seen)
        yield Edge(alias, Rel.ALIAS_OF, canonical, {}, "", ref, seen)


def _map_uid(uid: str, aliases: Mapping[str, str]) -> str:
    if not aliases:
        return uid
    if uid.startswith("dataset:"):
        return aliases.get(uid, uid)
    if uid.startswith("column:"):
        parsed = ids.parse(uid)
        target = aliases.get(parsed.dataset)
        if target is not None:
            canon = ids.parse(target)
            return str(ids.NodeId(Kind.COLUMN, canon.namespace, canon.name, parsed.field))
    return uid


def rewrite(facts: Iterable[Fact], aliases: Mapping[str, str]) -> Iterator[Fact]:
    """Move facts about an alias (or its columns) onto the canonical node."""
    for fact in facts:
        if not aliases:
            yield fact
        elif isinstance(fact, Node):
            uid = _map_uid(fact.uid, aliases)
            if uid == fact.uid or fact.props.get("alias"):
                yield fact
            else:
                parsed = ids.parse(uid)
                name = parsed.field if parsed.kind is Kind.COLUMN else parsed.name
                yield Node(
                    uid,
                    fact.kind,
                    name,
                    parsed.namespace,
                    fact.props,
                    fact.source_ref,
                    fact.observed_at,
                )
        elif isinstance(fact, Edge) and fact.rel is not Rel.ALIAS_OF:
            src, dst = _map_uid(fact.src, aliases), _map_uid(fact.dst, aliases)
            if src == dst and fact.rel is not Rel.FLOWS_TO:
                continue
            if (src, dst) == (fact.src, fact.dst):
                yield fact
            else:
                yield Edge(
                    src, fact.rel, dst, fact.props, fact.key, fact.source_ref, fact.observed_at
                )
        else:
            yield fact
