"""Schema DDL per backend: the one place where the Neo4j and FalkorDB dialects differ.

Queries and the write path (:mod:`lineage.store.cypher`) are shared by both stores. Schema
statements are not: Neo4j 5 declares uniqueness with ``CREATE CONSTRAINT ... IF NOT EXISTS``
and names every index, while FalkorDB has no ``CREATE CONSTRAINT`` (a unique constraint is the
``GRAPH.CONSTRAINT`` command, and needs an index on the same property first) and no
``IF NOT EXISTS`` (a repeated ``CREATE INDEX`` fails with "already indexed").

The per-backend statements are tuples, not strings, on purpose: the Cypher lint in
``tests/test_cypher_lint.py`` plans every string constant on FalkorDB too, which Neo4j DDL
cannot pass. ``tests/neo4j/test_ddl.py`` lints :data:`NEO4J_SCHEMA` with Neo4j's own parser
and runs :data:`FALKOR_INDEXES` on the embedded store. The schema-version statements at the
end are plain Cypher that both backends run, so the shared lint covers them.

Bump :data:`SCHEMA_VERSION` when a change needs existing graphs to be migrated; a store that
finds a newer version than it knows refuses to open rather than write an older shape.
"""

from __future__ import annotations

from lineage.model import Kind

__all__ = [
    "FALKOR_CONSTRAINT",
    "FALKOR_INDEXES",
    "NEO4J_SCHEMA",
    "READ_SCHEMA_VERSION",
    "SCHEMA_VERSION",
    "WRITE_SCHEMA_VERSION",
]

SCHEMA_VERSION = 1

# -- Neo4j 5 ---------------------------------------------------------------------------------
# The uniqueness constraint brings its own range index on Asset.uid, which every MERGE and
# point lookup uses. Per-kind uid indexes keep `MATCH (n:Endpoint {uid: ...})` an index seek,
# as on FalkorDB. `kind` and `name` serve listing/search; FLOWS_TO.via serves "what did this
# job write" and staleness marking without scanning every edge.
NEO4J_SCHEMA: tuple[tuple[str, str], ...] = (
    (
        "asset_uid",
        "CREATE CONSTRAINT asset_uid IF NOT EXISTS FOR (n:Asset) REQUIRE n.uid IS UNIQUE",
    ),
    (
        "lineage_meta_key",
        "CREATE CONSTRAINT lineage_meta_key IF NOT EXISTS "
        "FOR (m:LineageMeta) REQUIRE m.key IS UNIQUE",
    ),
    # The OpenLineage event log (lineage.store.neo4j_eventlog): keys deduplicate, seq orders.
    (
        "lineage_event_key",
        "CREATE CONSTRAINT lineage_event_key IF NOT EXISTS "
        "FOR (e:LineageEvent) REQUIRE e.key IS UNIQUE",
    ),
    (
        "lineage_event_seq",
        "CREATE CONSTRAINT lineage_event_seq IF NOT EXISTS "
        "FOR (e:LineageEvent) REQUIRE e.seq IS UNIQUE",
    ),
    (
        "lineage_event_applied",
        "CREATE INDEX lineage_event_applied IF NOT EXISTS FOR (e:LineageEvent) ON (e.applied)",
    ),
    # Policy findings and the audit chain (lineage.policy): MERGE on a fingerprint is only safe
    # across service replicas with a uniqueness constraint behind it.
    (
        "finding_fingerprint",
        "CREATE CONSTRAINT finding_fingerprint IF NOT EXISTS "
        "FOR (f:Finding) REQUIRE f.fingerprint IS UNIQUE",
    ),
    ("finding_policy", "CREATE INDEX finding_policy IF NOT EXISTS FOR (f:Finding) ON (f.policy)"),
    (
        "audit_head_name",
        "CREATE CONSTRAINT audit_head_name IF NOT EXISTS "
        "FOR (h:AuditHead) REQUIRE h.name IS UNIQUE",
    ),
    (
        "audit_entry_seq",
        "CREATE CONSTRAINT audit_entry_seq IF NOT EXISTS "
        "FOR (a:AuditEntry) REQUIRE a.seq IS UNIQUE",
    ),
    (
        "audit_entry_action",
        "CREATE INDEX audit_entry_action IF NOT EXISTS FOR (a:AuditEntry) ON (a.action_id)",
    ),
    ("asset_kind", "CREATE INDEX asset_kind IF NOT EXISTS FOR (n:Asset) ON (n.kind)"),
    ("asset_name", "CREATE INDEX asset_name IF NOT EXISTS FOR (n:Asset) ON (n.name)"),
    (
        "flows_to_via",
        "CREATE INDEX flows_to_via IF NOT EXISTS FOR ()-[e:FLOWS_TO]-() ON (e.via)",
    ),
    *(
        (
            f"{kind.value.lower()}_uid",
            f"CREATE INDEX {kind.value.lower()}_uid IF NOT EXISTS FOR (n:{kind.value}) ON (n.uid)",
        )
        for kind in Kind
    ),
)

# Server error codes that mean "someone else already created it" (replicas starting together).
NEO4J_ALREADY_EXISTS = frozenset(
    {
        "Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists",
        "Neo.ClientError.Schema.ConstraintAlreadyExists",
        "Neo.ClientError.Schema.IndexAlreadyExists",
    }
)

# -- FalkorDB --------------------------------------------------------------------------------
# The index must exist before the constraint; a repeated CREATE INDEX answers "already indexed".
FALKOR_INDEXES: tuple[str, ...] = (
    "CREATE INDEX FOR (n:Asset) ON (n.uid)",
    *(f"CREATE INDEX FOR (n:{kind.value}) ON (n.uid)" for kind in Kind),
)
# Arguments of `GRAPH.CONSTRAINT CREATE <graph> ...` after the graph name.
FALKOR_CONSTRAINT: tuple[str, ...] = ("UNIQUE", "NODE", "Asset", "PROPERTIES", "1", "uid")

# -- both ------------------------------------------------------------------------------------
# The version lives in the graph itself, on a node outside the Asset label (so exports,
# counts and queries never see it).
READ_SCHEMA_VERSION = """
MATCH (m:LineageMeta {key: 'schema'})
RETURN m.version AS version"""

WRITE_SCHEMA_VERSION = """
MERGE (m:LineageMeta {key: 'schema'})
SET m.version = $version, m.updated_at = $at
RETURN m.version AS version"""
