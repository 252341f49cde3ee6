"""Issue 15, classic ML side (W&B, Gradio/app hosting, ONNX, XGBoost, scikit-learn): each
pattern on a real notebook's code from tests/corpus/real (sources and licences in the
cases' expected.yaml files), quoted verbatim."""

from __future__ import annotations

import json
from pathlib import Path

from real_facts import flows, split

from ingest.notebook import notebook_facts
from lineage.model import Edge, Node, Rel


def _run(tmp_path: Path, *cells: str) -> tuple[dict[str, Node], list[Edge]]:
    """A notebook of the given code cells, analysed as the corpus' notebooks are."""
    code = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
             "source": c} for c in cells]  # fmt: skip
    path = tmp_path / "case.ipynb"
    path.write_text(json.dumps({"cells": code, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return split(notebook_facts(path, ref=path.name))


def _reads(edges: list[Edge]) -> set[str]:
    return {e.dst for e in edges if e.rel is Rel.READS}


def test_wandb_artifacts_used_by_a_run_are_read_and_their_download_is_their_content(
    tmp_path: Path,
) -> None:
    """pinecone-io-examples__training-with-wandb_02-encode: a dataset and a model artifact
    used by a run; files under the downloaded folder are the artifact, not a file of their
    own; ``models.Transformer(artifact_dir)`` makes the model an embedding model."""
    nodes, edges = _run(
        tmp_path,
        """import wandb
import json

run = wandb.init(project="arxiv-searching")
# download
artifact = run.use_artifact('events/arxiv-searching/arxiv-papers:latest', type='dataset')
artifact_dir = artifact.download()

# open file generator
path = artifact_dir+'/arxiv-snapshot'
def arxiv_metadata():
    with open(path, 'r') as f:
        for line in f:
            doc_dict = json.loads(line)
            yield doc_dict
metadata = arxiv_metadata()
""",
        """artifact = run.use_artifact(
    'jamesbriggs/arxiv-searching/minilm-arxiv:latest', type='model'
)
artifact_dir = artifact.download()
""",
        """from sentence_transformers import models, SentenceTransformer
minilm = models.Transformer(artifact_dir)
""",
    )
    data = "dataset:wandb:events/arxiv-searching/arxiv-papers:latest"
    assert _reads(edges) == {data}
    model = nodes["model:wandb:jamesbriggs/arxiv-searching/minilm-arxiv:latest"]
    assert (model.props["provider"], model.props["model_type"]) == ("wandb", "embedding")
    assert nodes["endpoint:egress:wandb"].props["egress"] == "wandb"
    assert not flows(edges)


def test_apps_hosted_on_union_are_endpoints_of_the_framework_their_command_runs(
    tmp_path: Path,
) -> None:
    """togethercomputer-together-cookbook__contextual_rag_on_union: two ``union.app.App``s,
    one running uvicorn (FastAPI), one a Gradio script whose image installs gradio."""
    nodes, _ = _run(
        tmp_path,
        """import union
from union.app import App, Input
fastapi_app = App(
    name="contextual-rag-fastapi",
    container_image=union.ImageSpec(
        name="contextual-rag-fastapi",
        packages=[
            "together",
            "bm25s",
            "pymilvus",
            "uvicorn[standard]",
            "fastapi[standard]",
            "union-runtime>=0.1.10",
            "flytekit>=1.15.0b5",
        ],
    ),
    limits=union.Resources(cpu="1", mem="3Gi"),
    port=8080,
    include=["fastapi_app.py"],
    args=["uvicorn", "fastapi_app:app", "--port", "8080"],
    min_replicas=1,
    max_replicas=1,
)
gradio_app = App(
    name="contextual-rag-gradio",
    inputs=[
        Input(
            name="fastapi_endpoint",
            value=fastapi_app.query_endpoint(public=False),
            env_var="FASTAPI_ENDPOINT",
        )
    ],
    container_image=union.ImageSpec(
        name="contextual-rag-gradio",
        packages=["gradio", "union-runtime>=0.1.5"],
    ),
    limits=union.Resources(cpu="1", mem="1Gi"),
    port=8080,
    include=["gradio_app.py"],
    args=[
        "python",
        "gradio_app.py",
    ],
    min_replicas=1,
    max_replicas=1,
)
""",
    )
    apps = {u: n.props["framework"] for u, n in nodes.items() if u.startswith("endpoint:")}
    assert apps == {
        "endpoint:fastapi:case.ipynb#contextual-rag-fastapi": "fastapi",
        "endpoint:gradio:case.ipynb#contextual-rag-gradio": "gradio",
    }


def test_an_azure_function_app_created_from_the_shell_is_an_endpoint_and_torchvision_downloads(
    tmp_path: Path,
) -> None:
    """aws-amazon-sagemaker-examples__multi_cloud_deployment_with_onnx_mnist-train-using-pytorch:
    ``MNIST("data", download=True, ...)`` fetches the dataset into ``data``; ``!az functionapp
    create --name {function_app}`` (a name built at run time) creates the app that serves it."""
    nodes, edges = _run(
        tmp_path,
        """from torchvision.datasets import MNIST
from torchvision import transforms
import os


os.makedirs("data", exist_ok=True)

MNIST(
    "data",
    download=True,
    transform=transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))]
    ),
)
""",
        """import random

random_suffix = str(random.randint(10000, 99999))
resource_group_name = f"multicloud-{random_suffix}-rg"
storage_account_name = f"multicloud{random_suffix}"
location = "ukwest"
python_version = "3.9"
functions_version = "4"
function_app = f"multicloud-mnist-{random_suffix}"
""",
        """AZURE_CONNECTED = False
if AZURE_CONNECTED:
    !az functionapp create --name {function_app} --resource-group {resource_group_name} --storage-account {storage_account_name}  --consumption-plan-location "{location}" --os-type Linux --runtime python --runtime-version {python_version} --functions-version {functions_version}
""",  # noqa: E501 - verbatim
    )
    assert {e.dst for e in edges if e.rel is Rel.WRITES} == {"dataset:file:./data"}
    app = nodes["endpoint:azure_functions:case.ipynb#multicloud-mnist-<random_suffix>"]
    assert app.props["template"] == "multicloud-mnist-{random_suffix}"
    assert app.props["service_kind"] == "other"


def test_a_sagemaker_spark_estimator_trains_and_hosts_the_model_transform_sends_it_rows(
    tmp_path: Path,
) -> None:
    """aws-amazon-sagemaker-examples__pyspark_mnist_xgboost: ``XGBoostSageMakerEstimator``
    ``.fit(trainingData)`` trains on SageMaker and hosts an endpoint; ``model.transform``
    sends the test rows to it."""
    nodes, edges = _run(
        tmp_path,
        """from pyspark.sql import SparkSession
spark = SparkSession.builder.master("local[*]").getOrCreate()
region = "us-east-1"
trainingData = (
    spark.read.format("libsvm")
    .option("numFeatures", "784")
    .option("vectorType", "dense")
    .load("s3a://sagemaker-sample-data-{}/spark/mnist/train/".format(region))
)

testData = (
    spark.read.format("libsvm")
    .option("numFeatures", "784")
    .option("vectorType", "dense")
    .load("s3a://sagemaker-sample-data-{}/spark/mnist/test/".format(region))
)
""",
        """import random
from sagemaker_pyspark import IAMRole, S3DataPath
from sagemaker_pyspark.algorithms import XGBoostSageMakerEstimator

xgboost_estimator = XGBoostSageMakerEstimator(
    sagemakerRole=IAMRole(role),
    trainingInstanceType="ml.m4.xlarge",
    trainingInstanceCount=1,
    endpointInstanceType="ml.m4.xlarge",
    endpointInitialInstanceCount=1,
)

xgboost_estimator.setEta(0.2)
xgboost_estimator.setNumRound(10)

# train
model = xgboost_estimator.fit(trainingData)
""",
        """transformedData = model.transform(testData)

transformedData.show()
""",
    )
    model = "model:notebook:case.ipynb#model"
    assert nodes[model].props["provider"] == "sagemaker"
    assert nodes["endpoint:sagemaker:case.ipynb#model"].props["platform"] == "sagemaker"
    bucket = "dataset:s3a://sagemaker-sample-data-us-east-1:spark/mnist"
    assert flows(edges) == {
        (f"{bucket}/train/", model, "train"),
        (f"{bucket}/test/", model, "infer"),
    }


def test_a_gensim_doc2vec_model_is_trained_on_its_corpus_and_its_vectors_train_another(
    tmp_path: Path,
) -> None:
    """lancedb-vectordb-recipes__movie_recommendation_with_doc2vec_and_lancedb:
    ``Doc2Vec(...)``, ``build_vocab`` and ``train`` inside a function on tagged documents
    from a CSV; its document vectors train a torch classifier (the notebook's preprocessing
    loop and training loop shortened)."""
    nodes, edges = _run(
        tmp_path,
        """import pandas as pd
from gensim.models.doc2vec import Doc2Vec, TaggedDocument
from tqdm import tqdm

# Read data from CSV file
movie_data = pd.read_csv(
    "/Users/vipul/Nova/Projects/genre_spectrum/movies_metadata.csv", low_memory=False
)
tagged_data = [TaggedDocument(words=row["overview"].split(), tags=[str(i)])
               for i, row in movie_data.iterrows()]


def train_doc2vec_model(tagged_data, num_epochs=20):
    # Initialize Doc2Vec model
    doc2vec_model = Doc2Vec(vector_size=100, min_count=2, epochs=num_epochs)
    doc2vec_model.build_vocab(tqdm(tagged_data, desc="Building Vocabulary"))
    for epoch in range(num_epochs):
        doc2vec_model.train(
            tqdm(tagged_data, desc=f"Epoch {epoch+1}"),
            total_examples=doc2vec_model.corpus_count,
            epochs=doc2vec_model.epochs,
        )

    return doc2vec_model


doc2vec_model = train_doc2vec_model(tagged_data)
""",
        """import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset
from sklearn.model_selection import train_test_split

embeddings = []
for i in valid_indices:
    embeddings.append(doc2vec_model.dv[str(i)])
X_train, X_test, y_train, y_test = train_test_split(
    embeddings, genre_labels, test_size=0.2, random_state=42
)
X_train_np = np.array(X_train, dtype=np.float32)
X_train_tensor = torch.tensor(X_train_np)


class GenreClassifier(nn.Module):
    def __init__(self, input_size, output_size):
        super(GenreClassifier, self).__init__()
        self.fc1 = nn.Linear(input_size, 512)

    def forward(self, x):
        return self.fc1(x)


# Move model to the selected device
model = GenreClassifier(input_size=100, output_size=len(mlb.classes_)).to(device)
optimizer = optim.Adam(model.parameters(), lr=0.001)
train_dataset = TensorDataset(X_train_tensor.to(device), y_train_tensor.to(device))
train_loader = DataLoader(train_dataset, batch_size=batch_size, shuffle=True)
for epoch in range(epochs):
    for inputs, labels in train_loader:
        optimizer.step()
torch.save(model.state_dict(), "trained_model.pth")
""",
    )
    doc2vec = "model:notebook:case.ipynb#doc2vec_model"
    assert nodes[doc2vec].props["model_type"] == "embedding"
    csv = "dataset:file:/Users/vipul/Nova/Projects/genre_spectrum/movies_metadata.csv"
    assert (csv, doc2vec, "train") in flows(edges)
    assert (doc2vec, "model:notebook:case.ipynb#model", "train") in flows(edges)


def test_an_xgboost_ranker_imported_into_elasticsearch_by_eland_is_exported_there(
    tmp_path: Path,
) -> None:
    """elastic-elasticsearch-labs__08-learning-to-rank: an ``XGBRanker`` fitted on judgments
    read from a URL, then ``MLModel.import_ltr_model(es_client=..., model=ranker,
    model_id=...)``: the trained model is kept (no longer an in-memory fit) and exported."""
    nodes, edges = _run(
        tmp_path,
        """import pandas as pd
JUDGEMENTS_FILE_URL = "https://raw.githubusercontent.com/elastic/elasticsearch-labs/main/notebooks/search/sample_data/learning-to-rank/movies-judgments.tsv.gz"
judgments_df = pd.read_csv(JUDGEMENTS_FILE_URL, delimiter="\\t")
""",
        """from xgboost import XGBRanker
from sklearn.model_selection import GroupShuffleSplit


# Create the ranker model:
ranker = XGBRanker(
    objective="rank:ndcg",
    eval_metric=["ndcg@10"],
    early_stopping_rounds=20,
)

# Shaping training and eval data in the expected format.
X = judgments_df[ltr_config.feature_names]
y = judgments_df["grade"]
groups = judgments_df["query_id"]

# Split the dataset in two parts respectively used for training and evaluation of the model.
group_preserving_splitter = GroupShuffleSplit(n_splits=1, train_size=0.7).split(
    X, y, groups
)
train_idx, eval_idx = next(group_preserving_splitter)

train_features, eval_features = X.loc[train_idx], X.loc[eval_idx]
train_target, eval_target = y.loc[train_idx], y.loc[eval_idx]
train_query_groups, eval_query_groups = groups.loc[train_idx], groups.loc[eval_idx]

# Training the model
ranker.fit(
    X=train_features,
    y=train_target,
    group=train_query_groups.value_counts().sort_index().values,
    eval_set=[(eval_features, eval_target)],
    eval_group=[eval_query_groups.value_counts().sort_index().values],
    verbose=True,
)
""",
        """from eland.ml import MLModel

LEARNING_TO_RANK_MODEL_ID = "ltr-model-xgboost"

MLModel.import_ltr_model(
    es_client=es_client,
    model=ranker,
    model_id=LEARNING_TO_RANK_MODEL_ID,
    ltr_model_config=ltr_config,
    es_if_exists="replace",
)
""",
    )
    ranker = "model:notebook:case.ipynb#ranker"
    served = "model:elasticsearch:ltr-model-xgboost"
    assert nodes[served].props["provider"] == "elasticsearch"
    judgments = (
        "dataset:https://raw.githubusercontent.com:/elastic/elasticsearch-labs/main/notebooks"
        "/search/sample_data/learning-to-rank/movies-judgments.tsv.gz"
    )
    assert flows(edges) == {(judgments, ranker, "train"), (ranker, served, "export")}


def test_a_numpy_array_saved_to_a_named_file_is_written_and_carries_its_data(
    tmp_path: Path,
) -> None:
    """aws-amazon-sagemaker-examples__sm-xgboost_bring_your_own_model: a test point from
    the MNIST pickle saved with ``np.savetxt("test_point.csv", ...)`` and sent from there."""
    _, edges = _run(
        tmp_path,
        """import pandas as pd
test_X = pd.read_csv("mnist_test.csv")
""",
        """import numpy as np

point_X = test_X[0]
point_X = np.expand_dims(point_X, axis=0)
np.savetxt("test_point.csv", point_X, delimiter=",")
""",
    )
    point = "dataset:file:./test_point.csv"
    assert point in {e.dst for e in edges if e.rel is Rel.WRITES}
    assert flows(edges) == {("dataset:file:./mnist_test.csv", point, "transform")}


def test_lancedb_rows_given_positionally_are_embedded_into_the_table(tmp_path: Path) -> None:
    """lancedb-vectordb-recipes__movie_recommendation_with_doc2vec_and_lancedb: rows of
    Doc2Vec vectors passed as ``create_table``'s second positional argument (``data``)."""
    _, edges = _run(
        tmp_path,
        """import pandas as pd
from gensim.models.doc2vec import Doc2Vec
tagged_data = pd.read_csv("movies_metadata.csv")
doc2vec_model = Doc2Vec(documents=tagged_data, vector_size=100, min_count=2)
""",
        """import lancedb
import numpy as np
import pandas as pd

data = []

for i in valid_indices:
    embedding = doc2vec_model.dv[str(i)]
    title, genres = movie_info[valid_indices.index(i)]
    data.append({"title": title, "genres": genres, "vector": embedding.tolist()})

db = lancedb.connect(".db")
tbl = db.create_table("doc2vec_embeddings", data, mode="Overwrite")
""",
    )
    model = "model:notebook:case.ipynb#doc2vec_model"
    assert (model, "vectorindex:lancedb:doc2vec_embeddings", "embed") in flows(edges)
    assert "dataset:file:./.db" in {e.dst for e in edges if e.rel is Rel.WRITES}
