"""Kubernetes manifests and Helm values files as deployed AI services.

Both are read into the shape of docker-compose services (image, environment, command,
published ports) and handed to :func:`~ingest.vector_config.compose.service_facts`, so the
image table, the auth-off rules and the served-model rules are the compose recogniser's own.
What differs is where the shape comes from:

- a manifest stream: every Deployment / StatefulSet / DaemonSet / Pod container that listens,
  named by its workload; a Service of type LoadBalancer or NodePort (or an Ingress) selecting it
  makes it ``published``, otherwise it is cluster-internal;
- Helm values: the root and each top-level section with an ``image`` (string or
  ``repository``/``repo``/``registry``), a chart-named section (``tgi:``, ``teirerank:``)
  carrying model ids, and the vLLM production-stack ``servingEngineSpec.modelSpec`` list
  (and its ``routerSpec``). Chart settings that the chart turns into server settings (``apiKey``,
  ``authentication.anonymous_access.enabled``, ``vllmApiKey``) are read as those settings.
  A section that only toggles a subchart (``milvus: {enabled: true}``) names a store, not an
  endpoint this file describes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ingest.notebook.values import Collector
from ingest.vector_config.compose import SERVICE_KINDS, service_facts, service_kind
from ingest.vector_config.naming import endpoint_uid, model_uid, vector_index_uid
from lineage.model import EdgeKind

__all__ = ["is_helm_values", "is_manifest", "manifest_facts", "values_facts"]

_WORKLOADS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Pod", "ReplicaSet", "Job"})
_OPEN_TYPES = frozenset({"LoadBalancer", "NodePort"})
# a chart's section named after what it runs (OPEA: tgi, teirerank, redis-vector-db)
_SECTION_KIND = re.compile(
    r"^(tei|tgi|vllm|ollama|qdrant|weaviate|milvus|chroma|elasticsearch|opensearch|redis)", re.I
)
_ENGINE_OF_KIND = {kind: engine for _, kind, engine in SERVICE_KINDS if engine}
# chart value (dotted path) -> the server setting the chart renders it into
_CHART_SETTINGS = {
    "apiKey": "QDRANT__SERVICE__API_KEY",
    "authentication.anonymous_access.enabled": "AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED",
    "authentication.apikey.enabled": "AUTHENTICATION_APIKEY_ENABLED",
    "vllmApiKey": "VLLM_API_KEY",
}
_MODEL_KEY = re.compile(r"MODEL_(ID|NAME)$")


def is_manifest(doc: Any) -> bool:
    return (
        isinstance(doc, Mapping)
        and isinstance(doc.get("apiVersion"), str)
        and isinstance(doc.get("kind"), str)
    )


def is_helm_values(doc: Any) -> bool:
    return isinstance(doc, Mapping) and bool(_helm_services(doc)[0] or _toggles(doc))


# ---- manifests ------------------------------------------------------------------------


def manifest_facts(out: Collector, docs: Iterable[Mapping[str, Any]], path: str) -> None:
    """All manifest documents of one file together: Services select workloads across them."""
    docs = list(docs)
    open_apps: set[str] = set()
    for doc in docs:
        spec = doc.get("spec") if isinstance(doc.get("spec"), Mapping) else {}
        if doc["kind"] == "Service" and spec.get("type") in _OPEN_TYPES:
            open_apps.update(_selector_names(doc, spec))
        if doc["kind"] == "Ingress":
            open_apps.update(_ingress_backends(spec))
    services: dict[str, dict[str, Any]] = {}
    props: dict[str, dict[str, Any]] = {}
    for doc in docs:
        if doc["kind"] not in _WORKLOADS:
            continue
        meta = doc.get("metadata") if isinstance(doc.get("metadata"), Mapping) else {}
        name = str(meta.get("name") or doc["kind"])
        for container in _containers(doc):
            ports = [
                int(p["containerPort"])
                for p in container.get("ports") or []
                if isinstance(p, Mapping) and str(p.get("containerPort", "")).isdigit()
            ]
            if not ports:
                continue  # listens on nothing: not an endpoint
            labels = _pod_labels(doc)
            published = name in open_apps or bool(labels & open_apps)
            services[name] = {
                "image": container.get("image"),
                "environment": _env(container.get("env")),
                "command": [*_strs(container.get("command")), *_strs(container.get("args"))],
                "ports": [f"{p}:{p}" for p in ports] if published else [],
            }
            props[name] = {"kubernetes_kind": doc["kind"], "ports": ports}
            break
    service_facts(out, services, path, framework="kubernetes", props=props)


def _selector_names(doc: Mapping[str, Any], spec: Mapping[str, Any]) -> set[str]:
    sel = spec.get("selector") if isinstance(spec.get("selector"), Mapping) else {}
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), Mapping) else {}
    return {str(v) for v in sel.values()} | {str(meta.get("name"))}


def _ingress_backends(spec: Mapping[str, Any]) -> set[str]:
    found = set(re.findall(r"'name': '([^']+)'", str(spec.get("rules"))))
    return found


def _pod_labels(doc: Mapping[str, Any]) -> set[str]:
    template = _get(doc, "spec.template.metadata.labels")
    return {str(v) for v in template.values()} if isinstance(template, Mapping) else set()


def _containers(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    pod = _get(doc, "spec") if doc["kind"] == "Pod" else _get(doc, "spec.template.spec")
    if doc["kind"] == "Job":
        pod = _get(doc, "spec.template.spec")
    items = pod.get("containers") if isinstance(pod, Mapping) else None
    return [c for c in items or [] if isinstance(c, Mapping)]


# ---- Helm values ----------------------------------------------------------------------


def values_facts(out: Collector, doc: Mapping[str, Any], path: str) -> None:
    services, props, extra = _helm_services(doc)
    service_facts(out, services, path, framework="kubernetes", props=props)
    for owner, name, ports, published in extra:  # a chart's second Service (gRPC)
        kind, _ = service_kind(services[owner])
        owner_props = {**props.get(owner, {}), "ports": ports}
        out.node(
            endpoint_uid("kubernetes", f"{path}#{name}"),
            **owner_props,
            framework="kubernetes",
            service=name,
            service_kind=kind,
            exposure="published" if published else "internal",
            auth=out.node_props(endpoint_uid("kubernetes", f"{path}#{owner}")).get("auth"),
            auth_setting=out.node_props(endpoint_uid("kubernetes", f"{path}#{owner}")).get(
                "auth_setting"
            ),
        )
    _adapters(out, doc)
    _collections(out, doc, path, services)


def _helm_services(
    doc: Mapping[str, Any],
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]], list[tuple[str, str, list, bool]]]:
    services: dict[str, dict[str, Any]] = {}
    props: dict[str, dict[str, Any]] = {}
    extra: list[tuple[str, str, list, bool]] = []
    engines = _get(doc, "servingEngineSpec.modelSpec")
    if isinstance(engines, list):  # vLLM production-stack
        key = _get(doc, "servingEngineSpec.vllmApiKey")
        for spec in engines:
            if not isinstance(spec, Mapping) or not spec.get("modelURL"):
                continue
            args = _strs(_get(spec, "vllmConfig.extraArgs"))
            env = _env(spec.get("env"))
            if key:
                env["VLLM_API_KEY"] = "set"
            name = str(spec.get("name") or spec["modelURL"])
            services[name] = {
                "image": str(spec.get("repository") or "vllm/vllm-openai"),
                "environment": env,
                "command": ["vllm", "serve", str(spec["modelURL"]), *args],
            }
            props[name] = {"chart": "vllm-production-stack"}
        router = doc.get("routerSpec")
        if isinstance(router, Mapping) and router.get("enableRouter") is not False:
            # the stack's request router: the endpoint clients call, in front of the engines
            services["router"] = {"image": str(router.get("repository") or "router")}
            props["router"] = {"chart": "vllm-production-stack"}
    sections: list[tuple[str, Mapping[str, Any], bool]] = [("", doc, True)]
    sections += [(str(k), v, False) for k, v in doc.items() if isinstance(v, Mapping)]
    for key, section, root in sections:
        if section.get("enabled") is False:
            continue
        image = _image(section.get("image"))
        kind, _ = service_kind({"image": image}) if image else ("other", "")
        named = _SECTION_KIND.match(key)
        models = {k: v for k, v in section.items() if _MODEL_KEY.search(str(k)) and v}
        if kind == "other" and not (named and models):
            continue
        if kind == "other" and named:
            kind = named.group(1).lower()
            image = image or _KIND_IMAGES.get(kind)
        settings = _flat(section) if root else {}
        env = {k: v for k, v in section.items() if str(k).isupper() and not isinstance(v, Mapping)}
        env.update(_env(section.get("env")))
        for setting, server_env in _CHART_SETTINGS.items():
            value = settings.get(setting)
            if value not in (None, False, "", "false"):
                env[server_env] = value if isinstance(value, bool) else "set"
        service = section.get("service") if isinstance(section.get("service"), Mapping) else {}
        name = str(service.get("name") or key or kind)
        ports, published = _service_ports(section, service)
        services[name] = {
            "image": image,
            "environment": env,
            "command": [*_strs(section.get("command")), *_strs(section.get("args"))],
            "ports": [f"{p}:{p}" for p in ports] if published else [],
        }
        props[name] = {"ports": ports or None, "service_type": service.get("type")}
        for other_key, other in section.items():
            if (
                str(other_key).lower().endswith("service")
                and other_key != "service"
                and isinstance(other, Mapping)
                and other.get("enabled") is not False
                and other.get("ports")
            ):
                more, open_ = _service_ports(section, other)
                extra.append((name, str(other.get("name") or other_key), more, open_))
    return services, props, extra


_KIND_IMAGES = {  # an image the compose table knows, for a section named after its kind
    "tei": "text-embeddings-inference",
    "tgi": "text-generation-inference",
    "vllm": "vllm",
    "ollama": "ollama/ollama",
}


def _service_ports(section: Mapping[str, Any], service: Mapping[str, Any]) -> tuple[list, bool]:
    ports = [
        int(p.get("port"))
        for p in service.get("ports") or []
        if isinstance(p, Mapping) and str(p.get("port", "")).isdigit()
    ]
    if str(service.get("port", "")).isdigit():
        ports.append(int(service["port"]))
    ingress = section.get("ingress")
    via_ingress = isinstance(ingress, Mapping) and ingress.get("enabled") is True
    return ports, service.get("type") in _OPEN_TYPES or via_ingress


def _toggles(doc: Mapping[str, Any]) -> list[str]:
    """Subcharts of a vector store switched on: ``milvus: {enabled: true}``."""
    found = []
    for key, section in doc.items():
        named = _SECTION_KIND.match(str(key))
        if named and isinstance(section, Mapping) and section.get("enabled") is True:
            engine = _ENGINE_OF_KIND.get(named.group(1).lower())
            if engine and set(section) == {"enabled"}:
                found.append(engine)
    return found


def _collections(
    out: Collector, doc: Mapping[str, Any], path: str, services: Mapping[str, Any]
) -> None:
    """Services naming a backend and a collection write into / read from that index."""
    named: set[str] = set()
    for key, section in doc.items():
        if not isinstance(section, Mapping):
            continue
        backend = next((str(v) for k, v in section.items() if str(k).endswith("_BACKEND")), "")
        collection = section.get("COLLECTION_NAME") or section.get("INDEX_NAME")
        engine = _ENGINE_OF_KIND.get(backend.lower())
        if not (engine and collection):
            continue
        named.add(engine)
        index = vector_index_uid(engine, str(collection))
        out.node(index, engine=engine, collection=str(collection))
        endpoint = endpoint_uid("kubernetes", f"{path}#{key}")
        out.node(endpoint, framework="kubernetes", service=str(key), service_kind="other")
        if "retriev" in str(key).lower():
            out.flow(index, endpoint, EdgeKind.RETRIEVE)
        else:
            out.flow(endpoint, index, EdgeKind.EMBED)
    for engine in _toggles(doc):
        if engine not in named:
            out.node(
                vector_index_uid(engine, f"{path}#{engine}"), engine=engine, collection_known=False
            )


def _adapters(out: Collector, doc: Mapping[str, Any]) -> None:
    """LoRA adapters a chart pulls from the Hugging Face hub onto a served base."""
    for adapter in doc.get("loraAdapters") or []:
        source = adapter.get("adapterSource") if isinstance(adapter, Mapping) else None
        if not isinstance(source, Mapping) or not source.get("repository"):
            continue
        hub = str(source.get("type") or "huggingface").lower() == "huggingface"
        out.node(
            model_uid("huggingface" if hub else "local", str(source["repository"])),
            provider="huggingface" if hub else "local",
            model_type="adapter",
            origin="self_hosted",
            base=adapter.get("baseModel"),
        )


# ---- shared ---------------------------------------------------------------------------


def _image(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        repo = value.get("repository") or value.get("repo") or value.get("name")
        if repo:
            registry = value.get("registry")
            return f"{registry}/{repo}" if registry else str(repo)
    return None


def _env(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    env: dict[str, Any] = {}
    for item in value or []:
        if isinstance(item, Mapping) and item.get("name"):
            env[str(item["name"])] = item.get("value", "")
    return env


def _strs(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)] if value else []


def _flat(doc: Mapping[str, Any], prefix: str = "", depth: int = 0) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in doc.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and depth < 3:
            flat.update(_flat(value, f"{dotted}.", depth + 1))
        else:
            flat[dotted] = value
    return flat


def _get(doc: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(doc, Mapping):
            return None
        doc = doc.get(part)
    return doc
