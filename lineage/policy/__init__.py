"""Policies as code over the lineage graph: findings, responses, audit, undo.

>>> # policies = load_paths(["policies/"]) or starter_policies()
>>> # result = Enforcer(store, policies).check()     # findings + responses
>>> # attach(store, policies)                        # continuous mode (lineage serve)
>>> # undo(store, "act_...", actor="user:ann")       # exact prior state, audited

See docs/policies.md for the policy format, the match kinds and the responses.
"""

from lineage.policy.actions import QUARANTINABLE, Outcome
from lineage.policy.audit import AuditEntry, Verification, default_actor, entries, verify
from lineage.policy.enforce import (
    CheckResult,
    Enforcer,
    affects,
    attach,
    attached,
    detach,
    reevaluate,
    undo,
)
from lineage.policy.findings import Finding, FindingsPage, get_finding, list_findings
from lineage.policy.load import (
    configured_policies,
    load_dir,
    load_file,
    load_paths,
    load_text,
    starter_policies,
)
from lineage.policy.redact import Redactor, masking_facts, masking_view_sql
from lineage.policy.report import findings_markdown, findings_section
from lineage.policy.spec import Policy

__all__ = [
    "QUARANTINABLE",
    "AuditEntry",
    "CheckResult",
    "Enforcer",
    "Finding",
    "FindingsPage",
    "Outcome",
    "Policy",
    "Redactor",
    "Verification",
    "affects",
    "attach",
    "attached",
    "configured_policies",
    "default_actor",
    "detach",
    "entries",
    "findings_markdown",
    "findings_section",
    "get_finding",
    "list_findings",
    "load_dir",
    "load_file",
    "load_paths",
    "load_text",
    "masking_facts",
    "masking_view_sql",
    "reevaluate",
    "starter_policies",
    "undo",
    "verify",
]
