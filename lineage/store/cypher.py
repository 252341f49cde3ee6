"""Write-path Cypher: upserts, deletes and reads of single records.

Every statement is a named constant in the subset that Neo4j 5 and FalkorDB both run
(measured: no ``datetime()``, no ``EXISTS {}``, no ``elementId()``, no ``CALL (x) {}``).
Node kinds and relationship types cannot be query parameters in Cypher, so the
per-kind and per-type statements are generated here from the closed enums in
:mod:`lineage.model`; user data only ever travels as parameters. The test suite lints every
constant in this module with Neo4j's own parser (see ``tests/cypher_lint``).
"""

from __future__ import annotations

from lineage.model import Kind, Rel

__all__ = [
    "ALL_STATEMENTS",
    "COUNT_KIND",
    "COUNT_REL",
    "DELETE_EDGES",
    "DELETE_NODES",
    "ENSURE_NODES",
    "GET_NODE",
    "IN_EDGES",
    "OUT_EDGES",
    "PAGE_EDGES",
    "PAGE_NODES",
    "SET_PROPS",
    "UPSERT_EDGES",
    "UPSERT_NODES",
]

# first_seen/last_seen are ISO-8601 UTC strings of one fixed width, so they compare as text
# (FalkorDB has no datetime type). source_refs is a set kept as a list.
_SEEN = """
SET {v}.first_seen = CASE WHEN {v}.first_seen IS NULL OR row.seen < {v}.first_seen
                          THEN row.seen ELSE {v}.first_seen END,
    {v}.last_seen = CASE WHEN {v}.last_seen IS NULL OR row.seen > {v}.last_seen
                         THEN row.seen ELSE {v}.last_seen END,
    {v}.source_refs = CASE WHEN row.ref = '' OR row.ref IN coalesce({v}.source_refs, [])
                           THEN coalesce({v}.source_refs, [])
                           ELSE coalesce({v}.source_refs, []) + row.ref END"""


def _upsert_node(kind: Kind) -> str:
    return (
        "UNWIND $rows AS row\n"
        "MERGE (n:Asset {uid: row.uid})\n"
        "ON CREATE SET n.source_ref = row.ref\n"
        f"SET n:{kind.value}, n.kind = row.kind, n.name = row.name, n.namespace = row.namespace"
        + _SEEN.format(v="n")
        + "\nSET n += row.props"
    )


def _ensure_node(kind: Kind) -> str:
    return (
        "UNWIND $rows AS row\n"
        "MERGE (n:Asset {uid: row.uid})\n"
        f"ON CREATE SET n:{kind.value}, n.kind = row.kind, n.name = row.name,\n"
        "              n.namespace = row.namespace, n.stub = true"
    )


def _upsert_edge(rel: Rel) -> str:
    return (
        "UNWIND $rows AS row\n"
        "MATCH (a:Asset {uid: row.src})\n"
        "MATCH (b:Asset {uid: row.dst})\n"
        f"MERGE (a)-[e:{rel.value} {{key: row.key}}]->(b)\n"
        "ON CREATE SET e.source_ref = row.ref" + _SEEN.format(v="e") + "\nSET e += row.props"
    )


def _delete_edges(rel: Rel) -> str:
    return (
        "UNWIND $rows AS row\n"
        f"MATCH (:Asset {{uid: row.src}})-[e:{rel.value} {{key: row.key}}]->"
        "(:Asset {uid: row.dst})\n"
        "DELETE e\n"
        "RETURN count(e) AS deleted"
    )


UPSERT_NODES: dict[Kind, str] = {kind: _upsert_node(kind) for kind in Kind}
ENSURE_NODES: dict[Kind, str] = {kind: _ensure_node(kind) for kind in Kind}
UPSERT_EDGES: dict[Rel, str] = {rel: _upsert_edge(rel) for rel in Rel}
DELETE_EDGES: dict[Rel, str] = {rel: _delete_edges(rel) for rel in Rel}

DELETE_NODES = """
UNWIND $uids AS uid
MATCH (n:Asset {uid: uid})
DETACH DELETE n
RETURN count(n) AS deleted"""

SET_PROPS = """
MATCH (n:Asset {uid: $uid})
SET n += $props
RETURN n.uid AS uid"""

GET_NODE = """
MATCH (n:Asset {uid: $uid})
RETURN properties(n) AS props"""

OUT_EDGES = """
MATCH (n:Asset {uid: $uid})-[e]->(m:Asset)
RETURN type(e) AS rel, properties(e) AS props, properties(m) AS other"""

IN_EDGES = """
MATCH (n:Asset {uid: $uid})<-[e]-(m:Asset)
RETURN type(e) AS rel, properties(e) AS props, properties(m) AS other"""

# Keyset pagination: stable, and linear over the whole graph (SKIP would be quadratic).
PAGE_NODES = """
MATCH (n:Asset)
WHERE n.uid > $after
RETURN properties(n) AS props
ORDER BY n.uid
LIMIT $limit"""

PAGE_EDGES = """
MATCH (a:Asset)
WHERE a.uid > $after
WITH a ORDER BY a.uid LIMIT $limit
MATCH (a)-[e]->(b:Asset)
RETURN a.uid AS src, type(e) AS rel, b.uid AS dst, properties(e) AS props"""

# One count per kind and per type: both stores answer these from label/type statistics
# (FalkorDB: matrix sizes) instead of scanning the graph (a full scan timed out at 1M nodes).
COUNT_KIND: dict[Kind, str] = {k: f"MATCH (n:{k.value}) RETURN count(n) AS n" for k in Kind}
COUNT_REL: dict[Rel, str] = {r: f"MATCH ()-[e:{r.value}]->() RETURN count(e) AS n" for r in Rel}


def _all() -> dict[str, str]:
    out = {
        name: value
        for name, value in globals().items()
        if name.isupper() and isinstance(value, str) and not name.startswith("_")
    }
    groups = (
        "UPSERT_NODES",
        "ENSURE_NODES",
        "UPSERT_EDGES",
        "DELETE_EDGES",
        "COUNT_KIND",
        "COUNT_REL",
    )
    for group in groups:
        for member, text in globals()[group].items():
            out[f"{group}[{member.value}]"] = text
    return out


ALL_STATEMENTS: dict[str, str] = _all()


# Restore (import) writes records exactly as exported: no first/last-seen arithmetic.
def _restore_node(kind: Kind) -> str:
    return (
        "UNWIND $rows AS row\n"
        "MERGE (n:Asset {uid: row.uid})\n"
        f"SET n:{kind.value}, n += row.props, n.kind = row.kind, n.name = row.name,\n"
        "    n.namespace = row.namespace, n.labels = row.labels"
    )


def _restore_edge(rel: Rel) -> str:
    return (
        "UNWIND $rows AS row\n"
        "MATCH (a:Asset {uid: row.src})\n"
        "MATCH (b:Asset {uid: row.dst})\n"
        f"MERGE (a)-[e:{rel.value} {{key: row.key}}]->(b)\n"
        "SET e += row.props"
    )


RESTORE_NODES: dict[Kind, str] = {kind: _restore_node(kind) for kind in Kind}
RESTORE_EDGES: dict[Rel, str] = {rel: _restore_edge(rel) for rel in Rel}
ALL_STATEMENTS.update({f"RESTORE_NODES[{k.value}]": v for k, v in RESTORE_NODES.items()})
ALL_STATEMENTS.update({f"RESTORE_EDGES[{r.value}]": v for r, v in RESTORE_EDGES.items()})
