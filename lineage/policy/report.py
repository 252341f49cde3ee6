"""The findings section of the reports: a JSON-able summary and its Markdown rendering."""

from __future__ import annotations

from collections import Counter
from typing import Any

from lineage.policy.findings import list_findings
from lineage.store.base import Store

__all__ = ["findings_markdown", "findings_section"]


def findings_section(store: Store, *, limit: int = 50) -> dict[str, Any]:
    """Open and mitigated findings (highest risk first, up to ``limit``) with counts by
    status, severity and policy, for the HTML, Markdown and JSON reports."""
    active: list[Any] = []
    cursor = None
    while True:
        page = list_findings(store, status=["open", "mitigated"], first=500, after=cursor)
        active.extend(page.findings)
        cursor = page.next_cursor
        if cursor is None:
            break
    resolved = 0
    cursor = None
    while True:
        page = list_findings(store, status="resolved", first=1000, after=cursor)
        resolved += len(page.findings)
        cursor = page.next_cursor
        if cursor is None:
            break
    return {
        "counts": {
            "open": sum(1 for f in active if f.status == "open"),
            "mitigated": sum(1 for f in active if f.status == "mitigated"),
            "resolved": resolved,
        },
        "by_severity": dict(Counter(f.severity for f in active)),
        "by_policy": dict(Counter(f.policy for f in active)),
        "findings": [
            {
                "fingerprint": f.fingerprint,
                "policy": f.policy,
                "severity": f.severity,
                "status": f.status,
                "title": f.title,
                "risk": f.risk,
                "labels": f.labels,
                "roles": f.roles,
                "first_seen": f.first_seen,
                "last_seen": f.last_seen,
                "evidence": next((e.get("text") for e in f.evidence if e.get("text")), ""),
                "actions": f.actions,
            }
            for f in active[:limit]
        ],
    }


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def findings_markdown(store: Store, *, limit: int = 50) -> str:
    """The section as Markdown (a heading, counts, one table row per finding)."""
    data = findings_section(store, limit=limit)
    c = data["counts"]
    lines = [
        "## Policy findings",
        "",
        f"{c['open']} open, {c['mitigated']} mitigated, {c['resolved']} resolved.",
        "",
    ]
    if data["findings"]:
        lines += [
            "| risk | severity | status | policy | finding | evidence |",
            "|---:|---|---|---|---|---|",
        ]
        for f in data["findings"]:
            lines.append(
                f"| {f['risk']:.1f} | {f['severity']} | {f['status']} | {_cell(f['policy'])} "
                f"| {_cell(f['title'])} | {_cell(f['evidence'])} |"
            )
    return "\n".join(lines) + "\n"
