"""Notebook facts against golden files written by reading each notebook by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from nb_golden import check, summarise

from ingest.notebook import notebook_facts

CORPUS = Path(__file__).parents[1] / "corpus" / "notebooks"
GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.stem for p in GOLDEN.glob("*.json"))


def test_enough_notebooks_were_read_by_hand() -> None:
    assert len(CASES) >= 15


@pytest.mark.parametrize("name", CASES)
def test_golden(name: str) -> None:
    path = CORPUS / f"{name}.ipynb"
    check(GOLDEN / f"{name}.json", summarise(notebook_facts(path, ref=path.name)))
