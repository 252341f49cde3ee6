"""Read-path Cypher for the questions: traversal steps, exposed endpoints, lineage, search.

Every statement is a named constant in the subset Neo4j 5 and FalkorDB both run, and user
data only travels as parameters. Traversal is level-synchronous: Python holds the visited
set and sends one frontier per round trip, so the cost is linear in the edges touched. (A
variable-length pattern enumerates *paths*, which explodes on lineage diamonds and hub
tables; and FalkorDB cannot filter a variable-length edge list in ``WHERE``.)

A step (``STEP[direction, cols]``) advances the frontier by one ``FLOWS_TO`` hop from each
item ``a`` and, in the same pattern, from its ``HAS_COLUMN`` neighbours ``x``
(``*0..1``): a dataset reached as a whole moves on through its columns' edges (flag 0), a
column through its own edges and its dataset's *coarse* edges (dataset-level, no column
detail: they pass everything the dataset holds). A dataset reached only through a column
(flag 1, *partial*) follows only its coarse edges. In confidentiality mode, dataset edges
with ``column_detail`` are skipped: their column edges carry the values.

Frontier items are ``[uid, label, partial, tag]``: in the labelled statements every node
entered must hold ``label`` in its ``labels`` (exposure paths); the plain ones ignore it.
``tag`` keeps independent searches apart in one round trip (one per exposed endpoint).
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "ALL_STATEMENTS",
    "COLUMNS_OF",
    "EDGE_DETAILS",
    "ENDPOINT_ACCESS",
    "EXPOSED_ENDPOINTS",
    "NODES_BY_UID",
    "NODE_LABELS",
    "OWNING_COLUMNS",
    "SEARCH",
    "STEP",
]

type Way = Literal["out", "in"]

# Edge filter. Confidentiality: values only (no INDIRECT, no masking). Stale edges only when
# asked. Absent properties mean the permissive default.
_EDGE_OK = (
    "($include_stale OR NOT coalesce(e.stale, false))\n"
    "  AND ($integrity OR (coalesce(e.transformation_type, 'DIRECT') <> 'INDIRECT'\n"
    "                      AND NOT coalesce(e.masking, false)))"
)
# What the traversal needs to know about an edge, packed in one integer (every returned
# cell costs client-side parsing): 1 dataset-level, 2 column_detail, 4 masking, 8 stale,
# 16 INDIRECT. The rest (kind, via, subtype) is fetched for the edges a result shows.
_CODE = (
    "CASE WHEN e.granularity = 'dataset' THEN 1 ELSE 0 END\n"
    "       + CASE WHEN coalesce(e.column_detail, false) THEN 2 ELSE 0 END\n"
    "       + CASE WHEN coalesce(e.masking, false) THEN 4 ELSE 0 END\n"
    "       + CASE WHEN coalesce(e.stale, false) THEN 8 ELSE 0 END\n"
    "       + CASE WHEN e.transformation_type = 'INDIRECT' THEN 16 ELSE 0 END"
)


def _step(way: Way, cols: int, labelled: bool) -> str:
    arrow = "-[e:FLOWS_TO]->" if way == "out" else "<-[e:FLOWS_TO]-"
    label_ok = (
        ["  AND s[1] IN coalesce(x.labels, []) AND s[1] IN coalesce(b.labels, [])"]
        if labelled
        else []
    )
    # ``x`` is null when it is ``a`` itself: a repeated id would only cost parsing.
    head = "RETURN s[0] AS src, CASE WHEN x = a THEN null ELSE x.uid END AS x, b.uid AS dst,"
    tail = (
        [
            "       b.kind AS kind, s[1] AS label, s[3] AS tag,",
            "       [x.own_labels, b.own_labels] AS own,",
        ]
        if labelled
        else ["       b.kind AS kind,"]
    )
    return "\n".join(
        [
            "UNWIND $frontier AS s",
            "MATCH (a:Asset {uid: s[0]})",
            # anchor on the uid index (the planner may scan from b otherwise)
            "WITH s, a" if cols else "WITH s, a, a AS x",
            f"MATCH (a)-[:HAS_COLUMN*0..1]-(x:Asset){arrow}(b:Asset)"
            if cols
            else f"MATCH (x){arrow}(b:Asset)",
            f"WHERE {_EDGE_OK}",
            "  AND (x = a OR s[2] = 0)",  # a partial dataset does not reach its columns
            "  AND (($integrity AND s[2] = 0 AND x = a) OR NOT coalesce(e.column_detail, false))",
            *label_ok,
            head,
            *tail,
            f"       {_CODE} AS code",
        ]
    )


# Per direction, with (``cols`` 1) or without (0) the HAS_COLUMN hop, and with a label
# condition and tags (exposure search) or without (blast radius, lineage: fewer cells).
STEP: dict[tuple[Way, int, bool], str] = {
    (way, cols, labelled): _step(way, cols, labelled)
    for way in ("out", "in")
    for cols in (0, 1)
    for labelled in (False, True)
}

# The FLOWS_TO edges between given pairs (parallel edges included), with what they do.
# Anchored on the target: fan-in is small (a table is built from a few inputs) while a hub
# feeds thousands; from the source side this measured 50x slower on the 1M estate.
EDGE_DETAILS = """
UNWIND $pairs AS p
MATCH (b:Asset {uid: p[1]})
WITH p, b
MATCH (b)<-[e:FLOWS_TO]-(a:Asset)
WHERE a.uid = p[0]
RETURN a.uid AS src, b.uid AS dst, e.kind AS kind, e.via AS via, e.granularity AS granularity,
       e.transformation_type AS ttype, e.transformation_subtype AS subtype,
       coalesce(e.column_detail, false) AS detail, coalesce(e.masking, false) AS masking,
       coalesce(e.stale, false) AS stale"""

# Kind, name and labels of many nodes (the cheap part of the node facts).
NODE_LABELS = """
UNWIND $uids AS u
MATCH (n:Asset {uid: u})
RETURN n.uid AS uid, n.kind AS kind, n.name AS name, coalesce(n.labels, []) AS labels"""

# Everything a result shows about a node (and who can access it): for the few nodes a
# result ranks. (OPTIONAL MATCH + collect grouped on the node: a pattern comprehension here
# measured 15x slower in FalkorDB.)
NODES_BY_UID = """
UNWIND $uids AS u
MATCH (n:Asset {uid: u})
OPTIONAL MATCH (n)<-[:CAN_ACCESS]-(p:Principal)
WITH n, collect(p.uid) AS principals
RETURN n.uid AS uid, principals, n.kind AS kind, n.name AS name, n.namespace AS namespace,
       coalesce(n.labels, []) AS labels, coalesce(n.own_labels, []) AS own_labels,
       coalesce(n.coarse_labels, []) AS coarse_labels,
       coalesce(n.label_evidence, []) AS evidence, n.exposure AS exposure,
       n.registered AS registered, n.provider AS provider,
       coalesce(n.runtime_anomaly_score, 0.0) AS runtime_score,
       coalesce(n.runtime_findings, []) AS runtime_findings,
       coalesce(n.quarantined, false) AS quarantined"""

# Exposed endpoints holding a label that matches (``$label`` null: any label), with how many
# principals can reach them: the candidates of the exposure search, ranked by upper bound.
EXPOSED_ENDPOINTS = """
MATCH (ep:Endpoint)
WHERE ep.exposure IN $exposures AND size(coalesce(ep.labels, [])) > 0
  AND ($label IS NULL OR $label IN ep.labels)
OPTIONAL MATCH (ep)<-[:CAN_ACCESS]-(p:Principal)
RETURN ep.uid AS uid, ep.exposure AS exposure, ep.labels AS labels,
       coalesce(ep.coarse_labels, []) AS coarse_labels, count(p) AS principals,
       coalesce(ep.runtime_anomaly_score, 0.0) AS runtime_score"""

# Who can reach each endpoint (names are for people; uids are the evidence).
ENDPOINT_ACCESS = """
UNWIND $uids AS u
MATCH (ep:Asset {uid: u})<-[c:CAN_ACCESS]-(p:Principal)
RETURN ep.uid AS endpoint, p.uid AS principal, p.name AS name, c.permission AS permission
ORDER BY endpoint, principal"""

# A column's dataset, or a dataset's columns (whichever ``$uid`` is).
COLUMNS_OF = """
MATCH (n:Asset {uid: $uid})-[:HAS_COLUMN]-(m:Asset)
RETURN CASE n.kind WHEN 'Column' THEN m.uid ELSE n.uid END AS dataset,
       CASE n.kind WHEN 'Column' THEN n.uid ELSE m.uid END AS column"""

# Columns of the given datasets that own a label (origins a dataset-level walk reaches).
# The lookup is anchored in its own MATCH: with the filter on ``c`` in the same pattern,
# FalkorDB started from ``c`` and scanned every Asset per dataset (58 s at 1M nodes).
OWNING_COLUMNS = """
UNWIND $uids AS uid
MATCH (d:Asset {uid: uid})
WITH uid, d
MATCH (d)-[:HAS_COLUMN]->(c:Asset)
WHERE size(coalesce(c.own_labels, [])) > 0
RETURN uid AS dataset, c.uid AS column, c.own_labels AS own"""

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
    out.update({f"STEP[{k[0]},{k[1]},{k[2]}]": text for k, text in STEP.items()})
    return out


ALL_STATEMENTS: dict[str, str] = _all()
