"""Experiment trackers: Weights & Biases runs and the artifacts they use.

``wandb.init()`` opens a run that reports to W&B (an egress service). A run's
``use_artifact("entity/project/name:alias", type=...)`` (or ``wandb.Api().artifact(...)``)
reads a versioned artifact from W&B: a dataset, or a model when its ``type`` says so (the
W&B docs' convention for the model registry). ``artifact.download()`` returns the local
folder it lands in: a path the analysis cannot know, whose files are that artifact's content
(``artifact_dir + "/file"`` reads the artifact, not a file of its own).
"""

from __future__ import annotations

from ingest.notebook.recognisers.common import model_node
from ingest.notebook.recognisers.registry import Call, Rule
from ingest.notebook.recognisers.training import tracking_egress
from ingest.notebook.values import Val
from lineage import ids

__all__ = ["RULES"]

_RUN = "wandb.Run"
_ARTIFACT = "wandb.Artifact"


def _init(call: Call) -> Val:
    """A run: everything it logs goes to W&B."""
    tracking_egress(call, "wandb")
    return Val(tag=_RUN)


def _use_artifact(call: Call) -> Val | None:
    """An artifact read by name: a W&B model, or a W&B dataset."""
    name = call.text(0, "artifact_or_name", "name")
    if not name:
        return None
    if call.text(1, "type") == "model":
        return model_node(call, "wandb", name, role="model", tag=_ARTIFACT, provider="wandb",
                          origin="pretrained", platform="wandb")  # fmt: skip
    uid = ids.dataset_id("wandb", name)
    call.ctx.out.node(uid, platform="wandb")
    call.ctx.out.reads(uid)
    return Val(tag=_ARTIFACT, data=frozenset({uid})).with_attrs(artifact=uid)


def _download(call: Call) -> Val | None:
    """The artifact's local folder *is* the artifact (its path is not known here)."""
    model = call.recv.asset
    uid = model or call.recv.attrs.get("artifact")
    if not uid:
        return None
    value = Val(tag="wandb.ArtifactDir", asset=uid)
    return value.with_attrs(role="model") if model else value


RULES: tuple[Rule, ...] = (
    Rule(("wandb.init",), _init, "W&B runs"),
    Rule(
        (f"{_RUN}.use_artifact", "wandb.use_artifact", "wandb.Api().artifact"),
        _use_artifact,
        "W&B artifacts used",
    ),
    Rule((f"{_ARTIFACT}.download",), _download, "W&B artifact downloads"),
)
