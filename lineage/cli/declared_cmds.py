"""``lineage ingest declared FILE...``: endpoint exposure, serving and access, as declared."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ingest.declared import declared_facts
from lineage.cli._app import console, input_files, out, print_json, store_session
from lineage.pipeline import IngestReport, ingest

ingest_app = typer.Typer()  # its commands are registered by name in lineage.cli._lazy

__all__ = ["ingest_declared"]


@ingest_app.command("declared")
def ingest_declared(
    paths: Annotated[list[Path], typer.Argument(help="Declarations YAML (endpoints, access).")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Declare what runs where: endpoint exposure, what each serves, who may call it."""
    files = input_files(paths, {".yaml", ".yml"})
    report = IngestReport()
    with store_session() as store:
        for path in files:
            ingest(store, declared_facts(path), report=report)
    if as_json:
        print_json(report.to_dict())
    else:
        out.print(f"declared: {report.nodes} nodes, {report.edges} edges", highlight=False)
        for problem in report.problems:
            console.print(f"[red]{escape(str(problem))}[/]", highlight=False)
    if report.errors:
        raise typer.Exit(1)
