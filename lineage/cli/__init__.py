"""The ``lineage`` command: a thin layer over the same functions the API calls."""

from lineage.cli import (  # noqa: F401 - registers commands
    ai_cmds,
    declared_cmds,
    demo,
    migrate_cmds,
    openlineage_cmds,
    policy_cmds,
    query_cmds,
    runtime_cmds,
    sensitivity_cmds,
    serve,
    sql_cmds,
    store_cmds,
)
from lineage.cli._app import app, run

__all__ = ["app", "main"]


def main() -> None:
    run()
