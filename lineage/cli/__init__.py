"""The ``lineage`` command: a thin layer over the same functions the API calls.

Importing this package loads no command: :mod:`lineage.cli._lazy` imports a command's
module when that command runs, so ``lineage --help`` never waits for sqlglot or Presidio.
"""

from lineage.cli._app import app, run

__all__ = ["app", "main"]


def main() -> None:
    run()
