"""Commands over the store itself: stats, show, export, import."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from lineage.cli._app import (
    NodeIdArg,
    answer_table,
    console,
    input_files,
    out,
    print_json,
    store_session,
)
from lineage.errors import NodeNotFound
from lineage.transfer import export_to, import_from

app = typer.Typer()  # its commands are registered by name in lineage.cli._lazy


@app.command()
def stats(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Count nodes by kind and edges by type."""
    with store_session() as store:
        counts = store.counts()
    if as_json:
        print_json(counts)
        return
    table = answer_table("what", "count", title="store")
    for name, n in sorted(counts.items()):
        table.add_row(name, str(n))
    out.print(table)


@app.command()
def show(uid: NodeIdArg, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
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
    labels = ", ".join(node.labels) or "-"
    out.print(f"[bold]{node.kind.value}[/] {escape(node.uid)}  labels: {escape(labels)}")
    for key, value in sorted(node.props.items()):
        out.print(escape(f"  {key}: {value}"))
    for n in around:
        out.print(escape(f"  {n.edge.src} -[{n.edge.rel.value}]-> {n.edge.dst}"))


@app.command("search")
def search_cmd(
    text: Annotated[str, typer.Argument(help="Part of a name or id (case-insensitive).")],
    kind: Annotated[str | None, typer.Option(help="Only this kind: Dataset, Model...")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Find node ids by name: the way into every other command."""
    from queries.search import search

    with store_session() as store:
        page = search(store, text, kind=kind, limit=limit)
    if as_json:
        print_json(page.to_dict())
        return
    table = answer_table("kind", "name", "labels", "id")
    for n in page.results:
        table.add_row(n.kind, escape(n.name), ", ".join(n.labels), escape(n.uid))
    out.print(table)
    if page.next_after:
        console.print(f"more than {limit}: narrow the text, or --kind, or --limit")


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
            with output.open("w", encoding="utf-8") as fh:
                count = export_to(store, fh)
    console.print(f"exported {count} records")


@app.command("import")
def import_cmd(
    path: Path,
    bulk: Annotated[
        bool,
        typer.Option(
            "--bulk",
            help="Into an empty embedded store: one bulk insert (several times faster); "
            "refused if the store holds anything.",
        ),
    ] = False,
) -> None:
    """Load a JSON Lines export; bad lines are reported by number, good ones load."""
    input_files([path], folders=False)
    with store_session() as store, path.open(encoding="utf-8") as lines:
        report = import_from(store, lines, bulk=bulk)
    out.print(f"imported {report.nodes} nodes, {report.edges} edges")
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
    table = answer_table("group", "name", "target", "from", "status", title="plugins")
    for p in found:
        status = "[green]enabled[/]" if p.enabled else f"[red]disabled[/] {p.reason}"
        table.add_row(p.group, p.name, p.target, p.origin, status)
    out.print(table)
