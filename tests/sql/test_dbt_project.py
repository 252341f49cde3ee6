"""dbt projects read as a folder (issue 15: dbt_project.yml, sources.yml, ref/source, macros),
on three real projects from tests/corpus/real/dbt (their expected facts are scored by
bench/discovery_accuracy.py; these tests pin the behaviours behind them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.sql.project import project_facts
from lineage.model import Edge, Node, Problem, Rel, Severity

DBT = Path(__file__).parents[1] / "corpus/real/dbt"


def _facts(name: str) -> list:
    return list(project_facts(DBT / name, ref=name))


def _flows(facts: list) -> set[tuple[str, str]]:
    return {
        (f.src.rsplit(":", 1)[-1], f.dst.rsplit(":", 1)[-1])
        for f in facts
        if isinstance(f, Edge) and f.rel is Rel.FLOWS_TO and f.src.startswith("dataset:")
    }


def test_jaffle_shop_seeds_to_staging_views_to_marts() -> None:
    facts = _facts("dbt-labs-jaffle_shop")
    assert not [p for p in facts if isinstance(p, Problem) and p.severity is Severity.ERROR]
    assert {
        ("raw_orders", "stg_orders"),
        ("stg_orders", "customers"),
        ("stg_payments", "orders"),
    } <= _flows(facts)
    jobs = {f.name for f in facts if isinstance(f, Node) and f.kind.value == "Job"}
    assert "jaffle_shop.orders" in jobs


def test_an_ephemeral_model_is_inlined_not_written() -> None:
    facts = _facts("astronomer-astronomer-cosmos__altered_jaffle_shop")
    assert ("customers", "ephemeral_customers_downstream") in _flows(facts)
    datasets = {f.name for f in facts if isinstance(f, Node) and f.kind.value == "Dataset"}
    assert "ephemeral_customers" not in datasets
    # sources.yml takes database and schema from env_var: no default, so only the table
    assert ("raw_orders", "stg_orders") in _flows(facts)


def test_a_package_macro_is_not_analysed_yet_table_lineage_stays_true() -> None:
    """fivetran_utils.fill_staging_columns cannot be rendered without the package: the
    model's CTEs must not become source tables (the old silent error); ref() still holds."""
    facts = _facts("fivetran-dbt_github_source")
    warnings = [p for p in facts if isinstance(p, Problem) and "not analysed" in p.message]
    assert any("fivetran_utils.fill_staging_columns" in p.message for p in warnings)
    flows = _flows(facts)
    assert ("github_source.stg_github__issue_tmp", "github_source.stg_github__issue") in flows
    assert ("github.issue", "github_source.stg_github__issue_tmp") in flows
    sources = {src for src, _ in flows}
    assert not sources & {"issue", "macro", "fields", "final"}  # the models' CTE names
    coarse = [
        f
        for f in facts
        if isinstance(f, Edge)
        and f.rel is Rel.FLOWS_TO
        and f.dst.endswith(":github_source.stg_github__issue")
    ]
    assert coarse and all(f.props["column_detail"] is False for f in coarse)


@pytest.mark.parametrize("name", sorted(p.name for p in DBT.iterdir() if p.is_dir()))
def test_reading_a_project_twice_gives_the_same_facts(name: str) -> None:
    assert _facts(name) == _facts(name)


def test_seed_headers_and_upstream_models_give_column_lineage() -> None:
    """``select * from {{ ref('raw_customers') }}`` resolves through the seed's CSV header,
    and customers.sql through stg_customers' columns (models analysed upstream first)."""
    facts = _facts("dbt-labs-jaffle_shop")
    columns = {
        (f.src.rsplit(":", 1)[-1], f.dst.rsplit(":", 1)[-1])
        for f in facts
        if isinstance(f, Edge) and f.rel is Rel.FLOWS_TO and f.src.startswith("column:")
    }
    assert ("raw_customers#first_name", "stg_customers#first_name") in columns
    assert ("stg_customers#first_name", "customers#first_name") in columns
    assert not [p for p in facts if isinstance(p, Problem) and "incomplete" in p.message]
