"""Vector DB server configs (Qdrant ``config.yaml``, Chroma server YAML) and docker-compose.

A server config names no collection (those are created at run time), so it yields the
server as a Source with its security-relevant settings (listen address, TLS, API key set or
not, persistence), never invented indexes. docker-compose services running a vector DB
image become Sources named by their service DNS name and container port (how the other
services reach them); services that depend on one are Endpoints with ``uses`` set.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ingest.notebook.values import Collector
from ingest.vector_config.compose import service_facts
from ingest.vector_config.naming import DEFAULT_PORTS, endpoint_uid
from lineage import ids

__all__ = [
    "IMAGES",
    "chroma_server_facts",
    "compose_facts",
    "is_chroma_server",
    "is_compose",
    "is_qdrant_server",
    "qdrant_server_facts",
]

# image name pattern -> (engine, platform namespace scheme, default container port)
IMAGES: tuple[tuple[re.Pattern[str], str, str, int], ...] = (
    (re.compile(r"(^|/)qdrant/qdrant\b"), "qdrant", "qdrant", 6333),
    (re.compile(r"(^|/)chromadb/chroma\b|(^|/)chroma-core/chroma\b"), "chroma", "chroma", 8000),
    (re.compile(r"(^|/)milvusdb/milvus\b"), "milvus", "milvus", 19530),
    (
        re.compile(r"(^|/)semitechnologies/weaviate\b|cr\.weaviate\.io/"),
        "weaviate",
        "weaviate",
        8080,
    ),
    (
        re.compile(r"(^|/)(pgvector/pgvector|ankane/pgvector)\b|tensorchord/pgvecto-rs"),
        "pgvector",
        "postgres",
        5432,
    ),
    (re.compile(r"elasticsearch"), "elasticsearch", "elasticsearch", 9200),
    (re.compile(r"opensearchproject/opensearch\b"), "opensearch", "opensearch", 9200),
    (re.compile(r"redis/redis-stack"), "redis", "redis", 6379),
    (re.compile(r"mongodb/mongodb-atlas-local"), "mongodb_atlas", "mongodb", 27017),
)
_BUILD_HINT = re.compile(r"\b(qdrant|chroma|milvus|weaviate|pgvector)", re.I)


def is_qdrant_server(doc: Any) -> bool:
    return (
        isinstance(doc, Mapping)
        and isinstance(doc.get("storage"), Mapping)
        and isinstance(doc.get("service"), Mapping)
        and "storage_path" in doc["storage"]
    )


def is_chroma_server(doc: Any) -> bool:
    return (
        isinstance(doc, Mapping)
        and "persist_path" in doc
        and ("sysdb" in doc or "listen_address" in doc or "sqlitedb" in doc)
    )


def is_compose(doc: Any) -> bool:
    return (
        isinstance(doc, Mapping)
        and isinstance(doc.get("services"), Mapping)
        and all(isinstance(s, Mapping) for s in doc["services"].values())
    )


def _server(out: Collector, engine: str, host: str, port: int, **props: Any) -> str:
    uid = ids.source_id(f"{engine}://{host}:{port}")
    out.node(uid, platform=engine, **props)
    return uid


def qdrant_server_facts(out: Collector, doc: Mapping[str, Any], path: str) -> None:
    service = doc["service"]
    storage = doc["storage"]
    raw_tls = doc.get("tls")
    tls: Mapping[str, Any] = raw_tls if isinstance(raw_tls, Mapping) else {}
    bind = str(service.get("host") or "0.0.0.0")  # noqa: S104 - Qdrant's documented default
    _server(
        out,
        "qdrant",
        "localhost",
        int(service.get("http_port") or 6333),
        config_path=path,
        bind=bind,
        grpc_port=service.get("grpc_port"),
        tls=bool(service.get("enable_tls")),
        tls_cert=tls.get("cert"),
        api_key_set=bool(service.get("api_key")),
        read_only_key_set=bool(service.get("read_only_api_key")),
        cors=bool(service.get("enable_cors")),
        persistence="local",
        persist_path=storage.get("storage_path"),
        snapshots_path=storage.get("snapshots_path"),
        cluster=isinstance(doc.get("cluster"), Mapping) and bool(doc["cluster"].get("enabled")),
    )


def chroma_server_facts(out: Collector, doc: Mapping[str, Any], path: str) -> None:
    bind = str(doc.get("listen_address") or "0.0.0.0")  # noqa: S104
    _server(
        out,
        "chroma",
        "localhost",
        int(doc.get("port") or 8000),
        config_path=path,
        bind=bind,
        persistence="local",
        persist_path=doc.get("persist_path"),
        allow_reset=bool(doc.get("allow_reset")),
        cors_origins=[str(o) for o in doc.get("cors_allow_origins") or []] or None,
    )


def _image_engine(service: Mapping[str, Any]) -> tuple[str, str, int, str] | None:
    image = str(service.get("image") or "")
    for pattern, engine, scheme, port in IMAGES:
        if image and pattern.search(image):
            return engine, scheme, port, "image"
    build = service.get("build")
    context = build.get("context") if isinstance(build, Mapping) else build
    command = service.get("command")
    command = " ".join(command) if isinstance(command, list) else str(command or "")
    hint = _BUILD_HINT.search(f"{context or ''} {command}")
    if hint and not image:
        engine = hint.group(1).lower()
        scheme = "postgres" if engine == "pgvector" else engine
        return engine, scheme, DEFAULT_PORTS.get(scheme, 0), "build context/command"
    return None


def _ports(service: Mapping[str, Any]) -> list[str]:
    return [str(p) for p in service.get("ports") or []]


def _container_port(ports: list[str], default: int) -> int:
    for spec in ports:
        target = spec.split("/", 1)[0].rsplit(":", 1)[-1]
        if target.isdigit() and int(target) == default:
            return default
    return default


def compose_facts(out: Collector, doc: Mapping[str, Any], path: str) -> None:
    services: Mapping[str, Mapping[str, Any]] = doc["services"]
    service_facts(out, services, path)  # every service, its exposure and who uses whom
    servers: dict[str, str] = {}
    for name, service in services.items():
        found = _image_engine(service)
        if found is None:
            continue
        engine, scheme, port, evidence = found
        ports = _ports(service)
        servers[name] = _server(
            out,
            scheme,
            name,
            _container_port(ports, port),
            vector_engine=engine,
            image=service.get("image"),
            detected_by=evidence,
            published_ports=ports or None,
            compose_file=path,
            persistence="volume" if service.get("volumes") else "container",
        )
    if not servers:
        return
    for name, service in services.items():
        if name in servers:
            continue
        uses = sorted(servers[d] for d in _depends(service) if d in servers)
        uses += sorted(
            uid
            for dep, uid in servers.items()
            if dep not in _depends(service) and _mentions(service, dep)
        )
        if not uses:
            continue
        endpoint = endpoint_uid("compose", f"{path}#{name}")
        out.node(
            endpoint,
            framework="docker-compose",
            service=name,
            uses=uses,
            published_ports=_ports(service) or None,
            exposure="unknown",
        )


def _depends(service: Mapping[str, Any]) -> list[str]:
    deps = service.get("depends_on") or []
    return [str(d) for d in (deps.keys() if isinstance(deps, Mapping) else deps)]


def _mentions(service: Mapping[str, Any], name: str) -> bool:
    env = service.get("environment") or {}
    values = env.values() if isinstance(env, Mapping) else env
    return any(re.search(rf"//{re.escape(name)}[:/]", str(v)) for v in values)
