"""Serving: Gradio, Streamlit and FastAPI apps, and TGI/vLLM servers, as Endpoint nodes.

An endpoint is what a user or another system can reach. What it serves is what its handler
function uses: models flow in with kind ``serve``, vector indexes with kind ``retrieve``.
Exposure is ``unknown`` unless the code makes it evident (Gradio ``share=True`` opens a
public ``*.gradio.live`` link: ``public``).
"""

from __future__ import annotations

import ast
import re

from ingest.notebook.recognisers.common import PLACEHOLDER, id_safe
from ingest.notebook.recognisers.registry import Call, Rule
from ingest.notebook.values import Val, union
from ingest.vector_config.naming import endpoint_uid, model_uid
from lineage import ids
from lineage.model import EdgeKind, Kind

__all__ = ["RULES", "SHELL_RULES", "serve_into"]


def serve_into(call_or_ctx: object, handler: Val, endpoint: str) -> None:
    """Flows from what a handler function uses into the endpoint serving it."""
    ctx = getattr(call_or_ctx, "ctx", call_or_ctx)
    used = handler.carried() | handler.models
    for uid in sorted(used):
        kind = ids.kind_of(uid)
        if kind is Kind.MODEL:
            ctx.flow_into([uid], endpoint, EdgeKind.SERVE)  # type: ignore[attr-defined]
        elif kind is Kind.VECTOR_INDEX:
            ctx.flow_into([uid], endpoint, EdgeKind.RETRIEVE)  # type: ignore[attr-defined]


def _app(framework: str, fn_kws: tuple[str, ...] = ("fn",)):
    def handler(call: Call) -> Val | None:
        name = f"{call.ctx.notebook}#{call.ctx.target or framework}"
        uid = endpoint_uid(framework, name)
        call.ctx.out.node(uid, framework=framework, exposure="unknown")
        served = union([call.arg(0, *fn_kws), *call.kwargs.values()])
        serve_into(call, served, uid)
        return Val(tag=call.qual, asset=uid).with_attrs(role="endpoint", framework=framework)

    return handler


# web frameworks a hosted app's command or image names (``args=["uvicorn", "m:app"]``,
# ``packages=["gradio"]``), in the order that decides: a Gradio app is served by FastAPI too
_WEB_FRAMEWORKS = ("gradio", "streamlit", "fastapi", "uvicorn")
_WEB_FRAMEWORK = re.compile(r"(?<![a-z])(gradio|streamlit|fastapi|uvicorn)(?![a-z])", re.I)


def _framework_named(call: Call, keyword: str) -> str:
    """The first web framework any string inside the keyword argument's code names."""
    node = next((k.value for k in call.node.keywords if k.arg == keyword), None)
    texts = [n.value for n in ast.walk(node) if isinstance(n, ast.Constant)] if node else []
    words = {w.lower() for t in texts if isinstance(t, str) for w in _WEB_FRAMEWORK.findall(t)}
    found = next((w for w in _WEB_FRAMEWORKS if w in words), "")
    return "fastapi" if found == "uvicorn" else found


def _hosted_app(call: Call) -> Val | None:
    """``union.app.App(name=..., args=[...], container_image=ImageSpec(packages=[...]))``:
    an app the platform hosts, its framework named by the command it runs or else by the
    packages its image installs."""
    name = call.text(None, "name")
    framework = _framework_named(call, "args") or _framework_named(call, "container_image")
    if not name or not framework:
        return None
    uid = endpoint_uid(framework, f"{call.ctx.notebook}#{name}")
    platform = call.qual.split(".", 1)[0]
    call.ctx.out.node(uid, framework=framework, platform=platform, exposure="unknown")
    return Val(tag=call.qual, asset=uid).with_attrs(role="endpoint", framework=framework)


def _launch(call: Call) -> Val | None:
    app = call.recv
    if app.attrs.get("role") != "endpoint":
        return None
    share = call.arg(None, "share").const
    host = call.text(None, "server_name", "host")
    props: dict[str, object] = {"bind": host, "port": call.arg(None, "server_port").const}
    if share is True:
        props["exposure"] = "public"
        props["exposure_evidence"] = "share=True"
    call.ctx.out.node(app.asset, **props)
    if share is True:  # first value wins on merge: set it explicitly
        _force(call, app.asset, exposure="public")
    return app


def _force(call: Call, uid: str, **props: object) -> None:
    _force_node(call.ctx.out, uid, **props)


def _force_node(out: object, uid: str, **props: object) -> None:
    """Overwrite props (the collector's merge keeps the first value; evidence wins here)."""
    out.update(uid, **props)  # type: ignore[attr-defined]


def _route(call: Call) -> Val | None:
    app = call.recv
    if app.attrs.get("role") != "endpoint":
        return None
    path = call.text(0, "path") or "/"
    routes = list(call.ctx.out.node_props(app.asset).get("routes", ()))
    call.ctx.out.update(app.asset, routes=sorted({*routes, f"{call.method.upper()} {path}"}))
    return Val(tag="fastapi.route").with_attrs(role="route", endpoint=app.asset, path=path)


def _uvicorn(call: Call) -> Val | None:
    app = call.arg(0, "app")
    host = call.text(None, "host")
    if app.attrs.get("role") == "endpoint":
        call.ctx.out.node(app.asset, bind=host, port=call.arg(None, "port").const)
    return Val()


def _tunnel(call: Call) -> Val | None:
    """``pyngrok.ngrok.connect(7860)``: the app on that port is published on the internet."""
    port = call.arg(0, "addr", "port").const
    out = call.ctx.out
    apps = [u for u in out.uids() if u.startswith("endpoint:")]
    on_port = [u for u in apps if port is not None and out.node_props(u).get("port") == port]
    portless = [u for u in apps if out.node_props(u).get("port") is None]
    # the app on that port; else the one app whose port is not (yet) known
    for uid in on_port or (portless if len(portless) == 1 else []):
        _force_node(out, uid, exposure="public", exposure_evidence="ngrok tunnel")
    return None


def _streamlit(call: Call) -> Val | None:
    uid = endpoint_uid("streamlit", call.ctx.notebook)
    call.ctx.out.node(uid, framework="streamlit", exposure="unknown")
    serve_into(call, call.inputs(), uid)
    return None


def _agent(call: Call) -> Val | None:
    """An agent (smolagents, LangChain, LangGraph, LlamaIndex): an object in the notebook, not a
    served endpoint (a Gradio or FastAPI app around it is one). Its model sees whatever its
    tools return, and ``agent.invoke(x)`` sends ``x`` to the model (a chain with models)."""
    model = call.arg(None, "model", "llm")
    tools = union([call.arg(None, "tools"), *(v for k, v in call.kwargs.items() if k != "model")])
    models = frozenset({model.asset}) if model.asset else model.models
    if model.asset and model.attrs.get("provider") not in (None, "local"):
        call.ctx.flow_into(tools.carried() - models, model.asset, EdgeKind.INFER)
    return Val(tag=call.qual, data=tools.carried() | models, models=models).with_attrs(
        role="agent", model=model
    )


RULES: tuple[Rule, ...] = (
    Rule(
        (
            "smolagents.*Agent",
            "langchain*.AgentExecutor",
            "langchain*.create_*agent",
            "langgraph.prebuilt.create_react_agent",
            "llama_index*.ReActAgent*",
        ),
        _agent,
        "agents",
    ),
    Rule(
        ("gradio.Interface", "gradio.ChatInterface", "gradio.Blocks", "gradio.TabbedInterface"),
        _app("gradio"),
        "Gradio apps",
    ),
    Rule(("gradio.*.launch", "*.launch", "*.queue"), _launch, "Gradio launch"),
    Rule(("fastapi.FastAPI",), _app("fastapi", ()), "FastAPI apps"),
    Rule(("union.app.App",), _hosted_app, "apps hosted on Union"),
    Rule(("*.get", "*.post", "*.put", "*.api_route", "*.websocket"), _route, "FastAPI routes"),
    Rule(("uvicorn.run",), _uvicorn, "uvicorn"),
    Rule(("pyngrok.ngrok.connect", "ngrok.connect", "ngrok.forward"), _tunnel, "tunnels"),
    Rule(("streamlit.*",), _streamlit, "Streamlit apps"),
)

# Shell escapes that start model servers: (regex over the command, framework, model group).
_MODEL_ARG = r"(?:--model-id|--model)[= ]+['\"]?(?P<model>[\w./-]+)"
SHELL_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"text-generation-inference|text-generation-launcher"), "tgi"),
    (re.compile(r"vllm(\.entrypoints\.openai\.api_server| serve)"), "vllm"),
    (re.compile(r"\bollama serve\b"), "ollama"),
    (re.compile(r"\bstreamlit run\b"), "streamlit"),
)
_MODEL = re.compile(_MODEL_ARG)
# Tunnels publish a local port on the internet: evidence of public exposure.
_TUNNEL = re.compile(r"\b(ngrok|localtunnel|lt --port|cloudflared tunnel|bore local)\b")
_SERVE_MODEL = re.compile(r"vllm serve ['\"]?(?P<model>[\w./-]+)")
_PORT = re.compile(r"(?:-p\s+|--port[= ])(?P<port>\d+)")


def shell_endpoints(command: str, ctx: object) -> None:
    """Record model servers launched from ``!`` shell escapes (TGI, vLLM, Ollama)."""
    out = ctx.out  # type: ignore[attr-defined]
    llamacpp_shell(command, ctx)
    cloud_apps(command, ctx)
    for pattern, framework in SHELL_RULES:
        if not pattern.search(command):
            continue
        m = _MODEL.search(command) or _SERVE_MODEL.search(command)
        port = _PORT.search(command)
        notebook = ctx.notebook  # type: ignore[attr-defined]
        # one Streamlit app per notebook, whether seen in its code or in `streamlit run`
        name = notebook if framework == "streamlit" else f"{notebook}#{framework}"
        uid = endpoint_uid(framework, name)
        out.node(
            uid,
            framework=framework,
            exposure="unknown",
            port=int(port.group("port").split(":")[0]) if port else None,
        )
        if _TUNNEL.search(command):
            _force_node(out, uid, exposure="public", exposure_evidence="tunnel in the command")
        if m:
            model = model_uid("huggingface", m.group("model"))
            out.node(model, provider="huggingface", model_type="llm", origin="pretrained")
            ctx.flow_into([model], uid, EdgeKind.SERVE)  # type: ignore[attr-defined]


# Azure CLI app creation: ``az functionapp create --name X`` / ``az webapp create -n X``
_AZ_APP = re.compile(r"\baz (?P<service>functionapp|webapp) create\b.*?(?:--name|-n)[= ]+"
                     r"['\"]?(?P<name>[^\s'\"]+)")  # fmt: skip
_AZ_FRAMEWORK = {"functionapp": "azure_functions", "webapp": "azure_app_service"}


def cloud_apps(command: str, ctx: object) -> None:
    """``!az functionapp create --name {function_app} ...``: an app Azure hosts under that
    name (what it serves is in the code deployed to it, not in the notebook): an endpoint
    of no serving framework the schema knows."""
    from ingest.notebook.recognisers.downloads import _expand

    out = ctx.out  # type: ignore[attr-defined]
    for m in _AZ_APP.finditer(_expand(command, ctx)):  # type: ignore[arg-type]
        name = m.group("name")
        template = name if PLACEHOLDER.search(name) else None
        framework = _AZ_FRAMEWORK[m.group("service")]
        uid = endpoint_uid(framework, f"{ctx.notebook}#{id_safe(name)}")  # type: ignore[attr-defined]
        unresolved = True if template else None
        out.node(uid, framework=framework, platform="azure", service_kind="other",
                 exposure="unknown", template=template, unresolved=unresolved)  # fmt: skip


# llama.cpp run from the shell: the GGUF file it loads is a local LLM
_LLAMA_RUN = re.compile(r"llama-(?:cli|server|run)\b.*?(?:-m|--model)[= ](?P<model>\S+)")


def llamacpp_shell(command: str, ctx: object) -> None:
    """``!./llama.cpp/llama-cli -m {qtype} ...``: llama.cpp runs that model file here."""
    from ingest.notebook.recognisers.downloads import _expand
    from ingest.notebook.recognisers.llm import llamacpp_conversions

    command = _expand(command, ctx)  # type: ignore[arg-type]
    llamacpp_conversions(command, ctx)  # type: ignore[arg-type]
    for m in _LLAMA_RUN.finditer(command):
        path = m.group("model").strip("'\"")
        if "{" in path:  # a variable not known here
            continue
        uid = model_uid("llamacpp", path)
        ctx.out.node(uid, provider="llamacpp", model_type="llm", origin="local", path=path)  # type: ignore[attr-defined]
