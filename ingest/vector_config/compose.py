"""docker-compose services as Endpoints: what runs, what is published, who talks to whom.

Every service is an Endpoint (``endpoint:compose:<file>#<service>``) with the kind of thing
its image runs (:data:`SERVICE_KINDS`, one row per image family), its published ports and
``exposure`` (``published`` when a port is mapped to the host, else ``internal``), and, when
the file shows the service accepting requests without authentication, ``auth: "off"`` with the
setting that says so (:data:`AUTH_OFF`) so a policy can match it. ``depends_on``, service
URLs and host variables in the environment or command (``http://ollama:11434``,
``QDRANT_HOST=qdrant``) become flows between the services, with the kind both ends' roles
imply (:mod:`ingest.vector_config.compose_flows`). A vector database service holds the
collections its users name (:mod:`ingest.vector_config.compose_indexes`), else one
VectorIndex named at run time (``collection_known: false``). Model servers (TEI, vLLM, TGI,
Ollama) name their model on the command line or in the environment (``${VAR:-default}``
read as its default): a Model node, served by the endpoint.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ingest.notebook.egress import egress_endpoint, egress_in
from ingest.notebook.values import Collector
from ingest.vector_config.compose_flows import (
    flow_kind,
    is_writer,
    one_shot_jobs,
    text_of,
    users_of,
)
from ingest.vector_config.compose_indexes import embedded_stores, env_pairs, named_collections
from ingest.vector_config.naming import endpoint_uid, engine_namespace, model_uid, vector_index_uid
from lineage.model import EdgeKind

__all__ = ["AUTH_OFF", "SERVICE_KINDS", "compose_default", "service_facts", "service_kind"]

# (image pattern, kind, vector engine or "") — first match wins
SERVICE_KINDS: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(p, re.I), kind, engine)
    for p, kind, engine in (
        (r"(^|/)qdrant/qdrant\b", "qdrant", "qdrant"),
        (r"(^|/)(chromadb/chroma|chroma-core/chroma)\b", "chroma", "chroma"),
        (r"(^|/)milvusdb/milvus\b", "milvus", "milvus"),
        (r"(^|/)semitechnologies/weaviate(:|$)", "weaviate", "weaviate"),
        (r"(^|/)(pgvector/pgvector|ankane/pgvector)\b|pgvecto-rs", "pgvector", "pgvector"),
        (r"timescale/timescaledb|timescaledb-ha", "pgai", "pgai"),
        (r"(^|/)postgres(ql)?(:|$)|bitnami/postgresql", "postgres", ""),
        (r"elasticsearch", "elasticsearch", "elasticsearch"),
        (r"opensearchproject/opensearch(:|$)", "opensearch", "opensearch"),
        (r"opensearch-dashboards", "opensearch-dashboards", ""),
        (r"redis/redis-stack|redislabs/redisearch", "redis", "redis"),
        (r"(^|/)redis(:|$)|bitnami/redis", "redis", ""),
        (r"mongodb-atlas-local", "mongodb", "mongodb_atlas"),
        (r"(^|/)mongo(db)?(:|$)", "mongodb", ""),
        (r"text-embeddings-inference", "tei", ""),
        (r"text-generation-inference", "tgi", ""),
        (r"vllm", "vllm", ""),
        (r"(^|/)ollama/ollama\b", "ollama", ""),
        (r"open-webui", "open-webui", ""),
        (r"langfuse", "langfuse", ""),
        (r"clickhouse", "clickhouse", ""),
        (r"minio", "minio", ""),
        (r"kibana", "kibana", ""),
        (r"nginx", "nginx", ""),
        (r"etcd", "etcd", ""),
        (r"opentelemetry-collector|otel-collector|otel/", "otel-collector", ""),
        (r"hayhooks", "hayhooks", ""),
        (r"(^|/)deepset/haystack(:|$)", "haystack", ""),
        (r"llama-deploy|llama_deploy", "llama_deploy", ""),
        # Onyx's model server runs its embedding (and reranking) models
        (r"onyx-model-server", "embedding-service", ""),
        # OPEA GenAI microservices (opea/<service>[-<backend>]:tag)
        (r"(^|/)opea/agent(:|$)", "agent", ""),
        (r"(^|/)opea/embedding[\w-]*(:|$)", "embedding-service", ""),
        (r"(^|/)opea/reranking[\w-]*(:|$)", "reranking-service", ""),
        (r"(^|/)opea/llm-[\w-]+(:|$)", "llm-service", ""),
        (r"(^|/)opea/retriever[\w-]*(:|$)", "retriever-service", ""),
        (r"neo4j", "neo4j", ""),
        (r"litellm", "litellm", ""),
        (r"grafana", "grafana", ""),
        (r"prometheus", "prometheus", ""),
        (r"langgraph", "langgraph", ""),
        (r"openmemory|mem0", "mem0", ""),
        (
            r"transformers-inference|t2v-transformers|multi2vec|text2vec|img2vec|"
            r"sum-transformers|qna-transformers|ner-transformers|text-spellcheck-model",
            "weaviate-module",
            "",
        ),
    )
)
# a vector DB built here (no registry image): named by the build context or the command
# that starts it (``uvicorn chromadb.app:app``, ``chroma run``)
_BUILD_HINT = re.compile(r"\b(qdrant|chroma|milvus|weaviate|pgvector)(?:db\.app)?\b", re.I)

_DEFAULT = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?-(?P<d>[^${}]*)\}")


def _has(text: str, pattern: str) -> bool:
    return re.search(pattern, text, re.I) is not None


# kind -> test over the service's environment+command text: the setting that leaves it open
AUTH_OFF: dict[str, Callable[[str], str | None]] = {
    "weaviate": lambda t: (
        "AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED=true"
        if _has(t, r"AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED\W+['\"]?true")
        else None
    ),
    "elasticsearch": lambda t: (
        "xpack.security.enabled=false"
        if _has(t, r"xpack\.security\.enabled\W+['\"]?false")
        else None
    ),
    "opensearch": lambda t: (
        "security plugin disabled"
        if _has(t, r"(plugins\.security\.disabled|DISABLE_SECURITY_PLUGIN)\W+['\"]?true")
        else None
    ),
    "qdrant": lambda t: (
        None if _has(t, r"QDRANT__SERVICE__API_KEY") else "no QDRANT__SERVICE__API_KEY"
    ),
    "chroma": lambda t: (
        None if _has(t, r"CHROMA_SERVER_AUTHN?_PROVIDER") else "no CHROMA_SERVER_AUTHN_PROVIDER"
    ),
    "redis": lambda t: (
        None if _has(t, r"requirepass|REDIS_PASSWORD|REDIS_ARGS") else "no requirepass"
    ),
    "ollama": lambda t: "Ollama API has no authentication",
    "vllm": lambda t: (
        None if _has(t, r"--api-key|VLLM_API_KEY") else "vllm serve without --api-key"
    ),
    "milvus": lambda t: (
        None if _has(t, r"authorizationEnabled\W+true") else "no authorizationEnabled"
    ),
    "open-webui": lambda t: "WEBUI_AUTH=False" if _has(t, r"WEBUI_AUTH\W+['\"]?false") else None,
}
_MODEL_ARGS = re.compile(
    r"(?:--model-id|--model|--served-model-name|\bserve)[=\s]+['\"]?(?P<m>[^\s'\"]+)"
)
_MODEL_ENV = ("MODEL_ID", "MODEL_NAME", "LLM_MODEL_ID", "EMBEDDING_MODEL_ID", "RERANK_MODEL_ID")


def compose_default(text: str) -> str:
    """``${VAR:-default}`` (and ``${VAR-default}``) as compose deploys it when VAR is unset:
    the default, innermost first (``${A:-${B:-x}}`` is ``x``); a bare ``${VAR}`` stays."""
    for _ in range(4):  # nesting depth seen in real files is 2
        expanded = _DEFAULT.sub(lambda m: m.group("d"), text)
        if expanded == text:
            break
        text = expanded
    return text


def service_kind(service: Mapping[str, Any]) -> tuple[str, str]:
    """(kind, vector engine) of one compose service, from its image or build hints."""
    image = compose_default(str(service.get("image") or ""))
    for pattern, kind, engine in SERVICE_KINDS:
        if image and pattern.search(image):
            return kind, engine
    if any(k.startswith("HAYHOOKS_") for k, _ in env_pairs(service)):  # hayhooks, built here
        return "hayhooks", ""
    if not image or service.get("build"):  # ``image:`` beside ``build:`` names the result
        build = service.get("build")
        context = build.get("context") if isinstance(build, Mapping) else build
        hint = _BUILD_HINT.search(f"{context or ''} {text_of(service.get('command'))}")
        if hint:
            engine = hint.group(1).lower()
            return engine, engine
    return "other", ""


def _published(ports: list[str]) -> tuple[list[int], str | None]:
    """Container ports mapped to the host, and a bind address if all are bound to one."""
    found: list[int] = []
    binds: set[str] = set()
    for spec in ports:
        parts = spec.split("/", 1)[0].split(":")
        target = parts[-1]
        if target.isdigit():
            found.append(int(target))
        if len(parts) == 3:
            binds.add(parts[0])
    return found, (binds.pop() if len(binds) == 1 else None)


def service_facts(
    out: Collector,
    services: Mapping[str, Mapping[str, Any]],
    path: str,
    *,
    framework: str = "docker-compose",
    props: Mapping[str, Mapping[str, Any]] | None = None,
) -> None:
    """Endpoints, served models, indexes and flows for services shaped like compose's.

    Kubernetes manifests and Helm values are read into the same shape (``kube``), so one
    image table and one set of auth-off rules serve every deployment format.
    """
    jobs = one_shot_jobs(services)
    if jobs:  # run once and exit: no endpoint, no server, no data through the wait
        out.node(out.job_uid, one_shot_services=sorted(jobs))
    services = {n: svc for n, svc in services.items() if n not in jobs}
    kinds = {name: service_kind(svc) for name, svc in services.items()}
    namespace = "compose" if framework == "docker-compose" else framework
    uids = {name: endpoint_uid(namespace, f"{path}#{name}") for name in services}
    for name, svc in services.items():
        kind, engine = kinds[name]
        ports = [str(p) for p in svc.get("ports") or []]
        published, bind = _published(ports)
        text = f"{text_of(svc.get('environment'))} {text_of(svc.get('command'))}"
        off = AUTH_OFF.get(kind, lambda _: None)(text)
        out.node(
            uids[name],
            **(props or {}).get(name, {}),
            framework=framework,
            service=name,
            service_kind=kind,
            image=svc.get("image"),
            published_ports=published or None,
            exposure="published" if published else "internal",
            bind=bind,
            auth="off" if off else None,
            auth_setting=off,
        )
        if engine:
            _server_indexes(out, services, jobs, (name, path), engine=engine, server=uids[name])
        _embedded_indexes(out, svc, name, uids[name])
        _served_model(out, svc, kind, uids[name])
        for egress in egress_in(text.replace(" ", "\n")):  # LANGCHAIN_TRACING_V2=true ...
            out.flow(uids[name], egress_endpoint(out, egress), EdgeKind.TRACE)
    users = {name: users_of(services, name, jobs) for name in services}
    for name, svc in services.items():
        for user in users[name]:
            found = flow_kind((name, svc, *kinds[name]), (user, services[user], *kinds[user]))
            if found is None:
                continue
            flow, into_used = found
            if (
                flow is EdgeKind.RETRIEVE
                and kinds[name][1]
                and any(user in users[r] and _is_retriever(r, kinds[r][0]) for r in users[name])
            ):  # its documents come through a retriever service; this link is something else
                flow = EdgeKind.TRANSFORM
            src, dst = (uids[user], uids[name]) if into_used else (uids[name], uids[user])
            out.flow(src, dst, flow)


def _is_retriever(name: str, kind: str) -> bool:
    return kind == "retriever-service" or "retriev" in name.lower()


def _server_indexes(
    out: Collector,
    services: Mapping[str, Mapping[str, Any]],
    jobs: set[str],
    where: tuple[str, str],
    *,
    engine: str,
    server: str,
) -> None:
    """The collections the server's users name; if none, one index named at run time."""
    name, path = where
    users = [services[u] for u in users_of(services, name, jobs)]
    collections = named_collections(users)
    for collection in collections:
        index = vector_index_uid(engine_namespace(engine, host=name), collection)
        out.node(index, engine=engine, collection=collection, server=server)
    if not collections:  # the server's indexes: named at run time, held here
        index = vector_index_uid(engine, f"{path}#{name}")
        out.node(index, engine=engine, collection_known=False, server=server)


def _embedded_indexes(out: Collector, svc: Mapping[str, Any], name: str, endpoint: str) -> None:
    """An in-process store the service selects by variable: written by an ingesting
    service, retrieved from by the others."""
    found = embedded_stores(svc)
    if found is None:
        return
    engine, collections = found
    for collection in collections:
        index = vector_index_uid(engine, collection)
        out.node(index, engine=engine, collection=collection, persistence="local")
        if is_writer(name, svc):
            out.flow(endpoint, index, EdgeKind.EMBED)
        else:
            out.flow(index, endpoint, EdgeKind.RETRIEVE)


# Weaviate module image -> the role of the model its tag names
_MODULE_ROLES = (
    (
        re.compile(r"(transformers-inference|t2v-transformers|multi2vec-\w+|img2vec-\w+):"),
        "embedding",
    ),
    (re.compile(r"qna-transformers:"), "qa"),
    (re.compile(r"ner-transformers:"), "classifier"),
    (re.compile(r"sum-transformers:"), "llm"),
)
# Hub organisations Weaviate's prebuilt module tags start with (the tag is ``org-name``)
_TAG_ORGS = ("sentence-transformers", "dbmdz", "facebook", "google", "BAAI", "intfloat")
_TAG_VERSION = re.compile(r"-\d+\.\d+\.\d+$")


def _module_model(out: Collector, svc: Mapping[str, Any], endpoint: str) -> None:
    """A Weaviate module image names its model in the tag (``transformers-inference:
    sentence-transformers-paraphrase-mpnet-base-v2``, the hub id with ``/`` as ``-``, a
    release suffix on some): a Hugging Face model served by that container."""
    image = compose_default(str(svc.get("image") or ""))
    role = next((r for p, r in _MODULE_ROLES if p.search(image)), None)
    tag = image.rsplit(":", 1)[-1] if ":" in image.rsplit("/", 1)[-1] else ""
    if role is None or not tag or tag == "latest":
        return
    name = _TAG_VERSION.sub("", tag)
    org = next((o for o in _TAG_ORGS if name.startswith(o + "-")), None)
    if org:
        name = f"{org}/{name[len(org) + 1 :]}"
    out.node(
        model_uid("huggingface", name),
        provider="huggingface",
        model_type=role,
        origin="self_hosted",
        served_by=endpoint,
        from_image_tag=tag,
    )


_HUB_ID = re.compile(r"[\w.-]+/[\w.-]+")


def _baked_models(out: Collector, svc: Mapping[str, Any], endpoint: str) -> None:
    """Haystack's image build args bake models into the image: ``hf_model_names`` (a list of
    Hub ids, downloaded at build) and ``container_model_path`` (where a local model is
    copied): the service loads them from there."""
    build = svc.get("build")
    args = build.get("args") if isinstance(build, Mapping) else None
    if not isinstance(args, Mapping):
        return
    for name in _HUB_ID.findall(str(args.get("hf_model_names") or "")):
        out.node(
            model_uid("huggingface", name),
            provider="huggingface",
            origin="pretrained",
            served_by=endpoint,
        )
    local = args.get("container_model_path")
    if isinstance(local, str) and local:
        out.node(model_uid("local", local), provider="local", origin="local", served_by=endpoint)


def _served_model(out: Collector, svc: Mapping[str, Any], kind: str, endpoint: str) -> None:
    _baked_models(out, svc, endpoint)
    if kind == "weaviate-module":
        _module_model(out, svc, endpoint)
        return
    if kind not in ("tei", "vllm", "tgi"):
        return
    m = _MODEL_ARGS.search(text_of(svc.get("command")))
    name = m.group("m") if m else None
    env = svc.get("environment")
    if name is None and isinstance(env, Mapping):
        name = next((str(env[k]) for k in _MODEL_ENV if env.get(k)), None)
    if not name:
        return
    name = compose_default(name)
    role = "reranker" if "rerank" in name.lower() else ("embedding" if kind == "tei" else "llm")
    uid = model_uid(kind, name)
    out.node(
        uid,
        provider=kind,
        model_type=role,
        origin="self_hosted",
        unresolved=True if "${" in name else None,
        served_by=endpoint,
    )
