"""Issue 19.1: a summary of a PII table holds no PII. ``COUNT(*)`` reads rows, not values,
so the dataset-level edge of a GROUP BY summary must not pass the source's column labels.

The SQL is the issue's own report; the labels are what Presidio found on those columns.
"""

from __future__ import annotations

from ingest.sql import sql_facts
from lineage import ids
from lineage.demo import run_demo
from lineage.model import Label, Labeling
from lineage.pipeline import ingest
from lineage.store import Store, open_store

from .conftest import table

NS = "postgres://db:5432"
SUMMARY = """
CREATE TABLE mart.country_summary AS
SELECT country, COUNT(*) AS customers, AVG(lifetime_value) AS avg_ltv
FROM raw.crm.customers GROUP BY country;
"""
COPY = "CREATE TABLE mart.customer_copy AS SELECT email, country FROM raw.crm.customers;"


def _customers_with_pii(store: Store) -> None:
    """The table as a scan leaves it: its columns, two of them labelled."""
    ingest(
        store,
        [
            *table("raw.crm.customers", "id", "email", "ssn", "country", "lifetime_value"),
            Labeling(
                _col("raw.crm.customers", "email"),
                Label("PII", "EMAIL_ADDRESS"),
                "presidio",
                1.0,
                4,
                4,
            ),
            Labeling(
                _col("raw.crm.customers", "ssn"), Label("PII", "US_SSN"), "presidio", 0.85, 3, 4
            ),
        ],
    )


def _col(table: str, field: str) -> str:
    return ids.column_id(NS, table, field)


def _labels(store: Store, table: str) -> set[str]:
    node = store.get_node(ids.dataset_id(NS, table))
    assert node is not None
    return set(node.labels)


def test_a_group_by_summary_with_count_star_carries_no_pii(g: Store) -> None:
    _customers_with_pii(g)
    ingest(g, sql_facts(SUMMARY, namespace=NS, job_name="summary.sql"))
    assert "PII:US_SSN" in _labels(g, "raw.crm.customers")
    assert _labels(g, "mart.country_summary") == set()


def test_a_copied_column_still_carries_its_label(g: Store) -> None:
    """The control: column edges still carry what they copy (and only that)."""
    _customers_with_pii(g)
    ingest(g, sql_facts(COPY, namespace=NS, job_name="copy.sql"))
    assert _labels(g, "mart.customer_copy") == {"PII", "PII:EMAIL_ADDRESS"}


def test_the_demo_weekly_volume_is_not_pii(tmp_path) -> None:
    store = open_store(tmp_path / "demo")
    try:
        run_demo(store)
        volume = store.get_node("dataset:snowflake://acme:marts.support.weekly_volume")
        assert volume is not None
        assert volume.labels == ()
    finally:
        store.close()
