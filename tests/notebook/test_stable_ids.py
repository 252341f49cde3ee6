"""The same notebook ingested from different working directories is one Job (issue 15)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lineage.cli import app
from lineage.store import open_store

REAL = Path(__file__).resolve().parents[1] / "corpus" / "real" / "notebooks"
NB = "huggingface-notebooks__summarization.ipynb"


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)  # a repository root marker, as git leaves it
    (repo / "examples").mkdir()
    shutil.copy(REAL / NB, repo / "examples" / NB)
    return repo


def _jobs(store_dir: Path) -> set[str]:
    with open_store(store_dir) as store:
        rows = store.query("MATCH (j:Job) RETURN j.uid AS uid")
    return {r["uid"] for r in rows}


def test_one_job_whatever_the_working_directory(checkout: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    runner = CliRunner()
    cwd = Path.cwd()
    try:
        for where, target in (
            (checkout, "examples"),
            (checkout / "examples", NB),
            (tmp_path, f"repo/examples/{NB}"),
        ):
            os.chdir(where)
            result = runner.invoke(
                app, ["--store", str(store), "ingest", "notebook", target, "--no-classify"]
            )
            assert result.exit_code == 0, result.output
    finally:
        os.chdir(cwd)
    assert _jobs(store) == {f"job:notebook:examples/{NB}"}


def test_a_declared_repository_name_prefixes_the_path(checkout: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    result = CliRunner().invoke(
        app,
        ["--store", str(store), "ingest", "notebook", str(checkout), "--no-classify",
         "--repo", "huggingface/notebooks"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert _jobs(store) == {f"job:notebook:huggingface/notebooks/examples/{NB}"}
