"""Sensitivity commands: scan, label, declassify, why, relabel.

Presidio is imported only when ``scan`` runs, so the rest of the CLI starts fast.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from lineage import sensitivity
from lineage.cli._app import NodeIdArg, answer_table, input_files, out, print_json, store_session
from lineage.pipeline import ingest

app = typer.Typer()  # its commands are registered by name in lineage.cli._lazy


def _who(by: str | None) -> str:
    if by:
        return by
    try:
        return os.environ.get("LINEAGE_USER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@app.command()
def scan(  # noqa: PLR0917 - Typer options are parameters
    location: Annotated[str, typer.Argument(help="CSV/JSONL/Parquet file or SQLAlchemy URL.")],
    dataset: Annotated[
        str,
        typer.Option(
            "--dataset",
            help="Dataset id the data belongs to, or a vector index id (the file: an export "
            "of sampled chunks).",
        ),
    ],
    table: Annotated[
        str | None, typer.Option("--table", help="Table ([schema.]name) for a database URL.")
    ] = None,
    rows: Annotated[int, typer.Option("--rows", help="Rows sampled per column.")] = 100,
    min_score: Annotated[float, typer.Option(help="Score for a value to count as a hit.")] = 0.5,
    min_share: Annotated[float, typer.Option(help="Share of hits for a column verdict.")] = 0.3,
    min_hits: Annotated[int, typer.Option(help="Fewest hits for a column verdict.")] = 2,
    ner: Annotated[
        str | None, typer.Option("--ner", help="Installed spaCy model (name or folder) for NER.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Sample a dataset, classify its columns, attach the verdicts as own labels.

    Given a vector index id, the file is a JSONL/CSV export of the collection's chunks; what
    they hold becomes the index's own labels (and flows to what retrieves from it).
    """
    from ingest.sensitivity import DETECTOR, Classifier, VerdictRule, scan_facts
    from ingest.sensitivity import scan as run_scan

    if "://" not in location:  # a file, not a database URL
        input_files([Path(location)], folders=False)
    try:
        rule = VerdictRule(min_score=min_score, min_share=min_share, min_hits=min_hits)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    result = run_scan(
        location,
        dataset=dataset,
        rows=rows,
        table=table,
        classifier=Classifier(rule=rule, ner_model=ner),
    )
    with store_session() as store:
        ingest(store, scan_facts(result))
        sensitivity.replace_detected(store, result.labelings(), DETECTOR)
    if as_json:
        print_json(result.to_dict())
        return
    table = answer_table(
        "column", "labels", "hits/sampled", "confidence", title=f"{dataset} ({result.rows} rows)"
    )
    for v in result.verdicts:
        if not v.entities:
            table.add_row(v.column, "-", f"0/{v.non_empty}", "")
        for e in v.entities:
            table.add_row(v.column, str(e.label), f"{e.hits}/{v.non_empty}", f"{e.confidence:.2f}")
    out.print(table)


@app.command()
def label(  # noqa: PLR0917 - Typer options are parameters
    uid: NodeIdArg,
    category: Annotated[str, typer.Argument(help="PII, PHI, PCI, SECRET... or PII:ENTITY.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (recorded).")],
    by: Annotated[str | None, typer.Option("--by", help="Who (default: $LINEAGE_USER).")] = None,
    remove: Annotated[bool, typer.Option("--remove", help="Remove a declared label.")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Declare an own label by hand (or remove one); downstream labels follow at once."""
    with store_session() as store:
        if remove:
            outcome = sensitivity.undeclare(store, uid, category)
        else:
            outcome = sensitivity.declare(store, uid, category, reason=reason, who=_who(by))
        node = store.get_node(uid)
    labels = list(node.labels) if node else []
    if as_json:
        print_json({"uid": uid, "labels": labels, "updated": outcome.written})
        return
    out.print(f"{uid}: {', '.join(labels) or '-'}  ({outcome.written} nodes updated)")


@app.command()
def declassify(  # noqa: PLR0917 - Typer options are parameters
    uid: NodeIdArg,
    labels: Annotated[list[str], typer.Argument(help="Labels to stop: PII, PII:EMAIL, *.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (recorded).")],
    to: Annotated[
        str | None, typer.Option("--to", help="Edge target: declassify the edge.")
    ] = None,
    via: Annotated[str, typer.Option("--via", help="The edge's key (its job id).")] = "",
    by: Annotated[str | None, typer.Option("--by", help="Who (default: $LINEAGE_USER).")] = None,
    undo: Annotated[bool, typer.Option("--undo", help="Lift the declassification.")] = False,
) -> None:
    """Stop labels at a node or a FLOWS_TO edge, with who/when/why recorded."""
    target: str | tuple[str, str, str] = (uid, to, via) if to else uid
    with store_session() as store:
        outcome = sensitivity.declassify(
            store, target, labels, reason=reason, who=_who(by), undo=undo
        )
    out.print(f"{'reclassified' if undo else 'declassified'}: {outcome.written} nodes updated")


@app.command()
def why(
    uid: NodeIdArg,
    label_text: Annotated[str, typer.Argument(metavar="LABEL", help="PII, PII:EMAIL_ADDRESS...")],
    limit: Annotated[int, typer.Option(help="Most paths shown.")] = 20,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show the path(s) that bring a label to a node, from the nodes that own it."""
    with store_session() as store:
        paths = sensitivity.why(store, uid, label_text, limit=limit)
    if as_json:
        print_json([p.to_dict() for p in paths])
        return
    if not paths:  # an answer, not an error: exit 0
        out.print(f"{escape(uid)} does not hold {escape(label_text.upper())}")
        return
    for n, path in enumerate(paths, 1):
        ev = path.evidence[0] if path.evidence else {}
        how = ev.get("detector", "")
        if ev.get("reason"):
            how += f" by {ev.get('by', '?')}: {ev['reason']}"
        elif ev.get("sampled"):
            how += (
                f" {ev.get('hits')}/{ev.get('sampled')} values, confidence {ev.get('confidence')}"
            )
        out.print(f"[bold]{n}.[/] {escape(f'{path.origin} owns {path.hops[0].label} ({how})')}")
        for hop in path.hops[1:]:
            edge = hop.edge
            what = edge.get("kind") or edge.get("rel", "")
            extra = " coarse" if hop.coarse else ""
            via = f" via {edge['via']}" if edge.get("via") else ""
            out.print(escape(f"   -[{what}{via}]-> {hop.uid} ({hop.label}{extra})"))


@app.command()
def relabel(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Recompute every label from scratch (after a policy change or an import)."""
    with store_session() as store:
        outcome = sensitivity.recompute(store)
    if as_json:
        print_json({"region": outcome.region, "written": outcome.written})
        return
    out.print(f"recomputed {outcome.region} nodes, {outcome.written} changed")
