"""Read-path Cypher for the questions: traversal steps, exposed endpoints, lineage, search.

Every statement is a named constant in the subset Neo4j 5 and FalkorDB both run, and user
data only travels as parameters. Traversal is level-synchronous: Python holds the visited
set and sends one frontier per round trip, so the cost is linear in the edges touched. (A
variable-length pattern enumerates *paths*, which explodes on lineage diamonds and hub
tables; and FalkorDB cannot filter a variable-length edge list in ``WHERE``.)

A step (``STEP[direction, "flow"]``) advances the frontier by one hop:

* ``$flow``: follow ``FLOWS_TO`` edges that pass the edge filter. Items reached as a whole
  (flag 0) skip, in confidentiality mode, dataset edges with ``column_detail`` (their column
  edges carry the values and are followed instead). *Partial* datasets (flag 1), reached
  through one of their columns, follow only coarse edges (dataset-level, no column detail),
  which pass everything the dataset holds;
* ``HAS_COLUMN``: a whole dataset reaches its columns and a column rolls up to its dataset
  (depth unchanged; the dataset is then partial). Nodes reached by a flow bring these
  neighbours back in the same row (``near``); only the starts need the ``$struct`` branch.

Frontier items are ``[uid, label, partial, tag]``: with a label, every node reached must hold
it in ``labels`` (exposure paths); with ``null``, no node condition (blast radius, lineage).
``tag`` keeps independent searches apart in one round trip (one per exposed endpoint).
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "ALL_STATEMENTS",
    "COLUMNS_OF",
    "ENDPOINT_ACCESS",
    "EXPOSED_ENDPOINTS",
    "NODES_BY_UID",
    "SEARCH",
    "STEP",
]

type Way = Literal["out", "in"]
type Parts = Literal["flow", "struct"]

# Edge filter shared by every flow branch. Confidentiality: values only (no INDIRECT, no
# masking). Stale edges only when asked. Absent properties mean the permissive default.
_EDGE_OK = (
    "($include_stale OR NOT coalesce(e.stale, false))\n"
    "  AND ($integrity OR (coalesce(e.transformation_type, 'DIRECT') <> 'INDIRECT'\n"
    "                      AND NOT coalesce(e.masking, false)))"
)
_NODE_OK = "(s[1] IS NULL OR s[1] IN coalesce(b.labels, []))"
_flow_return = (
    "RETURN s[0] AS src, s[1] AS label, s[3] AS tag, b.uid AS dst, b.kind AS kind,\n"
    "       coalesce(b.own_labels, []) AS own, 'flow' AS step,\n"
    "       e.kind AS edge_kind, e.via AS via, e.granularity AS granularity,\n"
    "       e.transformation_type AS ttype, e.transformation_subtype AS subtype,\n"
    "       coalesce(e.column_detail, false) AS detail, coalesce(e.masking, false) AS masking,\n"
    "       coalesce(e.stale, false) AS stale,\n"
    "       collect(CASE WHEN c IS NULL THEN null\n"
    "                    ELSE [c.uid, c.kind, coalesce(c.own_labels, [])] END) AS near"
)
_struct_return = (
    "RETURN s[0] AS src, s[1] AS label, s[3] AS tag, b.uid AS dst, b.kind AS kind,\n"
    "       coalesce(b.own_labels, []) AS own,\n"
    "       CASE b.kind WHEN 'Column' THEN 'column' ELSE 'rollup' END AS step,\n"
    "       null AS edge_kind, null AS via, null AS granularity, null AS ttype,\n"
    "       null AS subtype, false AS detail, false AS masking, false AS stale,\n"
    "       [] AS near"
)


def _flow(way: Way) -> str:
    arrow = "-[e:FLOWS_TO]->" if way == "out" else "<-[e:FLOWS_TO]-"
    return "\n".join(
        [
            "UNWIND $flow AS s",
            "MATCH (a:Asset {uid: s[0]})",
            "WITH s, a",  # anchor on the uid index: the planner may scan from b otherwise
            f"MATCH (a){arrow}(b:Asset)",
            f"WHERE {_EDGE_OK}",
            "  AND (($integrity AND s[2] = 0) OR NOT coalesce(e.column_detail, false))",
            f"  AND {_NODE_OK}",
            # b's HAS_COLUMN neighbours come along (columns of a dataset reached whole, the
            # dataset of a column), so a column hop and its roll-up cost one round trip.
            "OPTIONAL MATCH (b)-[:HAS_COLUMN]-(c:Asset)",
            "WHERE $columns AND (s[1] IS NULL OR s[1] IN coalesce(c.labels, []))",
            _flow_return,
        ]
    )


# Undirected HAS_COLUMN: from a dataset to its columns, from a column to its dataset. Only
# the starts need it; everything reached later brings its neighbours along (see _flow).
_STRUCT = "\n".join(
    [
        "UNWIND $struct AS s",
        "MATCH (a:Asset {uid: s[0]})",
        "WITH s, a",
        "MATCH (a)-[:HAS_COLUMN]-(b:Asset)",
        f"WHERE {_NODE_OK}",
        _struct_return,
    ]
)


# One statement per direction for flows, and one for the starts' HAS_COLUMN neighbours
# (kept apart: FalkorDB runs UNION branches through a join, measured 5x slower here).
STEP: dict[tuple[Way, Parts], str] = {
    **{(way, "flow"): _flow(way) for way in ("out", "in")},
    **{(way, "struct"): _STRUCT for way in ("out", "in")},
}

# The properties a result needs about each node (and who can access it), fetched once per
# query for all of them.
NODES_BY_UID = """
UNWIND $uids AS u
MATCH (n:Asset {uid: u})
OPTIONAL MATCH (p:Principal)-[:CAN_ACCESS]->(n)
WITH n, collect(p.uid) AS principals
RETURN n.uid AS uid, principals, n.kind AS kind, n.name AS name, n.namespace AS namespace,
       coalesce(n.labels, []) AS labels, coalesce(n.own_labels, []) AS own_labels,
       coalesce(n.coarse_labels, []) AS coarse_labels,
       coalesce(n.label_evidence, []) AS evidence, n.exposure AS exposure,
       n.registered AS registered, n.provider AS provider"""

# Exposed endpoints holding a label that matches (``$label`` null: any label), with how many
# principals can reach them: the candidates of the exposure search, ranked by upper bound.
EXPOSED_ENDPOINTS = """
MATCH (ep:Endpoint)
WHERE ep.exposure IN $exposures AND size(coalesce(ep.labels, [])) > 0
  AND ($label IS NULL OR $label IN ep.labels)
OPTIONAL MATCH (p:Principal)-[:CAN_ACCESS]->(ep)
RETURN ep.uid AS uid, ep.exposure AS exposure, ep.labels AS labels,
       coalesce(ep.coarse_labels, []) AS coarse_labels, count(p) AS principals"""

# Who can reach each endpoint (names are for people; uids are the evidence).
ENDPOINT_ACCESS = """
UNWIND $uids AS u
MATCH (p:Principal)-[c:CAN_ACCESS]->(ep:Asset {uid: u})
RETURN ep.uid AS endpoint, p.uid AS principal, p.name AS name, c.permission AS permission
ORDER BY endpoint, principal"""

# A column's dataset, or a dataset's columns (whichever ``$uid`` is).
COLUMNS_OF = """
MATCH (n:Asset {uid: $uid})-[:HAS_COLUMN]-(m:Asset)
RETURN CASE n.kind WHEN 'Column' THEN m.uid ELSE n.uid END AS dataset,
       CASE n.kind WHEN 'Column' THEN n.uid ELSE m.uid END AS column"""

# Search by name or uid fragment, optionally one kind; keyset-paginated on uid.
SEARCH = """
MATCH (n:Asset)
WHERE ($kind IS NULL OR n.kind = $kind)
  AND (toLower(n.name) CONTAINS $text OR toLower(n.uid) CONTAINS $text)
  AND n.uid > $after
RETURN n.uid AS uid, n.kind AS kind, n.name AS name, n.namespace AS namespace,
       coalesce(n.labels, []) AS labels
ORDER BY n.uid
LIMIT $limit"""


def _all() -> dict[str, str]:
    out = {
        name: value
        for name, value in globals().items()
        if name.isupper() and isinstance(value, str) and not name.startswith("_")
    }
    out.update({f"STEP[{way},{parts}]": text for (way, parts), text in STEP.items()})
    return out


ALL_STATEMENTS: dict[str, str] = _all()
