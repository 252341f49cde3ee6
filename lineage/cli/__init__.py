"""The ``lineage`` command: a thin layer over the same functions the API calls."""

from lineage.cli import demo, serve, store_cmds  # noqa: F401 - registers commands
from lineage.cli import openlineage_cmds  # noqa: F401 - registers commands
from lineage.cli import runtime_cmds  # noqa: F401 - registers commands
from lineage.cli import sql_cmds  # noqa: F401 - registers commands
from lineage.cli._app import app, run

__all__ = ["app", "main"]


def main() -> None:
    run()
