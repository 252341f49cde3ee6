"""Findings: violations remembered across runs, deduplicated by a stable fingerprint.

A finding's fingerprint hashes the policy id, the match kind and the uids in the match's
*key roles* (a model and its endpoint; a principal and an asset...), so the same violation
seen by every run, by the CLI and by the server, is one finding. Its life:

* ``open``: the violation holds and no remediation is in force;
* ``mitigated``: a containing remediation (quarantine, revoke; not a dry run) is in force;
* ``resolved``: the violation no longer holds (set automatically by the next evaluation of
  its policy); it re-opens, keeping ``first_seen`` and counting ``occurrences``, if it
  comes back.

Findings are ``:Finding`` nodes (not ``Asset``), so they live in the graph store itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lineage.errors import ParseError
from lineage.policy import cypher as q
from lineage.policy.matching import Violation
from lineage.policy.spec import Policy
from lineage.store.base import Store

__all__ = [
    "STATUSES",
    "Finding",
    "FindingsPage",
    "Reconciled",
    "cursor_of",
    "fingerprint",
    "get_finding",
    "list_findings",
    "reconcile",
    "save",
    "save_all",
]

STATUSES = ("open", "mitigated", "resolved")
_ACTIVE = ("open", "mitigated")


def fingerprint(policy_id: str, kind: str, key: Iterable[tuple[str, str]]) -> str:
    """Stable across runs and processes: the same violation always has the same id."""
    text = "\x1f".join([policy_id, kind, *(f"{r}={uid}" for r, uid in sorted(key))])
    return "f_" + hashlib.sha256(text.encode()).hexdigest()[:24]


@dataclass(slots=True)
class Finding:
    """A violation of one policy, with its evidence, score, history and remediations."""

    fingerprint: str
    policy: str
    severity: str
    match: str
    title: str
    status: str
    roles: dict[str, str]
    labels: list[str]
    evidence: list[dict[str, Any]]
    risk: float
    explanation: str
    first_seen: str
    last_seen: str
    resolved_at: str = ""
    occurrences: int = 1
    responded: list[int] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    in_force: list[str] = field(default_factory=list)
    recommendations: list[str] = field(default_factory=list)

    @property
    def subjects(self) -> list[str]:
        return sorted(set(self.roles.values()))

    def to_props(self) -> dict[str, Any]:
        """Store properties: scalars and lists of scalars; structures as JSON text."""
        return {
            "policy": self.policy,
            "severity": self.severity,
            "match": self.match,
            "title": self.title,
            "status": self.status,
            "roles": json.dumps(self.roles, sort_keys=True),
            "subjects": self.subjects,
            "labels": sorted(self.labels),
            "evidence": json.dumps(self.evidence, sort_keys=True, default=str),
            "risk": float(self.risk),
            "explanation": self.explanation,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "resolved_at": self.resolved_at,
            "occurrences": self.occurrences,
            "responded": list(self.responded),
            "actions": list(self.actions),
            "in_force": list(self.in_force),
            "recommendations": list(self.recommendations),
        }

    @classmethod
    def from_props(cls, p: Mapping[str, Any]) -> Finding:
        return cls(
            fingerprint=p["fingerprint"],
            policy=p.get("policy", ""),
            severity=p.get("severity", ""),
            match=p.get("match", ""),
            title=p.get("title", ""),
            status=p.get("status", "open"),
            roles=json.loads(p.get("roles") or "{}"),
            labels=list(p.get("labels") or ()),
            evidence=json.loads(p.get("evidence") or "[]"),
            risk=float(p.get("risk") or 0.0),
            explanation=p.get("explanation", ""),
            first_seen=p.get("first_seen", ""),
            last_seen=p.get("last_seen", ""),
            resolved_at=p.get("resolved_at", ""),
            occurrences=int(p.get("occurrences") or 1),
            responded=[int(x) for x in p.get("responded") or ()],
            actions=list(p.get("actions") or ()),
            in_force=list(p.get("in_force") or ()),
            recommendations=list(p.get("recommendations") or ()),
        )

    def to_dict(self) -> dict[str, Any]:
        out = {"fingerprint": self.fingerprint, **self.to_props()}
        out["roles"], out["evidence"] = self.roles, self.evidence
        return out


def save(store: Store, finding: Finding) -> None:
    store.execute(
        q.UPSERT_FINDING, {"fingerprint": finding.fingerprint, "props": finding.to_props()}
    )


def save_all(store: Store, found: Iterable[Finding]) -> None:
    rows = [{"fingerprint": f.fingerprint, "props": f.to_props()} for f in found]
    if rows:
        store.execute(q.UPSERT_FINDINGS, {"rows": rows})


def get_finding(store: Store, fp: str) -> Finding | None:
    rows = store.query(q.FINDING_BY_FINGERPRINT, {"fingerprint": fp})
    return Finding.from_props(rows[0]["props"]) if rows else None


@dataclass(slots=True)
class Reconciled:
    """What one evaluation of one policy changed."""

    new: list[Finding] = field(default_factory=list)
    reopened: list[Finding] = field(default_factory=list)
    ongoing: list[Finding] = field(default_factory=list)
    resolved: list[Finding] = field(default_factory=list)

    @property
    def current(self) -> list[Finding]:
        return [*self.new, *self.reopened, *self.ongoing]


def reconcile(
    store: Store,
    policy: Policy,
    violations: Mapping[tuple[tuple[str, str], ...], Violation],
    *,
    now: str,
) -> Reconciled:
    """Merge this run's violations of ``policy`` into its stored findings (dedup, re-open,
    auto-resolve) and write the changes."""
    stored = {
        row["props"]["fingerprint"]: Finding.from_props(row["props"])
        for row in store.query(q.FINDINGS_OF_POLICY, {"policy": policy.id})
    }
    out = Reconciled()
    seen: set[str] = set()
    for key, v in violations.items():
        fp = fingerprint(policy.id, policy.match.kind, key)
        seen.add(fp)
        prior = stored.get(fp)
        finding = Finding(
            fingerprint=fp,
            policy=policy.id,
            severity=policy.severity,
            match=policy.match.kind,
            title=v.title,
            status="open",
            roles=dict(v.roles),
            labels=sorted(v.labels),
            evidence=list(v.evidence),
            risk=v.risk,
            explanation=v.explanation,
            first_seen=now,
            last_seen=now,
        )
        if prior is None:
            out.new.append(finding)
        elif prior.status == "resolved":
            finding.first_seen = prior.first_seen
            finding.occurrences = prior.occurrences + 1
            finding.actions = prior.actions
            finding.in_force = prior.in_force  # a quarantine left in force still holds
            finding.status = "mitigated" if prior.in_force else "open"
            out.reopened.append(finding)
        else:
            finding.first_seen = prior.first_seen
            finding.occurrences = prior.occurrences
            finding.status = prior.status
            finding.responded = prior.responded
            finding.actions = prior.actions
            finding.in_force = prior.in_force
            finding.recommendations = prior.recommendations
            out.ongoing.append(finding)
    for fp, prior in stored.items():
        if fp not in seen and prior.status in _ACTIVE:
            prior.status, prior.resolved_at = "resolved", now
            prior.responded = []
            out.resolved.append(prior)
    save_all(store, [*out.current, *out.resolved])
    return out


@dataclass(frozen=True, slots=True)
class FindingsPage:
    findings: tuple[Finding, ...]
    next_cursor: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "findings": [f.to_dict() for f in self.findings],
            "next_cursor": self.next_cursor,
        }


def cursor_of(f: Finding) -> str:
    """The opaque cursor that resumes a listing right after ``f``."""
    return _cursor(f)


def _cursor(f: Finding) -> str:
    return base64.urlsafe_b64encode(json.dumps([f.risk, f.fingerprint]).encode()).decode()


def _uncursor(cursor: str) -> tuple[float, str]:
    try:
        risk, fp = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if "\x00" in str(fp):
            raise ValueError("NUL in the cursor")  # the store cannot take it as a parameter
        return float(risk), str(fp)
    except (ValueError, TypeError) as exc:  # a client's mistake: 400, not 500
        raise ParseError(f"bad findings cursor {cursor[:100]!r}") from exc


def list_findings(
    store: Store,
    *,
    status: str | Sequence[str] | None = None,
    policy: str | None = None,
    severity: str | None = None,
    subject: str | None = None,
    first: int = 50,
    after: str | None = None,
) -> FindingsPage:
    """Findings, highest risk first, filtered and keyset-paginated (``after`` = the
    ``next_cursor`` of the previous page). ``status`` is one status or several."""
    if not 0 < first <= 1000:
        raise ParseError("first must be between 1 and 1000")
    statuses = [status] if isinstance(status, str) else list(status) if status else None
    for s in statuses or ():
        if s not in STATUSES:
            raise ParseError(f"unknown status {s[:100]!r} (one of {', '.join(STATUSES)})")
    after_risk, after_fp = _uncursor(after) if after else (None, "")
    rows = store.query(
        q.FINDINGS_PAGE,
        {
            "status": statuses,
            "policy": policy,
            "severity": severity,
            "subject": subject,
            "after_risk": after_risk,
            "after_fp": after_fp,
            "limit": first + 1,
        },
    )
    found = [Finding.from_props(r["props"]) for r in rows]
    more = len(found) > first
    found = found[:first]
    return FindingsPage(tuple(found), _cursor(found[-1]) if more and found else None)
