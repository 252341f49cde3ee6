"""The real-world discovery corpus (tests/corpus/real) is scored on every run.

Every case must be well-formed (expected file valid against the corpus schema, artefact
present and ingested without errors), and overall recall and precision must stay at or
above bench/discovery_floor.json (per recorded case: facts found and false positives; over
the recorded cases: recall and precision), raised as fixes land and never lowered.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench import discovery_accuracy as scorer  # noqa: E402
from bench.discovery_facts import dataset_parts, model_ids, suffix_len  # noqa: E402
from bench.discovery_schema import find_cases, validate  # noqa: E402

CORPUS = ROOT / "tests" / "corpus" / "real"


@pytest.fixture(scope="module")
def results() -> list[scorer.CaseResult]:
    return scorer.run(CORPUS)


def test_the_corpus_has_cases() -> None:
    assert len(list(find_cases(CORPUS))) >= 16


def test_every_expected_file_follows_the_schema() -> None:
    bad = {c.slug: c.errors for c in find_cases(CORPUS) if c.errors}
    assert not bad, bad


def test_every_case_is_ingested_without_errors(results: list[scorer.CaseResult]) -> None:
    bad = {r.case.slug: r.errors for r in results if r.errors}
    assert not bad, bad


def test_recall_and_precision_stay_at_or_above_the_floor(
    results: list[scorer.CaseResult],
) -> None:
    assert not scorer.check_floor(results)


def test_a_malformed_expectation_is_reported_with_where() -> None:
    errors = validate(
        {
            "source": {"repo": "a/b", "path": "x.ipynb", "commit": "abc", "license": "MIT"},
            "modified": None,
            "frameworks": ["langchain", "notaframework"],
            "facts": {
                "models": [{"id": "gpt-4o", "provider": "openai", "role": "chat"}],
                "flows": [{"from": "data.csv", "to": "model:gpt-4o", "kind": "infer"}],
            },
        }
    )
    joined = "\n".join(errors)
    assert "source.commit" in joined
    assert "frameworks[1]" in joined
    assert "facts.models[0].role" in joined
    assert "facts.flows[0].from" in joined


def test_dataset_matching_is_by_normalised_suffix() -> None:
    assert suffix_len(dataset_parts("./data/train.csv"), dataset_parts("train.csv")) == 1
    assert suffix_len(dataset_parts("db.public.customers"), dataset_parts("public.customers")) == 2
    assert suffix_len(dataset_parts("https://www.x.org/a/b.pdf"), dataset_parts("x.org/a/b.pdf"))
    assert not suffix_len(dataset_parts("data/train.csv"), dataset_parts("data/test.csv"))
    assert not suffix_len(dataset_parts("public.orders"), dataset_parts("orders.csv"))


def test_model_ids_drop_only_the_facts_own_provider_prefix() -> None:
    assert "gpt-4o" in model_ids("openai/gpt-4o", "openai")
    assert "llama-3.1-8b" not in model_ids("meta-llama/Llama-3.1-8B", "huggingface")
    assert "out" in model_ids("./out/", "local")


def test_a_dbt_projects_reads_are_its_inputs_not_its_own_models() -> None:
    """jaffle_shop: customers.sql reads stg_customers, which the project builds itself."""
    from bench.discovery_facts import produced_facts

    root = CORPUS / "dbt"
    got = produced_facts(root / "dbt-labs-jaffle_shop", root)
    assert {"raw_customers", "raw_orders", "raw_payments"} <= {r.split(".")[-1] for r in got.reads}
    assert not {r for r in got.reads if r.split(".")[-1].startswith("stg_")}
    assert {"stg_customers", "customers"} <= {w.split(".")[-1] for w in got.writes}
