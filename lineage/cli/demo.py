"""``lineage demo``: ingest the shipped demo estate and print what was found."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from lineage.cli._app import app, console, print_json, store_session
from lineage.demo import run_demo


@app.command()
def demo(
    fresh: Annotated[bool, typer.Option(help="Clear the store first.")] = True,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Ingest a small, realistic company estate and print what it holds."""
    with store_session() as store:
        result = run_demo(store, fresh=fresh)
    if as_json:
        print_json(result)
        return
    table = Table("kind", "count", title=f"demo estate in {result['store']}")
    for kind, n in sorted(result["counts"].items()):
        table.add_row(kind, str(n))
    console.print(table)
    for problem in result["problems"]:
        console.print(f"[yellow]{problem}[/]")
