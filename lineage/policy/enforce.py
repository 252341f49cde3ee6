"""Evaluate policies, keep findings current, respond: once (``check``) or continuously.

:meth:`Enforcer.check` evaluates policies, reconciles findings (new, re-opened, ongoing,
resolved) and runs the policy's responses for findings that are new or re-opened, each
response once per occurrence (so an undone quarantine is not re-applied by the next run).

Continuous mode: :func:`attach` an enforcer to a store, and the pipeline observer below
re-evaluates, after every committed batch, only the policies whose match the batch can
affect (by relationship types, node kinds and label categories touched), and acts before
the ingest call returns: an OpenLineage event's HTTP response is sent with the remediation
already in force. Writes made by responses are evaluated once more afterwards (a quarantine
removes CAN_ACCESS edges, which may resolve access findings), never recursively.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from lineage import ids, pipeline
from lineage.errors import LineageError
from lineage.model import Kind, Rel
from lineage.pipeline import Change
from lineage.policy import actions, findings
from lineage.policy.findings import Finding
from lineage.policy.matching import evaluate
from lineage.policy.record import CONTAINING
from lineage.policy.redact import Redactor
from lineage.policy.spec import (
    NotifyResponse,
    Policy,
    QuarantineResponse,
    RecommendResponse,
    RedactResponse,
    RevokeResponse,
)
from lineage.store.base import Store
from lineage.timeutil import now_iso

__all__ = [
    "CheckResult",
    "Enforcer",
    "affects",
    "attach",
    "attached",
    "detach",
    "reevaluate",
    "undo",
]

log = logging.getLogger(__name__)

_FLOW = frozenset({Rel.FLOWS_TO, Rel.HAS_COLUMN})
_DATA = frozenset({Kind.DATASET, Kind.COLUMN, Kind.MODEL, Kind.VECTOR_INDEX, Kind.ENDPOINT})
# What can change each match kind's answer: relationship types, node kinds (their
# properties: exposure, registered, groups, job_type), and whether new detections matter.
_DEPENDS: dict[str, tuple[frozenset[Rel], frozenset[Kind]]] = {
    "training_data_of_exposed_model": (_FLOW, _DATA),
    "index_retrievable_by_public_endpoint": (_FLOW, _DATA),
    "label_reaches_exposed_endpoint": (_FLOW, _DATA),
    "shadow_model_receives": (_FLOW, frozenset({Kind.MODEL})),
    "secret_in_notebook": (frozenset(), frozenset({Kind.JOB})),
    "principal_outside_group_accesses": (
        _FLOW | {Rel.CAN_ACCESS},
        frozenset({Kind.PRINCIPAL}) | _DATA,
    ),
}


def affects(policy: Policy, change: Change) -> bool:
    """Whether ``change`` can alter ``policy``'s violations (conservative: when unsure, yes)."""
    kind = policy.match.kind
    if kind not in _DEPENDS:
        return True  # cypher: anything may matter
    rels, kinds = _DEPENDS[kind]
    categories = getattr(policy.match, "categories", ())
    if any(
        lab.label.category in {c.partition(":")[0] for c in categories} for lab in change.labelings
    ):
        return True
    if any(e.rel in rels for e in change.edges) or any(r[1] in rels for r in change.removed_edges):
        return True
    touched = change.nodes | change.removed_nodes
    for uid in touched:
        try:
            if ids.kind_of(uid) in kinds:
                return True
        except LineageError:
            continue
    return False


class _AlreadyContained(Exception):
    """The target is already quarantined by another action, which contains this one too."""

    def __init__(self, action_id: str) -> None:
        super().__init__(action_id)
        self.action_id = action_id


@dataclass(slots=True)
class CheckResult:
    """One evaluation: findings by fate, actions taken, and how long it took."""

    policies: list[str] = field(default_factory=list)
    new: list[Finding] = field(default_factory=list)
    reopened: list[Finding] = field(default_factory=list)
    ongoing: list[Finding] = field(default_factory=list)
    resolved: list[Finding] = field(default_factory=list)
    actions: list[actions.Outcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def current(self) -> list[Finding]:
        return [*self.new, *self.reopened, *self.ongoing]

    def to_dict(self) -> dict[str, Any]:
        current = sorted(self.current, key=lambda f: (-f.risk, f.fingerprint))
        return {
            "policies": self.policies,
            "findings": [f.to_dict() for f in current],
            "new": [f.fingerprint for f in self.new],
            "reopened": [f.fingerprint for f in self.reopened],
            "resolved": [f.fingerprint for f in self.resolved],
            "actions": [a.to_dict() for a in self.actions],
            "errors": self.errors,
            "seconds": round(self.seconds, 4),
        }


class Enforcer:
    """Policies bound to one store; thread-safe (one evaluation at a time)."""

    def __init__(
        self,
        store: Store,
        policies: Sequence[Policy],
        *,
        act: bool = True,
        redactor: Redactor | None = None,
        actor_prefix: str = "policy:",
    ) -> None:
        self.store = store
        self.policies = [p for p in policies if p.enabled]
        self.act = act
        self.redactor = redactor
        self.actor_prefix = actor_prefix
        self._lock = threading.RLock()
        self._local = threading.local()
        self.last: CheckResult | None = None

    # -- evaluation ----------------------------------------------------------------------
    def check(
        self, policies: Iterable[Policy] | None = None, *, act: bool | None = None
    ) -> CheckResult:
        """Evaluate ``policies`` (default: all), reconcile findings, respond."""
        act = self.act if act is None else act
        chosen = list(self.policies if policies is None else policies)
        started = time.perf_counter()
        result = CheckResult(policies=[p.id for p in chosen])
        with self._lock:
            self._local.busy = True
            try:
                for policy in chosen:
                    self._check_one(policy, result, act=act)
            finally:
                self._local.busy = False
            # responses write to the graph: let their effects settle once (no recursion)
            pending, self._local.pending = getattr(self._local, "pending", None), None
            if pending:
                follow = [p for p in self.policies if any(affects(p, c) for c in pending)]
                for policy in follow:
                    self._check_one(policy, result, act=False)
        result.seconds = time.perf_counter() - started
        self.last = result
        return result

    def _check_one(self, policy: Policy, result: CheckResult, *, act: bool) -> None:
        now = now_iso()
        try:
            violations = evaluate(self.store, policy.match)
        except LineageError as exc:
            result.errors.append(f"{policy.id}: {exc}")
            log.warning("policy %s could not be evaluated: %s", policy.id, exc)
            return
        done = findings.reconcile(self.store, policy, violations, now=now)
        result.new += done.new
        result.reopened += done.reopened
        result.ongoing += done.ongoing
        result.resolved += done.resolved
        if act:
            for finding in [*done.new, *done.reopened, *done.ongoing]:
                self._respond(policy, finding, result)

    def on_change(self, change: Change) -> CheckResult | None:
        """The continuous-mode hook: re-evaluate the policies ``change`` can affect."""
        if getattr(self._local, "busy", False):
            pending = getattr(self._local, "pending", None) or []
            pending.append(change)
            self._local.pending = pending
            return None
        chosen = [p for p in self.policies if affects(p, change)]
        if not chosen:
            return None
        return self.check(chosen)

    # -- responses -----------------------------------------------------------------------
    def _respond(self, policy: Policy, finding: Finding, result: CheckResult) -> None:
        """Run the responses not yet run for this occurrence; one write for the finding."""
        changed = False
        for index, response in enumerate(policy.responses):
            if index in finding.responded:
                continue
            changed = True
            finding.responded = sorted({*finding.responded, index})
            try:
                outcome = self._run(policy, finding, response)
            except _AlreadyContained as held:
                finding.in_force.append(held.action_id)
                finding.status = "mitigated" if finding.status == "open" else finding.status
                continue
            except LineageError as exc:
                result.errors.append(
                    f"{policy.id} {response.action} on {finding.fingerprint}: {exc}"
                )
                continue
            result.actions.append(outcome)
            finding.actions.append(outcome.action_id)
            if (
                isinstance(response, RecommendResponse)
                and response.message not in finding.recommendations
            ):
                finding.recommendations.append(response.message)
            if not outcome.dry_run and outcome.action in CONTAINING:
                finding.in_force.append(outcome.action_id)
                if finding.status == "open":
                    finding.status = "mitigated"
        if changed:
            findings.save(self.store, finding)

    def _target(self, finding: Finding, role: str | None, default: Sequence[str]) -> str:
        for r in [role] if role else default:
            if r and r in finding.roles:
                return finding.roles[r]
        raise LineageError(f"no {role or '/'.join(default)} in the finding's roles")

    def _run(self, policy: Policy, finding: Finding, response: Any) -> actions.Outcome:
        ctx: dict[str, Any] = {
            "actor": f"{self.actor_prefix}{policy.id}",
            "reason": f"{policy.description} [{finding.title}]",
            "policy": policy.id,
            "finding": finding.fingerprint,
            "track_finding": False,  # _respond records it, in one write
        }
        dry = response.is_dry_run()
        if isinstance(response, QuarantineResponse):
            uid = self._target(finding, response.target, ("endpoint", "index", "model", "asset"))
            node = self.store.get_node(uid)
            held = node.props.get("quarantine_action") if node is not None else None
            if not dry and node is not None and node.props.get("quarantined") is True and held:
                raise _AlreadyContained(str(held))  # e.g. a second model on one endpoint
            return actions.quarantine(self.store, uid, dry_run=dry, **ctx)
        if isinstance(response, RevokeResponse):
            principal = self._target(finding, response.target, ("principal",))
            asset = self._target(finding, response.asset, ("asset",))
            return actions.revoke(self.store, principal, asset, dry_run=dry, **ctx)
        if isinstance(response, RedactResponse):
            dataset = self._target(finding, response.target, ("dataset", "origin"))
            categories = getattr(policy.match, "categories", None)
            if response.mode == "view":
                return actions.redact_view(
                    self.store,
                    dataset,
                    operator=response.operator,
                    dialect=response.dialect,
                    output=response.output,
                    categories=categories,
                    dry_run=dry,
                    **ctx,
                )
            self.redactor = self.redactor or Redactor()
            return actions.redact_file(
                self.store,
                dataset,
                redactor=self.redactor,
                operator=response.operator,
                output=response.output,
                dry_run=dry,
                **ctx,
            )
        if isinstance(response, NotifyResponse):
            payload = {
                "policy": policy.id,
                "severity": policy.severity,
                "finding": finding.fingerprint,
                "title": finding.title,
                "status": finding.status,
                "risk": finding.risk,
                "labels": finding.labels,
                "roles": finding.roles,
                "first_seen": finding.first_seen,
                "evidence": [e.get("nodes") or e.get("hops") or e for e in finding.evidence[:3]],
            }
            return actions.notify(
                self.store,
                response.url,
                payload,
                retries=response.retries,
                backoff=response.backoff,
                timeout=response.timeout,
                dry_run=dry,
                **ctx,
            )
        if isinstance(response, RecommendResponse):
            target = self._target(finding, response.target, tuple(finding.roles))
            return actions.recommend(self.store, target, response.message, **ctx)
        raise LineageError(f"unknown response {response!r}")


# -- continuous mode -----------------------------------------------------------------------
_ATTACHED: dict[int, Enforcer] = {}
_ATTACH_LOCK = threading.Lock()


def attach(store: Store, policies: Sequence[Policy], **options: Any) -> Enforcer:
    """Enforce ``policies`` on every committed change to ``store`` (replaces any previous)."""
    enforcer = Enforcer(store, policies, **options)
    with _ATTACH_LOCK:
        _ATTACHED[id(store)] = enforcer
    return enforcer


def detach(store: Store) -> None:
    with _ATTACH_LOCK:
        _ATTACHED.pop(id(store), None)


def attached(store: Store) -> Enforcer | None:
    return _ATTACHED.get(id(store))


@pipeline.on_change
def _observer(store: Store, change: Change) -> None:
    enforcer = _ATTACHED.get(id(store))
    if enforcer is None or enforcer.store is not store:
        return
    try:
        enforcer.on_change(change)
    except Exception:  # an observer must never fail the ingest that triggered it
        log.exception("policy enforcement after a change failed")


def reevaluate(store: Store, uids: Iterable[str] = ()) -> CheckResult | None:
    """Tell the attached enforcer that labels or properties of ``uids`` changed outside the
    pipeline (declassification, a restored state); no-op when none is attached."""
    enforcer = attached(store)
    if enforcer is None:
        return None
    return enforcer.on_change(Change(nodes=frozenset(uids), edges=(), labelings=()))


def undo(
    store: Store, action_id: str, *, actor: str, reason: str = "", force: bool = False
) -> actions.Outcome:
    """:func:`lineage.policy.actions.undo`, then re-evaluation in continuous mode."""
    outcome = actions.undo(store, action_id, actor=actor, reason=reason, force=force)
    reevaluate(store, [t for t in outcome.target.split("->") if t.count(":") >= 2])
    return outcome
