"""Cypher of policies, findings and the audit log: named, parameterised constants.

Findings and audit entries are graph nodes under labels that are not ``Asset``
(``:Finding``, ``:AuditEntry``, ``:AuditHead``), so they live in whichever store holds the
graph (FalkorDB or Neo4j) yet never appear in exports, traversals or counts of assets.
Values that are not scalars (evidence, before/after states) travel as JSON strings.
"""

from __future__ import annotations

__all__ = [
    "ACCESS_TO_LABELLED",
    "AUDIT_APPEND",
    "AUDIT_BY_ACTION",
    "AUDIT_ENTRIES",
    "AUDIT_HEAD",
    "AUDIT_INIT",
    "CAN_ACCESS_BETWEEN",
    "CAN_ACCESS_INTO",
    "FINDINGS_OF_POLICY",
    "FINDINGS_PAGE",
    "FINDINGS_WITH_ACTION",
    "FINDING_BY_FINGERPRINT",
    "LABELLED_JOBS",
    "NODE_PROPS",
    "SHADOW_MODELS",
    "UPSERT_FINDING",
    "UPSERT_FINDINGS",
]

# -- matches -------------------------------------------------------------------------------
LABELLED_JOBS = """
MATCH (j:Job)
WHERE j.job_type IN $job_types AND size(coalesce(j.own_labels, [])) > 0
RETURN j.uid AS uid, j.name AS name, j.job_type AS job_type, j.own_labels AS labels"""

SHADOW_MODELS = """
MATCH (m:Model)
WHERE NOT coalesce(m.registered, false) AND size(coalesce(m.labels, [])) > 0
RETURN m.uid AS uid, m.labels AS labels, coalesce(m.coarse_labels, []) AS coarse_labels"""

ACCESS_TO_LABELLED = """
MATCH (p:Principal)-[c:CAN_ACCESS]->(a:Asset)
WHERE a.kind IN $kinds AND size(coalesce(a.labels, [])) > 0
RETURN p.uid AS principal, p.name AS name, coalesce(p.groups, []) AS groups,
       a.uid AS asset, a.kind AS kind, a.labels AS labels, a.exposure AS exposure,
       c.permission AS permission"""

# -- responses -----------------------------------------------------------------------------
NODE_PROPS = """
MATCH (n:Asset {uid: $uid})
RETURN properties(n) AS props"""

CAN_ACCESS_INTO = """
MATCH (p:Asset)-[c:CAN_ACCESS]->(n:Asset {uid: $uid})
RETURN p.uid AS src, properties(c) AS props"""

CAN_ACCESS_BETWEEN = """
MATCH (p:Asset {uid: $src})-[c:CAN_ACCESS]->(n:Asset {uid: $dst})
RETURN p.uid AS src, properties(c) AS props"""

# -- findings ------------------------------------------------------------------------------
FINDING_BY_FINGERPRINT = """
MATCH (f:Finding {fingerprint: $fingerprint})
RETURN properties(f) AS props"""

FINDINGS_OF_POLICY = """
MATCH (f:Finding)
WHERE f.policy = $policy
RETURN properties(f) AS props"""

UPSERT_FINDING = """
MERGE (f:Finding {fingerprint: $fingerprint})
SET f += $props
RETURN f.fingerprint AS fingerprint"""

# One statement for a whole evaluation: each write is a durable commit (an fsync with the
# embedded store's settings), so per-finding writes would make every evaluation O(findings).
UPSERT_FINDINGS = """
UNWIND $rows AS row
MERGE (f:Finding {fingerprint: row.fingerprint})
SET f += row.props
RETURN count(f) AS n"""

FINDINGS_WITH_ACTION = """
MATCH (f:Finding)
WHERE $action_id IN f.in_force
RETURN properties(f) AS props"""

# Highest risk first; keyset-paginated on (risk desc, fingerprint).
FINDINGS_PAGE = """
MATCH (f:Finding)
WHERE ($status IS NULL OR f.status IN $status)
  AND ($policy IS NULL OR f.policy = $policy)
  AND ($severity IS NULL OR f.severity = $severity)
  AND ($subject IS NULL OR $subject IN f.subjects)
  AND ($after_risk IS NULL OR f.risk < $after_risk
       OR (f.risk = $after_risk AND f.fingerprint > $after_fp))
RETURN properties(f) AS props
ORDER BY f.risk DESC, f.fingerprint
LIMIT $limit"""

# -- audit ---------------------------------------------------------------------------------
AUDIT_INIT = """
MERGE (h:AuditHead {name: 'audit'})
ON CREATE SET h.seq = 0, h.hash = $genesis
RETURN h.seq AS seq, h.hash AS hash"""

AUDIT_HEAD = """
MATCH (h:AuditHead {name: 'audit'})
RETURN h.seq AS seq, h.hash AS hash"""

# Compare-and-set on the head: the write lock taken by the first SET orders concurrent
# appenders (Neo4j); FalkorDB runs writes one at a time. No row back: someone else appended.
AUDIT_APPEND = """
MATCH (h:AuditHead {name: 'audit'})
SET h.writer = $seq
WITH h
WHERE h.seq = $prev_seq AND h.hash = $prev_hash
SET h.seq = $seq, h.hash = $hash
CREATE (a:AuditEntry)
SET a += $entry
RETURN a.seq AS seq"""

AUDIT_ENTRIES = """
MATCH (a:AuditEntry)
WHERE a.seq > $after
RETURN properties(a) AS props
ORDER BY a.seq
LIMIT $limit"""

AUDIT_BY_ACTION = """
MATCH (a:AuditEntry)
WHERE a.action_id = $action_id OR a.undoes = $action_id
RETURN properties(a) AS props
ORDER BY a.seq"""
