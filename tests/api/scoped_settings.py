"""Settings with a write token, a read token, both or neither: the auth tests' fixtures."""

from __future__ import annotations

from pydantic import SecretStr

from lineage.settings import Settings

WRITE, READ = "w-token-1", "r-token-2"


def scoped_settings(write: str | None = None, read: str | None = None) -> Settings:
    return Settings(
        store="unused",
        api_token=SecretStr(write) if write else None,
        read_token=SecretStr(read) if read else None,
    )
