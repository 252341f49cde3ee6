"""Issue 18.6: the CLI starts at once. Importing it loads no command module and none of the
heavy libraries; the command table's help lines are the commands' own (they cannot drift).
"""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest
import typer

from lineage.cli._lazy import COMMANDS, INGEST, Where

HEAVY = ("sqlglot", "presidio_analyzer", "numpy", "networkx", "nbformat", "pydantic", "redis")


def test_importing_the_cli_loads_no_heavy_module() -> None:
    code = (
        "import sys, lineage.cli; "
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules)); "
        "print(sorted(m for m in sys.modules if m.startswith('lineage.cli.') "
        "and not m.startswith(('lineage.cli._app', 'lineage.cli._lazy'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    heavy, commands = done.stdout.splitlines()
    assert heavy == "[]"
    assert commands == "[]"


def test_help_lists_every_command_without_loading_one() -> None:
    code = (
        "import sys; sys.argv = ['lineage', '--help']\n"
        "from lineage.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print('HEAVY', sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    for name in COMMANDS:
        assert name in done.stdout
    assert "HEAVY []" in done.stdout


def _resolve(name: str, where: Where) -> typer.models.CommandInfo | typer.Typer:
    held = getattr(importlib.import_module(where.module), where.app)
    if where.app in ("app", "ingest_app"):
        found = [c for c in held.registered_commands if (c.name or c.callback.__name__) == name]
        assert len(found) == 1, f"{name} is not a command of {where.module}.{where.app}"
        return found[0]
    return held


@pytest.mark.parametrize(
    ("name", "where"),
    [*((n, w) for n, w in COMMANDS.items() if w.module), *INGEST.items()],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_each_table_line_is_the_commands_own_help(name: str, where: Where) -> None:
    held = _resolve(name, where)
    text = held.info.help if isinstance(held, typer.Typer) else held.help or held.callback.__doc__
    assert text is not None
    assert where.help == text.strip().splitlines()[0]
