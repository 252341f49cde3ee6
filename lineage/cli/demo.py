"""``lineage demo``: ingest the shipped demo estate, print what it found, write the report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from lineage.cli._app import answer_table, console, out, print_json, store_session
from lineage.cli.query_cmds import show_blast, show_exposures
from lineage.policy.spec import SEVERITY_WEIGHT

if TYPE_CHECKING:
    from lineage.policy import CheckResult

app = typer.Typer()  # its commands are registered by name in lineage.cli._lazy


@app.command()
def demo(
    fresh: Annotated[bool, typer.Option(help="Clear the store first.")] = True,
    report: Annotated[
        Path, typer.Option("--report", "-o", help="Where to write the HTML blast-radius report.")
    ] = Path("demo-report.html"),
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Ingest a small company's artefacts and show where its sensitive data can leak."""
    from lineage.demo import run_demo  # every ingestor: load only when the demo runs
    from lineage.report import render

    with store_session() as store:
        result = run_demo(store, fresh=fresh)
        counts = store.counts()
    assert result.blast is not None and result.exposures is not None
    report.write_text(render(result.blast, "html", command="lineage demo"), encoding="utf-8")
    if as_json:
        print_json({**result.to_dict(), "counts": counts, "report": str(report)})
        return
    _print_summary(counts, result.steps)
    show_exposures(result.exposures)
    show_blast(result.blast)
    if result.policy is not None:
        _print_findings(result.policy)
    out.print(f"{result.runtime_findings} runtime findings (lineage runtime findings)")
    out.print(f"HTML blast-radius report: [bold]{escape(str(report))}[/]")
    for problem in result.problems:
        console.print(f"[yellow]{escape(problem)}[/]", highlight=False)


def _print_summary(counts: dict[str, int], steps: list) -> None:
    table = answer_table("what", "count", title="demo estate", title_justify="left")
    for name, n in sorted(counts.items()):
        table.add_row(name, str(n))
    out.print(table)
    out.print(
        "ingested: " + ", ".join(f"{name} ({r.nodes} nodes, {r.edges} edges)" for name, r in steps),
        highlight=False,
    )


def _print_findings(check: CheckResult) -> None:
    current = sorted(check.current, key=lambda f: (-SEVERITY_WEIGHT[f.severity], -f.risk))
    table = answer_table("severity", "policy", "finding", "risk", title="policy findings",
                  title_justify="left")  # fmt: skip
    for finding in current[:8]:
        table.add_row(
            finding.severity, finding.policy, escape(finding.title), f"{finding.risk:.1f}"
        )
    out.print(table)
    if len(current) > 8:
        out.print(f"... and {len(current) - 8} more (lineage policy findings)")
