"""``lineage serve`` with a write token, for the OpenLineage end-to-end tests and bench."""

from __future__ import annotations

from pathlib import Path

from lineage_serve import LineageServe, free_port

__all__ = ["Server", "free_port"]


class Server(LineageServe):
    def __init__(self, store: Path, token: str, port: int = 0) -> None:
        super().__init__(store, {"LINEAGE_API_TOKEN": token}, port)
        self.token = token
