"""``lineage serve``: the HTTP service (OpenLineage intake, GraphQL) on one store."""

from __future__ import annotations

from typing import Annotated

import typer

from lineage.cli._app import settings

app = typer.Typer()  # its commands are registered by name in lineage.cli._lazy


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 5000,
) -> None:
    """Serve the API. With the embedded store, this process owns it while it runs."""
    import uvicorn

    from lineage.api import create_app
    from lineage.api.logs import log_config

    uvicorn.run(
        create_app(settings()), host=host, port=port, log_level="info", log_config=log_config()
    )
