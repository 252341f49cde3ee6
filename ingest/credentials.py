"""Which config variables hold credentials, which of their values are literals, and what kind.

A security engineer reads ``POSTGRES_PASSWORD: postgres`` in a compose file as a hard-coded
(default) credential, and ``${POSTGRES_PASSWORD:-postgres}`` too: it runs as written when the
variable is unset. ``${POSTGRES_PASSWORD}``, ``os.environ/KEY``, ``RETRIEVER_API_KEY`` (an
environment variable's name), file paths, empty values and obvious placeholders are not.

The kind names the credential as precisely as the text allows: the service when the variable
or a well-known default value names it (``MINIO_SECRET_KEY``), else PASSWORD or
GENERIC_API_KEY. The value itself is never kept here: callers get offsets, not text.
"""

from __future__ import annotations

import re

__all__ = ["config_credential"]

# Services whose credentials appear in deployment configs, by the word a variable uses.
_SERVICES = {
    "POSTGRES": "POSTGRES",
    "POSTGRESQL": "POSTGRES",
    "PGVECTOR": "POSTGRES",
    "MYSQL": "MYSQL",
    "MARIADB": "MARIADB",
    "MONGO": "MONGODB",
    "MONGODB": "MONGODB",
    "REDIS": "REDIS",
    "VALKEY": "VALKEY",
    "ELASTIC": "ELASTIC",
    "ELASTICSEARCH": "ELASTIC",
    "KIBANA": "KIBANA",
    "OPENSEARCH": "OPENSEARCH",
    "MINIO": "MINIO",
    "CLICKHOUSE": "CLICKHOUSE",
    "RABBITMQ": "RABBITMQ",
    "NEO4J": "NEO4J",
    "NEXTAUTH": "NEXTAUTH",
    "VLLM": "VLLM",
    "LITELLM": "LITELLM",
    "QDRANT": "QDRANT",
    "WEAVIATE": "WEAVIATE",
    "MILVUS": "MILVUS",
    "GRAFANA": "GRAFANA",
    "KEYCLOAK": "KEYCLOAK",
}
# Vendor defaults: the value alone says whose credential it is (whatever the variable says).
_DEFAULT_VALUES = {"minioadmin": "MINIO", "postgres": "POSTGRES", "elastic": "ELASTIC"}

_PLACEHOLDER = re.compile(
    r"xxx|\.\.\.|your|<|>|\{|\}|\$|example|placeholder|dummy|changeme|change_me|redacted|\*\*\*"
    r"|insert|replace|_here\b|fake|sample|^(?:none|null|nil|true|false|yes|no|on|off|~)$",
    re.I,
)
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")  # RETRIEVER_API_KEY: a name, not a value
_DEFAULTED = re.compile(r"\$\{\w+:?-(?P<d>[^}]*)\}")
_SPLIT = re.compile(r"[_.\-]+|(?<=[a-z0-9])(?=[A-Z])")


def _tokens(name: str) -> list[str]:
    return [t.upper() for t in _SPLIT.split(name) if t]


def _credential_type(tokens: list[str], service: str | None) -> str | None:
    """What a variable named ``tokens`` holds, from its last words; None if no credential."""
    tail = tokens[-1]
    before = tokens[-2] if len(tokens) > 1 else ""
    if tail == "ID" and tokens[-3:-1] == ["ACCESS", "KEY"]:
        return "ACCESS_KEY"
    if tail in ("PASSWORD", "PASSWD", "PWD", "PASS", "REQUIREPASS"):
        return "SECRET_KEY" if service == "MINIO" else "PASSWORD"
    if tail in ("ENCRYPTIONKEY", "APIKEY", "MASTERKEY", "SALT", "TOKEN", "SECRET"):
        return {
            "ENCRYPTIONKEY": "ENCRYPTION_KEY",
            "APIKEY": "API_KEY",
            "MASTERKEY": "MASTER_KEY",
        }.get(tail, tail)
    if tail == "KEY" and (before == "SECRET" or tokens[-3:-1] == ["SECRET", "ACCESS"]):
        return "SECRET_KEY"
    if tail == "KEY" and before in ("ACCESS", "ENCRYPTION", "API", "MASTER", "AUTH"):
        return f"{before}_KEY"
    if tail == "AUTH" and service:
        return "PASSWORD"  # REDIS_AUTH: the server's password
    if tail == "USER" and service == "MINIO":
        return "ACCESS_KEY"  # MINIO_ROOT_USER is MinIO's access key
    return None


def _literal(raw: str) -> tuple[int, int] | None:
    """(start, end) of the literal in a raw config value, None for a reference or nothing."""
    text = raw
    if not (text.startswith(("'", '"'))):
        text = re.split(r"[ \t]#", text, maxsplit=1)[0]  # a trailing YAML/env comment
    text = text.rstrip()
    start = len(raw) - len(raw.lstrip())
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text, start = text[1:-1], start + 1
    m = _DEFAULTED.fullmatch(text)
    if m:
        text, start = m.group("d"), start + m.start("d")
    elif "$" in text or text.startswith(("os.environ", "env:", "secret:", "!")):
        return None
    if (
        len(text) < 3
        or any(c.isspace() for c in text)
        or text[0] in "|>/[{&*"
        or text.startswith("./")
        or text.endswith(("-", "_"))  # a provider prefix with the key cut off: sk-proj-
        or text.endswith((".pem", ".key", ".crt", ".txt", ".json"))
        or _ENV_NAME.fullmatch(text)
        or _PLACEHOLDER.search(text)
    ):
        return None
    return start, start + len(text)


def config_credential(name: str, raw: str) -> tuple[str, int, int] | None:
    """(kind, start, end) of a hard-coded credential given to variable ``name`` as ``raw``
    (offsets into ``raw``), or None when the name holds no credential or the value is no
    literal."""
    tokens = _tokens(name)
    if not tokens or "PUBLIC" in tokens:
        return None
    span = _literal(raw)
    if span is None:
        return None
    value = raw[span[0] : span[1]].lower()
    service = next((_SERVICES[t] for t in tokens if t in _SERVICES), None)
    service = service or _DEFAULT_VALUES.get(value)
    if tokens == ["REQUIREPASS"]:
        service = service or "REDIS"  # redis-server --requirepass
    cred = _credential_type(tokens, service)
    if cred is None:
        return None
    if service is None:
        return ("PASSWORD" if cred == "PASSWORD" else "GENERIC_API_KEY"), *span
    if cred == "PASSWORD" and "ADMIN" in tokens:
        cred = "ADMIN_PASSWORD"
    return f"{service}_{cred}", *span
