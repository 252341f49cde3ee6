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
