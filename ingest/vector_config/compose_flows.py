"""Who talks to whom in a deployment, and what the traffic is: the flows between services.

A service *uses* another when it ``depends_on`` it, or names it in its environment or
command: as a URL host (``http://ollama:11434``, ``redis://redis-vector-db:6379``, or a
Kubernetes Service DNS name ``http://elasticsearch.default.svc:9200``) or as
the value of a host variable (``QDRANT_HOST=qdrant``, ``DATAPREP_SERVICE_IP=dataprep``).

The kind of a flow follows the roles of the two ends (:func:`flow_kind`, first rule wins):

====================================  =====================================================
used -> user                          flow
====================================  =====================================================
anything -> an nginx front            ``serve`` (the proxy serves it to clients)
weaviate module -> Weaviate           by module: ``text2vec``/``multi2vec``/``img2vec`` and
                                      ``transformers-inference`` ``embed``; ``qna``/``ner``/
                                      ``sum`` ``infer``; others (spellcheck) ``transform``.
                                      Modules are reached only through Weaviate's API: an
                                      app's ``depends_on`` on one is start order, no flow.
OpenTelemetry collector <- a service  ``trace`` from the service into the collector
store -> OpenTelemetry collector      ``trace`` from the collector into the store (its
                                      exporter writes there)
vector store -> a writer              ``embed`` from the writer into the store (a service
                                      whose name or image says it ingests: dataprep,
                                      ingest, indexing, vectorizer, importer, loader)
vector store -> dashboard             ``transform`` (Kibana, Grafana reading a store)
vector store -> other user            ``retrieve``
model server -> vector store/writer   ``embed`` (a store or vectorizer calls a model to
                                      vectorise: Weaviate modules, pgai's vectorizer)
model server -> other user            ``embed`` for TEI and embedding microservices,
                                      ``infer`` for LLM servers and rerankers
retriever service -> user             ``retrieve``
AI application -> a UI or agent       ``infer`` (what the UI shows is what it answers)
anything else                         ``transform``
====================================  =====================================================

A service another one waits for with ``condition: service_completed_successfully`` is a
one-shot job (a setup script, a deploy command): waiting for it is start order, not data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ingest.vector_config.compose_indexes import env_pairs
from lineage.model import EdgeKind

__all__ = ["ONE_SHOT", "flow_kind", "is_writer", "one_shot_jobs", "text_of", "users_of"]

ONE_SHOT = "service_completed_successfully"

# kind of the used service -> flow kind into the service that uses it
_SERVER_FLOW: dict[str, EdgeKind] = {
    "tei": EdgeKind.EMBED,
    "embedding-service": EdgeKind.EMBED,
    "vllm": EdgeKind.INFER,
    "tgi": EdgeKind.INFER,
    "ollama": EdgeKind.INFER,
    "litellm": EdgeKind.INFER,
    "llm-service": EdgeKind.INFER,
    "reranking-service": EdgeKind.INFER,
    "retriever-service": EdgeKind.RETRIEVE,
}
_MODEL_SERVERS = frozenset({"tei", "vllm", "tgi", "ollama", "litellm"})
# AI applications whose answers their callers consume
_AI_APPS = frozenset(
    {"hayhooks", "langgraph", "llama_deploy", "agent", "haystack", "mem0", "litellm"}
)
_FRONT = frozenset({"nginx"})
_DASHBOARDS = frozenset({"kibana", "grafana", "opensearch-dashboards"})
_WRITER = re.compile(r"dataprep|ingest|indexing|indexer|vectori[sz]er|importer|loader", re.I)
_UI = re.compile(
    r"(^|[-_/\s])(ui|frontend|webui|web-ui|web_ui|web_server|web-server)([-_:\s]|$)", re.I
)
_MODULE_FLOW = (
    (re.compile(r"t2v|text2vec|multi2vec|img2vec|transformers-inference", re.I), EdgeKind.EMBED),
    (re.compile(r"qna-|ner-|sum-", re.I), EdgeKind.INFER),
    (re.compile(r"spellcheck", re.I), EdgeKind.TRANSFORM),
)
_HOST_KEY = re.compile(r"(HOST|HOST_IP|_IP|HOSTNAME|SERVER|ADDR|ADDRESS)$", re.I)


def text_of(value: Any) -> str:
    if isinstance(value, Mapping):
        return " ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, list):
        return " ".join(map(str, value))
    return str(value or "")


def _deps(svc: Mapping[str, Any]) -> dict[str, str]:
    """``depends_on`` as service -> condition (``service_started`` for the short form)."""
    deps = svc.get("depends_on") or []
    if isinstance(deps, Mapping):
        return {
            str(k): str(v.get("condition", "")) if isinstance(v, Mapping) else ""
            for k, v in deps.items()
        }
    return {str(d): "" for d in deps} if isinstance(deps, list) else {}


def one_shot_jobs(services: Mapping[str, Mapping[str, Any]]) -> set[str]:
    """Services some other service waits to *complete*: jobs that run once and exit."""
    return {
        dep
        for svc in services.values()
        for dep, condition in _deps(svc).items()
        if condition == ONE_SHOT and dep in services
    }


def users_of(services: Mapping[str, Mapping[str, Any]], name: str, skip: set[str]) -> list[str]:
    """Services that use ``name``: depend on it (not merely wait for it to finish), address
    it by URL, or hold its name in a host variable."""
    # a compose service name, or a Kubernetes Service DNS name (``name.ns.svc[.cluster.local]``)
    url = re.compile(rf"(//|@|=|\s|^){re.escape(name)}(\.[a-z0-9-]+\.svc(\.cluster\.local)?)?[:/]")
    users = []
    for other, svc in services.items():
        if other == name or other in skip:
            continue
        condition = _deps(svc).get(name)
        text = f"{text_of(svc.get('environment'))} {text_of(svc.get('command'))}"
        by_host = any(v.strip() == name and _HOST_KEY.search(k) for k, v in env_pairs(svc))
        if (condition is not None and condition != ONE_SHOT) or url.search(text) or by_host:
            users.append(other)
    return users


def _label(name: str, svc: Mapping[str, Any]) -> str:
    return f"{name} {svc.get('image') or ''}"


def is_writer(name: str, svc: Mapping[str, Any]) -> bool:
    """A service whose name or image says it ingests documents into a store."""
    return _WRITER.search(_label(name, svc)) is not None


def flow_kind(
    used: tuple[str, Mapping[str, Any], str, str],
    user: tuple[str, Mapping[str, Any], str, str],
) -> tuple[EdgeKind, bool] | None:
    """(kind, reversed) of the flow between a used service and its user, or None for no
    flow. Each end is (name, service, kind, vector engine); ``reversed`` means the data go
    from the user into the used service (a writer embedding into a store)."""
    name, svc, kind, engine = used
    uname, usvc, ukind, uengine = user
    if ukind in _FRONT:
        return EdgeKind.SERVE, False
    if kind == "weaviate-module":
        if ukind != "weaviate":
            return None  # apps reach a module only through Weaviate
        image = str(svc.get("image") or name)
        return next((k for p, k in _MODULE_FLOW if p.search(image)), EdgeKind.TRANSFORM), False
    if kind == "otel-collector":
        return EdgeKind.TRACE, True
    if ukind == "otel-collector":  # the collector's exporter writes into what it uses
        return EdgeKind.TRACE, True
    if engine:
        if is_writer(uname, usvc):
            return EdgeKind.EMBED, True
        if ukind in _DASHBOARDS:
            return EdgeKind.TRANSFORM, False
        return EdgeKind.RETRIEVE, False
    if kind in _MODEL_SERVERS and (uengine or is_writer(uname, usvc)):
        return EdgeKind.EMBED, False  # a store or vectorizer calls the model to vectorise
    flow = _SERVER_FLOW.get(kind)
    if flow is EdgeKind.EMBED and "rerank" in name.lower():
        flow = EdgeKind.INFER  # a reranker scores, it does not embed
    if flow is not None:
        return flow, False
    if "retriev" in name.lower():
        return EdgeKind.RETRIEVE, False  # a retriever service: what it returns is retrieved
    ai_app = kind in _AI_APPS or (kind == "other" and not uengine)
    consumer = _UI.search(_label(uname, usvc)) or ukind in ("open-webui", "agent")
    if ai_app and consumer and (kind in _AI_APPS or _serves_ai(svc)):
        return EdgeKind.INFER, False
    return EdgeKind.TRANSFORM, False


def _serves_ai(svc: Mapping[str, Any]) -> bool:
    """An application service wired to models or retrieval (its environment names an LLM,
    an embedding or a retriever, or an AI provider key): what it answers comes from them."""
    text = text_of(svc.get("environment")) + " " + text_of(svc.get("depends_on"))
    return bool(
        re.search(
            r"LLM|EMBED|RETRIEV|RERANK|OPENAI|ANTHROPIC|MODEL|QDRANT|OPENSEARCH|"
            r"ELASTIC|WEAVIATE|MILVUS|CHROMA|PINECONE|VECTOR",
            text,
            re.I,
        )
    )
