"""The Typer app, its global options, and the one place CLI errors become messages."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console

from lineage.errors import LineageError
from lineage.settings import Settings
from lineage.store import Store, open_store

__all__ = ["app", "console", "ingest_app", "print_json", "settings", "store_session"]

app = typer.Typer(
    name="lineage",
    help="AI security posture lineage graph: where sensitive data goes once AI touches it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
ingest_app = typer.Typer(help="Turn artefacts into graph facts.", no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")

console = Console(stderr=True, emoji=False)
_state: dict[str, Settings] = {}


@app.callback()
def _global(
    store: Annotated[
        str | None,
        typer.Option("--store", envvar="LINEAGE_STORE", help="Store folder or neo4j:// URI."),
    ] = None,
) -> None:
    _state["settings"] = Settings.from_env(store=store)


def settings() -> Settings:
    return _state.get("settings") or Settings.from_env()


@contextmanager
def store_session() -> Iterator[Store]:
    """Open the configured store for one command and always close it."""
    store = open_store(settings().store)
    try:
        yield store
    finally:
        store.close()


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def run() -> None:
    try:
        app()
    except LineageError as exc:
        console.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise SystemExit(2) from None
