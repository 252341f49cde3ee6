"""Runtime signals on the command line: access logs in, model artefacts scanned, findings out.

``lineage ingest access-log PATH...``, ``lineage scan-model PATH...`` and the ``lineage
runtime`` group (``findings``, ``usage``, ``artefacts``). Each is a thin layer over
``ingest.access_log``, ``ingest.model_scan`` and ``queries.runtime``.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Annotated

import typer

from ingest.access_log import (
    DEFAULT_ENDPOINT_NAMESPACE,
    DEFAULT_PRINCIPAL_NAMESPACE,
    Format,
    ReadStats,
    Resolver,
    Usage,
    aggregate_file,
    merge_usage,
    read_access_log,
)
from ingest.model_scan import scan_model_facts
from lineage import ids
from lineage.cli._app import answer_table, console, input_files, out, print_json, store_session
from lineage.model import Kind, Node, Problem, Severity
from lineage.pipeline import IngestReport, ingest
from lineage.store import Store
from queries.runtime import (
    Thresholds,
    artefact_verdicts,
    endpoint_usage,
    model_locations,
    record_usage,
    refresh_runtime,
)

app = typer.Typer()  # its commands are registered by name in lineage.cli._lazy
ingest_app = typer.Typer()  # its commands are registered by name in lineage.cli._lazy

runtime_app = typer.Typer(help="Runtime usage, anomalies and model-artefact verdicts.")

LOG_SOURCE = "source:accesslog"  # remembers which log files were ingested (by sha256)
_MAX_DIGESTS = 1000

ThresholdsOpt = Annotated[
    Path | None,
    typer.Option("--thresholds", help="YAML file of runtime thresholds (docs/runtime.md)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def _thresholds(path: Path | None) -> Thresholds:
    return Thresholds.from_file(path) if path else Thresholds()


def _digest(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _seen_digests(store: Store) -> list[str]:
    node = store.get_node(LOG_SOURCE)
    return list(node.props.get("ingested_digests") or ()) if node else []


@ingest_app.command("access-log")
def ingest_access_log(  # noqa: PLR0917 - Typer options are parameters
    paths: Annotated[list[Path], typer.Argument(help="Log files (.gz ok); - for stdin.")],
    fmt: Annotated[Format, typer.Option("--format", help="Log format.")] = Format.AUTO,
    window: Annotated[int, typer.Option(help="Window size in seconds.")] = 3600,
    endpoint_namespace: Annotated[
        str, typer.Option(help="Namespace for endpoints named without host.")
    ] = DEFAULT_ENDPOINT_NAMESPACE,
    principal_namespace: Annotated[
        str, typer.Option(help="Namespace for principals named without one.")
    ] = DEFAULT_PRINCIPAL_NAMESPACE,
    force: Annotated[
        bool, typer.Option(help="Ingest files even if the same bytes were ingested before.")
    ] = False,
    jobs: Annotated[
        int,
        typer.Option(help="Processes per plain file over 64 MB (0: one per core)."),
    ] = 1,
    thresholds: ThresholdsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Aggregate access logs into windowed usage edges, then refresh runtime findings.

    Counts add up across runs; a file whose exact bytes were ingested before is skipped
    (so re-running a command does not double the counts) unless --force.
    """
    input_files(paths, folders=False)  # every path readable before the store opens
    resolver = Resolver(
        endpoint_namespace=endpoint_namespace, principal_namespace=principal_namespace
    )
    usage = Usage(window_s=window)
    stats = ReadStats()
    report = IngestReport()
    skipped: list[str] = []
    with store_session() as store:
        previous = _seen_digests(store)
        seen = set(previous)
        new_digests: list[str] = []
        for path in paths:
            if str(path) != "-" and not path.is_file():
                report.problems.append(Problem(Severity.ERROR, "no such file", str(path)))
                continue
            digest = "" if str(path) == "-" else _digest(path)
            if digest and digest in seen and not force:
                skipped.append(str(path))
                continue
            if str(path) == "-":
                read = read_access_log(
                    sys.stdin.buffer, fmt=fmt, path="-", resolver=resolver, stats=stats
                )
                report.problems.extend(usage.add_all(read))
            else:
                part, part_stats, problems = aggregate_file(
                    path, fmt=fmt, window_s=window, resolver=resolver, jobs=jobs
                )
                merge_usage(usage, part)
                stats.add(part_stats)
                report.problems.extend(problems)
            if digest:
                new_digests.append(digest)
        record_usage(store, usage, source_ref=",".join(map(str, paths))[:500], report=report)
        if new_digests:
            kept = (previous + new_digests)[-_MAX_DIGESTS:]
            source = Node(
                LOG_SOURCE,
                Kind.SOURCE,
                "accesslog",
                "accesslog",
                {
                    "platform": "access-log",
                    "ingested_digests": kept,
                },
            )
            ingest(store, [source])
        findings = refresh_runtime(store, _thresholds(thresholds))
    summary = {
        "lines": stats.lines,
        "records": stats.records,
        "malformed": stats.malformed,
        "format": stats.format,
        "pairs": len(usage.pairs),
        "skipped_already_ingested": skipped,
        "findings": len(findings),
        **report.to_dict(),
    }
    if as_json:
        print_json(summary)
    else:
        out.print(
            f"{stats.records} requests from {stats.lines} lines ({stats.format or '-'}) -> "
            f"{len(usage.pairs)} principal/endpoint pairs; {stats.malformed} malformed; "
            f"{len(findings)} runtime findings"
        )
        for name in skipped:
            console.print(f"[yellow]skipped[/] {name}: already ingested (use --force)")
        _print_problems(report.problems)
    if report.errors:
        raise typer.Exit(1)


def _print_problems(problems: list[Problem], limit: int = 20) -> None:
    for problem in problems[:limit]:
        console.print(f"[yellow]{problem}[/]", highlight=False)
    if len(problems) > limit:
        console.print(f"... and {len(problems) - limit} more problems (--json lists them)")


def _store_models(store: Store) -> tuple[list[tuple[str, str]], list[Problem]]:
    """Local artefacts of stored Model nodes; remote ones are reported, never downloaded."""
    targets, problems = [], []
    for uid, location in model_locations(store):
        local = location.removeprefix("file://")
        if "://" in local:
            problems.append(
                Problem(
                    Severity.INFO, f"{uid}: remote artefact not scanned (no downloads)", location
                )
            )
        elif Path(local).exists():
            targets.append((local, uid))
        else:
            problems.append(Problem(Severity.WARNING, f"{uid}: artefact not found", location))
    return targets, problems


@app.command("scan-model")
def scan_model(
    paths: Annotated[list[Path] | None, typer.Argument(help="Model files or folders.")] = None,
    model: Annotated[
        str | None, typer.Option("--model", help="Record the verdict on this Model id.")
    ] = None,
    from_store: Annotated[
        bool, typer.Option("--from-store", help="Also scan local artefacts of stored models.")
    ] = False,
    fail_on: Annotated[
        str, typer.Option(help="Exit 1 at this verdict or worse: unsafe|suspicious|never.")
    ] = "unsafe",
    as_json: JsonOpt = False,
) -> None:
    """Scan model artefacts for unsafe serialisation; never loads or runs them."""
    input_files(paths or [])  # every path exists before the store opens
    targets: list[tuple[str, str]] = []
    for path in paths or []:
        targets.append((str(path), str(ids.parse(model)) if model else ""))
    if model and len(targets) != 1:
        raise typer.BadParameter("--model goes with exactly one path")
    if not targets and not from_store:
        raise typer.BadParameter("give model files or folders, or --from-store")
    with store_session() as store:
        skipped: list[Problem] = []
        if from_store:
            found, skipped = _store_models(store)
            targets += found
        facts = [*skipped, *scan_model_facts(targets)]
        report = ingest(store, facts)
        refresh_runtime(store)
    nodes = [f for f in facts if isinstance(f, Node)]
    rows = [
        {
            "model": n.uid,
            "path": n.props["artefact_path"],
            "verdict": n.props["artefact_verdict"],
            "format": n.props["artefact_format"],
            "sha256": n.props["artefact_sha256"],
            "findings": list(n.props.get("artefact_findings") or ()),
        }
        for n in nodes
    ]
    if as_json:
        print_json({"artefacts": rows, **report.to_dict()})
    else:
        table = answer_table("verdict", "format", "path", "findings", title="model artefacts")
        for r in rows:
            table.add_row(r["verdict"], r["format"], r["path"], "; ".join(r["findings"][:3]))
        out.print(table)
        _print_problems([p for p in report.problems if "model artefact is" not in p.message])
    bad = {"unsafe": {"unsafe"}, "suspicious": {"unsafe", "suspicious"}}.get(fail_on, set())
    if any(r["verdict"] in bad for r in rows) or (report.errors and fail_on != "never"):
        raise typer.Exit(1)


@runtime_app.command("findings")
def findings_cmd(thresholds: ThresholdsOpt = None, as_json: JsonOpt = False) -> None:
    """Usage anomalies and unsafe artefacts, with evidence; updates endpoint scores."""
    with store_session() as store:
        found = refresh_runtime(store, _thresholds(thresholds))
    if as_json:
        print_json([f.to_dict() for f in found])
        return
    table = answer_table("score", "code", "endpoint", "principal/model", "window", "summary")
    for f in found:
        table.add_row(
            f"{f.score:.2f}",
            f.code,
            f.endpoint or "-",
            f.principal or f.model or "-",
            f.window_start[:16] or "-",
            f.summary,
        )
    out.print(table)


@runtime_app.command("usage")
def usage_cmd(
    endpoint: Annotated[str | None, typer.Argument(help="One endpoint id.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Observed usage per endpoint: requests, errors, principals, tokens, busiest callers."""
    with store_session() as store:
        rows = endpoint_usage(store, endpoint)
    if as_json:
        print_json([u.to_dict() for u in rows])
        return
    table = answer_table("endpoint", "requests", "errors", "principals", "tokens", "last seen")
    for u in rows:
        tokens = u.tokens_in + u.tokens_out
        table.add_row(
            u.endpoint, str(u.requests), str(u.errors), str(u.principals), str(tokens), u.last_seen
        )
    out.print(table)


@runtime_app.command("artefacts")
def artefacts_cmd(as_json: JsonOpt = False) -> None:
    """Scanned model artefacts, worst first, with the endpoints they reach."""
    with store_session() as store:
        verdicts = artefact_verdicts(store)
    if as_json:
        print_json([v.to_dict() for v in verdicts])
        return
    table = answer_table("verdict", "model", "format", "endpoints", "findings")
    for v in verdicts:
        table.add_row(
            v.verdict, v.model, v.format, str(len(v.endpoints)), "; ".join(v.findings[:2])
        )
    out.print(table)


__all__ = ["runtime_app"]
