"""Managed training and hosting on Vertex AI (``google.cloud.aiplatform``) and Azure ML
(``azure.ai.ml`` v2 SDK).

Vertex AI: a ``CustomTrainingJob`` (and its container/package variants) ``.run(...)``
trains a model named ``model_display_name`` (else the job's ``display_name``) from the
``dataset`` given and the data URIs among its ``args``; ``Model.upload``, ``Endpoint.create``,
``model.deploy(endpoint)`` and ``batch_predict`` follow. Azure ML: ``command(inputs=
{"data": Input(path=...)})`` submitted with ``ml_client.create_or_update`` / ``jobs.
create_or_update`` trains the model its ``registered_model_name`` input names (else the
job's variable); ``ManagedOnlineEndpoint``/``ManagedOnlineDeployment(model=...)`` serve it.
"""

from __future__ import annotations

import ast
import re

from ingest.notebook.recognisers.common import PLACEHOLDER, dataset_at, hf_dataset, hf_repo_like
from ingest.notebook.recognisers.managed import (
    expr_text,
    hub_base_model,
    managed_endpoint,
    managed_model,
)
from ingest.notebook.recognisers.registry import Call, Rule
from ingest.notebook.values import Val
from ingest.vector_config.naming import model_uid
from lineage import ids
from lineage.model import EdgeKind, Kind

__all__ = ["RULES"]

_VERTEX = "vertex"
_AZURE = "azureml"
_URI = re.compile(r"(?:^|=)((?:gs|s3|https?|wasbs|abfss|azureml)://\S+)$")
_OUTPUT_FLAG = re.compile(r"^--?[\w-]*(model|output|job[-_]dir|checkpoint)[\w-]*=", re.I)
_FLAG = re.compile(r"^--?(?P<flag>[\w-]+)=(?P<value>\S+)$")
_DATA_FLAG = re.compile(r"^(train_)?dataset(_name|_id)?$")
_VARIABLE = re.compile(r"\{([A-Za-z_]\w*)\}")


def _arg_uris(value: Val) -> list[str]:
    """Data URIs among a job's command-line ``args`` (``--data-url=gs://...``); flags that
    name where outputs go are not reads."""
    items = value.const if isinstance(value.const, (list, tuple)) else ()
    found = []
    for item in items:
        if isinstance(item, str) and not _OUTPUT_FLAG.match(item):
            m = _URI.search(item)
            if m:
                found.append(m.group(1))
    return found


def _flags(value: Val) -> dict[str, str]:
    """A job's ``args`` as ``{"dataset_name": "org/data"}``: each ``--flag=value`` item."""
    items = value.const if isinstance(value.const, (list, tuple)) else ()
    found = (_FLAG.match(item) for item in items if isinstance(item, str))
    return {m["flag"].replace("-", "_"): m["value"] for m in found if m}


def _hub_datasets(call: Call, flags: dict[str, str]) -> set[str]:
    """Hub datasets a training container is told to load (``--dataset_name=org/name``)."""
    refs = {v for k, v in flags.items() if _DATA_FLAG.match(k) and "/" in v and hf_repo_like(v)}
    return {hf_dataset(call, ref) for ref in refs}


def _outputs_hold(call: Call, flags: dict[str, str], uid: str) -> None:
    """Where the job writes its model (``--output_dir=...``) holds that model: a path known
    here is recorded as a save; a path held by a variable the notebook could not fold
    (``{merged_model_output_dir}``) makes that variable carry the model."""
    for flag, where in flags.items():
        if not _OUTPUT_FLAG.match(f"--{flag}="):
            continue
        if (m := _VARIABLE.fullmatch(where)) is not None:
            call.ctx.rebind(m[1], Val(data=frozenset({uid})))
        elif not PLACEHOLDER.search(where):
            call.ctx.saved[where.rstrip("/")] = uid


def _reads(call: Call, uris: list[str], **props: object) -> set[str]:
    out: set[str] = set()
    for uri in uris:
        uid = dataset_at(call, uri, **props)
        if uid:
            call.ctx.out.reads(uid)
            out.add(uid)
    return out


# -- Vertex AI ----------------------------------------------------------------------------


def _vertex_job(call: Call) -> Val | None:
    return Val(tag="vertex.TrainingJob").with_attrs(
        role="vertex_job", display_name=expr_text(call, None, "display_name") or ""
    )


def _vertex_run(call: Call) -> Val | None:
    job = call.recv
    if job.attrs.get("role") != "vertex_job":
        return None
    args = call.arg(None, "args")
    flags = _flags(args)
    data = call.arg(0, "dataset").carried()
    data |= _reads(call, _arg_uris(args)) | _hub_datasets(call, flags)
    base = hub_base_model(call, flags)  # a container that fine-tunes a Hub model
    kind = EdgeKind.FINE_TUNE if base else EdgeKind.TRAIN
    name = expr_text(call, None, "model_display_name") or job.attrs.get("display_name") or ""
    origin = "fine_tuned" if base else "trained"
    uid = managed_model(call, _VERTEX, name, var=call.recv_name, origin=origin)
    call.ctx.flow_into(data | ({base} if base else set()), uid, kind)
    _outputs_hold(call, flags, uid)
    return Val(tag="vertex.Model", asset=uid).with_attrs(role="vertex_model")


def _vertex_dataset(call: Call) -> Val | None:
    """``TabularDataset.create(gcs_source=...)`` / ``bq_source=``: the data it points at."""
    sources = call.arg(None, "gcs_source", "bq_source")
    texts = sources.const if isinstance(sources.const, list) else [sources.text]
    uids = _reads(call, [t for t in texts if isinstance(t, str)])
    return Val(tag="vertex.Dataset", data=frozenset(uids)) if uids else None


def _vertex_model_ref(call: Call) -> Val | None:
    """``aiplatform.Model(model_name=...)``: a model by resource name (or one trained here)."""
    ref = call.arg(0, "model_name")
    models = [u for u in ref.carried() if u.startswith("model:")]
    if len(models) == 1:
        return Val(tag="vertex.Model", asset=models[0]).with_attrs(role="vertex_model")
    if ref.text and "{" not in ref.text:
        uid = managed_model(call, _VERTEX, ref.text)
        return Val(tag="vertex.Model", asset=uid).with_attrs(role="vertex_model")
    return None


# serving containers that run a hub model named in their environment or arguments
_SERVER_IMAGES = (
    ("text-generation-inference", "tgi", "llm"),
    ("text-embeddings-inference", "tei", "embedding"),
    ("vllm", "vllm", "llm"),
)
_MODEL_FLAG = re.compile(r"--model(?:-id)?[= ](?P<model>\S+)")


def _server(call: Call) -> tuple[str, str] | None:
    """(server, model type) of a ``Model.upload`` whose container is TGI, TEI or vLLM."""
    image = (call.text(None, "serving_container_image_uri") or "").lower()
    return next(((s, t) for key, s, t in _SERVER_IMAGES if key in image), None)


def _served_hub_id(call: Call) -> str | None:
    """The Hub model such a container runs: ``--model`` in its arguments (what the server
    loads), else ``MODEL_ID`` in its environment."""
    args = call.arg(None, "serving_container_args").const
    found = _MODEL_FLAG.search(" ".join(map(str, args))) if isinstance(args, list) else None
    env_val = call.arg(None, "serving_container_environment_variables")
    env = env_val.const if isinstance(env_val.const, dict) else env_val.attrs.get("consts", {})
    for model in (found["model"] if found else None, env.get("MODEL_ID")):
        if isinstance(model, str) and hf_repo_like(model):
            return model
    return None


def _uploaded_from(call: Call) -> set[str]:
    """Models of this notebook whose files the upload serves: a job's output directory
    passed as ``artifact_uri`` or in the server's arguments (``--model=<job output>``)."""
    args = call.arg(None, "serving_container_args")
    found = {u for u in args.carried() if u.startswith("model:")}
    refs = [call.text(None, "artifact_uri") or ""]
    if isinstance(args.const, list) and (m := _MODEL_FLAG.search(" ".join(map(str, args.const)))):
        refs.append(m["model"])
    found.update(call.ctx.saved[r.rstrip("/")] for r in refs if r.rstrip("/") in call.ctx.saved)
    return found


def _vertex_upload(call: Call) -> Val | None:
    server = _server(call)
    sources = _uploaded_from(call)
    hub_id = _served_hub_id(call) if server and not sources else None
    if server and hub_id:  # Vertex only hosts the container: the model is the hub model
        uid = model_uid(server[0], hub_id)
        call.ctx.out.node(uid, provider=server[0], model_type=server[1], origin="pretrained")
        return Val(tag="vertex.Model", asset=uid).with_attrs(role="vertex_model")
    name = expr_text(call, None, "display_name")
    if not name:
        return None
    kind = server[1] if server else None
    uid = managed_model(call, _VERTEX, name, origin="registered", model_type=kind)
    call.ctx.flow_into(sources, uid, EdgeKind.EXPORT if not server else EdgeKind.TRANSFORM)
    return Val(tag="vertex.Model", asset=uid).with_attrs(role="vertex_model")


def _vertex_endpoint(call: Call) -> Val | None:
    name = expr_text(call, None, "display_name") or call.ctx.target or "endpoint"
    uid = managed_endpoint(call, _VERTEX, name)
    return Val(tag="vertex.Endpoint", asset=uid).with_attrs(role="vertex_endpoint")


def _vertex_deploy(call: Call) -> Val | None:
    recv = call.recv
    if recv.attrs.get("role") == "vertex_model":
        model, endpoint = recv, call.arg(0, "endpoint")
    elif recv.attrs.get("role") == "vertex_endpoint":
        model, endpoint = call.arg(0, "model"), recv
    else:
        return None
    if endpoint.attrs.get("role") != "vertex_endpoint":
        name = expr_text(call, None, "deployed_model_display_name") or call.ctx.target
        endpoint = Val(asset=managed_endpoint(call, _VERTEX, name or "endpoint"))
    if model.asset and endpoint.asset:
        call.ctx.flow_into([model.asset], endpoint.asset, EdgeKind.SERVE)
    return Val(tag="vertex.Endpoint", asset=endpoint.asset).with_attrs(role="vertex_endpoint")


def _vertex_batch(call: Call) -> Val | None:
    model = call.recv
    if model.attrs.get("role") != "vertex_model" or not model.asset:
        return None
    source = call.arg(None, "gcs_source", "bigquery_source")
    texts = source.const if isinstance(source.const, list) else [source.text]
    read = _reads(call, [t for t in texts if isinstance(t, str)])
    call.ctx.flow_into(read, model.asset, EdgeKind.INFER)
    dest = expr_text(call, None, "gcs_destination_prefix", "bigquery_destination_prefix")
    out = dataset_at(call, dest) if dest else None
    if out:
        call.ctx.out.writes(out)
        call.ctx.flow_into([model.asset], out, EdgeKind.INFER)
    return Val()


def _job_name_with_datetime(call: Call) -> Val | None:
    """Model Garden's ``common_util.get_job_name_with_datetime(prefix)`` appends a
    timestamp: the job (and the model or endpoint named after it) is known by its prefix."""
    prefix = call.arg(0, "prefix")
    return prefix if prefix.text else None


def _dict_call(call: Call) -> Val | None:
    """``dict(a=..., b=...)`` is a dict literal: its literal entries stay known."""
    if call.args:
        return None
    consts = {k: v.const for k, v in call.kwargs.items() if k != "**" and v.const is not None}
    if len(consts) == len(call.kwargs):
        return Val(const=consts)
    return Val(data=call.inputs().data).with_attrs(consts=consts) if consts else None


# -- Azure ML -------------------------------------------------------------------------------


def _azure_input(call: Call) -> Val | None:
    path = call.text(None, "path")
    return Val(const=path) if path else None  # an input is the data it points at


def _azure_data_asset(call: Call) -> Val | None:
    """``ml_client.data.get(name="credit-card", version=...)``: a registered Data asset,
    read by the jobs it is given to (its storage path resolves at run time)."""
    name = call.text(0, "name")
    if not name:
        return None
    uid = ids.dataset_id(_AZURE, name)
    call.ctx.out.node(uid, platform=_AZURE, asset="data")
    call.ctx.out.reads(uid)
    return Val(tag="azureml.Data", data=frozenset({uid}))


def _azure_component(call: Call) -> Val | None:
    """``load_component(source="train.yml")``: a step a pipeline calls with its inputs."""
    return Val(tag="azureml.Component").with_attrs(role="azure_component")


def _azure_component_call(call: Call) -> Val | None:
    """A component called in a pipeline with a ``registered_model_name`` input: its script
    registers the model it trains, from the data its other inputs carry (none is read)."""
    name = call.text(None, "registered_model_name")
    if not name:
        return None
    data = {
        u
        for k, v in call.kwargs.items()
        if k != "registered_model_name"
        for u in v.carried()
        if ids.kind_of(u) is Kind.DATASET
    }
    uid = managed_model(call, _AZURE, name, origin="trained")
    call.ctx.flow_into(data, uid, EdgeKind.TRAIN)
    return Val(tag="azureml.Job", data=frozenset(data)).with_attrs(
        role="azure_submitted", model=uid
    )


def _azure_command(call: Call) -> Val | None:
    inputs = call.arg(None, "inputs")
    consts = inputs.const if isinstance(inputs.const, dict) else inputs.attrs.get("consts") or {}
    return Val(tag="azureml.Command").with_attrs(
        role="azure_job",
        inputs=dict(consts),
        job_var=call.ctx.target,
        display_name=expr_text(call, None, "display_name") or "",
    )


def _azure_derive(call: Call) -> Val | None:
    """``command_job(lr=Uniform(...))`` / ``.sweep(...)``: the same job, inputs overridden."""
    job = call.recv
    if job.attrs.get("role") != "azure_job":
        return None
    inputs = dict(job.attrs["inputs"])
    inputs.update({k: v.const for k, v in call.kwargs.items() if isinstance(v.const, str)})
    return job.with_attrs(inputs=inputs)


def _azure_submit(call: Call) -> Val | None:
    job = call.arg(0, "job", "entity")
    role = job.attrs.get("role")
    if role in ("azure_endpoint", "azure_component"):
        return job
    if role == "azure_deployment":
        endpoint, model = job.attrs["endpoint"], job.attrs.get("model")
        if isinstance(model, Val) and model.asset:
            call.ctx.flow_into([model.asset], endpoint, EdgeKind.SERVE)
        return job
    if role != "azure_job":
        return None
    inputs = job.attrs["inputs"]
    uris = [v for v in inputs.values() if isinstance(v, str) and "://" in v]
    read = _reads(call, uris)
    registered = inputs.get("registered_model_name")
    name = registered if isinstance(registered, str) else ""
    if not read and not name:
        return Val()  # a job whose data and model the notebook does not name
    submitted = call.name_of(0, "job", "entity")
    # else the job's name: ``job.display_name = ...`` set before submitting, or its own
    shown = call.ctx.constant(f"{submitted}.display_name") if submitted else None
    name = name or (shown if isinstance(shown, str) else job.attrs.get("display_name") or "")
    var = job.attrs.get("job_var") or submitted
    uid = managed_model(call, _AZURE, name, var=var, origin="trained")
    call.ctx.flow_into(read, uid, EdgeKind.TRAIN)
    return Val(tag="azureml.Job").with_attrs(role="azure_submitted", model=uid)


def _format_template(call: Call, name: str) -> str:
    """``"azureml://jobs/{}/outputs/...".format(run)``: the template string, else ""."""
    for kw in call.node.keywords:
        node = kw.value
        if kw.arg == name and isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            fmt = node.func.value
            if node.func.attr == "format" and isinstance(fmt, ast.Constant):
                return str(fmt.value)
    return ""


def _azure_model(call: Call) -> Val | None:
    name = call.text(None, "name")
    if not name:
        return None
    path = call.text(None, "path") or _format_template(call, "path")
    # registered from a job's outputs (``azureml://jobs/<run>/outputs/...``): trained there
    from_job = path.startswith(("azureml://jobs/", "runs:/"))
    uid = managed_model(call, _AZURE, name, origin="trained" if from_job else None)
    if from_job:  # ``.../paths/<artifact_path>/``: the model the job's script logged there
        logged = model_uid("mlflow", path.rstrip("/").rsplit("/", 1)[-1])
        if logged != uid and call.ctx.out.has_node(logged):
            call.ctx.flow_into([logged], uid, EdgeKind.TRANSFORM)
    return Val(tag="azureml.Model", asset=uid).with_attrs(role="model")


def _azure_endpoint(call: Call) -> Val | None:
    name = expr_text(call, None, "name") or call.ctx.target or "endpoint"
    uid = managed_endpoint(call, _AZURE, name)
    return Val(tag="azureml.Endpoint", asset=uid).with_attrs(role="azure_endpoint")


def _azure_deployment(call: Call) -> Val | None:
    """An online or batch deployment of ``model`` behind ``endpoint_name``: a name, or the
    ``endpoint.name`` of an endpoint made here."""
    given = call.arg(None, "endpoint_name")
    known = [u for u in given.carried() if ids.kind_of(u) is Kind.ENDPOINT]
    name = expr_text(call, None, "endpoint_name")
    if len(known) == 1:
        uid = known[0]
    elif name and not PLACEHOLDER.fullmatch(name):
        uid = managed_endpoint(call, _AZURE, name)
    else:
        return None
    return Val(tag="azureml.Deployment").with_attrs(
        role="azure_deployment", endpoint=uid, model=call.arg(None, "model")
    )


_MLCLIENT = "azure.ai.ml.MLClient*"

RULES: tuple[Rule, ...] = (
    Rule(
        (
            "google.cloud.aiplatform.CustomTrainingJob",
            "google.cloud.aiplatform.CustomContainerTrainingJob",
            "google.cloud.aiplatform.CustomPythonPackageTrainingJob",
            "google.cloud.aiplatform.AutoML*TrainingJob",
        ),
        _vertex_job,
        "Vertex AI training jobs",
    ),
    Rule(("vertex.TrainingJob.run",), _vertex_run, "Vertex AI job.run()"),
    Rule(("google.cloud.aiplatform.*Dataset.create",), _vertex_dataset, "Vertex AI datasets"),
    Rule(("google.cloud.aiplatform.Model.upload",), _vertex_upload, "Vertex AI Model.upload"),
    Rule(("google.cloud.aiplatform.Model",), _vertex_model_ref, "Vertex AI models by name"),
    Rule(("google.cloud.aiplatform.Endpoint.create",), _vertex_endpoint, "Vertex endpoints"),
    Rule(("vertex.Model.deploy", "vertex.Endpoint.deploy"), _vertex_deploy, "Vertex deploy"),
    Rule(("vertex.Model.batch_predict",), _vertex_batch, "Vertex batch prediction"),
    Rule(("*.get_job_name_with_datetime",), _job_name_with_datetime, "Model Garden job names"),
    Rule(("dict",), _dict_call, "dict(k=v) literals"),
    Rule(("azure.ai.ml.Input",), _azure_input, "Azure ML inputs"),
    Rule(("azure.ai.ml.command",), _azure_command, "Azure ML command jobs"),
    Rule((f"{_MLCLIENT}.data.get",), _azure_data_asset, "Azure ML data assets"),
    Rule(("azure.ai.ml.load_component",), _azure_component, "Azure ML components"),
    Rule(("azureml.Component.__call__",), _azure_component_call, "pipeline steps"),
    Rule(("azureml.Command.__call__", "azureml.Command.sweep"), _azure_derive, ""),
    Rule(
        (f"{_MLCLIENT}.create_or_update", f"{_MLCLIENT}.begin_create_or_update"),
        _azure_submit,
        "Azure ML submissions",
    ),
    Rule(
        ("azure.ai.ml.entities.Model", f"{_MLCLIENT}.models.get"),
        _azure_model,
        "Azure ML models",
    ),
    Rule(
        ("azure.ai.ml.entities.ManagedOnlineEndpoint", "azure.ai.ml.entities.BatchEndpoint"),
        _azure_endpoint,
        "Azure endpoints",
    ),
    Rule(
        (
            "azure.ai.ml.entities.ManagedOnlineDeployment",
            "azure.ai.ml.entities.BatchDeployment",
            "azure.ai.ml.entities.ModelBatchDeployment",
        ),
        _azure_deployment,
        "deployments",
    ),
)
