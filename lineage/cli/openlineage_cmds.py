"""``lineage ingest openlineage PATH...`` and ``lineage replay``: the intake from the shell.

Files go through the same path as the HTTP endpoint (validate, log durably, apply), so an
event ingested from a file and later re-sent by an emitter is one event, not two.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lineage.cli._app import console, input_files, out, print_json, store_session
from lineage.intake import Intake, SubmitResult

app = typer.Typer()  # its commands are registered by name in lineage.cli._lazy
ingest_app = typer.Typer()  # its commands are registered by name in lineage.cli._lazy

__all__ = ["ingest_openlineage", "replay"]


@ingest_app.command("openlineage")
def ingest_openlineage(
    paths: Annotated[list[Path], typer.Argument(help="Files (one event, an array or NDJSON).")],
    event_log: Annotated[
        Path | None, typer.Option(help="Event log folder (default: beside the store).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Ingest OpenLineage events from files; invalid events are reported, valid ones land."""
    files = input_files(paths, {".json", ".ndjson", ".jsonl"})
    totals: dict[str, SubmitResult] = {}
    with store_session() as store:
        intake = Intake.open(store, event_log)
        try:
            intake.recover()
            for path in files:
                raws = Intake.read(path.read_bytes(), path=str(path))
                totals[str(path)] = intake.submit(raws, source_ref=str(path))
        finally:
            intake.close()
    if as_json:
        print_json({path: result.to_dict() for path, result in totals.items()})
    else:
        for path, result in totals.items():
            out.print(
                f"{path}: {result.accepted} accepted, {result.duplicates} duplicate, "
                f"{len(result.rejected)} rejected"
            )
            for rejected in result.rejected:
                where = f"line {rejected.line}" if rejected.line else f"event {rejected.index}"
                for error in rejected.errors:
                    console.print(f"  [red]rejected[/] {where}: {error['field']}: "
                                  f"{error['message']}", highlight=False)  # fmt: skip
            for problem in result.problems:
                console.print(f"  [yellow]{problem}[/]", highlight=False)
    if any(r.rejected for r in totals.values()):
        raise typer.Exit(1)


@app.command()
def replay(
    clear: Annotated[
        bool, typer.Option(help="Empty the graph first (it then holds only what the log says).")
    ] = False,
    event_log: Annotated[
        Path | None, typer.Option(help="Event log folder (default: beside the store).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Rebuild the graph from the OpenLineage event log, in the order events were logged."""
    with store_session() as store:
        if clear:
            store.clear()
        intake = Intake.open(store, event_log)
        try:
            events = intake.log.count()
            report = intake.replay()
        finally:
            intake.close()
    if as_json:
        print_json({"events": events, **report.to_dict()})
        return
    out.print(f"replayed {events} events: {report.nodes} nodes, {report.edges} edges written")
    for problem in report.problems[:50]:
        console.print(f"  [yellow]{problem}[/]", highlight=False)
