"""Issue 15, training and data I/O in notebooks: each pattern on a real notebook from
tests/corpus/real (sources and licences in the cases' expected.yaml files)."""

from __future__ import annotations

import json

from real_facts import NOTEBOOKS
from real_facts import flows as _flows
from real_facts import notebook as _facts

from ingest.notebook import notebook_facts
from ingest.notebook.recognisers.common import is_tooling
from lineage.model import Edge, Node, Rel


def _touched(edges: list[Edge], rel: Rel) -> set[str]:
    return {e.dst for e in edges if e.rel is rel}


def test_a_data_archive_fetched_by_urlretrieve_is_read_and_written() -> None:
    """ageron/handson-ml3 chapter 2: ``urllib.request.urlretrieve(url, "datasets/housing.tgz")``
    of ``https://github.com/ageron/data/raw/main/housing.tgz``: an archive named like data is
    the data, not a software release."""
    nb = "ageron-handson-ml3__02_end_to_end_machine_learning_project.ipynb"
    _, edges = _facts(nb)
    url = "dataset:https://github.com:/ageron/data/raw/main/housing.tgz"
    local = "dataset:file:datasets/housing.tgz"
    assert url in _touched(edges, Rel.READS)
    assert local in _touched(edges, Rel.WRITES)
    assert (url, local, "transform") in _flows(edges)


def test_release_archives_and_code_stay_tooling() -> None:
    """What the archive rule still leaves out: releases (version, platform, build words) and
    code; what it lets in: archives named like data (the corpus' UCI and housing files)."""
    assert is_tooling(
        "https://builds.openlogic.com/downloadJDK/openlogic-openjdk/{JAVA_VER}/"
        "openlogic-openjdk-{JAVA_VER}-linux-x64.tar.gz"
    )
    assert is_tooling("https://example.org/spark-3.5.1-bin-hadoop3.tgz")
    assert is_tooling("https://example.org/helpers.py")
    assert not is_tooling(
        "https://archive.ics.uci.edu/ml/machine-learning-databases/00359/NewsAggregatorDataset.zip"
    )
    assert not is_tooling("https://github.com/ageron/data/raw/main/housing.tgz")


def test_an_estimator_fitted_in_memory_only_is_no_model_but_a_saved_search_is() -> None:
    """ageron/handson-ml3 chapter 2: ``model = LinearRegression(); model.fit(...)`` is never
    saved or used for output (an experiment); ``rnd_search.best_estimator_`` is joblib.dumped
    to ``my_california_housing_model.pkl``: that model stays, trained on housing.csv."""
    nb = "ageron-handson-ml3__02_end_to_end_machine_learning_project.ipynb"
    nodes, edges = _facts(nb)
    assert f"model:notebook:{nb}#model" not in nodes
    assert not [e for e in edges if f"{nb}#model" in (e.src, e.dst)]
    search = f"model:notebook:{nb}#rnd_search"
    assert nodes[search].props["origin"] == "trained"
    flows = _flows(edges)
    assert ("dataset:file:datasets/housing/housing.csv", search, "train") in flows
    assert (search, "model:file:./my_california_housing_model.pkl", "export") in flows


def test_a_kmeans_fit_used_only_in_memory_is_no_model() -> None:
    """lancedb/vectordb-recipes RAG with Groq: a KMeans ``clustering_model.fit(embeddings)``
    groups documents in memory; the embedder and the LanceDB table remain."""
    nb = "lancedb-vectordb-recipes__rag_using_groq.ipynb"
    nodes, _ = _facts(nb)
    assert f"model:notebook:{nb}#clustering_model" not in nodes
    assert "model:huggingface:all-MiniLM-L6-v2" in nodes
    assert "vectorindex:lancedb:url_rag" in nodes


def test_wget_with_an_output_file_writes_it_from_the_url() -> None:
    """anthropic-cookbook LlamaIndex RAG: ``!wget '<url>' -O 'data/paul_graham/...txt'``:
    the URL is read and the named file written (not a bare ``paul_graham_essay.txt``)."""
    nb = "anthropics-anthropic-cookbook__llamaindex_basic_rag.ipynb"
    _, edges = _facts(nb)
    url = (
        "dataset:https://raw.githubusercontent.com:/run-llama/llama_index/main/docs/examples/"
        "data/paul_graham/paul_graham_essay.txt"
    )
    local = "dataset:file:data/paul_graham/paul_graham_essay.txt"
    assert url in _touched(edges, Rel.READS)
    assert _touched(edges, Rel.WRITES) == {local}


def test_wget_without_output_lands_under_the_remote_name_and_mv_writes_the_new_path() -> None:
    """together-cookbook text RAG: ``!wget <url>/movies.json`` then ``!mv movies.json
    datasets/movies.json``: the file written is the moved one (``./movies.json`` is gone)."""
    nb = "togethercomputer-together-cookbook__text_rag.ipynb"
    _, edges = _facts(nb)
    url = (
        "dataset:https://raw.githubusercontent.com:/togethercomputer/together-cookbook/"
        "refs/heads/main/datasets/movies.json"
    )
    assert url in _touched(edges, Rel.READS)
    assert _touched(edges, Rel.WRITES) == {"dataset:file:datasets/movies.json"}


def test_wget_into_a_folder_named_by_a_python_variable_expands_it() -> None:
    """generative-ai intra_knowledge_qna: ``INDEX_PATH = "./Dataset/"`` then ``!wget
    <url>/p554.pdf -P $INDEX_PATH``: IPython expands ``$INDEX_PATH`` from the notebook's
    variables, and wget's ``-P`` puts the file in that folder."""
    nb = "googlecloudplatform-generative-ai__intra_knowledge_qna.ipynb"
    _, edges = _facts(nb)
    written = _touched(edges, Rel.WRITES)
    assert "dataset:file:Dataset/p554.pdf" in written
    assert not [w for w in written if "$" in w or "{" in w]


def test_requests_that_send_data_or_name_no_address_are_not_reads() -> None:
    """generative-ai Cloud Run Ollama: ``curl -s -X POST "${ENDPOINT_URL}" ... -d '{...}'``
    calls the model's API; bedrock-workshop Mantle: ``requests.post/get(f"{base_url}/
    organization/projects")`` on a base URL from the environment. Neither reads a dataset."""
    _, edges = _facts("googlecloudplatform-generative-ai__cloud_run_ollama_gemma2_rag_qa.ipynb")
    assert not [r for r in _touched(edges, Rel.READS) if "api/generate" in r]
    _, edges = _facts("aws-samples-amazon-bedrock-workshop__mantle_openai_compatible.ipynb")
    assert not [r for r in _touched(edges, Rel.READS) if "organization" in r]


def test_curl_to_a_local_server_is_no_download() -> None:
    """vertex-ai-samples LightGBM: ``!curl ... http://localhost:<port>/...`` calls a local
    container, it reads no data from the internet."""
    nb = "googlecloudplatform-vertex-ai-samples__get_started_vertex_training_lightgbm.ipynb"
    _, edges = _facts(nb)
    assert not [d for d in _touched(edges, Rel.READS) if "localhost" in d]


def test_urljoin_of_constants_is_read_and_a_column_of_a_read_frame_is_no_path() -> None:
    """elasticsearch-labs learning to rank: ``urljoin(DATASET_BASE_URL, "movies-judgments.tsv.gz")``
    read by ``pd.read_csv``/``pd.read_json``/``urlopen``; ``judgments_df.groupby("query_id")``
    and ``to_dict("records")`` name columns and orients, not files."""
    nb = "elastic-elasticsearch-labs__08-learning-to-rank.ipynb"
    _, edges = _facts(nb)
    base = (
        "dataset:https://raw.githubusercontent.com:/elastic/elasticsearch-labs/main/notebooks/"
        "search/sample_data/learning-to-rank/"
    )
    reads = _touched(edges, Rel.READS)
    for name in ("movies-judgments.tsv.gz", "movies-corpus.jsonl.gz", "movies-index-settings.json"):
        assert base + name in reads
    assert not [r for r in reads if r.startswith("dataset:file:")]


def test_a_column_popped_from_a_frame_read_from_an_input_is_no_path() -> None:
    """azureml-examples pipeline: ``pd.read_csv(args.data).pop("default payment next month")``
    inside the training script (the read's path is a runtime argument)."""
    nb = "azure-azureml-examples__get_started_pipeline.ipynb"
    _, edges = _facts(nb)
    assert not [r for r in _touched(edges, Rel.READS) if "default payment" in r]


def test_selecting_from_a_pgai_vectorizer_view_reads_the_index_not_a_table() -> None:
    """timescale/pgai embedding comparison: ``ai.create_vectorizer(... destination =>
    'essays_nomic_embed_text_embeddings')`` then ``SELECT ... FROM
    essays_nomic_embed_text_embeddings``; ``SELECT * FROM ai.vectorizer_status`` is pgai's
    catalogue. Neither is a dataset the notebook reads."""
    nb = "timescale-pgai__best_embedding_model_rag_app.ipynb"
    nodes, edges = _facts(nb)
    assert "vectorindex:pgai:essays_nomic_embed_text_embeddings" in nodes
    datasets = {u for u in nodes if u.startswith("dataset:")}
    assert not [u for u in datasets if u.endswith("_embeddings") or "vectorizer" in u]
    assert "dataset:postgres://localhost:5432:essays" in _touched(edges, Rel.WRITES)


def test_sqlite_pragma_table_info_reads_the_table() -> None:
    """anthropic-cookbook SQL queries: ``cursor.execute("PRAGMA table_info(employees)")``
    reads the table's schema, which goes into the prompt."""
    nb = "anthropics-anthropic-cookbook__how_to_make_sql_queries.ipynb"
    _, edges = _facts(nb)
    assert "dataset:sqlite:employees" in _touched(edges, Rel.READS)


def test_sentence_transformers_fit_output_path_names_the_fine_tuned_model() -> None:
    """pinecone-io/examples GPL: ``model.fit(train_objectives=..., output_path=
    'msmarco-distilbert-base-tas-b-covid')`` (sentence-transformers' legacy API)."""
    nb = "pinecone-io-examples__gpl_04-finetune.ipynb"
    nodes, edges = _facts(nb)
    tuned = f"model:notebook:{nb}#msmarco-distilbert-base-tas-b-covid"
    assert nodes[tuned].props["origin"] == "fine_tuned"
    assert f"model:notebook:{nb}#model" not in nodes
    base = "model:huggingface:msmarco-distilbert-base-tas-b"
    assert (base, tuned, "fine_tune") in _flows(edges)


def test_a_relative_output_folder_names_the_model_whole() -> None:
    """redis-ai-resources text fine-tuning: ``output_dir=f"models/trained_on_{train_data}"``
    (resolved from a literal) names the model ``models/trained_on_sample_dataset.csv``."""
    nb = "redis-developer-redis-ai-resources__00_text_finetuning.ipynb"
    nodes, _ = _facts(nb)
    assert f"model:notebook:{nb}#models/trained_on_sample_dataset.csv" in nodes
    assert f"model:notebook:{nb}#trained_on_sample_dataset.csv" not in nodes


def test_scikit_learn_dataset_loaders_are_public_datasets_read() -> None:
    """aws sagemaker-examples sklearn end to end: ``fetch_california_housing()`` split and
    written to ``california_housing_train.csv``; azureml-examples sklearn sweep: ``load_iris()``."""
    nb = "aws-amazon-sagemaker-examples__sklearn_on_sagemaker_end2end.ipynb"
    _, edges = _facts(nb)
    housing = "dataset:sklearn:california_housing"
    assert housing in _touched(edges, Rel.READS)
    train = "dataset:file:./california_housing_train.csv"
    assert (housing, train, "transform") in _flows(edges)
    nb = "azure-azureml-examples__train_hyperparameter_tune_with_sklearn.ipynb"
    _, edges = _facts(nb)
    assert "dataset:sklearn:iris" in _touched(edges, Rel.READS)


def test_a_kaggle_dataset_downloaded_through_the_api_is_read_into_its_folder() -> None:
    """lancedb vectordb-recipes doc2vec: ``KaggleApi().dataset_download_files(
    "rounakbanik/the-movies-dataset", path="data/", unzip=True)``."""
    nb = "lancedb-vectordb-recipes__movie_recommendation_with_doc2vec_and_lancedb.ipynb"
    _, edges = _facts(nb)
    assert "dataset:kaggle:rounakbanik/the-movies-dataset" in _touched(edges, Rel.READS)
    assert "dataset:file:./data" in _touched(edges, Rel.WRITES)


def test_the_kaggle_cli_in_a_shell_escape_reads_the_dataset() -> None:
    """The Kaggle CLI's documented forms (``kaggle datasets download -d owner/name -p dir``,
    ``kaggle competitions download -c name``) in notebook shell escapes."""
    cell = {
        "cell_type": "code",
        "metadata": {},
        "outputs": [],
        "execution_count": None,
        "source": [
            "!kaggle datasets download -d zynicide/wine-reviews -p data/wine --unzip\n",
            "!kaggle competitions download -c titanic\n",
        ],
    }
    text = json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    edges = [f for f in notebook_facts("k.ipynb", ref="k.ipynb", text=text) if isinstance(f, Edge)]
    reads = _touched(edges, Rel.READS)
    assert {"dataset:kaggle:zynicide/wine-reviews", "dataset:kaggle:titanic"} <= reads
    assert "dataset:file:data/wine" in _touched(edges, Rel.WRITES)


CORPUS_NOTEBOOKS = NOTEBOOKS.parents[1] / "notebooks"


def test_an_estimator_converted_to_onnx_and_written_to_a_file_is_saved_there() -> None:
    """onnx/sklearn-onnx gallery (tests/corpus/notebooks): ``clr.fit(...)``;
    ``onx = convert_sklearn(clr, ...)``; ``with open("rf_iris.onnx", "wb") as f:
    f.write(onx.SerializeToString())``; ``rt.InferenceSession("rf_iris.onnx")``. The file is
    the trained model exported, not a dataset; the session runs that same model."""
    name = "sklearn-onnx__plot_convert_model.ipynb"
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []
    for fact in notebook_facts(CORPUS_NOTEBOOKS / name, ref=name):
        if isinstance(fact, Node):
            nodes[fact.uid] = fact
        elif isinstance(fact, Edge):
            edges.append(fact)
    trained = f"model:notebook:{name}#clr"
    assert nodes[trained].props["origin"] == "trained"
    flows = _flows(edges)
    assert ("dataset:sklearn:iris", trained, "train") in flows
    assert (trained, "model:file:./rf_iris.onnx", "export") in flows
    assert (trained, "model:file:./logreg_iris.onnx", "export") in flows
    assert not [u for u in nodes if u.startswith("dataset:file:")]
    assert nodes["model:file:./rf_iris.onnx"].props["origin"] == "saved"


def _notebook(*cells: str) -> str:
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": "code",
                    "metadata": {},
                    "outputs": [],
                    "execution_count": None,
                    "source": [c],
                }
                for c in cells
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


def test_a_job_scripts_working_files_are_not_the_notebooks() -> None:
    """vertex-ai-samples XGBoost: the ``%%writefile trainer/task.py`` script runs in a Vertex
    job: ``gsutil cp <gs url> data.csv`` then ``pd.read_csv('data.csv')`` there. The job's
    data are the gs:// files the notebook passes it, not a local data.csv."""
    nb = "googlecloudplatform-vertex-ai-samples__get_started_vertex_training_xgboost.ipynb"
    _, edges = _facts(nb)
    reads = _touched(edges, Rel.READS)
    assert not [r for r in reads if r.startswith("dataset:file:")]
    assert "dataset:gs://cloud-samples-data:ai-platform/iris/iris_data.csv" in reads


def test_a_script_the_notebook_runs_itself_keeps_its_files() -> None:
    """The same script run by the notebook (``!python train.py``, the pattern of the
    sagemaker-examples sklearn notebook) works in the notebook's folder."""
    text = _notebook(
        "%%writefile train.py\nimport pandas as pd\ndf = pd.read_csv('train.csv')\n",
        "!python train.py --epochs 1\n",
    )
    edges = [f for f in notebook_facts("s.ipynb", ref="s.ipynb", text=text) if isinstance(f, Edge)]
    assert "dataset:file:./train.csv" in _touched(edges, Rel.READS)
    alone = _notebook("%%writefile train.py\nimport pandas as pd\ndf = pd.read_csv('train.csv')\n")
    edges = [f for f in notebook_facts("s.ipynb", ref="s.ipynb", text=alone) if isinstance(f, Edge)]
    assert not _touched(edges, Rel.READS)


def test_a_model_trained_by_a_submitted_job_script_is_the_platforms() -> None:
    """azureml-examples sklearn sweep: ``%%writefile {src_dir}/train_iris.py`` fits an SVC and
    ``mlflow.sklearn.log_model(..., registered_model_name="sklearn-iris-flower-classify-model")``;
    the notebook submits it with ``command(command="python train_iris.py ...")`` (azure.ai.ml):
    the model is trained on Azure ML, not in the notebook's kernel."""
    nb = "azure-azureml-examples__train_hyperparameter_tune_with_sklearn.ipynb"
    nodes, edges = _facts(nb)
    trained = f"model:notebook:{nb}#svm_model_linear"
    assert nodes[trained].props["provider"] == "azureml"
    assert (trained, "model:mlflow:sklearn-iris-flower-classify-model", "export") in _flows(edges)
    assert ("dataset:sklearn:iris", trained, "train") in _flows(edges)


def test_files_taken_out_of_a_git_clone_read_the_repository() -> None:
    """redis-ai-resources RAG with LangChain: ``!git clone <repo>.git temp_repo`` then
    ``!mv temp_repo/python-recipes/RAG/resources .``: the repository is read and resources/
    written; a clone nothing is taken from (llama.cpp built from source) reads nothing."""
    nb = "redis-developer-redis-ai-resources__rag_langchain.ipynb"
    _, edges = _facts(nb)
    repo = "dataset:https://github.com:/redis-developer/redis-ai-resources.git"
    assert repo in _touched(edges, Rel.READS)
    assert "dataset:file:./resources" in _touched(edges, Rel.WRITES)
    _, edges = _facts("mistralai-cookbook__quantization_gguf_llamacpp.ipynb")
    assert not [r for r in _touched(edges, Rel.READS) if "llama.cpp" in r]


def test_a_run_configuration_fetched_beside_the_code_is_no_data() -> None:
    """huggingface/notebooks question answering (ORT): ``!wget .../ds_config_zero_stage_1.json``
    is DeepSpeed's configuration for the run, not data."""
    nb = "huggingface-notebooks__question_answering_ort.ipynb"
    _, edges = _facts(nb)
    touched = _touched(edges, Rel.READS) | _touched(edges, Rel.WRITES)
    assert not [d for d in touched if "ds_config" in d]


def test_str_format_with_a_run_time_value_keeps_a_template() -> None:
    """sagemaker-examples PySpark MNIST: ``spark.read.format("libsvm").load(
    "s3a://sagemaker-sample-data-{}/spark/mnist/train/".format(region))`` with the session's
    region: the S3 prefix is read, its bucket kept as ``{region}`` (as an f-string would be)."""
    nb = "aws-amazon-sagemaker-examples__pyspark_mnist_xgboost.ipynb"
    _, edges = _facts(nb)
    reads = _touched(edges, Rel.READS)
    assert "dataset:s3a://sagemaker-sample-data-{region}:spark/mnist/train/" in reads
    assert "dataset:s3a://sagemaker-sample-data-{region}:spark/mnist/test/" in reads


def test_a_model_saved_under_a_run_time_name_is_one_unresolved_node() -> None:
    """huggingface/peft LoRA seq2seq: ``peft_model_id = f"{model_name_or_path}_{peft_config.
    peft_type}_{peft_config.task_type}"``; ``model.save_pretrained(peft_model_id)``: the known
    part resolves, the rest stays a template in props; the id holds no ``{...}``."""
    nb = "huggingface-peft__peft_lora_seq2seq.ipynb"
    nodes, edges = _facts(nb)
    saved = [u for u, n in nodes.items() if n.props.get("origin") == "saved"]
    assert len(saved) == 1
    props = nodes[saved[0]].props
    assert (
        props["template"] == "bigscience/mt0-large_{peft_config.peft_type}_{peft_config.task_type}"
    )
    assert props["unresolved"] is True
    assert "{" not in saved[0]
    assert (f"model:notebook:{nb}#model", saved[0], "export") in _flows(edges)


def test_an_s3_object_read_with_boto3_get_object_trains_the_model() -> None:
    """sagemaker-examples XGBoost bring-your-own-model: ``boto3.client("s3").get_object(
    Bucket=f"sagemaker-example-files-prod-{region}", Key="datasets/image/MNIST/mnist.pkl.gz")
    ["Body"].read()`` unpickled into the arrays ``bt.fit`` trains on; ``bt.save_model(...)``."""
    nb = "aws-amazon-sagemaker-examples__sm-xgboost_bring_your_own_model.ipynb"
    _, edges = _facts(nb)
    mnist = "dataset:s3://sagemaker-example-files-prod-{region}:datasets/image/MNIST/mnist.pkl.gz"
    assert mnist in _touched(edges, Rel.READS)
    assert (mnist, f"model:notebook:{nb}#bt", "train") in _flows(edges)


def test_urlretrieve_in_a_loop_over_zipped_literal_lists_fetches_each_pair() -> None:
    """bedrock-workshop knowledge base: ``for url, filename in zip(urls, filenames):
    urlretrieve(url, os.path.join(local_data_dir, filename))`` over two literal lists."""
    nb = "aws-samples-amazon-bedrock-workshop__create_kb_and_ingest.ipynb"
    _, edges = _facts(nb)
    reads, writes = _touched(edges, Rel.READS), _touched(edges, Rel.WRITES)
    base = "dataset:https://s2.q4cdn.com:/299287126/files/doc_financials/"
    assert base + "2023/ar/2022-Shareholder-Letter.pdf" in reads
    assert base + "2020/ar/2019-Shareholder-Letter.pdf" in reads
    for year in (2019, 2020, 2021, 2022):
        assert f"dataset:file:data/AMZN-{year}-Shareholder-Letter.pdf" in writes


def test_a_source_archive_shipped_to_a_job_is_code_not_data() -> None:
    """sagemaker-examples sklearn end to end: the training code packed as ``source.tar.gz`` and
    uploaded with ``s3.upload_file("source.tar.gz", bucket, ...)`` for the boto3 training job
    is code: neither the archive nor its S3 copy is a dataset."""
    nb = "aws-amazon-sagemaker-examples__sklearn_on_sagemaker_end2end.ipynb"
    _, edges = _facts(nb)
    touched = _touched(edges, Rel.READS) | _touched(edges, Rel.WRITES)
    assert not [d for d in touched if "source.tar.gz" in d]
    assert "dataset:file:./california_housing_train.csv" in touched
