"""LiteLLM proxy configs (``model_list`` + ``litellm_settings``): the gateway and its models.

The proxy is an Endpoint (``litellm-proxy``) serving every deployment in ``model_list``. A
deployment's ``litellm_params.model`` names its provider by prefix (``azure/chatgpt-v-2``,
``sagemaker/...``, ``mistral/mistral-embed``) or, bare, by LiteLLM's own routing (``gpt-*``
is OpenAI); :data:`PREFIXES` is the table. An ``openai/`` route whose ``api_base`` is not
OpenAI's is an OpenAI-compatible third party (provider ``other``). Wildcard routes
(``anthropic/*``) keep their text. Logging callbacks (``langfuse``, ``langsmith``...) are
egress: the proxy's prompts flow to them with kind ``trace``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ingest.notebook.egress import EGRESS, egress_endpoint
from ingest.notebook.values import Collector
from ingest.vector_config.naming import endpoint_uid, model_uid
from lineage.model import EdgeKind

__all__ = ["PREFIXES", "is_litellm", "litellm_facts"]

PREFIXES: dict[str, str] = {
    "openai": "openai",
    "text-completion-openai": "openai",
    "azure": "azure_openai",
    "azure_ai": "azure_openai",
    "anthropic": "anthropic",
    "bedrock": "bedrock",
    "sagemaker": "sagemaker",
    "vertex_ai": "vertex",
    "gemini": "google",
    "mistral": "mistral",
    "cohere": "cohere",
    "groq": "groq",
    "together_ai": "together",
    "fireworks_ai": "fireworks",
    "replicate": "replicate",
    "huggingface": "hf_inference",
    "ollama": "ollama",
    "ollama_chat": "ollama",
    "hosted_vllm": "vllm",
    "voyage": "voyage",
    "jina_ai": "jina",
}
_BARE = (("gpt-", "openai"), ("o1", "openai"), ("o3", "openai"), ("dall-e", "openai"),
         ("text-embedding", "openai"), ("claude", "anthropic"), ("gemini", "google"))  # fmt: skip


def is_litellm(doc: Any) -> bool:
    models = doc.get("model_list") if isinstance(doc, Mapping) else None
    return (
        isinstance(models, list)
        and bool(models)
        and all(isinstance(m, Mapping) and "litellm_params" in m for m in models)
    )


def _route(params: Mapping[str, Any], alias: str = "") -> tuple[str, str]:
    """(provider, model id) of one deployment; a provider prefix naming no model
    (``azure/``) leaves the route's alias (``model_name``) as the only id."""
    model = str(params.get("model") or "").strip()
    prefix, sep, rest = model.partition("/")
    provider = PREFIXES.get(prefix) if sep else None
    if provider is None:
        bare = next((p for start, p in _BARE if model.startswith(start)), "other")
        return bare, model
    if not rest and alias:
        return provider, alias
    if rest in ("", "*") or "*" in rest:
        return provider, model  # a wildcard route: the text says what it admits
    base = str(params.get("api_base") or "")
    if provider == "openai" and base.startswith("http") and "api.openai.com" not in base:
        provider = "other"  # an OpenAI-compatible server that is not OpenAI
    return provider, rest


def _role(entry: Mapping[str, Any], model: str) -> str:
    info = entry.get("model_info")
    mode = str(info.get("mode") or "") if isinstance(info, Mapping) else ""
    if mode == "embedding" or "embed" in model.lower():
        return "embedding"
    if mode.startswith("image") or "dall-e" in model.lower():
        return "other"
    return "llm"


def litellm_facts(out: Collector, doc: Mapping[str, Any], path: str) -> None:
    proxy = endpoint_uid("litellm", f"{path}#litellm-proxy")
    out.node(proxy, framework="litellm", service_kind="litellm", exposure="unknown")
    for entry in doc["model_list"]:
        params = entry.get("litellm_params")
        if not isinstance(params, Mapping) or not params.get("model"):
            continue
        provider, model = _route(params, str(entry.get("model_name") or ""))
        if not model:
            continue
        uid = model_uid(provider, model)
        out.node(
            uid,
            provider=provider,
            model_type=_role(entry, model),
            origin="third_party_api",
            alias=str(entry.get("model_name") or "") or None,
            api_base=str(params.get("api_base")) if params.get("api_base") else None,
            served_by=proxy,  # the proxy forwards callers' prompts to it
        )
    settings = doc.get("litellm_settings")
    scopes = [settings] if isinstance(settings, Mapping) else []
    if scopes and isinstance(settings.get("default_team_settings"), list):  # per-team logging
        scopes += [t for t in settings["default_team_settings"] if isinstance(t, Mapping)]
    callbacks: set[str] = set()
    for scope in scopes:
        for key in ("callbacks", "success_callback", "failure_callback"):
            value = scope.get(key)
            callbacks |= {str(v).lower() for v in value} if isinstance(value, list) else set()
    for egress in EGRESS:
        if egress.service in callbacks:
            out.flow(proxy, egress_endpoint(out, egress), EdgeKind.TRACE)
