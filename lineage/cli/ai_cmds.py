"""``lineage ingest notebook|vector-config PATH...`` and ``lineage inventory``: the AI layer.

Files or folders (searched recursively; ``.ipynb_checkpoints`` skipped). With a registry
(``--registry`` or ``LINEAGE_AI_REGISTRY``) every discovered model, vector index and endpoint
is marked ``registered`` true or false as it lands; ``lineage inventory --registry`` re-checks
what is already in the graph against a (new) registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ingest.inventory import ApprovedRegistry, load_registry, mark_registered
from ingest.notebook import Classifier, notebook_facts, presidio_classifier
from ingest.notebook.refs import artefact_ref
from ingest.vector_config import vector_config_facts
from lineage import ids
from lineage.cli._app import answer_table, console, input_files, out, print_json, store_session
from lineage.model import Fact, Node, Severity
from lineage.pipeline import IngestReport, StrictModeError, ingest
from queries.inventory import ai_assets

app = typer.Typer()  # its commands are registered by name in lineage.cli._lazy
ingest_app = typer.Typer()  # its commands are registered by name in lineage.cli._lazy

__all__ = ["ingest_notebook", "ingest_vector_config", "inventory"]

RegistryOption = Annotated[
    Path | None,
    typer.Option(
        "--registry",
        envvar="LINEAGE_AI_REGISTRY",
        help="Approved-asset registry YAML (models, providers, endpoints, vector_indexes).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
RepoOption = Annotated[
    str | None,
    typer.Option(
        "--repo",
        help="Repository name to prefix paths in ids (default: paths relative to the git "
        "repository, else to the folder given), so every checkout names a notebook alike.",
    ),
]
StrictOption = Annotated[bool, typer.Option("--strict", help="Stop at the first error.")]


def _run(
    kind: str,
    files: list[Path],
    facts_of: Callable[[Path], Iterator[Fact]],
    registry: ApprovedRegistry | None,
    *,
    as_json: bool,
    strict: bool,
) -> None:
    report = IngestReport()
    assets: dict[str, int] = {}
    progress = Progress(
        TextColumn(f"[bold]{kind}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=console,
        disable=as_json,
        transient=as_json,
    )
    with store_session() as store, progress:
        task = progress.add_task("", total=len(files))
        for path in files:
            progress.update(task, description=escape(str(path)))
            facts: Iterable[Fact] = facts_of(path)
            if registry is not None:
                facts = mark_registered(facts, registry)
            facts = list(facts)
            for fact in facts:
                if isinstance(fact, Node) and fact.kind.value in (
                    "Model",
                    "VectorIndex",
                    "Endpoint",
                ):
                    assets[fact.kind.value] = assets.get(fact.kind.value, 0) + 1
            try:
                ingest(store, facts, report=report, strict=strict)
            except StrictModeError as exc:
                console.print(f"[bold red]strict:[/] {escape(str(exc))}", highlight=False)
                raise typer.Exit(1) from None
            progress.advance(task)
    if as_json:
        print_json({"files": len(files), "assets": assets, **report.to_dict()})
        return
    out.print(
        f"{kind}: {len(files)} files, {report.nodes} nodes, {report.edges} edges, "
        f"{report.labelings} labels; AI assets: "
        + (", ".join(f"{n} {k}" for k, n in sorted(assets.items())) or "none"),
        highlight=False,
    )
    for problem in report.problems:
        style = {"error": "red", "warning": "yellow"}.get(problem.severity.value, "dim")
        console.print(f"[{style}]{escape(str(problem))}[/]", highlight=False)
    if report.errors:
        raise typer.Exit(1)


def _registry(path: Path | None) -> ApprovedRegistry | None:
    return load_registry(path) if path else None


@ingest_app.command("notebook")
def ingest_notebook(  # noqa: PLR0917 - Typer options are parameters
    paths: Annotated[list[Path], typer.Argument(help="Notebooks or folders of them.")],
    registry: RegistryOption = None,
    classify: Annotated[
        bool,
        typer.Option(
            "--classify/--no-classify",
            help="Classify cell outputs (offline Presidio) as samples of the data read.",
        ),
    ] = True,
    as_json: JsonOption = False,
    strict: StrictOption = False,
    repo: RepoOption = None,
) -> None:
    """Ingest Jupyter notebooks: jobs, datasets, models, indexes, endpoints, secrets."""
    files = input_files(paths, {".ipynb"})
    refs = _refs(paths, files, repo)
    classifier: Classifier | None = presidio_classifier() if classify else None
    _run(
        "notebooks",
        files,
        lambda p: notebook_facts(p, ref=refs[p], classifier=classifier),
        _registry(registry),
        as_json=as_json,
        strict=strict,
    )


@ingest_app.command("vector-config")
def ingest_vector_config(
    paths: Annotated[list[Path], typer.Argument(help="Config files or folders of them.")],
    registry: RegistryOption = None,
    as_json: JsonOption = False,
    strict: StrictOption = False,
    repo: RepoOption = None,
) -> None:
    """Ingest vector-DB / RAG configs (embedchain, mem0, Haystack, Qdrant, Chroma, compose)."""
    files = input_files(paths, {".yaml", ".yml", ".json"})
    refs = _refs(paths, files, repo)
    _run(
        "vector configs",
        files,
        lambda p: vector_config_facts(p, ref=refs[p]),
        _registry(registry),
        as_json=as_json,
        strict=strict,
    )


def _refs(args: list[Path], files: list[Path], repo: str | None) -> dict[Path, str]:
    """The path each file is known by in ids: relative to its repository, else to the
    argument it was found under (never to the working directory: ids must not move)."""
    roots: dict[Path, Path] = {}
    for arg in args:
        root = arg if arg.is_dir() else arg.parent
        for f in input_files([arg], {f.suffix for f in files} or {""}):
            roots.setdefault(f, root)
    return {f: artefact_ref(f, roots.get(f, f.parent), repo=repo) for f in files}


@app.command()
def inventory(
    shadow: Annotated[bool, typer.Option("--shadow", help="Only unapproved (shadow) AI.")] = False,
    as_json: JsonOption = False,
    registry: RegistryOption = None,
) -> None:
    """List AI assets (models, vector indexes, endpoints) by kind, with where each was found."""
    with store_session() as store:
        if registry is not None:
            _reevaluate(store, load_registry(registry))
        assets = ai_assets(store, shadow_only=shadow)
    if as_json:
        print_json([a.to_dict() for a in assets])
        return
    if not assets:
        out.print("no AI assets" + (" outside the registry" if shadow else ""))
        return
    for kind in ("Model", "VectorIndex", "Endpoint"):
        group = [a for a in assets if a.kind == kind]
        if not group:
            continue
        table = answer_table(
            "asset",
            "detail",
            "registered",
            "labels",
            "found in",
            title=f"{kind} ({len(group)})",
            title_justify="left",
        )
        for asset in group:
            table.add_row(
                escape(asset.uid),
                escape(_detail(asset.detail)),
                _registered(asset.registered),
                escape(", ".join(asset.labels)),
                escape(_where(asset.found_in)),
            )
        out.print(table)


def _registered(value: bool | None) -> str:
    return "[green]yes[/]" if value is True else ("[red]no[/]" if value is False else "[red]?[/]")


def _detail(detail: Mapping[str, Any]) -> str:
    keys = ("provider", "model_type", "origin", "engine", "embedding_model", "exposure")
    return " ".join(f"{k}={detail[k]}" for k in keys if detail.get(k))


def _where(refs: tuple[str, ...]) -> str:
    shown = ", ".join(refs[:2])
    return shown + (f" (+{len(refs) - 2})" if len(refs) > 2 else "")


def _reevaluate(store: Any, registry: ApprovedRegistry) -> None:
    """Write ``registered`` for every AI asset in the graph (through the pipeline)."""
    facts: list[Fact] = []
    for asset in ai_assets(store):
        kind = ids.kind_of(asset.uid)
        ok = registry.approves(kind, asset.uid, asset.namespace, asset.name, asset.detail)
        if ok is not asset.registered:
            facts.append(
                Node(
                    asset.uid,
                    kind,
                    asset.name,
                    asset.namespace,
                    {"registered": ok},
                    observed_at=str(asset.detail.get("last_seen") or ""),
                )
            )
    report = ingest(store, facts)
    for problem in report.problems:
        if problem.severity is Severity.ERROR:
            console.print(f"[red]{escape(str(problem))}[/]")
