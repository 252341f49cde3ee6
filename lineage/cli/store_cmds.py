"""Commands over the store itself: stats, show, export, import."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lineage.cli._app import app, console, print_json, store_session
from lineage.errors import NodeNotFound
from lineage.transfer import export_to, import_from


@app.command()
def stats(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Count nodes by kind and edges by type."""
    with store_session() as store:
        counts = store.counts()
    if as_json:
        print_json(counts)
        return
    table = Table("what", "count", title="store")
    for name, n in sorted(counts.items()):
        table.add_row(name, str(n))
    console.print(table)


@app.command()
def show(uid: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Show one node and its edges."""
    with store_session() as store:
        node = store.get_node(uid)
        if node is None:
            raise NodeNotFound(uid)
        around = store.neighbours(uid)
    data = {
        "uid": node.uid,
        "kind": node.kind.value,
        "name": node.name,
        "namespace": node.namespace,
        "labels": list(node.labels),
        "props": dict(node.props),
        "edges": [
            {
                "rel": n.edge.rel.value,
                "src": n.edge.src,
                "dst": n.edge.dst,
                "props": dict(n.edge.props),
            }
            for n in around
        ],
    }
    if as_json:
        print_json(data)
        return
    console.print(f"[bold]{node.kind.value}[/] {node.uid}  labels: {', '.join(node.labels) or '-'}")
    for key, value in sorted(node.props.items()):
        console.print(f"  {key}: {value}")
    for n in around:
        arrow = f"-[{n.edge.rel.value}]->"
        console.print(f"  {n.edge.src} {arrow} {n.edge.dst}")


@app.command("export")
def export_cmd(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File (default stdout).")
    ] = None,
) -> None:
    """Write the whole graph as JSON Lines (stable format, see lineage.transfer)."""
    with store_session() as store:
        if output is None:
            count = export_to(store, sys.stdout)
        else:
            with output.open("w", encoding="utf-8") as out:
                count = export_to(store, out)
    console.print(f"exported {count} records")


@app.command("import")
def import_cmd(path: Path) -> None:
    """Load a JSON Lines export; bad lines are reported by number, good ones load."""
    with store_session() as store, path.open(encoding="utf-8") as lines:
        report = import_from(store, lines)
    console.print(f"imported {report.nodes} nodes, {report.edges} edges")
    for error in report.errors:
        console.print(f"[red]rejected[/] {path}:{error}")
    if report.errors:
        raise typer.Exit(1)


@app.command()
def plugins(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List ingestors and stores (built-in and third-party), and why any is disabled."""
    from lineage.plugins import available

    found = list(available())
    if as_json:
        print_json([p.to_dict() for p in found])
        return
    table = Table("group", "name", "target", "from", "status", title="plugins")
    for p in found:
        status = "[green]enabled[/]" if p.enabled else f"[red]disabled[/] {p.reason}"
        table.add_row(p.group, p.name, p.target, p.origin, status)
    console.print(table)
