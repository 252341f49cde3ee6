"""Every explorer notebook, executed top to bottom with nbclient on a fresh demo store.

The notebooks read ``LINEAGE_STORE`` and load the demo estate when it is empty; the first
one here does, the others reuse it (run alone, each loads the demo itself). Any cell error
fails the test; then a few real outputs are checked against the store the kernel wrote.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from lineage.model import Rel
from lineage.policy import entries, verify
from lineage.store import open_store
from queries.exposure import exposure_paths

NOTEBOOKS = Path(__file__).parents[2] / "notebooks"


KERNEL = "lineage-notebook-tests"


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("notebooks") / "store"


@pytest.fixture(scope="module")
def kernels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A kernelspec running this interpreter, whatever kernels the machine has installed."""
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec.joinpath("kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": KERNEL, "language": "python"})
    )
    return root


def _run(
    name: str, store: Path, kernels: Path, monkeypatch: pytest.MonkeyPatch
) -> nbformat.NotebookNode:
    monkeypatch.setenv("LINEAGE_STORE", str(store))
    monkeypatch.setenv("JUPYTER_PATH", str(kernels))
    for var in ("LINEAGE_READ_TOKEN", "LINEAGE_API_TOKEN", "LINEAGE_API_TOKEN_FILE"):
        monkeypatch.delenv(var, raising=False)
    book = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(
        book,
        timeout=180,
        kernel_name=KERNEL,
        resources={"metadata": {"path": str(store.parent)}},  # files land in tmp, not here
    )
    client.execute()
    return book


def _text(book: nbformat.NotebookNode) -> str:
    out = []
    for cell in book.cells:
        for o in cell.get("outputs", ()):
            if o.output_type == "stream":
                out.append(o.text)
            elif "data" in o and "text/plain" in o.data:
                out.append(o.data["text/plain"])
    return "\n".join(out)


def _mimes(book: nbformat.NotebookNode, mime: str) -> list[str]:
    return [
        o.data[mime]
        for cell in book.cells
        for o in cell.get("outputs", ())
        if "data" in o and mime in o.data
    ]


def _number(pattern: str, text: str) -> int:
    found = re.search(pattern, text)
    assert found, f"{pattern!r} not in the notebook's output"
    return int(found.group(1))


def test_stored_without_outputs():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        book = nbformat.read(path, as_version=4)
        nbformat.validate(book)
        for cell in book.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, path.name


def test_01_explore_the_estate(estate, kernels, monkeypatch):
    book = _run("01_explore_the_estate.ipynb", estate, kernels, monkeypatch)
    text = _text(book)
    assert "empty store: loading the demo estate" in text
    assert _number(r"(\d+) shadow model\(s\)", text) >= 1
    assert _number(r"(\d+) nodes hold a label", text) >= 1
    assert _number(r"(\d+) nodes hold PII", text) >= 1
    assert len(_mimes(book, "image/png")) >= 4  # counts, estate, footprint, columns
    frames = [h for h in _mimes(book, "text/html") if h.startswith("<iframe srcdoc=")]
    assert len(frames) == 2
    assert all("vis.Network" in f and "src=&quot;http" not in f for f in frames)


def test_02_exposure_and_blast_radius(estate, kernels, monkeypatch):
    book = _run("02_exposure_and_blast_radius.ipynb", estate, kernels, monkeypatch)
    text = _text(book)
    assert _number(r"(\d+) exposure path\(s\) for PII", text) >= 1
    assert _number(r"through (\d+) path\(s\)", text) >= 1  # why: provenance found
    assert "GraphQL:" in text and "the service is stopped" in text
    assert _mimes(book, "image/svg+xml")  # the blast-radius picture
    assert "= 100 x sensitivity" in text  # the risk, explained
    with open_store(estate) as store:
        page = exposure_paths(store, label="PII", limit=5)
    assert page.results and page.results[0].endpoint.exposure == "public"  # the RAG chatbot
    for exposure in page.results:  # the notebook printed the API's paths, in rank order
        assert exposure.path.text() in text


def test_03_policies_and_remediation(estate, kernels, monkeypatch):
    book = _run("03_policies_and_remediation.ipynb", estate, kernels, monkeypatch)
    text = _text(book)
    quarantined = re.search(r"quarantined (endpoint:\S+): True", text)
    assert quarantined, "the policy quarantined no endpoint"
    assert "'mitigated'" in text, text[-3000:]
    assert "audit chain ok: True" in text, text[-3000:]
    endpoint = quarantined.group(1)
    with open_store(estate) as store:
        log = list(entries(store))
        assert verify(store).ok
        node = store.get_node(endpoint)
        access = store.neighbours(endpoint, direction="in", rels=[Rel.CAN_ACCESS])
    action = next(e for e in log if e.kind == "action" and e.target == endpoint and not e.dry_run)
    undone = [e for e in log if e.kind == "undo" and e.undoes == action.action_id]
    assert len(undone) == 1, [(e.seq, e.kind, e.action, e.target) for e in log]
    assert not node.props.get("quarantined")  # undo put the graph back
    assert sorted(n.edge.src for n in access) == sorted(
        e["src"] for e in action.before["can_access"]
    )
