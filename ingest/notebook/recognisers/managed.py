"""Managed training and hosting: SageMaker (Python SDK and the boto3 ``sagemaker`` client)
and the S3 transfers that feed it.

A managed training job runs elsewhere, but the notebook says what it reads and what it
produces: ``estimator.fit({"train": s3_uri})`` reads each channel (the ``train`` channels
train the model), the base model is a JumpStart ``model_id`` or a Hub id in the
hyperparameters, and ``.deploy()`` makes an Endpoint serving the trained model. The trained
model is named as SageMaker names it: the job name given (``fit(job_name=...)``,
``base_job_name``, ``TrainingJobName``), else the estimator's variable. A name or S3 path
built from run-time values keeps the template (``s3://{bucket}/prefix``), marked unresolved
on models, never guessed.
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Mapping

from ingest.notebook.recognisers.common import (
    PLACEHOLDER,
    dataset_at,
    hf_repo_like,
    id_safe,
    is_model,
)
from ingest.notebook.recognisers.registry import Call, Rule
from ingest.notebook.values import Val, union
from ingest.vector_config.naming import endpoint_uid, model_uid
from lineage import ids
from lineage.model import EdgeKind, Kind

__all__ = ["RULES", "expr_text", "hub_base_model", "managed_endpoint", "managed_model"]

_SM = "sagemaker"
_ESTIMATORS = (
    "Estimator",
    "Framework",
    "HuggingFace",
    "PyTorch",
    "TensorFlow",
    "SKLearn",
    "XGBoost",
    "MXNet",
    "Chainer",
    "RLEstimator",
    "JumpStartEstimator",
    "AlgorithmEstimator",
    "LinearLearner",
    "KMeans",
    "PCA",
    "FactorizationMachines",
    "NTM",
    "LDA",
    "RandomCutForest",
    "KNN",
    "Object2Vec",
    "IPInsights",
)
_TABULAR = ("lightgbm-", "catboost-", "xgboost-", "sklearn-", "autogluon-", "tabtransformer-")
# the Hugging Face inference toolkit's HF_TASK -> our model type
_HF_TASKS = {
    "text-generation": "llm",
    "text2text-generation": "llm",
    "summarization": "llm",
    "translation": "llm",
    "conversational": "llm",
    "feature-extraction": "embedding",
    "sentence-similarity": "embedding",
    "text-classification": "classifier",
    "token-classification": "classifier",
    "zero-shot-classification": "classifier",
    "image-classification": "classifier",
}
# hyperparameters that name the pretrained model a training script starts from
_BASE_KEYS = (
    "model_id",
    "model_name",
    "model_name_or_path",
    "base_model",
    "pretrained_model",
    "pretrained_model_id",
)


def expr_text(call: Call, pos: int | None, *names: str) -> str | None:
    """An argument's text: the folded constant, else its source as one ``{expr}`` part."""
    text = call.text(pos, *names)
    if text is not None:
        return text
    node: ast.expr | None = None
    for kw in call.node.keywords:
        if kw.arg in names:
            node = kw.value
    if node is None and pos is not None and pos < len(call.node.args):
        node = call.node.args[pos]
    if node is None or isinstance(node, (ast.Constant, ast.Starred)):
        return None
    return _template(node)


def _template(node: ast.expr) -> str:
    """``"iris_" + UUID`` as ``iris_{UUID}``: literal parts kept, the rest as ``{expr}``."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _template(node.left) + _template(node.right)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return "{" + ast.unparse(node) + "}"


def managed_model(call: Call, platform: str, name: str, *, var: str = "", **props: object) -> str:
    """A model known to a managed platform: by its name there, or by the notebook variable
    (namespace ``notebook``) when the code gives none; a run-time name keeps its template."""
    if not name:
        uid = call.ctx.local_model(var or call.ctx.target or f"line{call.line}")
    elif PLACEHOLDER.search(name):
        uid = call.ctx.local_model(id_safe(name))
        props = {**props, "template": name, "unresolved": True}
    else:
        uid = model_uid(platform, name)
    call.ctx.out.node(uid, provider=platform, platform=platform, **props)
    return uid


def _jumpstart_uri(call: Call) -> Val | None:
    """``model_uris.retrieve(model_id=...)``: the JumpStart model's artefacts."""
    model_id = call.text(None, "model_id")
    if not model_id:
        return None
    uid = model_uid(_SM, model_id)
    call.ctx.out.node(uid, provider=_SM, origin="pretrained", source="jumpstart")
    return Val(tag="sagemaker.ModelUri", asset=uid)


def _name_from_base(call: Call) -> Val | None:
    """``name_from_base(base)`` appends a timestamp: the job is known by its base."""
    base = call.arg(0, "base")
    return base if base.text else None


def _base_model(call: Call) -> str:
    """The pretrained model a job starts from: JumpStart ``model_id`` or ``model_uri``,
    else a Hub id among the hyperparameters."""
    uri = call.arg(None, "model_uri")
    if is_model(uri):
        return uri.asset
    jumpstart = call.text(None, "model_id")
    if jumpstart and "jumpstart" in call.qual.lower():
        uid = model_uid(_SM, jumpstart)
        call.ctx.out.node(uid, provider=_SM, origin="pretrained", source="jumpstart")
        return uid
    hp = call.arg(None, "hyperparameters")
    return hub_base_model(call, hp.const if isinstance(hp.const, dict) else hp.attrs.get("consts"))


def hub_base_model(call: Call, params: Mapping[str, object] | None) -> str:
    """The Hub model a training script starts from, named among its parameters
    (``model_name_or_path``, ``pretrained_model_id``...): an ``org/name`` or a dashed name."""
    for key in _BASE_KEYS:
        ref = (params or {}).get(key)
        if isinstance(ref, str) and hf_repo_like(ref) and ("/" in ref or "-" in ref):
            uid = model_uid("huggingface", ref)
            call.ctx.out.node(uid, provider="huggingface", origin="pretrained")
            return uid
    return ""


def _estimator(call: Call) -> Val | None:
    if call.qual.rsplit(".", 1)[-1] not in _ESTIMATORS:
        return None
    return Val(tag="sagemaker.Estimator").with_attrs(
        role="managed_estimator",
        platform=_SM,
        base=_base_model(call),
        job_name=expr_text(call, None, "base_job_name") or "",
    )


def _tuner(call: Call) -> Val | None:
    """``HyperparameterTuner(estimator, ...)``: its ``fit``/``deploy`` are the estimator's."""
    est = call.arg(0, "estimator")
    if est.attrs.get("role") != "managed_estimator":
        return None
    # an estimator without a name of its own: its jobs are named after the tuning job
    named = est.attrs.get("job_name") or expr_text(call, None, "base_tuning_job_name")
    return est.with_attrs(var=est.attrs.get("var") or call.name_of(0, "estimator"), job_name=named)


def _channels(value: Val) -> dict[str, Val]:
    """``fit`` inputs: one URI, a TrainingInput, or a dict of channel -> either."""
    if isinstance(value.const, dict):
        return {str(k): Val(const=v) for k, v in value.const.items()}
    return {"train": value}


def _fit(call: Call) -> Val | None:
    est = call.recv
    if est.attrs.get("role") != "managed_estimator":
        return None
    inputs = call.arg(0, "inputs")
    read: dict[str, set[str]] = {}
    for channel, value in _channels(inputs).items():
        uri = value.text
        found = set(value.carried())
        if uri:
            uid = dataset_at(call, uri, channel=channel)
            if uid:
                call.ctx.out.reads(uid)
                found.add(uid)
        read[channel] = found
    trains = [c for c in read if "train" in c.lower()] or list(read)
    base = est.attrs.get("base") or ""
    name = expr_text(call, None, "job_name") or est.attrs.get("job_name") or ""
    # JumpStart's tabular algorithms start from no pretrained weights: training, not tuning
    scratch = base.startswith(f"model:{_SM}:") and base.split(":", 2)[2].startswith(_TABULAR)
    kind = EdgeKind.FINE_TUNE if base and not scratch else EdgeKind.TRAIN
    uid = managed_model(
        call,
        _SM,
        name,
        var=est.attrs.get("var") or call.recv_name,
        origin="fine_tuned" if kind is EdgeKind.FINE_TUNE else "trained",
        base_model=base or None,
    )
    call.ctx.flow_into(set().union(*(read[c] for c in trains)) if trains else (), uid, kind)
    if base:
        call.ctx.out.node(base, role="base")  # what the job starts from, tuned or not
        call.ctx.flow_into([base], uid, kind)
    trained = Val(tag="sagemaker.Model", asset=uid).with_attrs(role="model")
    if call.recv_name:
        call.ctx.rebind(
            call.recv_name,
            est.with_attrs(model_data=trained, trained=trained, latest_training_job=trained),
        )
    return Val()


def _model(call: Call) -> Val | None:
    """``Model(model_data=...)``, ``HuggingFaceModel(env={"HF_MODEL_ID": ...})``,
    ``JumpStartModel(model_id=...)``: what a later ``deploy()`` serves."""
    data = call.arg(None, "model_data")
    # artefacts of a job of this notebook: ``estimator.model_data``, or the S3 path its
    # ``describe_training_job(...)["ModelArtifacts"]`` gives
    trained = [u for u in data.carried() if ids.kind_of(u) is Kind.MODEL]
    if is_model(data) or len(trained) == 1:
        uid = data.asset if is_model(data) else trained[0]
        return Val(tag="sagemaker.Model", asset=uid).with_attrs(role="sagemaker_model")
    jumpstart = call.text(None, "model_id")
    if jumpstart:
        uid = model_uid(_SM, jumpstart)
        call.ctx.out.node(uid, provider=_SM, origin="pretrained", source="jumpstart")
        return Val(tag="sagemaker.Model", asset=uid).with_attrs(role="sagemaker_model")
    env = call.arg(None, "env")
    consts = env.const if isinstance(env.const, dict) else env.attrs.get("consts") or {}
    hub = consts.get("HF_MODEL_ID")
    if isinstance(hub, str) and hf_repo_like(hub):  # Hub weights run by SageMaker hosting
        uid = model_uid(_SM, hub)
        task = consts.get("HF_TASK")
        kind = _HF_TASKS.get(task) if isinstance(task, str) else None
        call.ctx.out.node(uid, provider=_SM, origin="pretrained", source="huggingface",
                          model_type=kind)  # fmt: skip
        return Val(tag="sagemaker.Model", asset=uid).with_attrs(role="sagemaker_model")
    return Val(tag="sagemaker.Model").with_attrs(role="sagemaker_model")


def managed_endpoint(call: Call, platform: str, name: str) -> str:
    """An Endpoint a platform serves; a run-time name keeps its template in props."""
    shown = id_safe(name)
    uid = endpoint_uid(platform, f"{call.ctx.notebook}#{shown}")
    template = name if shown != name else None
    call.ctx.out.node(uid, framework=platform, platform=platform, exposure="unknown",
                      template=template, unresolved=True if template else None)  # fmt: skip
    return uid


def _deploy(call: Call) -> Val | None:
    recv = call.recv
    role = recv.attrs.get("role")
    if role == "managed_estimator":
        served = recv.attrs.get("trained")
    elif role == "sagemaker_model":
        served = recv if recv.asset else None
    else:
        return None
    name = expr_text(call, None, "endpoint_name") or call.ctx.target or "endpoint"
    uid = managed_endpoint(call, _SM, name)
    if isinstance(served, Val) and served.asset:
        call.ctx.flow_into([served.asset], uid, EdgeKind.SERVE)
    model = served.asset if isinstance(served, Val) else ""
    return Val(tag="sagemaker.Predictor", asset=uid).with_attrs(
        role="endpoint", framework=_SM, served=model
    )


def _predict(call: Call) -> Val | None:
    """``predictor.predict(payload)``: the answer derives from what was sent (the endpoint
    is no data); context retrieved from an index reaches the model the endpoint serves."""
    if call.recv.attrs.get("role") != "endpoint" or not call.recv.asset:
        return None
    sent = call.arg(0, "data").carried() | call.ctx.loop_data
    served = call.recv.attrs.get("served")
    if served:
        indexes = [u for u in sent if ids.kind_of(u) is Kind.VECTOR_INDEX]
        call.ctx.flow_into(indexes, served, EdgeKind.RETRIEVE)
    return Val(data=frozenset(sent))


def _training_input(call: Call) -> Val | None:
    uri = expr_text(call, 0, "s3_data")
    return Val(const=uri) if uri else None  # a channel is its URI (content type aside)


def _s3(bucket: str | None, key: str | None) -> str | None:
    if not bucket or not key:
        return None
    return f"s3://{bucket}/{key.lstrip('/')}"


def _transfer(
    call: Call, src: str | None, dst: str | None, data: Val | None = None, *, local: bool = False
) -> Val:
    """A copy to S3 (src read, dst written, data flows), or from S3 to a local scratch
    file (``local``: only the read of the remote object is recorded)."""
    src_uid = dataset_at(call, src) if src else None
    dst_uid = dataset_at(call, dst) if dst and not local else None
    if src_uid:
        call.ctx.out.reads(src_uid)
    if dst_uid:
        call.ctx.out.writes(dst_uid)
        sources = {src_uid} if src_uid else set()
        if data is not None:
            sources |= data.carried()
        call.ctx.flow_into(sources | call.ctx.loop_data, dst_uid)
    return Val(const=dst)  # the URI: a later ``fit({"train": uri})`` names the same dataset


def _upload_data(call: Call) -> Val | None:
    """``session.upload_data(path, bucket, key_prefix)`` returns the S3 URI it wrote."""
    path = call.text(0, "path")
    if not path:
        return None
    # SageMaker's default bucket is the session's: named by the receiver's expression
    bucket = expr_text(call, 1, "bucket") or f"{{{call.recv_name or 'session'}.default_bucket()}}"
    prefix = call.text(2, "key_prefix") or "data"
    name = posixpath.basename(path.rstrip("/"))
    if not posixpath.splitext(name)[1]:  # a folder: SageMaker returns s3://bucket/prefix
        return _transfer(call, path, _s3(bucket, prefix))
    return _transfer(call, path, _s3(bucket, f"{prefix}/{name}"))


def _s3_uploader(call: Call) -> Val | None:
    """``S3Uploader.upload(local_path, desired_s3_uri)``."""
    path, dest = call.text(0, "local_path"), expr_text(call, 1, "desired_s3_uri")
    if not path or not dest:
        return None
    return _transfer(call, path, dest.rstrip("/"))  # the prefix a channel later reads


def _s3_downloader(call: Call) -> Val | None:
    src, dest = expr_text(call, 0, "s3_uri"), call.text(1, "local_path")
    return _transfer(call, src, dest, local=True) if src and dest else None


def _boto_client(call: Call) -> Val | None:
    service = call.text(0, "service_name")
    if service in ("s3", "sagemaker", "bedrock-agent"):
        return Val(tag=f"boto3.{service}")
    if service in ("sagemaker-runtime", "runtime.sagemaker"):
        return Val(tag="boto3.sagemaker_runtime")
    return None


def _invoke_endpoint(call: Call) -> Val | None:
    """``runtime.invoke_endpoint(EndpointName=..., Body=...)``: the body is sent to the
    endpoint (the one deployed here under that name)."""
    name = expr_text(call, None, "EndpointName")
    if not name or PLACEHOLDER.fullmatch(name):
        return None  # ``EndpointName=predictor.endpoint``: one deployed elsewhere in the code
    uid = managed_endpoint(call, _SM, name)
    call.ctx.flow_into(call.arg(None, "Body").carried() | call.ctx.loop_data, uid, EdgeKind.INFER)
    return Val(tag="sagemaker.Response", data=frozenset({uid}))


def _boto_resource(call: Call) -> Val | None:
    """``boto3.resource("s3")`` (or a session's): the object-oriented S3 API."""
    return Val(tag="boto3.s3resource") if call.text(0, "service_name") == "s3" else None


def _bucket(call: Call) -> Val | None:
    """``s3.Bucket(name)``: uploads and downloads through it name only the key."""
    return Val(tag="boto3.s3bucket").with_attrs(bucket=expr_text(call, 0, "name"))


def _bucket_upload(call: Call) -> Val | None:
    """``bucket.upload_file(Filename, Key)``."""
    path = call.text(0, "Filename")
    dest = _s3(call.recv.attrs.get("bucket"), expr_text(call, 1, "Key"))
    return _transfer(call, path, dest) if path and dest else None


def _bucket_download(call: Call) -> Val | None:
    """``bucket.download_file(Key, Filename)``."""
    src = _s3(call.recv.attrs.get("bucket"), expr_text(call, 0, "Key"))
    path = call.text(1, "Filename")
    return _transfer(call, src, path, local=True) if src and path else None


def _boto_upload(call: Call) -> Val | None:
    """``s3.upload_file(Filename, Bucket, Key)``."""
    path = call.text(0, "Filename")
    dest = _s3(expr_text(call, 1, "Bucket"), expr_text(call, 2, "Key"))
    return _transfer(call, path, dest) if path and dest else None


def _boto_download(call: Call) -> Val | None:
    """``s3.download_file(Bucket, Key, Filename)``; an object named from a job's
    ``model_data`` is that model's artefacts, not data: the local file holds the model."""
    where = [call.arg(0, "Bucket"), call.arg(1, "Key")]
    models = {u for v in where for u in v.carried() if ids.kind_of(u) is Kind.MODEL}
    if models:
        return Val(data=frozenset(models))
    src = _s3(expr_text(call, 0, "Bucket"), expr_text(call, 1, "Key"))
    path = call.text(2, "Filename")
    return _transfer(call, src, path, local=True) if src and path else None


def _boto_put(call: Call) -> Val | None:
    dest = _s3(expr_text(call, None, "Bucket"), expr_text(call, None, "Key"))
    return _transfer(call, None, dest, call.arg(None, "Body")) if dest else None


def _dig(value: object, *path: str) -> object:
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _create_training_job(call: Call) -> Val | None:
    """The boto3 API: ``InputDataConfig`` channels in, a model named after the job out."""
    name = expr_text(call, None, "TrainingJobName") or ""
    channels = call.arg(None, "InputDataConfig").const
    definition = call.arg(None, "TrainingJobDefinition")
    spec = definition.const if isinstance(definition.const, dict) else definition.attrs
    if not isinstance(channels, list) and spec:
        channels = (spec.get("consts") or spec).get("InputDataConfig")  # a tuning job's
        name = name or expr_text(call, None, "HyperParameterTuningJobName") or ""
    read: dict[str, str] = {}
    for channel in channels if isinstance(channels, list) else ():
        uri = _dig(channel, "DataSource", "S3DataSource", "S3Uri")
        if isinstance(uri, str):
            uid = dataset_at(call, uri, channel=_dig(channel, "ChannelName"))
            if uid:
                call.ctx.out.reads(uid)
                read[str(_dig(channel, "ChannelName") or "train")] = uid
    if not read:
        return None
    uid = managed_model(call, _SM, name, origin="trained")
    trains = [u for c, u in read.items() if "train" in c.lower()] or list(read.values())
    call.ctx.flow_into(trains, uid, EdgeKind.TRAIN)
    if name:
        call.ctx.defaults[f"sagemaker.job:{name}"] = Val(asset=uid)
    return Val(tag="sagemaker.TrainingJob").with_attrs(model=uid)


def _describe_job(call: Call) -> Val | None:
    """``describe_training_job(TrainingJobName=...)``: a job started here, by its name or
    through a value that came from one (a tuning job's ``BestTrainingJob``)."""
    ref = call.arg(None, "TrainingJobName", "HyperParameterTuningJobName")
    job = call.ctx.defaults.get(f"sagemaker.job:{ref.text}") if ref.text else None
    models = {u for u in ref.carried() if u.startswith("model:")}
    if job is not None:
        models.add(job.asset)
    return Val(tag="sagemaker.JobDescription", data=frozenset(models)) if models else None


def _create_model(call: Call) -> Val | None:
    name = call.text(None, "ModelName")
    if not name:
        return None
    # the artefacts of a job started here (its description's ModelArtifacts), or unknown
    jobs = {u for u in call.arg(None, "PrimaryContainer").carried() if u.startswith("model:")}
    uid = managed_model(call, _SM, name, origin="registered" if jobs else None)
    call.ctx.flow_into(jobs, uid, EdgeKind.EXPORT)
    for job in jobs:  # a name built from the job's name carries the job, not this model
        call.ctx.defaults[f"sagemaker.model_of:{job}"] = Val(asset=uid)
    call.ctx.defaults[f"sagemaker.model:{name}"] = Val(asset=uid)
    return Val(tag="sagemaker.CreateModel").with_attrs(model=uid)


def _create_endpoint_config(call: Call) -> Val | None:
    name = call.text(None, "EndpointConfigName")
    given = call.arg(None, "ProductionVariants")
    variants = given.const
    if not name:
        return None
    if isinstance(variants, list):
        models = [
            call.ctx.defaults.get(f"sagemaker.model:{v.get('ModelName')}")
            for v in variants
            if isinstance(v, dict)
        ]
    else:  # model names built from a job's description: the models made from those jobs
        models = [call.ctx.defaults.get(f"sagemaker.model_of:{u}") for u in given.carried()]
    call.ctx.defaults[f"sagemaker.endpoint_config:{name}"] = union([m for m in models if m])
    return Val()


def _create_endpoint(call: Call) -> Val | None:
    name = expr_text(call, None, "EndpointName")
    config = call.text(None, "EndpointConfigName")
    if not name:
        return None
    uid = managed_endpoint(call, _SM, name)
    served = call.ctx.defaults.get(f"sagemaker.endpoint_config:{config}")
    if served is not None:
        call.ctx.flow_into(served.carried(), uid, EdgeKind.SERVE)
    return Val(tag="sagemaker.Endpoint", asset=uid).with_attrs(role="endpoint")


RULES: tuple[Rule, ...] = (
    Rule(("sagemaker.tuner.HyperparameterTuner",), _tuner, "SageMaker tuning jobs"),
    Rule(("sagemaker.*",), _estimator, "SageMaker estimators"),
    Rule(("sagemaker.Estimator.fit",), _fit, "SageMaker estimator.fit(channels)"),
    Rule(("sagemaker.Estimator.deploy", "sagemaker.Model.deploy"), _deploy, "SageMaker deploy"),
    Rule(
        (
            "sagemaker.model.Model",
            "sagemaker.Model",
            "sagemaker.*.*Model",
            "sagemaker.jumpstart.model.JumpStartModel",
        ),
        _model,
        "SageMaker models",
    ),
    Rule(
        ("sagemaker.inputs.TrainingInput", "sagemaker.TrainingInput", "sagemaker.*.s3_input"),
        _training_input,
        "SageMaker channels",
    ),
    Rule(("sagemaker.model_uris.retrieve",), _jumpstart_uri, "JumpStart model artefacts"),
    Rule(("sagemaker.utils.name_from_base",), _name_from_base, "job names"),
    Rule(("*.upload_data",), _upload_data, "session.upload_data"),
    Rule(("sagemaker.s3.S3Uploader.upload",), _s3_uploader, "S3Uploader"),
    Rule(("sagemaker.s3.S3Downloader.download",), _s3_downloader, "S3Downloader"),
    Rule(("boto3.client", "boto3.*.client"), _boto_client, "boto3 clients"),
    Rule(("boto3.resource", "boto3.*.resource", "*.boto_session.resource"), _boto_resource, ""),
    Rule(("boto3.s3resource.Bucket",), _bucket, "S3 buckets"),
    Rule(("boto3.s3bucket.upload_file",), _bucket_upload, "S3 bucket uploads"),
    Rule(("boto3.s3bucket.download_file",), _bucket_download, "S3 bucket downloads"),
    Rule(("boto3.s3.upload_file",), _boto_upload, "S3 uploads"),
    Rule(("boto3.s3.download_file",), _boto_download, "S3 downloads"),
    Rule(("boto3.s3.put_object",), _boto_put, "S3 puts"),
    Rule(
        (
            "boto3.sagemaker.create_training_job",
            "boto3.sagemaker.create_hyper_parameter_tuning_job",
        ),
        _create_training_job,
        "SageMaker training jobs (boto3)",
    ),
    Rule(
        ("boto3.sagemaker.describe_training_job", "boto3.sagemaker.describe_hyper_parameter_*"),
        _describe_job,
        "job descriptions",
    ),
    Rule(("boto3.sagemaker.create_model",), _create_model, "SageMaker models (boto3)"),
    Rule(("boto3.sagemaker_runtime.invoke_endpoint",), _invoke_endpoint, "endpoint requests"),
    Rule(("sagemaker.Predictor.predict",), _predict, "SageMaker predictions"),
    Rule(("boto3.sagemaker.create_endpoint_config",), _create_endpoint_config, ""),
    Rule(("boto3.sagemaker.create_endpoint",), _create_endpoint, "SageMaker endpoints (boto3)"),
)
