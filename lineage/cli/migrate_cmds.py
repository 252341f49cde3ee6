"""``lineage migrate``, ``lineage backup``, ``lineage restore``: moving a graph between stores.

All three go through the stable JSON Lines export format (:mod:`lineage.transfer`), so they
work between any two stores (embedded folder, ``bolt://`` or ``neo4j://`` URI), online, and
the result can be checked: after a move the target's counts must equal the source's.
``migrate`` also copies the OpenLineage event log (marked applied on arrival, since the graph
built from it comes along), so ``lineage replay`` still works on the new store.

Credentials for a Neo4j side come from the usual settings (``LINEAGE_NEO4J_*``); both sides
share them.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
from collections.abc import Iterator
from contextlib import ExitStack
from itertools import islice
from pathlib import Path
from typing import IO, Annotated

import typer

from lineage.cli._app import console, input_files, out, print_json, store_session
from lineage.eventlog import EventLog, FileEventLog
from lineage.intake import event_log_path
from lineage.model import Kind, Rel
from lineage.store import Store, open_store
from lineage.transfer import export_lines, export_to, import_from

app = typer.Typer()  # its commands are registered by name in lineage.cli._lazy

__all__ = ["backup", "copy_events", "migrate", "restore"]

_Force = Annotated[
    bool, typer.Option("--force", help="Write into a target that already holds a graph (merge).")
]


def _total(counts: dict[str, int]) -> int:
    return sum(counts.values())


def _refuse_non_empty(store: Store, force: bool) -> None:
    if not force and _total(store.counts()):
        console.print(
            f"[red]refused:[/] {store.location} already holds a graph; "
            "pass --force to merge into it"
        )
        raise typer.Exit(1)


def _event_log(store: Store, *, create: bool) -> EventLog | None:
    """The store's own log (Neo4j), else the file log beside it, if there is one."""
    own = getattr(store, "event_log", None)
    if own is not None:
        return own()
    path = event_log_path(store.location)
    if create or (path / "events.log").exists():
        return FileEventLog(path)
    return None


def copy_events(source: EventLog, target: EventLog, *, chunk: int = 1000) -> tuple[int, int]:
    """Append every source record to ``target`` (duplicates skipped by key), marked applied."""
    copied = skipped = 0
    records = source.records()
    while batch := list(islice(records, chunk)):
        out = target.append([(r.key, r.event) for r in batch])
        new = [r.seq for r in out if r is not None]
        target.mark_applied(new)
        copied += len(new)
        skipped += len(out) - len(new)
    return copied, skipped


@app.command()
def migrate(
    source: Annotated[str, typer.Option("--from", help="Source store: folder or URI.")],
    target: Annotated[str, typer.Option("--to", help="Target store: folder or URI.")],
    force: _Force = False,
    events: Annotated[
        bool, typer.Option("--events/--no-events", help="Copy the OpenLineage event log too.")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Copy the whole graph (and event log) from one store to another, then verify counts."""
    if source == target:
        console.print("[red]refused:[/] source and target are the same store")
        raise typer.Exit(1)
    with ExitStack() as stack:
        src = open_store(source)
        stack.callback(src.close)
        dst = open_store(target)
        stack.callback(dst.close)
        _refuse_non_empty(dst, force)
        before = dst.counts()
        report = import_from(dst, export_lines(src))
        expected, found = src.counts(), dst.counts()
        copied = skipped = 0
        if events and (src_log := _event_log(src, create=False)) is not None:
            stack.callback(src_log.close)
            dst_log = _event_log(dst, create=True)
            assert dst_log is not None
            stack.callback(dst_log.close)
            copied, skipped = copy_events(src_log, dst_log)
    result = {
        "from": source,
        "to": target,
        "nodes": report.nodes,
        "edges": report.edges,
        "events": copied,
        "events_already_there": skipped,
        "errors": report.errors,
        "verified": not before and found == expected,
    }
    if as_json:
        print_json(result)
    else:
        out.print(
            f"migrated {report.nodes} nodes, {report.edges} edges, {copied} events "
            f"from {source} to {target}"
        )
    if report.errors or (not before and found != expected):
        diff = {k: (expected.get(k, 0), found.get(k, 0)) for k in expected.keys() | found.keys()}
        mismatched = {k: v for k, v in sorted(diff.items()) if v[0] != v[1]}
        console.print(f"[red]verification failed[/] (source, target): {mismatched}")
        for error in report.errors[:20]:
            console.print(f"[red]rejected[/] {error}")
        raise typer.Exit(1)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@app.command()
def backup(
    output: Annotated[Path, typer.Argument(help="File to write; gzip when it ends in .gz.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Write a consistent-format backup of the graph, atomically (temp file, fsync, rename)."""
    tmp = output.with_name(f".{output.name}.partial")
    with store_session() as store:
        with tmp.open("wb") as raw:
            sink: IO[bytes] = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) if _gz(output) else raw
            with io.TextIOWrapper(sink, encoding="utf-8", newline="\n") as text:
                records = export_to(store, text)
            raw.flush()
            os.fsync(raw.fileno())
        counts = store.counts()
    os.replace(tmp, output)
    result = {"file": str(output), "records": records, "sha256": _sha256(output), **counts}
    if as_json:
        print_json(result)
    else:
        out.print(f"backed up {records} records to {output} (sha256 {result['sha256']})")


def _gz(path: Path) -> bool:
    return path.suffix == ".gz"


def _lines(path: Path) -> Iterator[str]:
    opener = gzip.open if _gz(path) else open
    with opener(path, "rt", encoding="utf-8") as f:  # type: ignore[operator]
        yield from f


@app.command()
def restore(
    path: Annotated[Path, typer.Argument(help="A backup or export (.jsonl or .jsonl.gz).")],
    force: _Force = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Load a backup into the configured store (empty unless --force), then verify counts."""
    input_files([path], folders=False)
    with store_session() as store:
        _refuse_non_empty(store, force)
        report = import_from(store, _lines(path))
        counts = store.counts()
    nodes = sum(counts.get(kind.value, 0) for kind in Kind)
    edges = sum(counts.get(rel.value, 0) for rel in Rel)
    result = {"file": str(path), "nodes": report.nodes, "edges": report.edges, **counts}
    if as_json:
        print_json(result)
    else:
        out.print(f"restored {report.nodes} nodes, {report.edges} edges from {path}")
    for error in report.errors[:20]:
        console.print(f"[red]rejected[/] {path}:{error}")
    if report.errors or (not force and (nodes < report.nodes or edges != report.edges)):
        console.print(f"[red]verification failed:[/] store holds {nodes} nodes, {edges} edges")
        raise typer.Exit(1)
