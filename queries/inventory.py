"""The AI asset inventory: every model, vector index and endpoint, and where each was found.

"Where found" is the evidence a reviewer opens: the artefacts that mentioned the asset
(``source_refs``: notebook path and cell, config file) and the jobs that moved data into or
out of it (``via`` on its ``FLOWS_TO`` edges). ``registered`` is false or missing for shadow
AI: assets nobody approved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["AI_ASSETS", "AI_KINDS", "ASSET_JOBS", "AiAsset", "ai_assets"]

AI_KINDS = ("Model", "VectorIndex", "Endpoint")

AI_ASSETS = """
MATCH (n:Asset)
WHERE n.kind IN $kinds
RETURN n.uid AS uid, n.kind AS kind, n.name AS name, n.namespace AS namespace,
       n.registered AS registered, n.source_refs AS source_refs, n.labels AS labels,
       n.provider AS provider, n.model_type AS model_type, n.origin AS origin,
       n.engine AS engine, n.collection AS collection, n.embedding_model AS embedding_model,
       n.exposure AS exposure, n.stub AS stub, n.first_seen AS first_seen,
       n.last_seen AS last_seen
ORDER BY kind, uid"""

ASSET_JOBS = """
UNWIND $uids AS uid
MATCH (n:Asset {uid: uid})-[e:FLOWS_TO]-(:Asset)
WHERE e.via IS NOT NULL
RETURN uid, collect(DISTINCT e.via) AS jobs"""

_DETAIL = (
    "provider",
    "model_type",
    "origin",
    "engine",
    "collection",
    "embedding_model",
    "exposure",
    "first_seen",
    "last_seen",
)


@dataclass(frozen=True, slots=True)
class AiAsset:
    """One AI asset as the inventory shows it."""

    uid: str
    kind: str
    name: str
    namespace: str
    registered: bool | None
    found_in: tuple[str, ...] = ()
    jobs: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    detail: Mapping[str, Any] = field(default_factory=dict)

    @property
    def shadow(self) -> bool:
        """Not approved: ``registered`` is false, or was never evaluated."""
        return self.registered is not True

    def to_dict(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "kind": self.kind,
            "name": self.name,
            "namespace": self.namespace,
            "registered": self.registered,
            "shadow": self.shadow,
            "found_in": list(self.found_in),
            "jobs": list(self.jobs),
            "labels": list(self.labels),
            **{k: v for k, v in self.detail.items() if v is not None},
        }


def ai_assets(
    store: Any, *, kinds: Iterable[str] = AI_KINDS, shadow_only: bool = False
) -> list[AiAsset]:
    """AI assets by kind (then id), with where each was found; only shadow ones if asked."""
    rows = store.query(AI_ASSETS, {"kinds": list(kinds)})
    uids = [row["uid"] for row in rows]
    jobs: dict[str, list[str]] = {}
    for chunk in range(0, len(uids), 1000):
        for row in store.query(ASSET_JOBS, {"uids": uids[chunk : chunk + 1000]}):
            jobs[row["uid"]] = sorted(row["jobs"])
    assets = [
        AiAsset(
            uid=row["uid"],
            kind=row["kind"],
            name=row["name"] or "",
            namespace=row["namespace"] or "",
            registered=row["registered"],
            found_in=tuple(row["source_refs"] or ()),
            jobs=tuple(jobs.get(row["uid"], ())),
            labels=tuple(row["labels"] or ()),
            detail={k: row[k] for k in _DETAIL} | ({"stub": True} if row["stub"] else {}),
        )
        for row in rows
    ]
    return [a for a in assets if a.shadow] if shadow_only else assets
