"""The questions on the command line: ``paths``, ``blast-radius``, ``lineage`` and
``report blast-radius``. Each is a thin layer over a function in ``queries/``; ``--json``
prints exactly what the function returns (the same shape the API serves)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from lineage.cli._app import NodeIdArg, answer_table, console, out, print_json, store_session
from queries.blast_radius import BlastRadius, blast_radius
from queries.exposure import DEFAULT_EXPOSURES, ExposurePage, exposure_paths
from queries.lineage import lineage
from queries.results import Path as Path_

app = typer.Typer()  # its commands are registered by name in lineage.cli._lazy

__all__ = ["report_app", "show_blast", "show_exposures"]

report_app = typer.Typer(help="Reports for people (HTML, Markdown, JSON).", no_args_is_help=True)


def _names(path: Path_) -> str:
    return " → ".join(n.name for n in path.nodes)


JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
DepthOpt = Annotated[int, typer.Option(min=1, max=50, help="Most FLOWS_TO hops to follow.")]
StaleOpt = Annotated[bool, typer.Option("--include-stale", help="Also follow stale edges.")]


def _risk_style(score: float) -> str:
    return (
        "bold red"
        if score >= 60
        else "red"
        if score >= 35
        else "yellow"
        if score >= 15
        else "green"
    )


@app.command()
def paths(  # noqa: PLR0917 - Typer options are parameters
    label: Annotated[
        str | None, typer.Option(help="A category (PII) or entity (PII:EMAIL_ADDRESS).")
    ] = None,
    exposure: Annotated[
        list[str] | None, typer.Option(help="Endpoint exposure to report (repeatable).")
    ] = None,
    depth: DepthOpt = 8,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    all_paths: Annotated[
        bool, typer.Option("--all-paths", help="Every simple path, not one witness.")
    ] = False,
    max_paths: Annotated[int, typer.Option(min=1, max=1000)] = 10,
    include_stale: StaleOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Exposure paths: labelled data reaching public/external endpoints, ranked by risk."""
    with store_session() as store:
        page = exposure_paths(
            store,
            label=label,
            exposures=tuple(exposure or DEFAULT_EXPOSURES),
            depth=depth,
            offset=offset,
            limit=limit,
            all_paths=all_paths,
            max_paths=max_paths,
            include_stale=include_stale,
        )
    if as_json:
        print_json(page.to_dict())
        return
    show_exposures(page)


def show_exposures(page: ExposurePage) -> None:
    """Print a page of exposure paths as a table (also used by ``lineage demo``)."""
    offset = page.offset
    title = (
        f"exposure paths {offset + 1}-{offset + len(page.results)} of "
        f"{page.total}{'' if page.complete else '+'}"
    )
    table = answer_table("risk", "labels", "origin", "endpoint", "principals", "path", title=title)
    for r in page.results:
        table.add_row(
            f"[{_risk_style(r.risk.score)}]{r.risk.score:.1f}[/]",
            ", ".join(r.labels),
            escape(r.origin.name),
            escape(
                f"{r.endpoint.name} ({r.endpoint.exposure}"
                + (", quarantined)" if r.endpoint.quarantined else ")")
            ),
            str(len(r.principals)),
            escape("\n".join(_names(p) for p in r.paths)),
        )
    out.print(table)
    if page.has_next:
        console.print(f"more: --offset {offset + len(page.results)}")


@app.command("blast-radius")
def blast_radius_cmd(  # noqa: PLR0917 - Typer options are parameters
    uid: NodeIdArg,
    up: Annotated[bool, typer.Option("--up", help="Upstream: what this node can leak.")] = False,
    mode: Annotated[
        str, typer.Option(help="confidentiality (values) or integrity (every edge).")
    ] = "confidentiality",
    depth: DepthOpt = 10,
    include_stale: StaleOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """What a leaked or poisoned node hits downstream (or feeds it, with --up)."""
    with store_session() as store:
        result = blast_radius(
            store,
            uid,
            direction="up" if up else "down",
            mode=mode,  # type: ignore[arg-type]
            depth=depth,
            include_stale=include_stale,
        )
    if as_json:
        print_json(result.to_dict())
        return
    show_blast(result)


def show_blast(result: BlastRadius) -> None:
    """Print a blast radius: counts by kind, then what it hits ranked by risk."""
    counts = ", ".join(f"{n} {k}" for k, n in result.by_kind.items()) or "nothing"
    out.print(
        f"[bold]{escape(result.origin.name)}[/] ({result.origin.kind}) {result.direction}stream, "
        f"{result.mode}: {counts}; depth {result.depth_reached}"
        + (" [yellow](truncated)[/]" if result.truncated else "")
    )
    table = answer_table(
        "risk", "kind", "name", "exposure", "labels", "principals", "depth", "path"
    )
    for r in result.ranked:
        table.add_row(
            f"[{_risk_style(r.risk.score)}]{r.risk.score:.1f}[/]",
            r.node.kind,
            escape(r.node.name),
            r.node.exposure or ("unregistered" if r.node.registered is False else ""),
            ", ".join(r.node.labels),
            str(len(r.principals)),
            str(r.depth),
            escape(_names(r.path)),
        )
    out.print(table)
    datasets = answer_table("depth", "dataset", "labels", "id", title="datasets hit")
    for a in result.datasets:
        datasets.add_row(str(a.depth), escape(a.node.name), ", ".join(a.node.labels),
                         escape(a.node.uid))  # fmt: skip
    if result.datasets:
        out.print(datasets)


@app.command("lineage")
def lineage_cmd(  # noqa: PLR0917 - Typer options are parameters
    uid: NodeIdArg,
    down: Annotated[bool, typer.Option("--down", help="Downstream instead of upstream.")] = False,
    level: Annotated[str, typer.Option(help="dataset or column.")] = "dataset",
    depth: DepthOpt = 5,
    include_stale: StaleOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Up- or downstream lineage, INDIRECT dependencies included."""
    with store_session() as store:
        result = lineage(
            store,
            uid,
            direction="down" if down else "up",
            level=level,  # type: ignore[arg-type]
            depth=depth,
            include_stale=include_stale,
        )
    if as_json:
        print_json(result.to_dict())
        return
    title = f"{result.direction}stream of {escape(result.origin.name)} ({result.level} level)"
    table = answer_table("depth", "kind", "name", "labels", "uid", title=title)
    for n in result.nodes:
        table.add_row(
            str(n.depth),
            n.node.kind,
            escape(n.node.name),
            ", ".join(n.node.labels),
            escape(n.node.uid),
        )
    out.print(table)
    edges = answer_table("from", "to", "kind", "transformation", "via", title="edges")
    for e in result.edges:
        edges.add_row(
            escape(e.src), escape(e.dst), e.kind or e.rel, e.transformation, escape(e.via or "")
        )
    out.print(edges)


@report_app.command("blast-radius")
def report_blast_radius(  # noqa: PLR0917 - Typer options are parameters
    uid: NodeIdArg,
    fmt: Annotated[str, typer.Option("--format", "-f", help="html, md or json.")] = "html",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File (default stdout).")
    ] = None,
    up: Annotated[bool, typer.Option("--up")] = False,
    mode: Annotated[str, typer.Option()] = "confidentiality",
    depth: DepthOpt = 10,
    include_stale: StaleOpt = False,
) -> None:
    """Write the blast-radius report: summary, picture of the subgraph, tables."""
    if fmt not in ("html", "md", "json"):
        raise typer.BadParameter("format must be html, md or json", param_hint="--format")
    with store_session() as store:
        result = blast_radius(
            store,
            uid,
            direction="up" if up else "down",
            mode=mode,  # type: ignore[arg-type]
            depth=depth,
            include_stale=include_stale,
            with_edge_details=True,  # the edges table shows each edge's job and transformation
        )
    command = shlex.join(["lineage", "report", "blast-radius", uid, "--format", fmt])
    from lineage.report import render  # networkx layouts: only for reports

    text = render(result, fmt, command=command)  # type: ignore[arg-type]
    if output is None:
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    console.print(f"wrote {output} ({len(result.affected)} affected nodes)")
