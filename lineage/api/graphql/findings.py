"""GraphQL ``findings``: policy findings, filtered and paginated, highest risk first.

Add it to the schema's ``Query`` with one line: ``findings = findings_field``. Evidence is
returned as JSON (paths of uids with each hop's transformation; never a sampled value).
"""

from __future__ import annotations

from typing import Any, cast

import strawberry
from anyio import to_thread
from strawberry.scalars import JSON
from strawberry.types import Info

from lineage.api.graphql.pagination import Connection, decode_key, keyset_connection, page_size
from lineage.policy import Finding, list_findings
from lineage.policy.findings import cursor_of

__all__ = ["FindingType", "RoleType", "findings_field", "resolve_findings"]


@strawberry.type(name="FindingRole")
class RoleType:
    role: str
    uid: strawberry.ID


@strawberry.type(name="Finding")
class FindingType:
    """A violation of one policy, deduplicated across runs (``fingerprint`` is stable)."""

    fingerprint: strawberry.ID
    policy: str
    severity: str
    status: str = strawberry.field(description="open, mitigated (remediation in force), resolved")
    title: str
    risk: float
    risk_explanation: str
    labels: list[str]
    roles: list[RoleType]
    evidence: JSON
    first_seen: str
    last_seen: str
    resolved_at: str | None
    occurrences: int
    actions: list[str] = strawberry.field(description="Audit action ids taken for it.")
    actions_in_force: list[str]
    recommendations: list[str]
    cursor: strawberry.Private[str]

    @classmethod
    def of(cls, f: Finding) -> FindingType:
        return cls(
            fingerprint=strawberry.ID(f.fingerprint),
            policy=f.policy,
            severity=f.severity,
            status=f.status,
            title=f.title,
            risk=f.risk,
            risk_explanation=f.explanation,
            labels=list(f.labels),
            roles=[RoleType(role=r, uid=strawberry.ID(u)) for r, u in sorted(f.roles.items())],
            evidence=cast(JSON, f.evidence),
            first_seen=f.first_seen,
            last_seen=f.last_seen,
            resolved_at=f.resolved_at or None,
            occurrences=f.occurrences,
            actions=list(f.actions),
            actions_in_force=list(f.in_force),
            recommendations=list(f.recommendations),
            cursor=cursor_of(f),
        )


async def resolve_findings(  # noqa: PLR0917 - GraphQL arguments
    info: Info,
    status: list[str] | None = None,
    policy: str | None = None,
    severity: str | None = None,
    subject: strawberry.ID | None = None,
    first: int | None = None,
    after: str | None = None,
) -> Connection[FindingType]:
    size, key = page_size(first), decode_key(after)
    store: Any = info.context["store"]

    def run() -> Any:
        return list_findings(
            store,
            status=status,
            policy=policy,
            severity=severity,
            subject=str(subject) if subject else None,
            first=size,
            after=key or None,
        )

    page = await to_thread.run_sync(run)
    return keyset_connection(
        [FindingType.of(f) for f in page.findings],
        lambda f: f.cursor,
        has_next=page.next_cursor is not None,
        has_previous=bool(key),
    )


findings_field = strawberry.field(
    resolver=resolve_findings,
    description="Policy findings (filter by status, policy, severity, subject), by risk.",
)
