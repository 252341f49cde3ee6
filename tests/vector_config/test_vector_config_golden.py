"""Vector-DB / RAG config facts against golden files written by reading each config by hand."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "notebook"))
from nb_golden import check, summarise

from ingest.vector_config import vector_config_facts

CORPUS = Path(__file__).parents[1] / "corpus" / "vector_configs"
GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.stem for p in GOLDEN.glob("*.json"))


def test_enough_configs_were_read_by_hand() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize("name", CASES)
def test_golden(name: str) -> None:
    path = next(CORPUS.glob(f"{name}.y*ml"))
    check(GOLDEN / f"{name}.json", summarise(vector_config_facts(path, ref=path.name)))
