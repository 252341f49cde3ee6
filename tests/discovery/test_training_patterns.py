"""Issue 15, training side: each pattern on a real notebook from tests/corpus/real (sources
and licences in the cases' expected.yaml files)."""

from __future__ import annotations

from real_facts import flows, notebook

from lineage.model import Node


def _facts(name: str) -> tuple[dict[str, Node], set[tuple[str, str, str]]]:
    nodes, edges = notebook(name)
    return nodes, flows(edges)


def test_trl_trainer_given_a_hub_id_fine_tunes_it_and_the_merged_adapter_is_a_new_model() -> None:
    """huggingface/trl GRPO notebook: ``GRPOTrainer(model="Qwen/...", peft_config=...)``,
    the adapter reloaded from the Hub, ``merge_and_unload()`` saved and pushed; a tokenizer
    pushed beside it is not a dataset; ``report_to="trackio"`` is an egress."""
    nb = "huggingface-trl__grpo_trl_lora_qlora.ipynb"
    nodes, flows = _facts(nb)
    trained = f"model:notebook:{nb}#t4-Qwen2-7B-Instruct-GRPO"
    base = "model:huggingface:Qwen/Qwen2-7B-Instruct"
    assert nodes[trained].props["origin"] == "fine_tuned"
    assert (base, trained, "fine_tune") in flows
    assert ("dataset:huggingface:AI-MO/NuminaMath-TIR", trained, "fine_tune") in flows
    adapter = "model:huggingface:sergiopaniego/t4-Qwen2-7B-Instruct-GRPO"
    assert nodes[adapter].props["origin"] == "fine_tuned"
    merged = "model:file:./t4-Qwen2-7B-Instruct-GRPO-merged"
    assert nodes[merged].props["origin"] == "fine_tuned"
    assert (adapter, merged, "transform") in flows
    pushed = "model:huggingface:sergiopaniego/t4-Qwen2-7B-Instruct-GRPO-merged"
    assert (merged, pushed, "export") in flows
    assert not [u for u in nodes if u.startswith("dataset:") and "merged" in u]
    assert nodes["endpoint:egress:other"].props["egress"] == "other"


def test_a_manual_loop_with_optimizer_step_fine_tunes_the_peft_model() -> None:
    """huggingface/peft LoRA.ipynb: ``AdamW(params=model.parameters())`` then
    ``optimizer.step()`` inside ``for batch in tqdm(train_dataloader)``."""
    nb = "huggingface-peft__sequence_classification_lora.ipynb"
    nodes, flows = _facts(nb)
    trained = f"model:notebook:{nb}#model"
    assert nodes[trained].props["origin"] == "fine_tuned"
    assert ("model:huggingface:roberta-large", trained, "fine_tune") in flows
    assert ("dataset:huggingface:glue", trained, "fine_tune") in flows
    assert (trained, "model:huggingface:smangrul/roberta-large-peft-lora", "export") in flows


def test_sagemaker_estimator_fit_channels_base_model_and_deploy() -> None:
    """huggingface/notebooks SageMaker 01: ``HuggingFace(hyperparameters={"model_name":
    ...})``, ``fit({"train": s3, "test": s3})`` on f-string S3 paths, ``deploy()``."""
    nb = "huggingface-notebooks__sagemaker_01_getting_started_pytorch.ipynb"
    nodes, flows = _facts(nb)
    trained = f"model:notebook:{nb}#huggingface_estimator"
    assert nodes[trained].props["provider"] == "sagemaker"
    assert nodes[trained].props["origin"] == "fine_tuned"
    train = "dataset:s3://{sess.default_bucket()}:samples/datasets/imdb/train"
    test = "dataset:s3://{sess.default_bucket()}:samples/datasets/imdb/test"
    assert (train, trained, "fine_tune") in flows
    assert (test, trained, "fine_tune") not in flows  # a test channel does not train
    assert ("model:huggingface:distilbert-base-uncased", trained, "fine_tune") in flows
    endpoint = f"endpoint:sagemaker:{nb}#predictor"
    assert nodes[endpoint].props["platform"] == "sagemaker"
    assert (trained, endpoint, "serve") in flows


def test_sagemaker_jumpstart_models_and_s3_uploads() -> None:
    """aws/amazon-sagemaker-examples JumpStart Llama 3: ``JumpStartModel(model_id).deploy()``
    serves the base; ``S3Uploader.upload`` writes the prefix ``JumpStartEstimator.fit``
    reads."""
    nb = "aws-amazon-sagemaker-examples__sm-jumpstart_foundation_llama_3_finetuning.ipynb"
    nodes, flows = _facts(nb)
    base = "model:sagemaker:meta-textgeneration-llama-3-8b"
    assert nodes[base].props["source"] == "jumpstart"
    assert (base, f"endpoint:sagemaker:{nb}#pretrained_predictor", "serve") in flows
    trained = f"model:notebook:{nb}#estimator"
    assert (base, trained, "fine_tune") in flows
    assert (trained, f"endpoint:sagemaker:{nb}#finetuned_predictor", "serve") in flows
    uploaded = {d for s, d, k in flows if s == "dataset:file:./train.jsonl"}
    assert len(uploaded) == 1
    assert (uploaded.pop(), trained, "fine_tune") in flows


def test_sagemaker_boto3_jobs_from_a_params_dict_and_endpoints_never_hold_placeholders() -> None:
    """aws/amazon-sagemaker-examples XGBoost regression: ``create_training_job(**params)``
    with ``InputDataConfig`` channels; ``create_model`` / ``create_endpoint_config`` /
    ``create_endpoint`` with names built at run time (templates kept in props)."""
    nb = "aws-amazon-sagemaker-examples__sm-regression_xgboost.ipynb"
    nodes, flows = _facts(nb)
    jobs = [n for n in nodes.values() if "DEMO-xgboost-regression" in n.uid]
    assert len(jobs) == 1 and jobs[0].props["unresolved"] is True
    assert jobs[0].props["template"].startswith("DEMO-xgboost-regression-{strftime(")
    assert any(s.endswith("/train") and d == jobs[0].uid and k == "train" for s, d, k in flows)
    endpoints = [n for n in nodes.values() if n.uid.startswith("endpoint:sagemaker:")]
    assert len(endpoints) == 1 and "{" not in endpoints[0].uid
    served = {s for s, d, k in flows if d == endpoints[0].uid and k == "serve"}
    assert [nodes[s].props["template"] for s in served] == [
        "{training_of_model_to_be_hosted}-model"
    ]
    # the model wraps the artefacts of the tuning job's best training job, started here
    created = served.pop()
    jobs = {s for s, d, k in flows if d == created and k == "export"}
    assert [nodes[j].props["template"][:18] for j in jobs] == ["DEMO-xgboost-reg-{"]


def test_vertex_custom_job_reads_its_data_args_and_deploys_to_an_endpoint() -> None:
    """GoogleCloudPlatform/vertex-ai-samples: ``CustomTrainingJob.run(model_display_name=
    ..., args=[f"--dataset_url={URL}"])``, ``Endpoint.create`` and ``Model(model_name=
    model.resource_name).deploy(endpoint=endpoint)``."""
    nb = "googlecloudplatform-vertex-ai-samples__sklearn_text_classification_create_job.ipynb"
    nodes, flows = _facts(nb)
    model = "model:vertex:news-classifier-model"
    assert nodes[model].props["origin"] == "trained"
    data = "dataset:https://archive.ics.uci.edu:/ml/machine-learning-databases/00359/"
    assert (data + "NewsAggregatorDataset.zip", model, "train") in flows
    assert (model, f"endpoint:vertex:{nb}#news-classifier-endpoint", "serve") in flows


def test_vertex_job_named_by_concatenation_and_its_args_known_on_one_branch() -> None:
    """vertex-ai-samples XGBoost: ``model_display_name="iris_" + UUID`` is a template;
    ``CMDARGS`` is a literal list on one branch of ``if DIRECT:`` (its data URIs are read)."""
    nb = "googlecloudplatform-vertex-ai-samples__get_started_vertex_training_xgboost.ipynb"
    nodes, flows = _facts(nb)
    model = f"model:notebook:{nb}#iris_<UUID>"
    assert nodes[model].props["template"] == "iris_{UUID}"
    assert nodes[model].props["provider"] == "vertex"
    for name in ("iris_data.csv", "iris_target.csv"):
        src = f"dataset:gs://cloud-samples-data:ai-platform/iris/{name}"
        assert (src, model, "train") in flows


def test_azureml_command_job_registers_the_model_it_trains_and_an_online_endpoint_serves_it() -> (
    None
):
    """Azure/azureml-examples quickstart: ``command(inputs=dict(data=Input(path=...),
    registered_model_name=...))`` submitted with ``ml_client.create_or_update``;
    ``ManagedOnlineDeployment(endpoint_name=..., model=ml_client.models.get(...))``."""
    nb = "azure-azureml-examples__get_started_quickstart.ipynb"
    nodes, flows = _facts(nb)
    model = "model:azureml:credit_defaults_model"
    assert nodes[model].props["origin"] == "trained"
    data = "dataset:https://azuremlexamples.blob.core.windows.net:/datasets/credit_card/"
    assert (data + "default_of_credit_card_clients.csv", model, "train") in flows
    served = [d for s, d, k in flows if s == model and k == "serve"]
    assert len(served) == 1 and nodes[served[0]].props["platform"] == "azureml"
    assert "{" not in served[0]


def test_a_search_best_estimator_dumped_with_joblib_is_the_trained_model() -> None:
    """ageron/handson-ml3 ch. 2: ``final_model = rnd_search.best_estimator_``;
    ``joblib.dump(final_model, "my_california_housing_model.pkl")``; searches never kept
    are not assets, nor is a fit inside a custom estimator's own ``fit`` method."""
    nb = "ageron-handson-ml3__02_end_to_end_machine_learning_project.ipynb"
    nodes, flows = _facts(nb)
    trained = f"model:notebook:{nb}#rnd_search"
    assert nodes[trained].props["origin"] == "trained"
    assert ("dataset:file:datasets/housing/housing.csv", trained, "train") in flows
    saved = [d for s, d, k in flows if s == trained and k == "export"]
    assert saved == ["model:file:./my_california_housing_model.pkl"]
    assert f"model:notebook:{nb}#grid_search" not in nodes
    assert not [u for u in nodes if "#line" in u]


def test_a_bracketed_placeholder_host_does_not_stop_the_notebook() -> None:
    """vertex-ai-samples LightGBM: ``gs://[your-project-id]...``-style URIs make urllib
    raise; the notebook's other facts still land (the Model.upload, the batch output)."""
    nb = "googlecloudplatform-vertex-ai-samples__get_started_vertex_training_lightgbm.ipynb"
    nodes, _ = _facts(nb)
    assert "model:vertex:iris-classification-model-unique" in nodes


def test_jumpstart_tabular_algorithms_train_from_scratch() -> None:
    """sm-lightgbm_catboost: ``Estimator(model_uri=model_uris.retrieve(model_id=
    "lightgbm-classification-model"))`` trains (no pretrained weights), under the
    ``name_from_base`` job name; the tuner wraps the same estimator."""
    nb = "aws-amazon-sagemaker-examples__sm-lightgbm_catboost_tabular_classification.ipynb"
    nodes, flows = _facts(nb)
    base = "model:sagemaker:lightgbm-classification-model"
    job = "model:sagemaker:jumpstart-lightgbm-classification-model-training"
    assert nodes[job].props["origin"] == "trained"
    assert (base, job, "train") in flows
    assert not [f for f in flows if f[0] == base and f[2] == "fine_tune"]


def test_azureml_model_registered_from_a_job_output_is_trained_and_a_bare_job_is_not_a_model() -> (
    None
):
    """azureml-examples sklearn sweep: ``Model(path="azureml://jobs/{}/outputs/...".format(
    run), name="run-model-example")``; ``command(inputs=dict(kernel=..., penalty=...))`` names
    no data and no model."""
    nb = "azure-azureml-examples__train_hyperparameter_tune_with_sklearn.ipynb"
    nodes, _ = _facts(nb)
    assert nodes["model:azureml:run-model-example"].props["origin"] == "trained"
    assert f"model:notebook:{nb}#job" not in nodes


def test_spark_reader_options_mllib_fits_and_model_writer_saves() -> None:
    """vertex-ai-samples workbench Spark ML: ``spark.read.format("bigquery").option("table",
    t).load()``; ``taxi_gbt_model = gbt.fit(df)`` (Spark ML returns a new model, named where
    it is kept); ``model.write().overwrite().save(path)``; ``gpd.read_file(url)``."""
    nb = "googlecloudplatform-vertex-ai-samples__workbench_spark_ml.ipynb"
    _, flows = _facts(nb)
    taxi = "dataset:bigquery:bigquery-public-data.new_york_taxi_trips.tlc_green_trips_2017"
    bikes = "dataset:bigquery:bigquery-public-data.new_york_citibike.citibike_trips"
    taxi_model = f"model:notebook:{nb}#taxi_gbt_model"
    bike_model = f"model:notebook:{nb}#bike_gbt_model"
    assert (taxi, taxi_model, "train") in flows
    assert (bikes, bike_model, "train") in flows
    assert (taxi, bike_model, "train") not in flows
    assert any(s == bike_model and k == "export" and "gs://" in d for s, d, k in flows)
    assert any(s.startswith("dataset:https://data.cityofnewyork.us") for s, _, _ in flows)


def test_pandas_on_spark_reads_and_azure_storage_uris_keep_their_container() -> None:
    """azureml-examples data wrangling: ``import pyspark.pandas as pd``; ``pd.read_csv(
    "abfss://<FILE_SYSTEM_NAME>@<ACCOUNT>.dfs.core.windows.net/...")``: the part before
    ``@`` names the file system (not a user), so two file systems are two datasets."""
    nb = "azure-azureml-examples__interactive_data_wrangling.ipynb"
    nodes, flows = _facts(nb)
    abfss = [u for u in nodes if u.startswith("dataset:abfss://")]
    assert abfss and all("<file_system_name>@" in u.lower() for u in abfss)
    src = next(u for u in abfss if u.endswith("titanic.csv"))
    assert any(s == src and d.endswith(":data/wrangled") for s, d, _ in flows)


def test_sagemaker_upload_of_a_folder_is_the_prefix_a_channel_reads() -> None:
    """sagemaker-examples multi-cloud ONNX: ``session.upload_data(path="data", bucket=bucket,
    key_prefix=prefix)`` uploads a folder and returns ``s3://{bucket}/{prefix}``, which
    ``fit(inputs={"training": f"{inputs}"})`` reads."""
    nb = (
        "aws-amazon-sagemaker-examples__multi_cloud_deployment_with_onnx_"
        "mnist-train-using-pytorch.ipynb"
    )
    nodes, flows = _facts(nb)
    prefix = "dataset:s3://{bucket}:sagemaker/mnist-pytorch"
    assert prefix in nodes
    assert (prefix, f"model:notebook:{nb}#estimator", "train") in flows
