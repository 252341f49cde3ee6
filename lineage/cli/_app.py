"""The Typer app, its global options, its two output streams, and the one place CLI errors
become messages.

Answers (tables, JSON, summaries) go to stdout through :data:`out`, so ``lineage why ... >
evidence.txt`` keeps them; progress and diagnostics go to stderr through :data:`console`.
Every input mistake (a missing file, a folder where a file was expected, bytes that are not
text) ends in one line ``error: ...`` and exit status 2, never a Python traceback.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from lineage.cli._lazy import LazyGroup
from lineage.errors import InvalidId, LineageError, NodeNotFound

if TYPE_CHECKING:
    from lineage.settings import Settings
    from lineage.store import Store

__all__ = [
    "InputError",
    "NodeIdArg",
    "answer_table",
    "app",
    "console",
    "input_files",
    "out",
    "print_json",
    "settings",
    "store_session",
]

app = typer.Typer(
    name="lineage",
    cls=LazyGroup,  # each command's module is imported only when that command runs
    help="AI security posture lineage graph: where sensitive data goes once AI touches it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

# Errors and answers are never wrapped at 80 columns: a rejection's "file:line N: why" and
# ids must survive a copy or a grep, whatever the terminal's width or the path's length.
console = Console(stderr=True, emoji=False, soft_wrap=True)
out = Console(
    emoji=False, highlight=False, width=None if sys.stdout.isatty() else 100_000, soft_wrap=True
)
_state: dict[str, Settings] = {}


class InputError(LineageError):
    """A path argument that cannot be read as the command needs (exit 2, one line)."""


@app.callback()
def _global(
    store: Annotated[
        str | None,
        typer.Option("--store", envvar="LINEAGE_STORE", help="Store folder or neo4j:// URI."),
    ] = None,
) -> None:
    from lineage.settings import Settings

    _state["settings"] = Settings.from_env(store=store)


def settings() -> Settings:
    from lineage.settings import Settings

    return _state.get("settings") or Settings.from_env()


@contextmanager
def store_session() -> Iterator[Store]:
    """Open the configured store for one command and always close it."""
    from lineage.store import open_store

    store = open_store(settings().store)
    try:
        yield store
    finally:
        store.close()


def answer_table(*columns: str, **options: Any) -> Table:
    """A table for stdout whose cells fold instead of ending in an ellipsis (ids stay whole)."""
    table = Table(**options)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def input_files(
    paths: Iterable[Path], suffixes: Iterable[str] = (), *, folders: bool = True
) -> list[Path]:
    """The files named by path arguments; folders expand to their files with ``suffixes``.

    Raises :class:`InputError` for a path that does not exist, a folder where only files are
    accepted, or something that is neither, so every command says "no such file" one way.
    """
    wanted = {s.lower() for s in suffixes}
    found: list[Path] = []
    for path in paths:
        if str(path) == "-":
            found.append(path)
        elif path.is_dir():
            if not folders:
                raise InputError(f"{path}: is a folder; a file is expected")
            found += sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and (not wanted or p.suffix.lower() in wanted)
                and ".ipynb_checkpoints" not in p.parts
            )
        elif path.is_file():
            found.append(path)
        elif path.exists():
            raise InputError(f"{path}: not a regular file")
        else:
            raise InputError(f"{path}: no such file or folder")
    return found


def _did_you_mean(text: str) -> str:
    """Lines naming stored ids that ``text`` may have meant (none when the store is absent)."""
    from queries.search import suggest

    try:
        with store_session() as store:
            found = suggest(store, text)
    except LineageError:
        return ""
    return "\ndid you mean:" + "".join(f"\n  {uid}" for uid in found) if found else ""


def _node_id(value: str) -> str:
    from lineage import ids

    try:
        ids.parse(value)
    except InvalidId as exc:
        raise InputError(f"{exc}{_did_you_mean(value)}") from None
    return value


NodeIdArg = Annotated[
    str,
    typer.Argument(
        metavar="ID", help="Node id, e.g. dataset:<namespace>:<name>.", callback=_node_id
    ),
]


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def _fail(message: str, status: int = 2) -> SystemExit:
    console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return SystemExit(status)


def run() -> None:
    try:
        app()
    except NodeNotFound as exc:
        raise _fail(f"{exc}{_did_you_mean(exc.uid)}") from None
    except LineageError as exc:
        raise _fail(str(exc)) from None
    except IsADirectoryError as exc:
        raise _fail(f"{exc.filename}: is a folder; a file is expected") from None
    except FileNotFoundError as exc:
        raise _fail(f"{exc.filename}: no such file or folder") from None
    except PermissionError as exc:
        raise _fail(f"{exc.filename}: permission denied") from None
    except UnicodeDecodeError as exc:
        raise _fail(f"input is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except Exception as exc:
        if os.environ.get("LINEAGE_DEBUG"):
            raise
        raise _fail(
            f"unexpected {type(exc).__name__}: {exc} (set LINEAGE_DEBUG=1 for the traceback)", 1
        ) from None
