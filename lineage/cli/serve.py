"""``lineage serve``: the HTTP service (OpenLineage intake, GraphQL) on one store.

The port is bound before the store opens, so "address in use" is one line at once instead
of a store start-up followed by a traceback; uvicorn then serves on that very socket.
"""

from __future__ import annotations

import socket
from typing import Annotated

import typer

from lineage.cli._app import InputError, console, settings

app = typer.Typer()  # its commands are registered by name in lineage.cli._lazy


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(2048)
    return sock


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 5000,
) -> None:
    """Serve the API. With the embedded store, this process owns it while it runs."""
    sock = _bind(host, port)
    import uvicorn

    from lineage.api import create_app
    from lineage.api.logs import log_config

    config = settings()
    writes = "enabled (bearer token)" if config.api_token else "refused (no LINEAGE_API_TOKEN)"
    reads = "need a token" if config.read_token else "open"
    bound = sock.getsockname()[1]  # --port 0 picks a free one
    console.print(f"serving http://{host}:{bound}: HTTP writes {writes}, reads {reads}")
    app_ = create_app(config)
    server = uvicorn.Server(uvicorn.Config(app_, log_level="info", log_config=log_config()))
    server.run(sockets=[sock])
