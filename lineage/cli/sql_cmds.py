"""``lineage ingest sql PATH...`` and ``lineage parse-sql FILE``: SQL lineage from the shell.

``ingest sql`` reads files or folders of ``.sql`` files, builds the schema catalog from the
``--schema`` file and from datasets already in the graph (their ``fields``, e.g. from
OpenLineage schema facets), and writes each script as one Job with its tables, columns and
lineage edges. A statement that does not parse is reported with file, line, snippet and the
parser's message while the rest lands; ``--strict`` checks every file first and writes
nothing if any statement is bad. ``parse-sql`` touches no store and prints the stable JSON.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from ingest.sql import Catalog, MaskingPolicy, ScriptLineage, analyse
from ingest.sql.project import is_dbt_project, project_facts
from lineage.artefacts.sql import SqlReading, sql_file_facts
from lineage.cli._app import answer_table, console, input_files, out, print_json, store_session
from lineage.model import Fact, Kind, Node, Problem, Severity
from lineage.pipeline import IngestReport, ingest

app = typer.Typer()  # its commands are registered by name in lineage.cli._lazy
ingest_app = typer.Typer()  # its commands are registered by name in lineage.cli._lazy

__all__ = ["ingest_sql", "parse_sql_cmd"]

_SUFFIXES = {".sql", ".ddl", ".dml", ".hql"}

DialectOption = Annotated[
    str,
    typer.Option(
        "--dialect",
        "-d",
        help="ansi, postgres, snowflake, bigquery, spark, databricks, hive, mysql, tsql, "
        "redshift, duckdb, trino, ... (any sqlglot dialect).",
    ),
]
SchemaOption = Annotated[
    Path | None,
    typer.Option(
        "--schema", help='JSON catalog: {"table": ["col", ...]} or {"table": {"col": "type"}}.'
    ),
]
MaskOption = Annotated[
    list[str] | None,
    typer.Option("--mask-fn", help="Also treat this function as masking (repeatable)."),
]


def _print_problem(problem: Problem) -> None:
    colour = {"error": "red", "warning": "yellow"}.get(problem.severity.value, "cyan")
    console.print(
        f"[{colour}]{problem.severity.value}[/] {escape(problem.source_ref)}: "
        f"{escape(problem.message)}",
        highlight=False,
        soft_wrap=True,
    )
    if problem.snippet:
        console.print(f"    {problem.snippet}", highlight=False, markup=False, soft_wrap=True)


def _progress(quiet: bool) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]SQL[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[statements]} statements, {task.fields[errors]} bad"),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=console,
        transient=quiet,
        disable=quiet,
    )


@ingest_app.command("sql")
def ingest_sql(  # noqa: PLR0917 - typer options
    paths: Annotated[list[Path], typer.Argument(help="SQL files or folders (*.sql, *.hql).")],
    namespace: Annotated[
        str, typer.Option("--namespace", "-n", help="OpenLineage namespace, e.g. postgres://h:5432")
    ],
    dialect: DialectOption = "ansi",
    schema: SchemaOption = None,
    job: Annotated[str | None, typer.Option(help="Job name (default: each file's path).")] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Write nothing if any statement fails to parse.")
    ] = False,
    graph_schema: Annotated[
        bool, typer.Option(help="Use columns of datasets already in the graph as catalog.")
    ] = True,
    mask_fn: MaskOption = None,
    default_schema: Annotated[
        str | None,
        typer.Option(help="Schema of unqualified table names (orders -> <schema>.orders)."),
    ] = None,
    default_database: Annotated[
        str | None, typer.Option(help="Database of names without one (with --default-schema).")
    ] = None,
    dbt_schema: Annotated[
        str | None,
        typer.Option(
            help="dbt models (Jinja): database.schema they build into; each file's model is "
            "<dbt-schema>.<file name>."
        ),
    ] = None,
    allow_partial: Annotated[
        bool,
        typer.Option(
            "--allow-partial",
            help="Exit 0 even when some statements failed (batch jobs that accept partial input).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Ingest SQL scripts: tables, columns, jobs and transform-aware lineage."""
    projects = [p for p in paths if is_dbt_project(p)]  # read as projects, not loose files
    files = input_files([p for p in paths if p not in projects], _SUFFIXES)
    base = Catalog.from_file(schema) if schema else Catalog()
    how = SqlReading(
        namespace,
        dialect,
        MaskingPolicy.with_functions(mask_fn or []),
        job,
        graph_schema,
        dbt_schema,
        default_database,
        default_schema,
    )
    report = IngestReport()
    per_file: dict[str, dict[str, Any]] = {}
    started = time.perf_counter()
    with store_session() as store:
        planned: list[list[Fact]] = [
            list(project_facts(p, ref=p.as_posix(), namespace=namespace, dialect=dialect))
            for p in projects
        ]
        for project, facts in zip(projects, planned, strict=True):
            bad = sum(isinstance(f, Problem) and f.severity is Severity.ERROR for f in facts)
            jobs = sum(isinstance(f, Node) and f.kind is Kind.JOB for f in facts)
            per_file[str(project)] = {"statements": jobs, "errors": bad, "sources": [],
                                      "targets": [], "intermediates": []}  # fmt: skip
        if not strict:
            for facts in planned:
                ingest(store, facts, report=report)
            planned = []
        with _progress(as_json) as progress:
            task = progress.add_task("", total=len(files), statements=0, errors=0)
            statements = errors = 0
            for path in files:
                progress.update(task, description=str(path))
                result, facts = sql_file_facts(store, path, base, how)
                bad = sum(isinstance(f, Problem) and f.severity is Severity.ERROR for f in facts)
                statements += len(result.statements)
                errors += bad
                per_file[str(path)] = {
                    "statements": len(result.statements),
                    "errors": bad,
                    "sources": result.sources,
                    "targets": result.targets,
                    "intermediates": result.intermediates,
                }
                if strict:  # read everything first; write only if nothing is bad
                    planned.append(facts)
                else:
                    ingest(store, facts, report=report)
                progress.update(task, advance=1, statements=statements, errors=errors)
        if strict:
            problems = [p for facts in planned for p in facts if isinstance(p, Problem)]
            if any(p.severity is Severity.ERROR for p in problems):
                for problem in problems:
                    _print_problem(problem)
                console.print("[bold red]strict:[/] nothing written", highlight=False)
                raise typer.Exit(1)
            for facts in planned:
                ingest(store, facts, report=report)
    _summary(report, per_file, time.perf_counter() - started, as_json)
    if report.errors and not allow_partial:  # the rest has landed; say that not all did
        raise typer.Exit(1)


def _summary(
    report: IngestReport, per_file: dict[str, dict[str, Any]], elapsed: float, as_json: bool
) -> None:
    if as_json:
        print_json({**report.to_dict(), "files": per_file, "seconds": round(elapsed, 3)})
        return
    for problem in report.problems:
        _print_problem(problem)
    table = answer_table("file", "statements", "bad", "sources", "targets", title="SQL ingested")
    for path, info in per_file.items():
        table.add_row(path, str(info["statements"]), str(info["errors"]),
                      str(len(info["sources"])), str(len(info["targets"])))  # fmt: skip
    out.print(table)
    out.print(
        f"{report.nodes} nodes, {report.edges} edges written in {elapsed:.2f} s; "
        f"{len(report.errors)} errors, {len(report.problems) - len(report.errors)} warnings"
    )


@app.command("parse-sql")
def parse_sql_cmd(
    file: Annotated[Path, typer.Argument(help="SQL file ('-' for standard input).")],
    dialect: DialectOption = "ansi",
    schema: SchemaOption = None,
    mask_fn: MaskOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Print a script's table and column lineage; touches no store."""
    text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    catalog = Catalog.from_file(schema) if schema else None
    policy = MaskingPolicy.with_functions(mask_fn or [])
    result = analyse(text, dialect=dialect, catalog=catalog, masking=policy)
    if as_json:  # the document on stdout; what could not be resolved on stderr
        print_json(result.to_dict())
        _print_notes(file, result)
        return
    out.print(f"sources:       {', '.join(result.sources) or '-'}", highlight=False)
    out.print(f"targets:       {', '.join(result.targets) or '-'}", highlight=False)
    out.print(f"intermediates: {', '.join(result.intermediates) or '-'}", highlight=False)
    table = answer_table("target", "sources", "transformation", title="column lineage")
    for edge in result.columns:
        target = f"{edge.target.table or '(result)'}.{edge.target.column or '(rows)'}"
        sources = ", ".join(f"{s.table or '?'}.{s.column}" for s in edge.sources)
        how = f"{edge.transformation.type} {edge.transformation.subtype.value}"
        table.add_row(target, sources, how + (" masked" if edge.transformation.masking else ""))
    out.print(table)
    _print_notes(file, result)


def _print_notes(file: Path, result: ScriptLineage) -> None:
    for warning in result.warnings:
        console.print(f"[yellow]warning[/] {escape(str(file))}: {escape(warning)}", highlight=False)
    for stmt in result.statements:
        where = escape(f"{file}:{stmt.line}")
        if stmt.error:
            console.print(f"[red]error[/] {where}: {escape(stmt.error)}", highlight=False)
            console.print(f"    {stmt.snippet}", highlight=False, markup=False)
        elif stmt.unresolved:
            console.print(
                f"[yellow]unresolved[/] {where}: {escape(', '.join(stmt.unresolved))}",
                highlight=False,
            )
