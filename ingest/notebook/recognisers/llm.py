"""LLM and embedding models: third-party APIs, hosted inference, and local models.

Third-party calls (OpenAI, Anthropic, Cohere, HF Inference, Mistral, Groq, Gemini...) become
Model nodes under the provider's namespace, and what the notebook sends them flows in with
kind ``infer``: that is data leaving the organisation. Local models (sentence-transformers,
``HuggingFacePipeline``, vLLM's ``LLM``) are Model nodes too, but inference on them is not a
flow (nothing is stored in the weights).
"""

from __future__ import annotations

import ast
import re
from urllib.parse import urlsplit

from ingest.notebook.recognisers.common import inputs_of, is_model, model_node
from ingest.notebook.recognisers.registry import Call, Context, Rule
from ingest.notebook.values import Val
from ingest.vector_config.naming import model_uid, url_port
from lineage import ids
from lineage.model import EdgeKind, Kind

__all__ = ["RULES", "llamacpp_conversions", "provider_for_url"]

_HOSTS = {
    "api.openai.com": "openai",
    "openai.azure.com": "azure_openai",
    "api.anthropic.com": "anthropic",
    "huggingface.co": "huggingface",
    "endpoints.huggingface.cloud": "huggingface",
    "api.deepseek.com": "deepseek",
    "api.groq.com": "groq",
    "api.together.xyz": "together",
    "api.mistral.ai": "mistral",
    "generativelanguage.googleapis.com": "google",
    "api.cohere.ai": "cohere",
    "api.cohere.com": "cohere",
    "openrouter.ai": "openrouter",
}
# AWS endpoints of Bedrock's runtimes (``bedrock-runtime.<region>.amazonaws.com``, the
# OpenAI-compatible ``bedrock-mantle.<region>.api.aws``)
_AWS_HOSTS = (".amazonaws.com", ".api.aws")
_LOCAL = ("localhost", "127.0.0.1", "0.0.0.0", "::1")  # noqa: S104 - a name, not a bind
# the default ports of local model servers: Ollama, vLLM's OpenAI server, TGI's container
_LOCAL_SERVERS = {11434: "ollama", 8000: "vllm", 8080: "tgi"}


_SERVERS = ("ollama",)
# model servers run by the organisation itself: on this machine (no URL, or a local one) a
# model behind one is local (Ollama's client defaults to localhost:11434)
_SELF_RUN = frozenset({"ollama", "vllm", "tgi", "llamacpp", "self_hosted"})


def _runs_here(provider: str, url: str | None) -> bool:
    if provider not in _SELF_RUN:
        return False
    return not url or (urlsplit(url).hostname or "").lower() in _LOCAL


def provider_for_url(url: str) -> tuple[str, str]:
    """(provider, model namespace) for an API base URL: known clouds by host, else self-hosted.

    >>> provider_for_url("http://localhost:8080/v1")
    ('tgi', 'http://localhost:8080')
    >>> provider_for_url("http://localhost:5000/v1")
    ('self_hosted', 'http://localhost:5000')
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    for suffix, provider in _HOSTS.items():
        if host == suffix or host.endswith("." + suffix):
            return provider, provider
    if host.startswith("bedrock") and host.endswith(_AWS_HOSTS):
        return "bedrock", "bedrock"
    origin = f"{parts.scheme or 'http'}://{host}" + (
        f":{url_port(parts)}" if url_port(parts) else ""
    )
    if host in _LOCAL or not host:  # a server on this machine: which one, by its default port
        return _LOCAL_SERVERS.get(url_port(parts) or 0, "self_hosted"), origin
    return host, origin


# the environment variables an SDK reads its base URL from when none is passed (the OpenAI
# SDK: OPENAI_BASE_URL; LangChain's OpenAI classes: OPENAI_API_BASE)
_ENV_URLS = {"openai": ("OPENAI_BASE_URL", "OPENAI_API_BASE")}


def _env_url(call: Call, provider: str) -> str | None:
    """The base URL a client of ``provider`` takes from the environment the notebook set."""
    for name in _ENV_URLS.get(provider, ()):
        value = call.ctx.defaults.get(f"env:{name}")
        if value is not None and value.text:
            return value.text
    return None


def _client(
    provider: str,
    model_kws: tuple[str, ...] = ("model", "model_name", "repo_id"),
    model_pos: int | None = None,
    default: str = "",
):
    """An API client or LangChain/LlamaIndex LLM wrapper; the model may be named here.

    A wrapper built without a model uses the library's ``default`` model: that model is
    recorded with ``implied=True`` and the rule as ``implied_by``."""

    def handler(call: Call) -> Val | None:
        url = call.text(None, *_URL_KWS) or _env_url(call, provider)
        model = call.text(model_pos, *model_kws)
        given = call.arg(model_pos, *model_kws)
        implied = ""
        if model is None and default and not (given.tag or given.data or given.const):
            model = default
            implied = f"{call.qual.rsplit('.', 1)[-1]}() default model"
        if model and "://" in model:  # InferenceClient("http://tgi:8080")
            url, model = model, None
        prov, namespace = (provider, provider) if not url else provider_for_url(url)
        if provider in _SERVERS and prov not in _HOSTS.values():
            prov = provider  # an Ollama client talks to an Ollama server wherever it runs
        unknown_url = call.arg(None, *_URL_KWS)
        if not url and (unknown_url.tag or unknown_url.data or unknown_url.const is not None):
            prov = namespace = "openai_compatible"  # a base URL known only at run time
        if provider == "azure_openai":
            prov, namespace = provider, provider
        # base_url=endpoint.url: the calls go to an endpoint this notebook created
        served_by = next(
            (u for u in sorted(unknown_url.carried()) if ids.kind_of(u) is Kind.ENDPOINT), ""
        )
        client = Val(tag=call.qual).with_attrs(
            role="llm_client",
            provider=prov,
            namespace=namespace,
            model=model or "",
            endpoint=served_by,
            origin="local" if _runs_here(prov, url) else "",
        )
        if model and call.qual.rsplit(".", 1)[-1][:1].isupper() and _is_wrapper(call.qual):
            made = _llm(call, client, model)
            if implied and made.asset:
                call.ctx.out.node(made.asset, implied=True, implied_by=implied)
            return made
        return client

    return handler


def _google(
    model_kws: tuple[str, ...] = ("model", "model_name"),
    model_pos: int | None = None,
    model_type: str = "",
):
    """Google's SDKs reach two services: the Gemini Developer API (an API key) and Vertex AI
    (a GCP project). ``vertexai=True`` or a ``project=`` (which only Vertex takes) decides it,
    in google-genai's ``Client`` and in langchain-google-genai's classes alike."""
    gemini = _client("google", model_kws, model_pos)
    vertex = _client("vertex", model_kws, model_pos)
    embed = {p: _embedding(p, kws=model_kws) for p in ("google", "vertex")}

    def handler(call: Call) -> Val | None:
        flag = call.arg(None, "vertexai").const
        project = call.arg(None, "project")
        on_vertex = flag is True or (
            flag is not False and bool(project.tag or project.data or project.const)
        )
        if model_type == "embedding":
            return embed["vertex" if on_vertex else "google"](call)
        return (vertex if on_vertex else gemini)(call)

    return handler


def _is_wrapper(qual: str) -> bool:
    """LangChain/LlamaIndex/DSPy LLM classes name their model up front: they *are* the model."""
    return qual.startswith(("langchain", "llama_index", "dspy", "smolagents", "haystack"))


_URL_KWS = ("base_url", "api_base", "openai_api_base", "endpoint_url", "azure_endpoint", "host")


def _llm(call: Call, client: Val, model: str, *, model_type: str = "llm") -> Val:
    provider = client.attrs["provider"]
    if client.attrs.get("endpoint"):  # the endpoint stands for the model it serves
        return Val(tag=client.tag, asset=client.attrs["endpoint"]).with_attrs(
            role="model", provider="endpoint", namespace=client.attrs["namespace"]
        )
    origin = "local" if "local" in (provider, client.attrs.get("origin")) else "third_party_api"
    if _fine_tuned_here(call, client.attrs["namespace"], model):
        origin = "fine_tuned"
    value = model_node(
        call,
        client.attrs["namespace"],
        model,
        role="model",
        tag=client.tag,
        provider=provider,
        model_type=model_type,
        origin=origin,
    )
    return value.with_attrs(**{k: v for k, v in client.attrs.items() if k != "role"}, role="model")


def _fine_tuned_here(call: Call, namespace: str, model: str) -> bool:
    """A model named as the output of a provider fine-tune this notebook started
    (``<account>/<base>-<suffix>-<hash>`` after ``fine_tuning.create(..., suffix=...)``)."""
    prefix = f"fine_tune:{namespace}:"
    name = model.split("/", 1)[-1]
    return any(
        key.startswith(prefix) and name.startswith(key[len(prefix) :]) for key in call.ctx.defaults
    )


def _remote(value: Val) -> bool:
    return value.attrs.get("provider") not in (None, "local")


def _api_call(model_type: str = "llm", model_pos: int | None = None):
    """``client.chat.completions.create(model=..., messages=...)`` and friends."""

    def handler(call: Call) -> Val | None:
        client = _receiver_client(call)
        if client is None:
            return None
        if client.attrs.get("role") == "model" or "namespace" not in client.attrs:
            return _model_invoke(call) if client is call.recv else None
        name = call.text(model_pos, "model", "model_name", "model_id", "modelId")
        name = name or client.attrs.get("model")
        given = any(k in call.kwargs for k in ("model", "model_name", "model_id", "modelId"))
        given = given or any(kw.arg is None for kw in call.node.keywords)  # in **kwargs
        if (not name and given) or _placeholder(name):
            return None  # a model named by a value not known here: no guessed node
        model = _llm(call, client, name or "unspecified", model_type=model_type)
        sent = inputs_of(call, "model", "modelId").carried() | call.ctx.loop_data
        if _remote(model):
            call.ctx.flow_into(sent, model.asset, EdgeKind.INFER)
        return Val(data=sent | {model.asset}, models=frozenset({model.asset}))

    return handler


_AWS_SERVICES = {"bedrock-runtime": "bedrock", "bedrock": "bedrock"}


def _boto3_client(call: Call) -> Val | None:
    """``boto3.client("bedrock-runtime")``: a Bedrock client (other AWS services: not ours)."""
    service = call.text(0, "service_name")
    provider = _AWS_SERVICES.get(service or "")
    if provider is None:
        return None
    return Val(tag=call.qual).with_attrs(
        role="llm_client", provider=provider, namespace=provider, model="", endpoint=""
    )


def _bedrock_customization(call: Call) -> Val | None:
    """``bedrock.create_model_customization_job(...)``: a managed fine-tune on Bedrock. The
    base model and the S3 training data flow into the custom model (``fine_tune``); the
    output location is written."""
    client = _receiver_client(call)
    name = call.text(None, "customModelName")
    if client is None or client.attrs.get("provider") != "bedrock" or not name:
        return None
    from ingest.notebook.recognisers.common import dataset_at

    kind = (call.text(None, "customizationType") or "FINE_TUNING").upper()
    custom = model_uid("bedrock", name)
    call.ctx.out.node(
        custom,
        provider="bedrock",
        model_type="llm",
        origin="fine_tuned" if kind == "FINE_TUNING" else "trained",
        customization=kind.lower(),
    )
    base = call.text(None, "baseModelIdentifier")
    sources: list[str] = []
    if base:
        base_uid = model_uid("bedrock", base)
        call.ctx.out.node(base_uid, provider="bedrock", model_type="llm", origin="third_party_api")
        sources.append(base_uid)
    for key, write in (("trainingDataConfig", False), ("validationDataConfig", False),
                       ("outputDataConfig", True)):  # fmt: skip
        config = call.arg(None, key).const
        uri = config.get("s3Uri") if isinstance(config, dict) else None
        uid = dataset_at(call, uri) if isinstance(uri, str) else None
        if uid is None:
            continue
        if write:
            call.ctx.out.writes(uid)
        else:
            call.ctx.out.reads(uid)
            sources.append(uid)
    call.ctx.flow_into(sources, custom, EdgeKind.FINE_TUNE)
    return Val(tag=call.qual, asset=custom).with_attrs(role="model")


_PLACEHOLDER = re.compile(r"(?:YOUR|ENTER|INSERT)_[A-Z0-9_]+|<[^<>]+>")


def _placeholder(name: str | None) -> bool:
    """``"YOUR_PROVISIONED_THROUGHPUT_ARN"``, ``"<model-id>"``: left for the reader to fill."""
    return bool(name) and _PLACEHOLDER.fullmatch(name or "") is not None


def _provider_file(call: Call) -> Val | None:
    """``client.files.upload("train.jsonl")`` / ``client.files.create(file=open(...))``:
    a local file sent to the provider (for fine-tuning or batch jobs)."""
    client = _receiver_client(call)
    if client is None or "namespace" not in client.attrs:
        return None
    from ingest.notebook.recognisers.common import dataset_at

    given = call.arg(0, "file")
    path = given.text
    uid = dataset_at(call, path) if path else None
    if uid:
        call.ctx.out.reads(uid)
    return Val(data=given.carried() | ({uid} if uid else set()))


def _provider_fine_tune(call: Call) -> Val | None:
    """``client.fine_tuning.create(model=..., training_file=..., wandb_api_key=...)`` (Together)
    and ``client.fine_tuning.jobs.create(model=..., integrations=[{"type": "wandb"}])``
    (OpenAI): a managed fine-tune of the provider's base model; W&B gets the run's metrics."""
    client = _receiver_client(call)
    base = call.text(None, "model")
    if client is None or "namespace" not in client.attrs or not base or _placeholder(base):
        return None
    model = _llm(call, client, base)
    call.ctx.out.node(model.asset, role="base")
    suffix = call.text(None, "suffix")
    if suffix:  # Together names the result <account>/<base model>-<suffix>-<job hash>
        stem = f"{base.rsplit('/', 1)[-1]}-{suffix}-"
        call.ctx.defaults[f"fine_tune:{client.attrs['namespace']}:{stem}"] = model
    integrations = call.arg(None, "integrations").const
    to_wandb = "wandb_api_key" in call.kwargs or (
        isinstance(integrations, list)
        and any(isinstance(i, dict) and i.get("type") == "wandb" for i in integrations)
    )
    if to_wandb:
        from ingest.notebook.recognisers.training import tracking_egress

        tracking_egress(call, "wandb")
    return Val(data=call.arg(None, "training_file").carried() | {model.asset})


def _nested(value: object, key: str) -> list[object]:
    """Every value under ``key`` at any depth of a folded dict/list."""
    if isinstance(value, dict):
        found = [value[key]] if key in value else []
        return found + [v for item in value.values() for v in _nested(item, key)]
    if isinstance(value, list | tuple):
        return [v for item in value for v in _nested(item, key)]
    return []


def _bedrock_knowledge_base(call: Call) -> Val | None:
    """``bedrock_agent.create_knowledge_base(knowledgeBaseConfiguration={...
    "embeddingModelArn": "arn:aws:bedrock:<region>::foundation-model/<id>"}})``: Bedrock
    embeds every document of the knowledge base with that foundation model."""
    config = call.arg(None, "knowledgeBaseConfiguration").const
    arns = [a for a in _nested(config, "embeddingModelArn") if isinstance(a, str)]
    made = []
    for arn in arns:
        name = arn.rpartition("foundation-model/")[2] if "foundation-model/" in arn else ""
        if not name or "{" in name:
            continue
        client = Val(tag=call.qual).with_attrs(provider="bedrock", namespace="bedrock")
        made.append(_llm(call, client, name, model_type="embedding").asset)
    return Val(models=frozenset(made)) if made else None


def _receiver_client(call: Call) -> Val | None:
    """The client a method chain hangs off (``client.chat.completions`` -> ``client``)."""
    recv: Val | None = call.recv
    while recv is not None:
        if recv.attrs.get("role") in ("llm_client", "model"):
            return recv
        recv = recv.attrs.get("recv")
    return None


def _module_call(provider: str, model_type: str = "llm"):
    """Module-level calls: ``openai.ChatCompletion.create``, ``ollama.chat``, ``litellm``."""

    def handler(call: Call) -> Val | None:
        name = call.text(0 if provider == "litellm" else None, "model") or "unspecified"
        prov = _litellm_provider(name) if provider == "litellm" else provider
        client = Val().with_attrs(provider=prov, namespace=prov)
        model = _llm(call, client, name, model_type=model_type)
        sent = inputs_of(call, "model").carried() | call.ctx.loop_data
        if _remote(model):
            call.ctx.flow_into(sent, model.asset, EdgeKind.INFER)
        return Val(data=sent | {model.asset}, models=frozenset({model.asset}))

    return handler


def _litellm_provider(name: str) -> str:
    """``openai/gpt-4o`` names its provider; bare names follow LiteLLM's own routing."""
    if "/" in name:
        return name.partition("/")[0]
    if name.startswith(("gpt-", "o1", "o3", "o4", "text-embedding", "chatgpt")):
        return "openai"
    if name.startswith("claude"):
        return "anthropic"
    if name.startswith("gemini"):
        return "google"
    return "litellm"


def _named_model(provider: str, model_type: str = "llm"):
    """``init_chat_model("claude-...", model_provider=...)`` / ``dspy.LM("openai/gpt-4o")``."""

    def handler(call: Call) -> Val | None:
        name = call.text(0, "model")
        if not name:
            return None
        prov = call.text(None, "model_provider") or _litellm_provider(name)
        if not prov.isidentifier():  # "<provider>/Llama-3": a placeholder left for the reader
            prov = "other"
        elif provider == "litellm" and "/" in name:
            name = name.partition("/")[2]
        client = Val(tag=call.qual).with_attrs(provider=prov, namespace=prov)
        return _llm(call, client, name, model_type=model_type)

    return handler


_API_PATHS = ("completions", "/messages", "/embeddings", "/generate", "/chat", "/v1/models")


def _http_api(call: Call) -> Val | None:
    """``requests.post("https://api.deepseek.com/chat/completions", json={"model": ...})``."""
    url = call.text(0, "url")
    if not url or not any(p in url for p in _API_PATHS):
        return None
    provider, namespace = provider_for_url(url)
    if provider not in _HOSTS.values():
        return None  # not a known LLM API host: an ordinary HTTP call
    body = call.arg(None, "json", "data")
    name = body.attrs.get("consts", {}).get("model") or (
        body.const.get("model") if isinstance(body.const, dict) else None
    )
    client = Val().with_attrs(provider=provider, namespace=namespace)
    model = _llm(
        call,
        client,
        str(name or "unspecified"),
        model_type="embedding" if "embedding" in url else "llm",
    )
    sent = body.carried() | call.ctx.loop_data
    call.ctx.flow_into(sent, model.asset, EdgeKind.INFER)
    return Val(data=sent | {model.asset}, models=frozenset({model.asset}))


def _endpoint_call(call: Call) -> Val | None:
    """``endpoint.client.post(json=...)``: data sent to an inference endpoint."""
    recv: Val | None = call.recv
    while recv is not None and not recv.asset.startswith("endpoint:"):
        recv = recv.attrs.get("recv")
    if recv is None:
        return None
    sent = call.inputs().carried() - {recv.asset}
    call.ctx.flow_into(sent | call.ctx.loop_data, recv.asset, EdgeKind.INFER)
    return Val(data=sent | {recv.asset})


def _qdrant_document(call: Call) -> Val | None:
    """``models.Document(text=..., model="BAAI/bge-small-en")``: embedded by FastEmbed."""
    name = call.text(None, "model")
    text = call.arg(0, "text")
    if not name:
        return None
    model = model_node(
        call,
        "huggingface",
        name,
        role="embedding",
        provider="huggingface",
        model_type="embedding",
        origin="local",
    )
    return Val(data=text.carried(), models=frozenset({model.asset}))


def _dspy_configure(call: Call) -> Val | None:
    lm = call.arg(None, "lm")
    if lm.asset:
        call.ctx.defaults["dspy.lm"] = lm
    return Val()


def _dspy_module(call: Call) -> Val | None:
    """Calling a DSPy module runs the configured LM on its inputs."""
    lm = call.ctx.defaults.get("dspy.lm")
    if lm is None:
        return None
    sent = call.inputs().carried() | call.ctx.loop_data
    # a module holding an embedder (a retriever's ``self.model``) does not send it to the LM
    sent = {u for u in sent if ids.kind_of(u) is not Kind.MODEL}
    if _remote(lm):
        call.ctx.flow_into(sent, lm.asset, EdgeKind.INFER)
    return Val(data=sent | {lm.asset}, models=frozenset({lm.asset}))


def _model_invoke(call: Call) -> Val | None:
    """Calling a model object (``llm.invoke(q)``, ``model.generate(x)``, ``emb.encode(x)``)."""
    recv = call.recv
    if not (is_model(recv) or (recv.asset and recv.attrs.get("role") == "model")):
        return None
    sent = call.inputs().carried() - {recv.asset}
    if _remote(recv) and recv.attrs.get("origin", "") != "local":
        call.ctx.flow_into(sent | call.ctx.loop_data, recv.asset, EdgeKind.INFER)
    else:  # a local model: only retrieved context is worth an edge (RAG generation)
        retrieved = [u for u in sent if ids.kind_of(u) is Kind.VECTOR_INDEX]
        call.ctx.flow_into(retrieved, recv.asset, EdgeKind.RETRIEVE)
    return Val(data=sent | {recv.asset}, models=frozenset({recv.asset}))


def _chain_invoke(call: Call) -> Val | None:
    """``chain.invoke(x)``, ``chain.run(docs)`` on a chain that runs models (``prompt |
    llm``, ``LLMChain(llm=...)``, ``load_summarize_chain(llm)``): what it is given reaches
    each LLM it runs; a third-party one receives it (``infer``), a local one only matters
    for retrieved context. Embedding models in the chain see the query, not the data."""
    recv = call.recv
    if is_model(recv) or not recv.models:
        return None
    sent = inputs_of(call).carried() | call.ctx.loop_data
    data = [u for u in sent if ids.kind_of(u) is not Kind.MODEL]  # a prior answer: no model
    retrieved = [u for u in sent if ids.kind_of(u) is Kind.VECTOR_INDEX]
    for model in sorted(recv.models):
        props = call.ctx.out.props(model)
        if props.get("model_type") == "embedding":
            continue
        if props.get("origin") == "third_party_api":
            call.ctx.flow_into(data, model, EdgeKind.INFER)
        else:
            call.ctx.flow_into(retrieved, model, EdgeKind.RETRIEVE)
    return Val(data=sent | recv.carried(), models=recv.models)


def _embedding(provider: str, default: str = "", kws: tuple[str, ...] = ()):
    """Embedding model constructors; the result *is* the embedding model."""
    names = kws or ("model", "model_name", "model_id", "repo_id", "deployment")

    def handler(call: Call) -> Val | None:
        name = call.text(0 if provider in ("huggingface", "fastembed") else None, *names)
        implied = not name and bool(default)
        name = name or default
        if not name:
            return Val(tag=call.qual).with_attrs(role="embedding", provider=provider)
        url = call.text(None, "base_url", "api_base", "endpoint_url") or _env_url(call, provider)
        namespace = provider
        if url:
            provider_, namespace = provider_for_url(url)
        else:
            provider_ = provider
        if provider in ("huggingface", "fastembed", "local") and not url:
            namespace, provider_ = "huggingface", "local"
        value = model_node(
            call,
            namespace,
            name,
            role="embedding",
            tag=call.qual,
            provider=provider_ if provider_ != "local" else "huggingface",
            model_type="embedding",
            origin="local" if provider_ == "local" else "third_party_api",
            implied=True if implied else None,
            implied_by=f"{call.qual.rsplit('.', 1)[-1]}() default model" if implied else None,
        )
        return value.with_attrs(provider=provider_)

    return handler


def _local_llm(call: Call) -> Val | None:
    """``vllm.LLM(model=...)`` / ``HuggingFacePipeline(pipeline=p)``: a model run in-process."""
    pipe = call.arg(None, "pipeline")
    if is_model(pipe):
        return pipe.with_attrs(provider="local")
    name = call.text(0, "model", "model_id")
    if not name:
        return None
    runtime = "vllm" if call.qual.startswith("vllm.") else "huggingface"
    return model_node(
        call,
        "huggingface",
        name,
        role="model",
        provider=runtime,
        model_type="llm",
        origin="local",
    ).with_attrs(provider="local")


def _hf_inference_endpoint(call: Call) -> Val | None:
    """``create_inference_endpoint(name, repository=...)``: a managed HF endpoint."""
    repo = call.text(None, "repository")
    name = call.text(0, "name")
    if not name:
        return None
    from ingest.vector_config.naming import endpoint_uid

    endpoint = endpoint_uid("huggingface-endpoints", name)
    call.ctx.out.node(
        endpoint,
        framework="hf_inference_endpoints",
        exposure=_hf_exposure(call),
        task=call.text(None, "task"),
    )
    if repo:
        uid = model_uid("huggingface", repo)
        task = call.text(None, "task") or ""
        kind = "embedding" if "embedding" in task else ("llm" if "generation" in task else None)
        call.ctx.out.node(uid, provider="huggingface", origin="pretrained", model_type=kind)
        call.ctx.flow_into([uid], endpoint, EdgeKind.SERVE)
    return Val(tag="huggingface_hub.InferenceEndpoint", asset=endpoint)


def _hf_exposure(call: Call) -> str:
    kind = (call.text(None, "type") or "").lower()
    return {"public": "public", "protected": "external", "private": "internal"}.get(kind, "unknown")


# Elasticsearch inference services -> our providers; "elasticsearch"/"elser" run in the cluster
_ES_SERVICES = {
    "openai": "openai",
    "azureopenai": "azure_openai",
    "cohere": "cohere",
    "mistral": "mistral",
    "anthropic": "anthropic",
    "amazonbedrock": "bedrock",
    "googlevertexai": "vertex",
    "googleaistudio": "google",
    "hugging_face": "huggingface_api",
    "voyageai": "voyage",
    "jinaai": "jina",
    "elasticsearch": "self_hosted",
    "elser": "self_hosted",
}
_ES_TASKS = {
    "text_embedding": "embedding",
    "sparse_embedding": "embedding",
    "rerank": "reranker",
    "completion": "llm",
    "chat_completion": "llm",
}


def _literal_entries(call: Call, key: str) -> dict[str, object]:
    """The literal entries of ``body={key: {...}}`` when the inner dict also holds run-time
    values (an API key from ``getpass``), which keep the whole dict from folding."""
    for kw in call.node.keywords:
        if kw.arg not in ("body", "inference_config") or not isinstance(kw.value, ast.Dict):
            continue
        for k, v in zip(kw.value.keys, kw.value.values, strict=True):
            if isinstance(k, ast.Constant) and k.value == key and isinstance(v, ast.Dict):
                return {
                    ik.value: iv.value
                    for ik, iv in zip(v.keys, v.values, strict=True)
                    if isinstance(ik, ast.Constant) and isinstance(iv, ast.Constant)
                }
    return {}


def _es_inference(call: Call) -> Val | None:
    """``es.inference.put(task_type=..., inference_id=..., body={"service": "cohere",
    "service_settings": {"model_id": ...}})``: Elasticsearch calls that model for every
    document ingested through the endpoint (a third-party service, or one run in the cluster)."""
    body = call.arg(None, "body", "inference_config")
    config = body.const if isinstance(body.const, dict) else body.attrs.get("consts", {})
    service = str(config.get("service") or "").lower()
    settings = config.get("service_settings") or _literal_entries(call, "service_settings")
    if not isinstance(settings, dict):
        return None
    name = settings.get("model_id") or settings.get("model")
    provider = _ES_SERVICES.get(service)
    if provider is None or not isinstance(name, str) or not name:
        return None
    kind = _ES_TASKS.get(call.text(None, "task_type") or "", "other")
    in_cluster = provider == "self_hosted"
    return model_node(
        call,
        "elasticsearch" if in_cluster else provider,
        name,
        role="model",
        provider=provider,
        model_type=kind,
        origin="local" if in_cluster else "third_party_api",
        inference_id=call.text(None, "inference_id"),
    ).with_attrs(provider="local" if in_cluster else provider)


# LanceDB's embedding registry: ``get_registry().get(NAME).create(name=MODEL)`` (the
# defaults are those of the registry's classes when ``name`` is left out)
_LANCEDB_EMBEDDERS = {
    "sentence-transformers": _embedding("huggingface", "all-MiniLM-L6-v2", ("name",)),
    "huggingface": _embedding("huggingface", kws=("name",)),
    "openai": _embedding("openai", "text-embedding-ada-002", ("name",)),
    "cohere": _embedding("cohere", kws=("name",)),
    "ollama": _embedding("ollama", kws=("name",)),
    "bedrock-text": _embedding("bedrock", kws=("name",)),
    "gemini-text": _embedding("google", kws=("name",)),
    "voyageai": _embedding("voyage", kws=("name",)),
    "jina": _embedding("jina", kws=("name",)),
}


def _lancedb_registry_get(call: Call) -> Val | None:
    """``get_registry().get("huggingface")``: an embedding function class, by its name."""
    return Val(tag=f"{call.qual}()").with_attrs(lancedb_embedder=call.text(0, "name") or "")


def _lancedb_embedder(call: Call) -> Val | None:
    """``....create(name="BAAI/bge-small-en-v1.5")``: the embedding model LanceDB calls for
    every row written through a schema that names it (``SourceField``/``VectorField``)."""
    made = _LANCEDB_EMBEDDERS.get(str(call.recv.attrs.get("lancedb_embedder") or ""))
    return made(call) if made is not None else None


# llama.cpp's tools (``convert_hf_to_gguf.py MODEL_DIR --outfile F``, ``llama-quantize IN
# OUT TYPE``): each writes a new model file derived from its input
_GGUF_CONVERT = re.compile(
    r"convert[\w-]*to_gguf\.py\s+(?P<src>[^\s-]\S*).*?--outfile[= ](?P<out>\S+)"
)
_GGUF_QUANTIZE = re.compile(r"llama-quantize\s+(?:--\S+\s+)*(?P<src>[^\s-]\S*)\s+(?P<out>\S+)")


def llamacpp_conversions(command: str, ctx: Context) -> None:
    """``!python llama.cpp/convert_hf_to_gguf.py {model_name} --outfile {fp16}`` then
    ``!./llama.cpp/llama-quantize {fp16} {qtype} q4_k_m``: a Hugging Face checkout becomes a
    GGUF file, then a quantised one (``transform`` flows; no training). ``command`` is
    already expanded. A quantised GGUF is what llama.cpp runs (provider llamacpp)."""
    for pattern, made in ((_GGUF_CONVERT, "local"), (_GGUF_QUANTIZE, "llamacpp")):
        for m in pattern.finditer(command):
            src, out = (m.group(k).strip("'\"") for k in ("src", "out"))
            if "{" in src + out:  # a variable not known here
                continue
            target = model_uid(made, out)
            kind = "llm" if made == "llamacpp" else None
            ctx.out.node(target, provider=made, model_type=kind, origin="local", path=out)
            ctx.flow_into([_gguf_source(src, ctx)], target, EdgeKind.TRANSFORM)


def _gguf_source(path: str, ctx: Context) -> str:
    """The model a conversion reads: the Hub repository a folder was cloned from (the base
    model), else the local model file converted earlier in the notebook."""
    from ingest.notebook.recognisers.downloads import _from_clone

    local = model_uid("local", path)
    if ctx.out.node_props(local):  # converted earlier here (the fp16 GGUF being quantised)
        return local
    repo = _from_clone(ctx, path.rstrip("/") + "/config.json")
    hub = re.search(r"huggingface\.co:?/(?P<repo>[\w.-]+/[\w.-]+)", repo)
    if hub:
        uid = model_uid("huggingface", hub.group("repo").removesuffix(".git"))
        ctx.out.node(uid, provider="huggingface", origin="pretrained", role="base")
        return uid
    ctx.out.node(local, provider="local", origin="local", path=path)
    return local


def _es_trained_model(call: Call) -> Val | None:
    """``es.ml.put_trained_model(model_id=".elser_model_2", ...)`` / ``es.ml.
    start_trained_model_deployment(model_id=...)``: a model Elasticsearch runs in the
    cluster. ELSER (ids ``.elser*``) is Elastic's sparse embedding model."""
    name = call.text(0, "model_id")
    if not name or _placeholder(name):
        return None
    return model_node(
        call,
        "elasticsearch",
        name,
        role="model",
        provider="self_hosted",
        model_type="embedding" if name.startswith(".elser") else "other",
        origin="local",
    ).with_attrs(provider="local")


_CALLS = (
    "*.invoke_model",
    "*.invoke_model_with_response_stream",
    "*.converse",
    "*.converse_stream",
    "*.chat.completions.create",
    "*.completions.create",
    "*.responses.create",
    "*.messages.create",
    "*.text_generation",
    "*.chat_completion",
    "*.generate_content",
    "*.chat.complete",
    "*.chat",
    "*.generate",
    "*.complete",
    "*.invoke",
    "*.ainvoke",
    "*.stream",
    "*.predict",
    "*.query",
    "*.__call__",
)
_EMBED_CALLS = (
    "*.embeddings.create",
    "*.feature_extraction",
    "*.embed",
    "*.embed_documents",
    "*.embed_query",
    "*.encode",
    "*.get_text_embedding",
    "*.passage_embed",
    "*.query_embed",
)

RULES: tuple[Rule, ...] = (
    # clients
    Rule(("openai.OpenAI", "openai.AsyncOpenAI"), _client("openai"), "OpenAI clients"),
    Rule(("boto3.client", "boto3.*Session*.client"), _boto3_client, "Bedrock runtime clients"),
    Rule(("*.create_model_customization_job",), _bedrock_customization, "Bedrock fine-tuning"),
    Rule(
        ("boto3.bedrock-agent.create_knowledge_base",),
        _bedrock_knowledge_base,
        "Bedrock knowledge bases",
    ),
    Rule(("openai.AzureOpenAI", "openai.AsyncAzureOpenAI"), _client("azure_openai"), "Azure"),
    Rule(
        ("anthropic.Anthropic", "anthropic.AsyncAnthropic", "anthropic.Client"),
        _client("anthropic"),
        "Claude",
    ),
    # Anthropic's SDK also calls Claude through the clouds: the data goes to AWS or GCP
    Rule(("anthropic.*AnthropicBedrock",), _client("bedrock"), "Claude on Bedrock"),
    Rule(("anthropic.*AnthropicVertex",), _client("vertex"), "Claude on Vertex AI"),
    Rule(
        (
            "huggingface_hub.InferenceClient",
            "huggingface_hub.AsyncInferenceClient",
            "smolagents.InferenceClientModel",
            "smolagents.HfApiModel",
        ),
        _client("huggingface", ("model", "model_id", "base_url"), 0),
        "HF inference / TGI",
    ),
    Rule(("cohere.Client", "cohere.ClientV2"), _client("cohere"), "Cohere clients"),
    Rule(("ollama.Client", "ollama.AsyncClient"), _client("ollama"), "Ollama clients"),
    Rule(
        ("mistralai.Mistral", "mistralai.client.Mistral", "mistralai.client.MistralClient"),
        _client("mistral"),
        "Mistral",
    ),
    Rule(("groq.Groq", "groq.AsyncGroq"), _client("groq"), "Groq"),
    Rule(("together.Together", "together.AsyncTogether"), _client("together"), "Together AI"),
    Rule(("voyageai.Client", "voyageai.AsyncClient"), _client("voyage"), "Voyage AI"),
    Rule(
        ("google.generativeai.GenerativeModel",),
        _client("google", ("model_name", "model"), 0),
        "Gemini",
    ),
    Rule(("google.genai.Client",), _google(), "Google Gen AI SDK (Gemini API or Vertex AI)"),
    Rule(
        (
            "vertexai.generative_models.GenerativeModel",
            "vertexai.preview.generative_models.GenerativeModel",
            "vertexai.language_models.*Model.from_pretrained",
            "vertexai.preview.language_models.*Model.from_pretrained",
        ),
        _client("vertex", ("model_name", "model"), 0),
        "Vertex AI SDK models",
    ),
    Rule(("huggingface_hub.create_inference_endpoint",), _hf_inference_endpoint, "HF endpoints"),
    # embedding classes (before the LLM wrappers: OpenAIEmbeddings is not ChatOpenAI)
    Rule(
        ("sentence_transformers.SentenceTransformer", "sentence_transformers.CrossEncoder"),
        _embedding("huggingface", kws=("model_name_or_path",)),
        "sentence-transformers",
    ),
    Rule(
        ("fastembed.TextEmbedding", "fastembed.*Embedding"),
        _embedding("fastembed", "BAAI/bge-small-en-v1.5", ("model_name",)),
        "FastEmbed",
    ),
    Rule(
        (
            "langchain*.HuggingFaceEmbeddings",
            "langchain*.HuggingFaceBgeEmbeddings",
            "langchain*.SentenceTransformerEmbeddings",
            "llama_index*.HuggingFaceEmbedding",
            "langchain*.FastEmbedEmbeddings",
            "llama_index*.FastEmbedEmbedding",
            "ragatouille.RAGPretrainedModel.from_pretrained",
        ),
        _embedding("huggingface", "sentence-transformers/all-mpnet-base-v2"),
        "local embeddings",
    ),
    Rule(
        (
            "langchain*.HuggingFaceInferenceAPIEmbeddings",
            "langchain*.HuggingFaceEndpointEmbeddings",
            "llama_index*.HuggingFaceInferenceAPIEmbedding",
        ),
        _embedding("huggingface_api"),
        "HF Inference API embeddings",
    ),
    Rule(
        ("langchain*.OpenAIEmbeddings", "llama_index*.OpenAIEmbedding"),
        _embedding("openai", "text-embedding-ada-002"),
        "OpenAI embeddings",
    ),
    Rule(("langchain*.AzureOpenAIEmbeddings",), _embedding("azure_openai"), "Azure embeddings"),
    Rule(
        (
            "langchain*.VoyageEmbeddings",
            "langchain*.VoyageAIEmbeddings",
            "llama_index*.VoyageEmbedding",
        ),
        _embedding("voyage", kws=("model", "model_name")),
        "Voyage AI embeddings",
    ),
    Rule(
        ("langchain*.CohereEmbeddings", "llama_index*.CohereEmbedding"),
        _embedding("cohere", "embed-english-v2.0"),
        "Cohere embeddings",
    ),
    Rule(
        ("langchain*.OllamaEmbeddings", "llama_index*.OllamaEmbedding"),
        _embedding("ollama"),
        "Ollama embeddings",
    ),
    Rule(
        ("langchain*.MistralAIEmbeddings", "llama_index*.MistralAIEmbedding"),
        _embedding("mistral", "mistral-embed"),
        "Mistral embeddings",
    ),
    Rule(
        ("langchain*.GoogleGenerativeAIEmbeddings", "llama_index*.GoogleGenAIEmbedding"),
        _google(model_type="embedding"),
        "Gemini embeddings",
    ),
    Rule(
        ("langchain*.VertexAIEmbeddings", "llama_index*.VertexTextEmbedding"),
        _embedding("vertex"),
        "Vertex AI embeddings",
    ),
    Rule(
        ("langchain*.BedrockEmbeddings",),
        _embedding("bedrock", "amazon.titan-embed-text-v1", kws=("model_id",)),
        "Bedrock",
    ),
    # LLM wrappers
    Rule(("langchain*.ChatOpenAI",), _client("openai", default="gpt-3.5-turbo"), "ChatOpenAI"),
    Rule(("langchain*.OpenAI",), _client("openai", default="gpt-3.5-turbo-instruct"), "OpenAI"),
    Rule(("llama_index*.OpenAI",), _client("openai", default="gpt-3.5-turbo"), "LlamaIndex"),
    Rule(("dspy.OpenAI", "llama_index*.OpenAILike"), _client("openai"), "OpenAI LLM wrappers"),
    Rule(
        ("langchain*.AzureChatOpenAI", "langchain*.AzureOpenAI", "llama_index*.AzureOpenAI"),
        _client("azure_openai", ("model", "model_name", "deployment_name", "azure_deployment")),
        "Azure",
    ),
    Rule(("langchain*.ChatAnthropic", "llama_index*.Anthropic"), _client("anthropic"), "Claude"),
    Rule(
        (
            "langchain*.HuggingFaceEndpoint",
            "langchain*.HuggingFaceHub",
            "llama_index*.HuggingFaceInferenceAPI",
        ),
        _client("huggingface", ("repo_id", "model", "endpoint_url")),
        "HF endpoints (LC)",
    ),
    Rule(
        ("langchain*.ChatOllama", "langchain*.Ollama", "llama_index*.Ollama"),
        _client("ollama"),
        "Ollama wrappers",
    ),
    Rule(("langchain*.ChatCohere", "langchain*.Cohere"), _client("cohere"), "Cohere wrappers"),
    Rule(
        ("langchain*.ChatMistralAI", "llama_index*.MistralAI"),
        _client("mistral", default="mistral-small"),
        "Mistral wrappers",
    ),
    Rule(
        ("langchain*.ChatGroq", "llama_index*.Groq"),
        _client("groq", ("model", "model_name")),
        "Groq wrappers",
    ),
    Rule(
        (
            "langchain*.ChatGoogleGenerativeAI",
            "langchain*.GoogleGenerativeAI",
            "llama_index*.GoogleGenAI",
        ),
        _google(),
        "Gemini API or Vertex AI",
    ),
    Rule(
        ("langchain*.ChatVertexAI", "langchain*.VertexAI", "llama_index*.Vertex"),
        _client("vertex"),
        "",
    ),
    Rule(("langchain*.ChatBedrock", "langchain*.Bedrock*"), _client("bedrock", ("model_id",)), ""),
    Rule(
        ("langchain*.HuggingFacePipeline", "vllm.LLM", "llama_index*.HuggingFaceLLM"),
        _local_llm,
        "local LLMs",
    ),
    Rule(("langchain*.ChatHuggingFace",), lambda c: c.arg(None, "llm"), "chat wrapper"),
    Rule(("langchain*.init_chat_model",), _named_model("langchain"), "init_chat_model"),
    Rule(("lancedb*.get_registry().get",), _lancedb_registry_get, "LanceDB embedding registry"),
    Rule(("lancedb*.get_registry().get().create",), _lancedb_embedder, "LanceDB embedders"),
    Rule(("dspy.LM", "dspy.LLM"), _named_model("litellm"), "DSPy LM"),
    Rule(("dspy.Embedder",), _named_model("litellm", "embedding"), "DSPy embedders (LiteLLM)"),
    Rule(
        ("requests.post", "httpx.post", "httpx.*Client.post", "requests.Session().post"),
        _http_api,
        "raw HTTP calls to LLM APIs",
    ),
    Rule(("qdrant_client*.Document",), _qdrant_document, "Qdrant server-side inference"),
    Rule(
        ("elasticsearch*.inference.put_model", "elasticsearch*.inference.put"),
        _es_inference,
        "Elasticsearch inference endpoints",
    ),
    Rule(
        (
            "elasticsearch*.ml.put_trained_model",
            "elasticsearch*.ml.start_trained_model_deployment",
        ),
        _es_trained_model,
        "models run in an Elasticsearch cluster",
    ),
    Rule(("huggingface_hub.InferenceEndpoint.*client.*",), _endpoint_call, "calls to endpoints"),
    Rule(("dspy.settings.configure", "dspy.configure"), _dspy_configure, "DSPy settings"),
    Rule(("dspy.*()", "dspy.*().__call__", "dspy.settings.lm"), _dspy_module, "DSPy modules"),
    # module-level calls
    Rule(("openai.ChatCompletion.create", "openai.Completion.create"), _module_call("openai"), ""),
    Rule(("openai.Embedding.create",), _module_call("openai", "embedding"), "legacy embeddings"),
    Rule(("ollama.chat", "ollama.generate"), _module_call("ollama"), "Ollama"),
    Rule(("ollama.embed", "ollama.embeddings"), _module_call("ollama", "embedding"), ""),
    Rule(("litellm.completion", "litellm.acompletion"), _module_call("litellm"), "LiteLLM"),
    Rule(("litellm.embedding",), _module_call("litellm", "embedding"), "LiteLLM embeddings"),
    # calls on clients and models
    Rule(("*.files.upload", "*.files.create"), _provider_file, "files sent to an LLM provider"),
    Rule(
        ("*.fine_tuning.create", "*.fine_tuning.jobs.create"),
        _provider_fine_tune,
        "provider fine-tuning jobs (Together, OpenAI)",
    ),
    Rule(_EMBED_CALLS, _api_call("embedding"), "embedding API calls"),
    Rule(_CALLS, _api_call("llm"), "LLM API calls"),
    Rule((*_CALLS, *_EMBED_CALLS), _model_invoke, "calls on model objects"),
    Rule((*_CALLS, "*.run", "*.arun", "*.batch", "*.abatch"), _chain_invoke, "calls on chains"),
)
