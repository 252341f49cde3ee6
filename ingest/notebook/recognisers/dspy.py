"""DSPy's data side: its dataset loaders and downloads, and optimised programs.

An optimiser (``dspy.MIPROv2(...)``, ``dspy.BootstrapFewShot(...)``...) ``compile``s a
program on a ``trainset``: the demonstrations it picks from that data are stored in the
program, and ``program.save("x.json")`` writes them out. So the saved file is trained on
the trainset (a ``train`` flow), and whoever loads it gets examples of that data. The LMs
themselves are recognised in :mod:`.llm` (``dspy.LM``, ``dspy.configure``).
"""

from __future__ import annotations

import posixpath
from urllib.parse import urlsplit

from ingest.notebook.recognisers.common import (
    copy_from_url,
    dataset_at,
    hf_dataset,
    read_location,
)
from ingest.notebook.recognisers.registry import Call, Rule
from ingest.notebook.values import Val
from lineage import ids
from lineage.model import EdgeKind, Kind

__all__ = ["RULES"]

_PROGRAM = "dspy.Program"


def _download(call: Call) -> Val | None:
    """``dspy.utils.download(url)``: the file lands in the working folder under its name."""
    url = call.text(0, "url")
    if not url or "://" not in url:
        return None
    return copy_from_url(call, url, posixpath.basename(urlsplit(url).path))


def _from_huggingface(call: Call) -> Val | None:
    """``DataLoader().from_huggingface(dataset_name="...", split=...)``."""
    repo = call.text(0, "dataset_name", "path")
    if not repo:
        return None
    return Val(tag="dspy.Examples", data=frozenset({hf_dataset(call, repo)}))


def _compile(call: Call) -> Val | None:
    """``optimizer.compile(program, trainset=...)``: the program with demonstrations."""
    program = call.arg(0, "student")
    trainset = call.arg(None, "trainset").carried()
    data = {u for u in trainset if ids.kind_of(u) is Kind.DATASET}
    return Val(tag=_PROGRAM, data=frozenset(data), models=program.models)


def _save(call: Call) -> Val | None:
    """``compiled.save("optimized.json")``: the demonstrations, drawn from the trainset."""
    path = call.text(0, "path")
    target = dataset_at(call, path) if path else None
    if target is None:
        return None
    call.ctx.out.writes(target)
    call.ctx.flow_into(call.recv.data, target, EdgeKind.TRAIN)
    return Val()


RULES: tuple[Rule, ...] = (
    Rule(("dspy.utils.download", "dspy.utils.*.download"), _download, "DSPy downloads"),
    Rule(("dspy.*DataLoader().from_huggingface",), _from_huggingface, "DSPy HF datasets"),
    Rule(
        tuple(f"dspy.*DataLoader().from_{fmt}" for fmt in ("csv", "json", "parquet")),
        read_location(0, "file_path", "path"),
        "DSPy file datasets",
    ),
    Rule(("dspy.*().compile",), _compile, "DSPy optimisers"),
    Rule((f"{_PROGRAM}.save",), _save, "saved DSPy programs"),
)
