"""``lineage policy``, ``lineage remediate`` and ``lineage audit``: a thin layer over
:mod:`lineage.policy` (the same functions the API calls).

    lineage policy check [--json] [--policies DIR] [--no-act] [--fail-on high]
    lineage policy list | validate PATH... | findings [--status open]
    lineage remediate quarantine UID [--apply]      (destructive: dry run unless --apply)
    lineage remediate revoke PRINCIPAL ASSET [--apply]
    lineage remediate redact DATASET [--mode view|file] [--operator hash] [--output DIR]
    lineage remediate notify URL --finding ID
    lineage remediate undo ACTION_ID [--force]
    lineage audit [--verify] [--json]
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lineage.cli._app import (
    answer_table,
    console,
    input_files,
    out,
    print_json,
    settings,
    store_session,
)
from lineage.errors import LineageError
from lineage.policy import (
    Enforcer,
    Finding,
    Policy,
    Redactor,
    actions,
    configured_policies,
    default_actor,
    get_finding,
    list_findings,
    load_paths,
    undo,
    verify,
)
from lineage.policy import audit as audit_log
from lineage.policy.spec import SEVERITY_WEIGHT

app = typer.Typer()  # its commands are registered by name in lineage.cli._lazy

policy_app = typer.Typer(help="Policies as code: evaluate, list, validate, findings.")
remediate_app = typer.Typer(help="Responses by hand (audited, reversible with `undo`).")

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
PoliciesOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--policies",
        help="Policy files or folders (repeatable). Default: LINEAGE_POLICIES, else the "
        "starter library.",
    ),
]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Why (recorded in the audit log).")]


def _policies(paths: list[Path] | None) -> list[Policy]:
    if paths:
        return load_paths(input_files(paths, {".yaml", ".yml"}))
    return configured_policies(settings().policies)


def _severity_first(f: Finding) -> tuple[int, float, str]:
    """A critical finding is never listed below a medium one; risk orders within a severity."""
    return (-SEVERITY_WEIGHT[f.severity], -f.risk, f.fingerprint)


def _findings_table(rows: list, title: str) -> Table:
    table = answer_table("risk", "severity", "status", "policy", "finding", "id", title=title)
    table.columns[0].justify = "right"
    for f in rows:
        table.add_row(f"{f.risk:.1f}", f.severity, f.status, f.policy, f.title, f.fingerprint)
    return table


@policy_app.command("check")
def check(
    json_out: JsonOpt = False,
    policies: PoliciesOpt = None,
    act: Annotated[
        bool, typer.Option("--act/--no-act", help="Run the policies' responses.")
    ] = True,
    fail_on: Annotated[
        str | None,
        typer.Option("--fail-on", help="Exit 1 when an open finding has this severity or worse."),
    ] = None,
) -> None:
    """Evaluate every policy: findings (deduplicated, auto-resolved) and responses."""
    chosen = _policies(policies)
    if fail_on is not None and fail_on not in SEVERITY_WEIGHT:
        raise LineageError(f"--fail-on: one of {', '.join(SEVERITY_WEIGHT)}")
    with store_session() as store:
        result = Enforcer(store, chosen, act=act, actor_prefix="policy:").check()
    if json_out:
        print_json(result.to_dict())
    else:
        current = sorted(result.current, key=_severity_first)
        out.print(_findings_table(current, f"{len(chosen)} policies, {len(current)} findings"))
        out.print(
            f"new {len(result.new)}, re-opened {len(result.reopened)}, "
            f"resolved {len(result.resolved)}, actions {len(result.actions)} "
            f"({sum(a.dry_run for a in result.actions)} dry runs), {result.seconds:.2f} s"
        )
        for a in result.actions:
            mode = "dry run" if a.dry_run else "applied"
            out.print(f"  {a.action_id} {a.action} {a.target} ({mode})", highlight=False)
        for error in result.errors:
            console.print(f"[red]{error}[/]", highlight=False)
    if fail_on is not None:
        floor = SEVERITY_WEIGHT[fail_on]
        if any(f.status == "open" and SEVERITY_WEIGHT[f.severity] >= floor for f in result.current):
            raise typer.Exit(1)


@policy_app.command("list")
def list_policies(json_out: JsonOpt = False, policies: PoliciesOpt = None) -> None:
    """The policies that would be evaluated (validating them on the way)."""
    chosen = _policies(policies)
    if json_out:
        print_json([p.summary() for p in chosen])
        return
    table = answer_table(
        "id", "severity", "match", "responses", "source", title=f"{len(chosen)} policies"
    )
    for p in chosen:
        responses = ", ".join(
            f"{r.action}{' (dry run)' if r.is_dry_run() else ''}" for r in p.responses
        )
        table.add_row(p.id, p.severity, p.match.kind, responses, p.source)
    out.print(table)


@policy_app.command("validate")
def validate(paths: Annotated[list[Path], typer.Argument(help="Policy files or folders.")]) -> None:
    """Check policy files; the first error names its file and line (exit 2)."""
    chosen = load_paths(input_files(paths, {".yaml", ".yml"}))
    out.print(f"{len(chosen)} policies valid")


@policy_app.command("findings")
def findings_cmd(
    json_out: JsonOpt = False,
    status: Annotated[
        list[str] | None, typer.Option("--status", help="open/mitigated/resolved")
    ] = None,
    policy: Annotated[str | None, typer.Option("--policy")] = None,
    first: Annotated[int, typer.Option("--first", min=1, max=1000)] = 50,
    after: Annotated[str | None, typer.Option("--after", help="Cursor of the next page.")] = None,
) -> None:
    """Stored findings, highest risk first."""
    with store_session() as store:
        page = list_findings(store, status=status, policy=policy, first=first, after=after)
    if json_out:
        print_json(page.to_dict())
        return
    out.print(_findings_table(list(page.findings), "findings"))
    if page.next_cursor:
        console.print(f"more: --after {page.next_cursor}")


def _show(outcome: actions.Outcome, json_out: bool) -> None:
    if json_out:
        print_json(outcome.to_dict())
        return
    mode = "dry run (nothing changed; --apply to act)" if outcome.dry_run else "applied"
    out.print(
        f"{outcome.action} {outcome.target}: {mode}\naction id {outcome.action_id}, "
        f"audit entry {outcome.entry.seq}",
        highlight=False,
    )


@remediate_app.command("quarantine")
def quarantine(
    uid: Annotated[str, typer.Argument(help="Model, vector index or endpoint id.")],
    apply: Annotated[bool, typer.Option("--apply", help="Act (default: dry run).")] = False,
    reason: ReasonOpt = "manual quarantine",
    json_out: JsonOpt = False,
) -> None:
    """Mark an asset quarantined and remove its CAN_ACCESS edges (kept in the audit)."""
    with store_session() as store:
        outcome = actions.quarantine(
            store, uid, actor=default_actor(), reason=reason, dry_run=not apply
        )
    _show(outcome, json_out)


@remediate_app.command("revoke")
def revoke(
    principal: Annotated[str, typer.Argument(help="Principal id.")],
    asset: Annotated[str, typer.Argument(help="Asset id.")],
    apply: Annotated[bool, typer.Option("--apply", help="Act (default: dry run).")] = False,
    reason: ReasonOpt = "manual revocation",
    json_out: JsonOpt = False,
) -> None:
    """Remove one principal's access to one asset."""
    with store_session() as store:
        outcome = actions.revoke(
            store, principal, asset, actor=default_actor(), reason=reason, dry_run=not apply
        )
    _show(outcome, json_out)


@remediate_app.command("redact")
def redact(
    dataset: Annotated[str, typer.Argument(help="Dataset id.")],
    *,
    mode: Annotated[str, typer.Option("--mode", help="view (SQL) or file (copy).")] = "view",
    operator: Annotated[str, typer.Option("--operator")] = "replace",
    dialect: Annotated[str, typer.Option("--dialect", help="SQL dialect of the view.")] = "ansi",
    output: Annotated[Path | None, typer.Option("--output", help="Folder to write to.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run")] = False,
    reason: ReasonOpt = "manual redaction",
    json_out: JsonOpt = False,
) -> None:
    """The masking view SQL of a table, or a redacted copy of a dataset's sampled file."""
    with store_session() as store:
        if mode == "view":
            outcome = actions.redact_view(
                store,
                dataset,
                actor=default_actor(),
                reason=reason,
                operator=operator,
                dialect=dialect,
                output=output,
                dry_run=dry_run,
            )
        elif mode == "file":
            outcome = actions.redact_file(
                store,
                dataset,
                actor=default_actor(),
                reason=reason,
                redactor=Redactor(key=settings().redact_key),
                operator=operator,
                output=output,
                dry_run=dry_run,
            )
        else:
            raise LineageError("--mode: view or file")
    if not json_out and mode == "view":
        typer.echo(outcome.after["sql"])
    _show(outcome, json_out)


@remediate_app.command("notify")
def notify(
    url: Annotated[str, typer.Argument(help="Webhook URL.")],
    finding: Annotated[str, typer.Option("--finding", help="Finding id to send.")],
    retries: Annotated[int, typer.Option("--retries", min=0, max=10)] = 3,
    json_out: JsonOpt = False,
) -> None:
    """POST a finding to a webhook (with retries)."""
    with store_session() as store:
        f = get_finding(store, finding)
        if f is None:
            raise LineageError(f"no finding {finding!r}")
        payload = {k: v for k, v in f.to_dict().items() if k != "evidence"}
        outcome = actions.notify(
            store, url, payload, actor=default_actor(), reason="manual", retries=retries,
            finding=finding, policy=f.policy,
        )  # fmt: skip
    _show(outcome, json_out)
    if not outcome.after["delivery"]["delivered"]:
        raise typer.Exit(1)


@remediate_app.command("undo")
def undo_cmd(
    action_id: Annotated[str, typer.Argument(help="The action id (from the audit log).")],
    force: Annotated[bool, typer.Option("--force", help="Even if the state moved on.")] = False,
    reason: ReasonOpt = "",
    json_out: JsonOpt = False,
) -> None:
    """Restore the exact state before an action (audited)."""
    with store_session() as store:
        outcome = undo(store, action_id, actor=default_actor(), reason=reason, force=force)
    if json_out:
        print_json(outcome.to_dict())
    else:
        out.print(
            f"undid {action_id} ({outcome.action} {outcome.target}); audit entry "
            f"{outcome.entry.seq}",
            highlight=False,
        )


@app.command("audit")
def audit_cmd(
    verify_chain: Annotated[
        bool, typer.Option("--verify", help="Recompute the hash chain.")
    ] = False,
    json_out: JsonOpt = False,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 100,
) -> None:
    """The remediation audit log (append-only, hash-chained)."""
    with store_session() as store:
        if verify_chain:
            result = verify(store)
            if json_out:
                print_json(result.to_dict())
            elif result.ok:
                console.print(
                    f"audit chain intact: {result.entries} entries, head {result.head_seq} "
                    f"{result.head_hash}",
                    highlight=False,
                )
            else:
                console.print(
                    f"[bold red]audit chain broken at entry {result.broken_at}:[/] {result.reason}",
                    highlight=False,
                )
            if not result.ok:
                raise typer.Exit(1)
            return
        rows = []
        for entry in audit_log.entries(store):
            rows.append(entry)
        rows = rows[-limit:]
    if json_out:
        print_json([e.to_dict() for e in rows])
        return
    table = answer_table(
        "seq", "at", "actor", "kind", "action", "target", "dry run", "action id", title="audit log"
    )
    for e in rows:
        table.add_row(
            str(e.seq), e.at, e.actor, e.kind, e.action, e.target, str(e.dry_run), e.action_id
        )
    out.print(table)
