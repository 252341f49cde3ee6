"""Issue 15, managed training (Vertex AI, Azure ML, SageMaker): each pattern on code quoted
from a real notebook of tests/corpus/real (sources and licences in the cases' expected.yaml)."""

from __future__ import annotations

import json

from real_facts import flows, notebook, split

from ingest.notebook import notebook_facts
from ingest.notebook.cells import split_cell
from lineage.model import Edge, Node, Rel

GEMMA = "googlecloudplatform-vertex-ai-samples__model_garden_pytorch_gemma_peft_finetuning_hf.ipynb"


def _split(*sources: str) -> tuple[dict[str, Node], list[Edge]]:
    """Facts for a notebook made of these code cells (named ``t.ipynb``)."""
    cells = [
        {"cell_type": "code", "source": s, "metadata": {}, "outputs": [], "execution_count": None}
        for s in sources
    ]
    text = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    return split(notebook_facts("t.ipynb", text=text))


def _cells(*sources: str) -> tuple[dict[str, Node], set[tuple[str, str, str]]]:
    nodes, edges = _split(*sources)
    return nodes, flows(edges)


def test_a_percent_continuation_line_is_the_modulo_operator_not_a_magic() -> None:
    """gemma peft notebook (GEMMA), cell 5: the ``%`` line continues the raise's message;
    taken for a line magic it broke the cell, and with it the notebook's imports."""
    source = (
        "shell_output = ! gsutil ls -Lb {BUCKET_NAME}\n"
        "if bucket_region != REGION:\n"
        "    raise ValueError(\n"
        '        "Bucket region %s is different from notebook region %s"\n'
        "        % (bucket_region, REGION)\n"
        "    )\n"
    )
    code = split_cell(source)
    assert "% (bucket_region, REGION)" in code.python
    compile(code.python, "cell", "exec")


def test_a_container_job_told_its_base_model_and_hub_dataset_fine_tunes() -> None:
    """gemma peft notebook (GEMMA): Model Garden's ``get_job_name_with_datetime(prefix)``
    names the job by its prefix; ``--pretrained_model_id=``/``--dataset_name=`` among the
    ``args`` (a list joined with ``+``) are the base model and the Hub data it tunes on."""
    nodes, fl = _cells(
        "from google.cloud import aiplatform\n"
        "import os\n"
        'train_dataset_name = "timdettmers/openassistant-guanaco"  # @param {type:"string"}\n'
        'base_model_id = "gemma-1.1-2b-it"  # @param["gemma-2b"] {isTemplate:true}\n'
        'pretrained_model_id = os.path.join("google/", base_model_id)\n',
        'job_name = common_util.get_job_name_with_datetime("gemma-lora-train")\n'
        "eval_args = [\n"
        '    f"--eval_dataset_path={eval_dataset_name}",\n'
        '    "--eval_metric_name=loss",\n'
        "]\n"
        "train_job_args = [\n"
        '    "--task=instruct-lora",\n'
        '    f"--pretrained_model_id={pretrained_model_id}",\n'
        '    f"--dataset_name={train_dataset_name}",\n'
        '    f"--output_dir={lora_output_dir}",\n'
        "] + eval_args\n"
        "train_job = aiplatform.CustomContainerTrainingJob(\n"
        "    display_name=job_name,\n"
        "    container_uri=TRAIN_DOCKER_URI,\n"
        "    labels=labels,\n"
        ")\n"
        "train_job.run(\n"
        "    args=train_job_args,\n"
        "    replica_count=replica_count,\n"
        "    base_output_dir=base_output_dir,\n"
        "    sync=False,  # Non-blocking call to run.\n"
        ")\n",
    )
    tuned = "model:vertex:gemma-lora-train"
    assert nodes[tuned].props["origin"] == "fine_tuned"
    assert ("model:huggingface:google/gemma-1.1-2b-it", tuned, "fine_tune") in fl
    assert ("dataset:huggingface:timdettmers/openassistant-guanaco", tuned, "fine_tune") in fl


def test_a_vllm_upload_of_the_jobs_merged_output_is_a_new_vertex_llm() -> None:
    """gemma peft notebook (GEMMA): the job writes ``--merge_base_and_lora_output_dir=
    {merged_model_output_dir}``; ``deploy_model_vllm(model_id=merged_model_output_dir)``
    uploads a vLLM container with ``--model={model_id}`` (``MODEL_ID`` in its environment is
    only the base's name) and deploys it: the served model is the uploaded one, made from
    the job's model."""
    nodes, edges = notebook(GEMMA)
    fl = flows(edges)
    tuned, served = "model:vertex:gemma-lora-train", "model:vertex:gemma-vllm-serve"
    assert nodes[served].props["model_type"] == "llm"
    assert (tuned, served, "transform") in fl
    endpoint = f"endpoint:vertex:{GEMMA}#gemma-vllm-serve-endpoint"
    assert (served, endpoint, "serve") in fl
    assert "model:vllm:google/gemma-1.1-2b-it" not in nodes


def test_a_pipeline_step_given_a_data_asset_and_a_registered_model_name_trains_it() -> None:
    """azureml-examples get_started_pipeline: a registered Data asset goes through a
    ``@dsl.pipeline`` into a ``load_component`` step called with ``registered_model_name``:
    the step's script registers the model it trains from that data."""
    nodes, fl = _cells(
        "from azure.ai.ml import MLClient\n"
        "ml_client = MLClient(\n"
        "    credential=credential,\n"
        "    subscription_id=SUBSCRIPTION,\n"
        ")\n"
        'credit_data = ml_client.data.get(name="credit-card", version="initial")\n',
        "from azure.ai.ml import load_component\n"
        'train_component = load_component(source=os.path.join(train_src_dir, "train.yml"))\n'
        "train_component = ml_client.create_or_update(train_component)\n",
        "from azure.ai.ml import dsl, Input, Output\n"
        "@dsl.pipeline(\n"
        '    compute="serverless",\n'
        ")\n"
        "def credit_defaults_pipeline(\n"
        "    pipeline_job_data_input,\n"
        "    pipeline_job_registered_model_name,\n"
        "):\n"
        "    data_prep_job = data_prep_component(\n"
        "        data=pipeline_job_data_input,\n"
        "    )\n"
        "    train_job = train_component(\n"
        "        train_data=data_prep_job.outputs.train_data,\n"
        "        registered_model_name=pipeline_job_registered_model_name,\n"
        "    )\n",
        'registered_model_name = "credit_defaults_model"\n'
        "pipeline = credit_defaults_pipeline(\n"
        '    pipeline_job_data_input=Input(type="uri_file", path=credit_data.path),\n'
        "    pipeline_job_registered_model_name=registered_model_name,\n"
        ")\n"
        "pipeline_job = ml_client.jobs.create_or_update(\n"
        "    pipeline,\n"
        ")\n",
    )
    model = "model:azureml:credit_defaults_model"
    assert nodes[model].props["origin"] == "trained"
    assert ("dataset:azureml:credit-card", model, "train") in fl


def test_a_sweep_jobs_display_name_set_before_submitting_names_its_model() -> None:
    """azureml-examples lightgbm_iris_sweep: ``command(...)`` with a data ``Input``, swept,
    then ``cmd_component_sweep_job.display_name = "..."`` before ``jobs.create_or_update``:
    the model is known by that name, not by the command's variable."""
    nodes, fl = _cells(
        "from azure.ai.ml import MLClient, command, Input\n"
        "from azure.ai.ml.sweep import Choice, Uniform\n"
        "ml_client = MLClient(\n"
        "    DefaultAzureCredential(), subscription_id, resource_group, workspace\n"
        ")\n",
        "command_component = command(\n"
        '    code="./src",\n'
        "    inputs={\n"
        '        "iris_csv": Input(type="uri_file"),\n'
        '        "learning_rate": 0.9,\n'
        "    },\n"
        '    display_name="lightgbm-iris-example",\n'
        ")\n"
        "command_component_job_for_sweep = command_component(\n"
        "    learning_rate=Uniform(min_value=0.01, max_value=0.9),\n"
        "    iris_csv=Input(\n"
        '        type="uri_file",\n'
        '        path="wasbs://datasets@azuremlexamples.blob.core.windows.net/iris.csv",\n'
        "    ),\n"
        ")\n"
        "cmd_component_sweep_job = command_component_job_for_sweep.sweep(\n"
        '    compute="cpu-cluster",\n'
        '    sampling_algorithm="random",\n'
        ")\n"
        'cmd_component_sweep_job.display_name = "lightgbm-iris-sweep-example"\n'
        "returned_sweep_job_cmd = ml_client.jobs.create_or_update(cmd_component_sweep_job)\n",
    )
    model = "model:azureml:lightgbm-iris-sweep-example"
    assert nodes[model].props["origin"] == "trained"
    iris = "dataset:wasbs://datasets@azuremlexamples.blob.core.windows.net:iris.csv"
    assert (iris, model, "train") in fl


def test_a_tuner_named_for_an_unnamed_estimator_names_its_model_and_requests_reach_it() -> None:
    """sagemaker-examples sm-lightgbm_catboost_tabular_classification: a JumpStart model's
    artefacts start an ``Estimator`` with no name of its own; ``HyperparameterTuner(...,
    base_tuning_job_name=training_job_name)`` names the jobs; the JumpStart model is the base;
    ``invoke_endpoint(EndpointName=endpoint_name, Body=...)`` sends the test rows to it."""
    nodes, fl = _cells(
        "import boto3\n"
        "import pandas as pd\n"
        "from sagemaker import image_uris, model_uris, script_uris, hyperparameters\n"
        "from sagemaker.tuner import HyperparameterTuner\n"
        'train_model_id, train_model_version, train_scope = "lightgbm-classification-model",'
        ' "*", "training"\n'
        "train_model_uri = model_uris.retrieve(\n"
        "    model_id=train_model_id, model_version=train_model_version, model_scope=train_scope\n"
        ")\n",
        "from sagemaker.estimator import Estimator\n"
        "from sagemaker.utils import name_from_base\n"
        'training_job_name = name_from_base(f"jumpstart-{train_model_id}-training")\n'
        "tabular_estimator = Estimator(\n"
        "    role=aws_role,\n"
        "    model_uri=train_model_uri,\n"
        '    entry_point="transfer_learning.py",\n'
        ")\n"
        "tuner = HyperparameterTuner(\n"
        "    tabular_estimator,\n"
        '    "multi_logloss",\n'
        "    hyperparameter_ranges,\n"
        "    base_tuning_job_name=training_job_name,\n"
        ")\n"
        'tuner.fit({"training": training_dataset_s3_path}, logs=True)\n'
        'endpoint_name = name_from_base(f"jumpstart-example-{train_model_id}-")\n'
        "predictor = tuner.deploy(\n"
        "    initial_instance_count=1,\n"
        "    endpoint_name=endpoint_name,\n"
        ")\n",
        'test_data = pd.read_csv("data.csv", header=None)\n'
        "def query_endpoint(encoded_tabular_data):\n"
        '    client = boto3.client("runtime.sagemaker")\n'
        "    response = client.invoke_endpoint(\n"
        "        EndpointName=endpoint_name, ContentType=content_type,"
        " Body=encoded_tabular_data\n"
        "    )\n"
        "    return response\n"
        "query_response_batch = query_endpoint(\n"
        '    test_data.to_csv(header=False, index=False).encode("utf-8")\n'
        ")\n",
    )
    base = "model:sagemaker:lightgbm-classification-model"
    trained = "model:sagemaker:jumpstart-lightgbm-classification-model-training"
    assert nodes[base].props["role"] == "base"
    assert (base, trained, "train") in fl
    endpoint = "endpoint:sagemaker:t.ipynb#jumpstart-example-lightgbm-classification-model-"
    assert (trained, endpoint, "serve") in fl
    assert ("dataset:file:./data.csv", endpoint, "infer") in fl


def test_a_batch_deployment_serves_its_model_from_the_batch_endpoint_made_here() -> None:
    """azureml-examples custom-output-batch: ``BatchEndpoint(name=endpoint_name)`` then
    ``ModelBatchDeployment(endpoint_name=endpoint.name, model=model)`` submitted with
    ``batch_deployments.begin_create_or_update``: the registered model is served there."""
    nodes, fl = _cells(
        "from azure.ai.ml import MLClient, Input\n"
        "from azure.ai.ml.entities import BatchEndpoint, ModelBatchDeployment, Model\n"
        "ml_client = MLClient.from_config(DefaultAzureCredential())\n"
        'model_name = "heart-classifier-sklpipe"\n'
        'model = ml_client.models.get(name=model_name, label="latest")\n'
        'endpoint_name = "heart-classifier-custom"\n'
        "endpoint = BatchEndpoint(\n"
        "    name=endpoint_name,\n"
        '    description="A heart condition classifier for batch inference",\n'
        ")\n"
        "ml_client.batch_endpoints.begin_create_or_update(endpoint).result()\n",
        "deployment = ModelBatchDeployment(\n"
        '    name="classifier-xgboost-custom",\n'
        "    endpoint_name=endpoint.name,\n"
        "    model=model,\n"
        "    environment=environment,\n"
        ")\n"
        "ml_client.batch_deployments.begin_create_or_update(deployment).result()\n",
    )
    endpoint = "endpoint:azureml:t.ipynb#heart-classifier-custom"
    assert nodes[endpoint].props["platform"] == "azureml"
    assert ("model:azureml:heart-classifier-sklpipe", endpoint, "serve") in fl
    assert not [u for u in nodes if u.startswith("endpoint:") and "endpoint.name" in u]


def test_a_model_built_from_the_estimators_latest_job_artefacts_is_the_trained_one() -> None:
    """sagemaker-examples sklearn_on_sagemaker_end2end: ``describe_training_job(TrainingJobName=
    sklearn_estimator.latest_training_job.name)["ModelArtifacts"]["S3ModelArtifacts"]`` is
    the ``model_data`` of an ``SKLearnModel`` that is deployed: the endpoint serves the model
    that estimator trained."""
    _, fl = _cells(
        "import boto3\n"
        "from sagemaker.sklearn.estimator import SKLearn\n"
        'sm_boto3 = boto3.client("sagemaker")\n'
        "sklearn_estimator = SKLearn(\n"
        '    entry_point="script.py",\n'
        '    base_job_name="rf-scikit",\n'
        ")\n"
        'sklearn_estimator.fit({"train": trainpath, "test": testpath}, wait=True)\n',
        'sklearn_estimator.latest_training_job.wait(logs="None")\n'
        "artifact = sm_boto3.describe_training_job(\n"
        "    TrainingJobName=sklearn_estimator.latest_training_job.name\n"
        ')["ModelArtifacts"]["S3ModelArtifacts"]\n'
        "from sagemaker.sklearn.model import SKLearnModel\n"
        "model = SKLearnModel(\n"
        "    model_data=artifact,\n"
        "    role=get_execution_role(),\n"
        '    entry_point="script.py",\n'
        ")\n"
        'predictor = model.deploy(instance_type="ml.c5.large", initial_instance_count=1)\n',
    )
    assert ("model:sagemaker:rf-scikit", "endpoint:sagemaker:t.ipynb#predictor", "serve") in fl


def test_an_object_copied_down_from_s3_with_the_aws_cli_is_read_and_written_locally() -> None:
    """pinecone-io examples sagemaker-huggingface-rag: the FAQ CSV is fetched with
    ``!aws s3 cp $s3_path Amazon_SageMaker_FAQs.csv`` and then read with pandas."""
    nodes, _ = _cells(
        's3_path = f"s3://jumpstart-cache-prod-us-east-2/training-datasets/'
        'Amazon_SageMaker_FAQs/Amazon_SageMaker_FAQs.csv"\n',
        "!aws s3 cp $s3_path Amazon_SageMaker_FAQs.csv\n",
    )
    remote = (
        "dataset:s3://jumpstart-cache-prod-us-east-2:"
        "training-datasets/Amazon_SageMaker_FAQs/Amazon_SageMaker_FAQs.csv"
    )
    assert remote in nodes
    assert "dataset:file:./Amazon_SageMaker_FAQs.csv" in nodes


def test_downloading_a_trained_jobs_model_data_is_no_dataset_read() -> None:
    """sagemaker-examples multi_cloud_deployment_with_onnx: the bucket and key of
    ``estimator.model_data`` are downloaded with ``s3.download_file``: the model's
    artefacts, not a dataset the notebook reads."""
    nodes, _ = _cells(
        "import boto3\n"
        "from sagemaker.pytorch import PyTorch\n"
        'estimator = PyTorch(entry_point="train.py", source_dir="code")\n'
        'estimator.fit(inputs={"training": f"{inputs}", "testing": f"{inputs}"})\n',
        'model_bucket, model_key = estimator.model_data.split("/", 2)[-1].split("/", 1)\n'
        'local_model_file = "model.tar.gz"\n'
        's3 = boto3.client("s3")\n'
        "s3.download_file(model_bucket, model_key, local_model_file)\n",
    )
    assert not [u for u in nodes if u.startswith("dataset:s3://")]


def test_a_form_placeholder_project_leaves_the_bucket_a_template_batch_io_is_kept() -> None:
    """vertex-ai-samples get_started_vertex_training_lightgbm: ``PROJECT_ID =
    "[your-project-id]"`` (a form value to fill in) inside the bucket name; the batch input
    written with ``tf.io.gfile.GFile(BATCH_INPUT_URI, "w")`` is what ``model.batch_predict``
    reads, and its output prefix is written."""
    _, edges = _split(
        'PROJECT_ID = "[your-project-id]"  # @param {type:"string"}\n',
        'BUCKET_URI = f"gs://your-bucket-name-{PROJECT_ID}-unique"  # @param {type:"string"}\n',
        "import google.cloud.aiplatform as aiplatform\n"
        "import tensorflow as tf\n"
        'APP_NAME = "iris-classification"\n'
        'MODEL_DISPLAY_NAME = f"{APP_NAME}-model-unique"\n'
        "model = aiplatform.Model.upload(\n"
        "    display_name=MODEL_DISPLAY_NAME,\n"
        "    serving_container_image_uri=DEPLOY_IMAGE,\n"
        ")\n",
        'BATCH_INPUT_URI = f"{BUCKET_URI}/{APP_NAME}/test/batch_input/test.jsonl"\n'
        'with tf.io.gfile.GFile(BATCH_INPUT_URI, "w") as f:\n'
        "    for i in INSTANCES:\n"
        '        f.write(str(i) + "\\n")\n',
        "batch_predict_job = model.batch_predict(\n"
        "    job_display_name=BATCH_JOB_DISPLAY_NAME,\n"
        "    gcs_source=BATCH_INPUT_URI,\n"
        '    gcs_destination_prefix=f"{BUCKET_URI}/{APP_NAME}/test/batch_output/",\n'
        '    instances_format="jsonl",\n'
        ")\n",
    )
    bucket = "dataset:gs://your-bucket-name-{your-project-id}-unique:iris-classification/test/"
    batch_input = bucket + "batch_input/test.jsonl"
    model = "model:vertex:iris-classification-model-unique"
    assert batch_input in {e.dst for e in edges if e.rel is Rel.WRITES}
    fl = flows(edges)
    assert (batch_input, model, "infer") in fl
    assert (model, bucket + "batch_output/", "infer") in fl


def test_a_model_registered_from_a_jobs_artifact_path_comes_from_the_model_logged_there() -> None:
    """azureml-examples train_hyperparameter_tune_with_sklearn: the job's script logs
    ``mlflow.sklearn.log_model(..., registered_model_name=..., artifact_path=...)``; the
    notebook registers ``Model(path="azureml://jobs/{}/outputs/artifacts/paths/<that path>/")``
    as another model, made from the logged one."""
    _, fl = _cells(
        "%%writefile src/train_iris.py\n"
        "import mlflow\n"
        "from sklearn import svm\n"
        "svm_model_linear = svm.SVC(kernel=args.kernel).fit(X_train, y_train)\n"
        'registered_model_name="sklearn-iris-flower-classify-model"\n'
        "mlflow.sklearn.log_model(\n"
        "    sk_model=svm_model_linear,\n"
        "    registered_model_name=registered_model_name,\n"
        "    artifact_path=registered_model_name\n"
        ")\n",
        "from azure.ai.ml import command\n"
        "from azure.ai.ml.entities import Model\n"
        'best_run = returned_sweep_job.properties["best_child_run_id"]\n'
        "model = Model(\n"
        '    path="azureml://jobs/{}/outputs/artifacts/paths/sklearn-iris-flower-classify-model/"'
        ".format(\n"
        "        best_run\n"
        "    ),\n"
        '    name="run-model-example",\n'
        '    description="Model created from run.",\n'
        '    type="custom_model",\n'
        ")\n",
    )
    logged = "model:mlflow:sklearn-iris-flower-classify-model"
    assert (logged, "model:azureml:run-model-example", "transform") in fl


def test_context_retrieved_from_an_index_and_sent_to_a_predictor_reaches_its_model() -> None:
    """pinecone-io examples sagemaker-huggingface-rag: ``encoder.predict({'inputs': docs})``
    embeds the FAQ answers upserted into Pinecone (the endpoint is no data of theirs); the
    ``index.query`` matches are joined into ``text_input`` for ``llm.predict(...)``: the index
    feeds the flan-t5 model that endpoint serves."""
    _, edges = notebook("pinecone-io-examples__sagemaker-huggingface-rag.ipynb")
    fl = flows(edges)
    index = "vectorindex:pinecone:retrieval-augmentation-aws"
    assert (index, "model:sagemaker:google/flan-t5-xl", "retrieve") in fl
    assert not [(s, d) for s, d, _ in fl if s.startswith("endpoint:") and d == index]
