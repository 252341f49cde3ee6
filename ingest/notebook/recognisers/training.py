"""Models: pretrained loads, training and fine-tuning, saving, publishing and registration.

Covers Transformers (``from_pretrained``, ``Trainer``), PEFT, TRL, scikit-learn, XGBoost,
LightGBM, Keras, PyTorch (optimizer steps inside a loop over a data loader), Lightning,
joblib/pickle/torch saves, ``save_pretrained``/``push_to_hub`` and MLflow.

A model trained here is named after where its trainer writes it (``output_dir`` or
``hub_model_id``, e.g. ``model:notebook:<path>#bert-finetuned-squad``), else after the
variable that holds it (``model:notebook:<path>#<var>``); a name built from values the
analysis cannot know keeps its template in props (``unresolved``), never ``{...}`` in the id.
Training from a pretrained base is ``fine_tune`` and the base flows into the result too (a
poisoned base poisons the fine-tune).
"""

from __future__ import annotations

from ingest.notebook.recognisers.common import (
    PLACEHOLDER,
    dataset_at,
    hf_repo_like,
    id_safe,
    is_model,
    model_node,
    passthrough,
    read_location,
    returns_recv,
    write_location,
)
from ingest.notebook.recognisers.registry import Call, Rule
from ingest.notebook.values import Collector, Val, union
from ingest.vector_config.naming import dataset_for_location, endpoint_uid, model_uid
from lineage.model import EdgeKind

__all__ = [
    "RULES",
    "drop_in_memory_fits",
    "model_type_of",
    "save_model_file",
    "tracking_egress",
]

_OWN = ("trained", "fine_tuned", "saved", "published", "logged", "registered")
_NOT_MODELS = ("Tokenizer", "Processor", "Config", "FeatureExtractor", "Collator", "Arguments")


def model_type_of(cls: str) -> str:
    """A coarse model type from a class name (``AutoModelForCausalLM`` -> ``llm``)."""
    name = cls.rsplit(".", 1)[-1]
    if name.startswith("Peft"):
        return "adapter"
    if any(k in name for k in ("CausalLM", "Seq2SeqLM", "ConditionalGeneration", "LLM")):
        return "llm"
    if "Classification" in name or "Classifier" in name:
        return "classifier"
    if "Regress" in name:
        return "regressor"
    if "SentenceTransformer" in name or "Embedding" in name:
        return "embedding"
    return "transformer" if name.startswith(("Auto", "T5", "Bert", "GPT")) else name


def _pretrained_ref(call: Call, ref: str, cls: str) -> Val:
    """A model loaded by name: a Hub repo, or a local folder this notebook saved earlier."""
    where = dataset_for_location(ref, call.ctx.base_dir)
    saved = call.ctx.saved.get(where[1].rstrip("/")) if where else None
    saved = saved or call.ctx.saved.get(ref)
    if saved:
        return Val(tag=cls, asset=saved).with_attrs(role="model")
    if PLACEHOLDER.search(ref):  # a name built at run time: one node per template
        name, template = _output_name(ref)
        uid = call.ctx.local_model(name)
        call.ctx.out.node(uid, provider="local", origin="checkpoint", template=template,
                          unresolved=True, model_type=model_type_of(cls))  # fmt: skip
        return Val(tag=cls, asset=uid).with_attrs(role="model")
    if hf_repo_like(ref):
        return model_node(
            call,
            "huggingface",
            ref,
            role="model",
            tag=cls,
            provider="huggingface",
            model_type=model_type_of(cls),
            origin="pretrained",
        )
    namespace, name = where if where else ("file", ref)
    return model_node(
        call,
        namespace,
        name,
        role="model",
        tag=cls,
        provider="local",
        model_type=model_type_of(cls),
        origin="checkpoint",
    )


def _from_pretrained(call: Call) -> Val | None:
    cls = call.qual.removesuffix(".from_pretrained")
    if any(k in cls.rsplit(".", 1)[-1] for k in _NOT_MODELS):
        return Val(tag=cls)
    ref = call.text(0, "pretrained_model_name_or_path", "model_id", "model_name")
    if cls.startswith("peft."):
        # PeftModel.from_pretrained(base, adapter_path): the base plus a trained adapter.
        base, adapter = call.arg(0, "model"), call.text(1, "model_id")
        if adapter is None:
            return base if is_model(base) else None
        loaded = _pretrained_ref(call, adapter, cls)
        if loaded.asset and call.ctx.out.node_props(loaded.asset).get("origin") not in _OWN:
            call.ctx.out.update(loaded.asset, origin="fine_tuned", model_type="adapter")
        if is_model(base):
            call.ctx.flow_into([base.asset], loaded.asset, EdgeKind.FINE_TUNE)
        return loaded
    return _pretrained_ref(call, ref, cls) if ref else Val(tag=cls).with_attrs(role="model")


def _st_module(call: Call) -> Val | None:
    """``sentence_transformers.models.Transformer(path)``: the word-embedding module of a
    SentenceTransformer, loaded from a Hub id or from a model at hand: an embedding model."""
    source = call.arg(0, "model_name_or_path")
    if source.text:
        return _pretrained_ref(call, source.text, "sentence_transformers.SentenceTransformer")
    if not is_model(source):
        return None
    if not call.ctx.out.node_props(source.asset).get("model_type"):
        call.ctx.out.update(source.asset, model_type="embedding")
    return source


def _pipeline(call: Call) -> Val | None:
    model = call.arg(None, "model")
    if is_model(model):
        return Val(tag="transformers.Pipeline", asset=model.asset).with_attrs(role="model")
    if model.text:
        task = call.text(0, "task") or ""
        cls = "LLM" if "generation" in task else f"transformers.pipeline.{task or 'pipeline'}"
        return _pretrained_ref(call, model.text, cls)
    return Val(tag="transformers.Pipeline")


def _peft(call: Call) -> Val | None:
    base = call.arg(0, "model")
    if not (base.asset or base.attrs):
        return None
    return base.with_attrs(peft=True, role="model", var=None)  # named by its own variable


def _trainer(call: Call) -> Val | None:
    model = call.arg(0, "model", "model_init")
    if not (model.asset or model.attrs):
        model = call.arg(None, "model")
    if model.text:  # TRL trainers load ``model="org/name"`` themselves
        model = _pretrained_ref(call, model.text, "transformers.AutoModelForCausalLM")
    if call.arg(None, "peft_config").tag or call.arg(None, "peft_config").attrs:
        model = model.with_attrs(peft=True)  # trains a LoRA adapter on the model
    data = union([call.arg(3, "train_dataset"), call.arg(None, "dataset", "train_dataloader")])
    args = call.arg(1, "args")
    return Val(tag=call.qual).with_attrs(
        role="trainer",
        model=model,
        model_var=model.attrs.get("var") or call.name_of(0, "model") or call.ctx.target,
        train_data=data.carried(),
        output_dir=args.attrs.get("output_dir") or "",
        hub_model_id=args.attrs.get("hub_model_id") or "",
        push_to_hub=bool(args.attrs.get("push_to_hub")),
    )


# ``report_to`` integrations that send training metrics to a third-party service
_TRACKERS = {
    "wandb": "wandb",
    "trackio": "other",
    "comet_ml": "other",
    "neptune": "other",
    "clearml": "other",
    "dagshub": "other",
}


def tracking_egress(call: Call, service: str) -> str:
    """An Endpoint for a third-party experiment tracker the notebook reports to."""
    uid = endpoint_uid("egress", service)
    call.ctx.out.node(uid, egress=service, framework=service)
    return uid


def _training_args(call: Call) -> Val | None:
    report = call.arg(None, "report_to").const
    for name in [report] if isinstance(report, str) else report or ():
        if isinstance(name, str) and name in _TRACKERS:
            tracking_egress(call, _TRACKERS[name])
    return Val(tag=call.qual).with_attrs(
        output_dir=call.text(0, "output_dir") or "",
        hub_model_id=call.text(None, "hub_model_id"),
        push_to_hub=call.arg(None, "push_to_hub").const is True,
    )


def _output_name(path: str | None, *, hub: bool = False) -> tuple[str, str | None]:
    """The name a trainer's output gives its model, and the template if unresolved; a Hub
    repo id (``org/name``) names the local model by its ``name``."""
    if not path:
        return "", None
    # a relative folder is the model's name as the code writes it (``models/trained_on_x``);
    # an absolute or remote one names it by its last part
    name = path.rstrip("/")
    while name.startswith("./"):
        name = name[2:]
    if name.startswith("/") or "://" in name or hub:
        name = name.rsplit("/", 1)[-1]
    if PLACEHOLDER.search(path):
        return id_safe(name), path
    return name, None


def _train(
    model: Val,
    var: str,
    data: frozenset[str],
    call: Call,
    *,
    output: str | None = None,
    hub: bool = False,
    platform: str = "",
) -> Val:
    """Record one training run: data (and a pretrained base) flow into the trained model."""
    base = model.asset if is_model(model) else ""
    kind = EdgeKind.FINE_TUNE if base or model.attrs.get("peft") else EdgeKind.TRAIN
    named, template = _output_name(output, hub=hub)
    uid = call.ctx.local_model(named or var or call.ctx.target or f"line{call.line}")
    cls = model.tag or call.qual
    # a job script's training runs on the platform the notebook submits it to
    if not platform and getattr(call.ctx, "script", ""):
        platform = getattr(call.ctx, "script_platform", "")
    call.ctx.out.node(
        uid,
        output_dir=output if output and not template else None,
        template=template,
        unresolved=True if template else None,
        provider=platform or "internal",
        model_type=model.attrs.get("model_type") or model_type_of(cls),
        origin="fine_tuned" if kind is EdgeKind.FINE_TUNE else "trained",
        base_model=base or None,
        framework=cls.split(".", 1)[0],
    )
    call.ctx.flow_into(data, uid, kind)
    if base:
        call.ctx.flow_into([base], uid, EdgeKind.FINE_TUNE)
    trained = Val(tag=cls, asset=uid).with_attrs(role="model")
    if var:
        call.ctx.rebind(var, trained)
    return trained


# libraries whose fitted estimators live only in the process until saved (``joblib.dump``,
# ``save_model``, ``mlflow.*.log_model``): a fit never saved, served or used for output is
# an experiment that ends with the kernel, not a model asset
_IN_MEMORY_FITS = frozenset({"sklearn", "xgboost", "lightgbm", "catboost", "gensim"})


def drop_in_memory_fits(out: Collector) -> None:
    """Forget classical estimators trained here that nothing flows out of (called once the
    whole notebook is read: a save or a prediction written later keeps the model)."""
    for uid in out.uids():
        props = out.node_props(uid)
        if (
            uid.startswith("model:notebook:")
            and props.get("origin") == "trained"
            and props.get("framework") in _IN_MEMORY_FITS
            and not out.flows_from(uid)
        ):
            out.discard(uid)


def _trainer_train(call: Call) -> Val | None:
    trainer = call.recv
    if trainer.attrs.get("role") != "trainer":
        return None
    var = trainer.attrs.get("model_var") or call.recv_name
    repo = trainer.attrs.get("hub_model_id") or trainer.attrs.get("output_dir")
    # pushed, the folder doubles as the Hub repo (Trainer names the repo after it)
    hub = bool(trainer.attrs.get("hub_model_id") or trainer.attrs.get("push_to_hub"))
    trained = _train(
        trainer.attrs["model"], var, trainer.attrs["train_data"], call, output=repo, hub=hub
    )
    if trainer.attrs.get("output_dir") and not PLACEHOLDER.search(trainer.attrs["output_dir"]):
        where = dataset_for_location(trainer.attrs["output_dir"], call.ctx.base_dir)
        if where:  # from_pretrained(output_dir) later loads this model
            call.ctx.saved[where[1].rstrip("/")] = trained.asset
    if trainer.attrs.get("push_to_hub") and repo and not PLACEHOLDER.search(repo):
        uid = model_uid("huggingface", repo)
        call.ctx.out.node(uid, provider="huggingface", origin="published")
        call.ctx.flow_into([trained.asset], uid, EdgeKind.EXPORT)
    if call.recv_name:
        call.ctx.rebind(call.recv_name, trainer.with_attrs(model=trained))
    return trained


def _estimator(call: Call) -> Val | None:
    owner, _, name = call.qual.rpartition(".")
    if not name[:1].isupper() or owner.rpartition(".")[2][:1].isupper():
        return None  # a function, or a method of an estimator (``clf.SerializeToString()``)
    return Val(tag=call.qual).with_attrs(role="estimator", model_type=name)


def _fit(call: Call) -> Val | None:
    recv = call.recv
    if recv.attrs.get("role") == "trainer":  # Lightning / sentence-transformers style
        model = call.arg(0, "model")
        data = union([*call.args[1:], *call.kwargs.values()]).carried()
        return _train(model, call.name_of(0, "model"), data | recv.attrs["train_data"], call)
    if recv.attrs.get("role") not in ("estimator", "model") and not is_model(recv):
        return None
    data = union([*call.args, *call.kwargs.values()]).carried() | call.ctx.loop_data
    output = call.text(None, "output_path")  # sentence-transformers' ``fit(..., output_path=)``
    if output:
        return _train(recv, call.recv_name or call.ctx.target, data, call, output=output)
    if not data and not (call.recv_name or call.ctx.target):
        return None  # ``self.kmeans_.fit(X)`` inside an estimator's own method: no asset
    if recv.tag.startswith("pyspark.ml.") and call.ctx.target:
        # Spark ML's ``fit`` returns a new Model: it is named where it is kept
        return _train(recv, call.ctx.target, data, call)
    if recv.tag.endswith("SearchCV") and call.recv_name:
        # a search fits many candidates; its asset is ``best_estimator_`` once it is kept
        call.ctx.rebind(call.recv_name, recv.with_attrs(role="search", search_data=data))
        return Val()
    return _train(recv, call.recv_name or call.ctx.target, data, call)


def _spark_sagemaker_estimator(call: Call) -> Val:
    """``XGBoostSageMakerEstimator(...)`` (SageMaker Spark): a Spark ML estimator whose
    ``fit`` trains on SageMaker and hosts the model on a SageMaker endpoint."""
    return Val(tag=call.qual).with_attrs(role="estimator", model_type=call.method)


def _spark_sagemaker_fit(call: Call) -> Val | None:
    """``model = estimator.fit(df)``: a SageMakerModel, trained and hosted on SageMaker,
    named where it is kept (neither job nor endpoint is named in code)."""
    name = call.ctx.target or call.recv_name
    if not name:
        return None
    data = union([*call.args, *call.kwargs.values()]).carried()
    trained = _train(call.recv, name, data, call, platform="sagemaker")
    uid = endpoint_uid("sagemaker", f"{call.ctx.notebook}#{name}")
    call.ctx.out.node(uid, framework="sagemaker", platform="sagemaker", exposure="unknown")
    return trained


def _spark_sagemaker_transform(call: Call) -> Val | None:
    """``model.transform(df)`` on a SageMakerModel: each row is sent to its endpoint."""
    if not is_model(call.recv):
        return None
    sent = union([*call.args, *call.kwargs.values()]).carried()
    call.ctx.flow_into(sent, call.recv.asset, EdgeKind.INFER)
    return Val(data=sent | {call.recv.asset}, models=frozenset({call.recv.asset}))


# gensim's models: the corpus argument each class documents (given, the model is trained)
_GENSIM_CORPUS = ("documents", "sentences", "corpus_iterable", "corpus_file")
_GENSIM_CLASSES = ("Doc2Vec", "Word2Vec", "FastText")


def _gensim_model(call: Call) -> Val | None:
    """``Doc2Vec(vector_size=100, ...)``: an embedding model, trained at once when given
    its corpus, else by ``build_vocab`` and ``train`` later."""
    model = Val(tag=call.qual).with_attrs(role="estimator", model_type="embedding")
    corpus = call.arg(0, *_GENSIM_CORPUS)
    if not corpus.carried():
        return model
    return _train(model, call.ctx.target, corpus.carried(), call)


def _gensim_train(call: Call) -> Val | None:
    """``model.train(corpus, total_examples=..., epochs=...)``: the corpus trains it."""
    if call.recv.attrs.get("role") not in ("estimator", "model"):
        return None
    data = call.arg(0, *_GENSIM_CORPUS).carried() | call.ctx.loop_data
    return _train(call.recv, call.recv_name or call.ctx.target, data, call)


def _functional_train(call: Call) -> Val | None:
    """``xgboost.train(params, dtrain)``: the result is the trained model."""
    data = union([*call.args[1:], *call.kwargs.values()]).carried()
    model = Val(tag=call.qual).with_attrs(model_type=call.qual.split(".", 1)[0])
    return _train(model, call.ctx.target, data, call)


def _torchvision_dataset(call: Call) -> Val | None:
    """``torchvision.datasets.MNIST("data", download=True)``: the dataset is fetched into
    ``root`` (written there), else read from a copy already there."""
    root = call.text(0, "root")
    uid = dataset_at(call, root) if root else None
    if uid is None:
        return None
    if call.arg(None, "download").const is True:
        call.ctx.out.writes(uid)
    else:
        call.ctx.out.reads(uid)
    return Val(tag=call.qual, data=frozenset({uid}))


def _optimizer(call: Call) -> Val | None:
    if call.recv.attrs.get("role") == "optimizer":  # ``optimizer.step()``: a method, not a class
        return None
    params = call.arg(0, "params")
    return Val(tag=call.qual).with_attrs(
        role="optimizer", model=params, model_var=params.attrs.get("var", "")
    )


def _optimizer_step(call: Call) -> Val | None:
    model = call.recv.attrs.get("model")
    if call.recv.attrs.get("role") != "optimizer" or model is None:
        return None
    return _train(model, model.attrs.get("var", ""), call.ctx.loop_data, call)


def _merge(call: Call) -> Val | None:
    """``peft_model.merge_and_unload()``: the adapter folded into its base weights."""
    if not is_model(call.recv):
        return None
    return call.recv.with_attrs(merged=True, role="model")


def _saved_at(call: Call, model: Val, path: str) -> Val:
    if model.attrs.get("merged") and not PLACEHOLDER.search(path):
        return _save_merged(call, model, path)
    if PLACEHOLDER.search(path):  # a name built at run time: one node per template
        name, template = _output_name(path)
        uid = call.ctx.local_model(name)
        call.ctx.out.node(uid, provider="internal", origin="saved", template=template,
                          unresolved=True)  # fmt: skip
        call.ctx.flow_into(model.carried(), uid, EdgeKind.EXPORT)
        call.ctx.saved[path] = uid
        return Val(tag=model.tag, asset=uid).with_attrs(role="model")
    where = dataset_for_location(path, call.ctx.base_dir)
    namespace, name = where if where else ("file", path)
    uid = model_uid(namespace, name)
    call.ctx.out.node(uid, provider="internal", origin="saved")
    call.ctx.flow_into(model.carried(), uid, EdgeKind.EXPORT)
    call.ctx.saved[name.rstrip("/")] = uid
    return Val(tag=model.tag, asset=uid).with_attrs(role="model")


def _save_merged(call: Call, model: Val, path: str) -> Val:
    """A merged adapter saved: a new fine-tuned model, transformed from the adapter."""
    where = dataset_for_location(path, call.ctx.base_dir)
    namespace, name = where if where else ("file", path)
    uid = model_uid(namespace, name)
    call.ctx.out.node(uid, provider="internal", origin="fine_tuned", merged_from=model.asset)
    call.ctx.flow_into([model.asset], uid, EdgeKind.TRANSFORM)
    call.ctx.saved[name.rstrip("/")] = uid
    saved = Val(tag=model.tag, asset=uid).with_attrs(role="model")
    if call.recv_name and call.recv.attrs.get("merged"):
        call.ctx.rebind(call.recv_name, saved)  # later saves/pushes are copies of it
    return saved


def _kept_model(call: Call, value: Val) -> Val | None:
    """The model a value is; ``search.best_estimator_`` becomes the search's trained model
    when it is saved, published or logged."""
    model = _model_of(value)
    search = value.attrs.get("recv")
    kept = value.tag.endswith(".best_estimator_")
    if model is None and kept and isinstance(search, Val) and search.attrs.get("role") == "search":
        return _train(search, search.attrs.get("var") or "", search.attrs["search_data"], call)
    return model


def _model_of(value: Val) -> Val | None:
    if value.attrs.get("role") == "trainer":
        return value.attrs.get("model")
    if is_model(value) or value.attrs.get("role") in ("model", "estimator"):
        return value
    return None


def _save(path_pos: int, *kws: str):
    def handler(call: Call) -> Val | None:
        model = _model_of(call.recv)
        path = call.text(path_pos, *kws)
        if model is None or not path:
            return None
        return _saved_at(call, model, path)

    return handler


def _spark_ml_save(call: Call) -> Val | None:
    """``model.write().overwrite().save(path)``: the one model the writer was made from."""
    path = call.text(0, "path")
    models = [u for u in call.recv.models if u.startswith("model:")]
    if not path or len(models) != 1:
        return None
    return _saved_at(call, Val(asset=models[0]).with_attrs(role="model"), path)


def _push(call: Call) -> Val | None:
    model = _model_of(call.recv)
    if model is None:
        return None
    repo = call.text(0, "repo_id", "repo_path_or_name")
    if not repo and call.recv.attrs.get("role") == "trainer":
        repo = call.recv.attrs.get("hub_model_id") or call.recv.attrs.get("output_dir")
    if not repo:
        return None
    if PLACEHOLDER.search(repo):  # the trained model itself, under a name we cannot know
        return model
    uid = model_uid("huggingface", repo)
    call.ctx.out.node(uid, provider="huggingface", origin="published")
    call.ctx.flow_into(model.carried(), uid, EdgeKind.EXPORT)
    return Val(asset=uid).with_attrs(role="model")


def save_model_file(call: Call, model: Val, target: Val) -> Val | None:
    """A model written to a path or to a file opened for writing: the file is the saved
    model (not a dataset the notebook writes)."""
    path = target.text or target.attrs.get("path")
    if not path:
        return None
    opened = target.attrs.get("writes_to")
    if opened:  # ``open(path, "wb")`` recorded a dataset write before the model was seen
        call.ctx.out.discard(opened)
    return _saved_at(call, model, path)


def _dump_model(obj_pos: int, path_pos: int):
    def handler(call: Call) -> Val | None:
        obj = call.arg(obj_pos, "value", "obj", "model", "sk_model", "proto")
        model = _kept_model(call, obj)
        if model is None:
            return None
        return save_model_file(call, model, call.arg(path_pos, "filename", "f", "file"))

    return handler


def _onnx_convert(call: Call) -> Val | None:
    """``convert_sklearn(model, ...)`` / ``torch.onnx.dynamo_export``-style converters: the
    same trained model in the ONNX format (saving it saves the model)."""
    model = _kept_model(call, call.arg(0, "model"))
    return model.with_attrs(role="model", onnx=True) if model is not None else None


def _model_file_load(call: Call) -> Val | None:
    """``onnxruntime.InferenceSession("m.onnx")`` / ``onnx.load`` / ``joblib.load``: a model
    file this notebook saved is that model again (a file from elsewhere is left to the
    generic rule: what it holds is not known here)."""
    path = call.text(0, "path_or_bytes", "f", "filename", "fname")
    if not path:
        return None
    where = dataset_for_location(path, call.ctx.base_dir)
    name = where[1].rstrip("/") if where else path
    saved = call.ctx.saved.get(name) or call.ctx.saved.get(path)
    return Val(tag=call.qual, asset=saved).with_attrs(role="model") if saved else None


def _mlflow_log(call: Call) -> Val | None:
    model = _kept_model(
        call, call.arg(0, "sk_model", "pytorch_model", "transformers_model", "model")
    )
    name = call.text(None, "registered_model_name") or call.text(1, "artifact_path", "name")
    if model is None or not name:
        return None
    uid = model_uid("mlflow", name)
    registered = call.text(None, "registered_model_name") is not None
    call.ctx.out.node(uid, provider="mlflow", origin="registered" if registered else "logged")
    call.ctx.flow_into(model.carried(), uid, EdgeKind.EXPORT)
    return Val(asset=uid).with_attrs(role="model")


def _eland_import(call: Call) -> Val | None:
    """``MLModel.import_model(es_client, model_id, model, ...)`` / ``import_ltr_model``
    (eland): a trained XGBoost/LightGBM/scikit-learn model uploaded into Elasticsearch,
    which serves it under ``model_id`` (inference processors, learning-to-rank rescorers)."""
    model = _kept_model(call, call.arg(2, "model"))
    name = call.text(1, "model_id")
    if model is None or not name:
        return None
    uid = model_uid("elasticsearch", name)
    call.ctx.out.node(uid, provider="elasticsearch", origin="published")
    call.ctx.flow_into(model.carried(), uid, EdgeKind.EXPORT)
    return Val(tag=call.qual, asset=uid).with_attrs(role="model")


def _mlflow_register(call: Call) -> Val | None:
    name = call.text(1, "name")
    if not name:
        return None
    return model_node(call, "mlflow", name, role="model", provider="mlflow", origin="registered")


_ESTIMATORS = (
    "sklearn.ensemble.*",
    "sklearn.linear_model.*",
    "sklearn.svm.*",
    "sklearn.tree.*",
    "sklearn.neighbors.*",
    "sklearn.naive_bayes.*",
    "sklearn.neural_network.*",
    "sklearn.pipeline.Pipeline",
    "sklearn.pipeline.make_pipeline",
    "sklearn.cluster.*",
    "sklearn.model_selection.*SearchCV",
    "pyspark.ml.regression.*",
    "pyspark.ml.classification.*",
    "pyspark.ml.clustering.*",
    "pyspark.ml.recommendation.*",
    "pyspark.ml.Pipeline",
    "pyspark.ml.tuning.*Validator",
    "sklearn.compose.TransformedTargetRegressor",
    "xgboost.XGB*",
    "xgboost.sklearn.XGB*",
    "lightgbm.LGBM*",
    "catboost.CatBoost*",
    "keras.Sequential",
    "keras.models.Sequential",
    "keras.Model",
    "tensorflow.keras.Sequential",
    "tensorflow.keras.models.Sequential",
    "tensorflow.keras.Model",
)

RULES: tuple[Rule, ...] = (
    Rule(
        (
            "transformers.*.from_pretrained",
            "peft.*.from_pretrained",
            "sentence_transformers.*.from_pretrained",
            "auto_gptq.*.from_pretrained",
            "unsloth.*.from_pretrained",
            "optimum.*.from_pretrained",
        ),
        _from_pretrained,
        "pretrained models",
    ),
    Rule(("transformers.pipeline",), _pipeline, "transformers pipelines"),
    Rule(("sentence_transformers.models.Transformer",), _st_module, "sentence-transformers"),
    Rule(("peft.get_peft_model", "peft.prepare_model_for_kbit_training"), _peft, "PEFT"),
    Rule(
        (
            "transformers.TrainingArguments",
            "transformers.Seq2SeqTrainingArguments",
            "trl.*Config",
            "optimum.*TrainingArguments",
            "setfit.TrainingArguments",
            "sentence_transformers.*TrainingArguments",
        ),
        _training_args,
        "training arguments",
    ),
    Rule(
        (
            "transformers.Trainer",
            "transformers.Seq2SeqTrainer",
            "trl.*Trainer",
            "optimum.*Trainer",
            "setfit.*Trainer",
            "sentence_transformers.*Trainer",
            "lightning.Trainer",
            "pytorch_lightning.Trainer",
            "lightning.pytorch.Trainer",
        ),
        _trainer,
        "trainers",
    ),
    Rule(("*.train",), _trainer_train, "trainer.train()"),
    Rule(
        tuple(f"gensim.models.{m}{c}" for m in ("", "*.") for c in _GENSIM_CLASSES),
        _gensim_model,
        "gensim embedding models",
    ),
    Rule(("gensim.models.*.train",), _gensim_train, "gensim model.train()"),
    Rule(("sagemaker_pyspark.*SageMakerEstimator",), _spark_sagemaker_estimator, "SageMaker Spark"),
    Rule(("sagemaker_pyspark.*SageMakerEstimator.fit",), _spark_sagemaker_fit, "SageMaker Spark"),
    Rule(("sagemaker_pyspark.*.transform",), _spark_sagemaker_transform, "SageMaker Spark"),
    Rule(_ESTIMATORS, _estimator, "estimators (sklearn, XGBoost, LightGBM, Keras)"),
    Rule(("*.fit", "*.fit_transform", "*.partial_fit"), _fit, "estimator.fit()"),
    Rule(("xgboost.train", "lightgbm.train", "catboost.train"), _functional_train, "train()"),
    Rule(("torch.optim.*",), _optimizer, "torch optimizers"),
    Rule(("torchvision.datasets.*",), _torchvision_dataset, "torchvision datasets"),
    # feature and label arrays kept in files (a file object: the ``open`` rows record it)
    Rule(
        ("numpy.save", "numpy.savetxt", "numpy.savez", "numpy.savez_compressed"),
        write_location(0, "file", "fname", data_pos=1),
        "NumPy arrays saved",
    ),
    Rule(
        ("numpy.load", "numpy.loadtxt", "numpy.genfromtxt"),
        read_location(0, "file", "fname"),
        "NumPy arrays loaded",
    ),
    Rule(("*.step",), _optimizer_step, "optimizer.step() in a training loop"),
    Rule(
        (
            "*.parameters",
            "*.to",
            "*.cuda",
            "*.eval",
            "*.half",
            "*.float",
            "*.bfloat16",
            "*.state_dict",
            "*.SerializeToString",
        ),
        returns_recv,
        "methods returning the model",
    ),
    Rule(("*.merge_and_unload",), _merge, "PEFT adapters merged into the base"),
    Rule(("accelerate.Accelerator.prepare",), passthrough(0), "accelerate"),
    Rule(("*.save_pretrained", "*.save_model"), _save(0, "save_directory", "output_dir"), "saves"),
    Rule(("*.push_to_hub",), _push, "model pushes to the Hub"),
    Rule(("*.write().save", "*.write().*.save"), _spark_ml_save, "Spark ML model saves"),
    Rule(("joblib.dump", "pickle.dump", "torch.save", "skops.io.dump"), _dump_model(0, 1), "dumps"),
    Rule(
        (
            "skl2onnx.convert_sklearn",
            "skl2onnx.to_onnx",
            "onnxmltools.convert_*",
            "onnxmltools.convert.convert_*",
            "tf2onnx.convert.from_*",
        ),
        _onnx_convert,
        "ONNX converters",
    ),
    Rule(("torch.onnx.export",), _dump_model(0, 2), "torch.onnx.export(model, args, f)"),
    Rule(
        (
            "onnx.save",
            "onnx.save_model",
            "onnxmltools.utils.save_model",
            "skl2onnx.helpers.onnx_helper.save_onnx_model",
        ),
        _dump_model(0, 1),
        "ONNX saves",
    ),
    Rule(
        ("onnxruntime.InferenceSession", "onnx.load", "onnx.load_model", "joblib.load"),
        _model_file_load,
        "model files loaded",
    ),
    Rule(("*.save",), _save(0, "filepath", "path"), "model.save(path) (Keras, XGBoost)"),
    Rule(("mlflow.*.log_model",), _mlflow_log, "MLflow model logging"),
    Rule(("mlflow.register_model",), _mlflow_register, "MLflow registry"),
    Rule(
        ("eland.ml.MLModel.import_model", "eland.ml.MLModel.import_ltr_model"),
        _eland_import,
        "models imported into Elasticsearch",
    ),
)
