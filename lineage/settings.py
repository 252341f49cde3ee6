"""Settings, looked up in a documented order: explicit argument, environment, defaults.

=====================  ===================================  ==============================
setting                environment                          default
=====================  ===================================  ==============================
store                  LINEAGE_STORE                        ./.lineage (embedded FalkorDB)
write token            LINEAGE_API_TOKEN                    none: writes refused over HTTP
write token file       LINEAGE_API_TOKEN_FILE               none
read token             LINEAGE_READ_TOKEN                   none: reads need no token
graphiql               LINEAGE_GRAPHIQL                     false
max request bytes      LINEAGE_MAX_REQUEST_BYTES            16 MiB
store timeout          LINEAGE_STORE_TIMEOUT                600 s (CLI), 30 s (serve reads)
neo4j user             LINEAGE_NEO4J_USER                   neo4j (when a password is set)
neo4j password         LINEAGE_NEO4J_PASSWORD               none
neo4j password file    LINEAGE_NEO4J_PASSWORD_FILE          none
neo4j bearer token     LINEAGE_NEO4J_TOKEN                  none (SSO; instead of a password)
neo4j database         LINEAGE_NEO4J_DATABASE               the server's default database
neo4j rows per UNWIND  LINEAGE_NEO4J_BATCH_ROWS             2000
neo4j retry budget     LINEAGE_NEO4J_RETRY_SECONDS          30
redaction key          LINEAGE_REDACT_KEY                   none: encrypt/unredact refused
policies               LINEAGE_POLICIES                     the starter library; "off": none
openlineage strict     LINEAGE_OPENLINEAGE_STRICT           false: malformed facets set aside
facts per transaction  LINEAGE_APPLY_CHUNK_ROWS             50000 (a bigger event: in chunks)
seconds per chunk      LINEAGE_APPLY_CHUNK_SECONDS          5 (a slower chunk halves the next)
graphql validation     LINEAGE_GRAPHQL_VALIDATION_SECONDS   2 s, then a TIMEOUT error
=====================  ===================================  ==============================
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from lineage.errors import ConfigError

__all__ = ["Settings"]

DEFAULT_STORE = "./.lineage"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    store: str = Field(DEFAULT_STORE, description="Store folder (embedded) or neo4j:// URI.")
    api_token: SecretStr | None = Field(None, description="Bearer token with write scope.")
    read_token: SecretStr | None = Field(
        None, description="Bearer token with read scope; when unset, reads are open."
    )
    graphiql: bool = Field(False, description="Serve the GraphiQL IDE at /graphql.")
    max_request_bytes: int = Field(16 * 1024 * 1024, description="Largest request body accepted.")
    neo4j_user: str | None = Field(None, description="Neo4j user for basic auth.")
    neo4j_password: SecretStr | None = Field(None, description="Neo4j password (basic auth).")
    neo4j_token: SecretStr | None = Field(None, description="Neo4j bearer token (SSO).")
    neo4j_database: str | None = Field(None, description="Neo4j database; unset: the default.")
    neo4j_batch_rows: int = Field(2000, ge=1, description="Rows per UNWIND write statement.")
    neo4j_retry_seconds: float = Field(
        30.0, ge=0, description="How long transient Neo4j errors are retried per transaction."
    )
    redact_key: SecretStr | None = Field(
        None, description="Key of reversible redaction (encrypt/unredact); never logged."
    )
    openlineage_strict: bool = Field(
        False, description="Refuse OpenLineage events with malformed facets (no leniency)."
    )
    policies: str | None = Field(
        None, description="Policy files/folders enforced by `serve` (comma-separated), or off."
    )

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        values: dict[str, object] = {}
        if env.get("LINEAGE_STORE"):
            values["store"] = env["LINEAGE_STORE"]
        token = env.get("LINEAGE_API_TOKEN")
        if not token and env.get("LINEAGE_API_TOKEN_FILE"):
            path = Path(env["LINEAGE_API_TOKEN_FILE"])
            try:
                token = path.read_text().strip()
            except OSError as exc:
                raise ConfigError(f"LINEAGE_API_TOKEN_FILE {path}: {exc.strerror}") from exc
        if token:
            values["api_token"] = token
        if env.get("LINEAGE_READ_TOKEN"):
            values["read_token"] = env["LINEAGE_READ_TOKEN"]
        if env.get("LINEAGE_GRAPHIQL"):
            values["graphiql"] = env["LINEAGE_GRAPHIQL"].lower() in {"1", "true", "yes", "on"}
        if env.get("LINEAGE_MAX_REQUEST_BYTES"):
            values["max_request_bytes"] = env["LINEAGE_MAX_REQUEST_BYTES"]
        password = env.get("LINEAGE_NEO4J_PASSWORD")
        if not password and env.get("LINEAGE_NEO4J_PASSWORD_FILE"):
            path = Path(env["LINEAGE_NEO4J_PASSWORD_FILE"])
            try:
                password = path.read_text().strip()
            except OSError as exc:
                raise ConfigError(f"LINEAGE_NEO4J_PASSWORD_FILE {path}: {exc.strerror}") from exc
        if password:
            values["neo4j_password"] = password
        for field_name in ("user", "token", "database", "batch_rows", "retry_seconds"):
            if env.get(f"LINEAGE_NEO4J_{field_name.upper()}"):
                values[f"neo4j_{field_name}"] = env[f"LINEAGE_NEO4J_{field_name.upper()}"]
        for name in ("redact_key", "policies"):
            if env.get(f"LINEAGE_{name.upper()}"):
                values[name] = env[f"LINEAGE_{name.upper()}"]
        if env.get("LINEAGE_OPENLINEAGE_STRICT"):
            strict = env["LINEAGE_OPENLINEAGE_STRICT"].lower() in {"1", "true", "yes", "on"}
            values["openlineage_strict"] = strict
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls.model_validate(values)
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc
