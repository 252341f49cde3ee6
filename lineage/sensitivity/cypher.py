"""Cypher of the sensitivity module: bulk reads of the label-carrying graph, batched writes.

Every statement takes a list of uids (``UNWIND``) so that one round trip serves a whole BFS
level, and runs on both Neo4j 5 and FalkorDB. Linted with the rest (``ALL_STATEMENTS``).
"""

from __future__ import annotations

__all__ = [
    "ALL_STATEMENTS",
    "DATASET_OF",
    "DATASET_OF_UID",
    "IN_COLUMNS",
    "IN_FLOWS",
    "LABELLED_NODES",
    "NODE_STATES",
    "OUT_CARRYING",
    "OUT_FLOWS",
    "SET_EDGE_DECLASSIFIED",
    "SET_LABEL_STATE",
    "SET_OWN",
]

_EDGE = (
    "e.transformation_type AS ttype, e.transformation_subtype AS subtype, "
    "e.granularity AS granularity, e.masking AS masking, e.stale AS stale, "
    "e.column_detail AS column_detail, e.declassified AS declassified, e.key AS key, "
    "e.kind AS kind, e.via AS via"
)

NODE_STATES = """
UNWIND $uids AS uid
MATCH (n:Asset {uid: uid})
RETURN n.uid AS uid, n.own_labels AS own, n.declassified AS declassified,
       n.label_sources AS sources, n.labels AS labels, n.coarse_labels AS coarse"""

# The far end's label state comes along, saving a lookup per node on every BFS level.
_STATE = (
    "{v}.own_labels AS o_own, {v}.declassified AS o_declassified, "
    "{v}.label_sources AS o_sources, {v}.labels AS o_labels, {v}.coarse_labels AS o_coarse"
)

OUT_FLOWS = f"""
UNWIND $uids AS uid
MATCH (a:Asset {{uid: uid}})-[e:FLOWS_TO]->(b:Asset)
RETURN a.uid AS src, a.kind AS src_kind, b.uid AS dst, b.kind AS dst_kind, {_EDGE},
       {_STATE.format(v="b")}"""

IN_FLOWS = f"""
UNWIND $uids AS uid
MATCH (a:Asset)-[e:FLOWS_TO]->(b:Asset {{uid: uid}})
RETURN a.uid AS src, a.kind AS src_kind, b.uid AS dst, b.kind AS dst_kind, {_EDGE},
       {_STATE.format(v="a")}"""

# Column -> its dataset (a dataset's labels are the union of its columns').
DATASET_OF = f"""
UNWIND $uids AS uid
MATCH (d:Asset)-[:HAS_COLUMN]->(c:Asset {{uid: uid}})
RETURN c.uid AS src, c.kind AS src_kind, d.uid AS dst, d.kind AS dst_kind,
       {_STATE.format(v="d")}"""

IN_COLUMNS = f"""
UNWIND $uids AS uid
MATCH (d:Asset {{uid: uid}})-[:HAS_COLUMN]->(c:Asset)
RETURN c.uid AS src, c.kind AS src_kind, d.uid AS dst, d.kind AS dst_kind,
       {_STATE.format(v="c")}"""

# Full recompute reads only what can carry (from scratch, a hop that carries nothing now adds
# nothing), and packs the rule's edge properties into one string: a fraction of the values
# to decode per row. Kinds come from the uid prefix.
_PACKED = (
    "coalesce(e.transformation_type, '') + '|' + coalesce(e.transformation_subtype, '') + '|' "
    "+ coalesce(e.granularity, '') + '|' + toString(coalesce(e.masking, false)) + '|' "
    "+ toString(coalesce(e.column_detail, false))"
)

OUT_CARRYING = f"""
UNWIND $uids AS uid
MATCH (a:Asset {{uid: uid}})-[e:FLOWS_TO]->(b:Asset)
WHERE coalesce(e.stale, false) = false
  AND coalesce(e.transformation_type, 'DIRECT') <> 'INDIRECT'
RETURN a.uid AS src, b.uid AS dst, {_PACKED} AS rule, e.declassified AS declassified"""

DATASET_OF_UID = """
UNWIND $uids AS uid
MATCH (d:Asset)-[:HAS_COLUMN]->(c:Asset {uid: uid})
RETURN c.uid AS src, d.uid AS dst"""

# label_sources implies labels; declassified nodes are needed for what they stop.
LABELLED_NODES = """
MATCH (n:Asset)
WHERE n.labels IS NOT NULL OR n.own_labels IS NOT NULL OR n.declassified IS NOT NULL
RETURN n.uid AS uid, n.own_labels AS own, n.declassified AS declassified,
       n.label_sources AS sources, n.labels AS labels, n.coarse_labels AS coarse"""

SET_LABEL_STATE = """
UNWIND $rows AS row
MATCH (n:Asset {uid: row.uid})
SET n.labels = row.labels, n.coarse_labels = row.coarse, n.label_sources = row.sources"""

SET_OWN = """
UNWIND $rows AS row
MATCH (n:Asset {uid: row.uid})
SET n.own_labels = row.own, n.label_evidence = row.evidence"""

SET_NODE_DECLASSIFIED = """
MATCH (n:Asset {uid: $uid})
SET n.declassified = $patterns, n.declassification_log = $log
RETURN n.uid AS uid"""

GET_NODE_DECLASSIFIED = """
MATCH (n:Asset {uid: $uid})
RETURN n.declassified AS patterns, n.declassification_log AS log, n.kind AS kind"""

SET_EDGE_DECLASSIFIED = """
MATCH (a:Asset {uid: $src})-[e:FLOWS_TO]->(b:Asset {uid: $dst})
WHERE e.key = $key
SET e.declassified = $patterns, e.declassification_log = $log
RETURN count(e) AS n"""

GET_EDGE_DECLASSIFIED = """
MATCH (a:Asset {uid: $src})-[e:FLOWS_TO]->(b:Asset {uid: $dst})
WHERE e.key = $key
RETURN e.declassified AS patterns, e.declassification_log AS log"""

GET_OWN = """
UNWIND $uids AS uid
MATCH (n:Asset {uid: uid})
RETURN n.uid AS uid, n.label_evidence AS evidence"""

ALL_STATEMENTS: dict[str, str] = {
    name: value
    for name, value in dict(globals()).items()
    if name.isupper() and isinstance(value, str) and not name.startswith("_")
}
