"""Untyped emitter column lineage typed by the job's SQL facet (dbt-ol drops the masking).

The dbt-ol events are real (captured from ``dbt-ol run``, see the corpus README); the
other cases are integration events from the OpenLineage corpus.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ol_corpus import CORPUS, events_of
from ol_graph import GraphView

from ingest.openlineage import read_events
from lineage import ids
from lineage.intake import Intake, SubmitResult
from lineage.model import Label, Labeling
from lineage.pipeline import ingest
from lineage.store import Store
from lineage.transfer import export_lines

DBT = CORPUS / "emitted" / "dbt_ol_duckdb_pii_demo.jsonl"
DUCK = "duckdb:///tmp/dbtrun/w.duckdb"


def _submit(store: Store, tmp_path: Path, payload: bytes | str) -> SubmitResult:
    intake = Intake.open(store, tmp_path / "eventlog")
    try:
        result = intake.submit(read_events(payload))
    finally:
        intake.close()
    assert not result.rejected, result.to_dict()
    assert result.applied
    return result


def _flows(view: GraphView, src: str, dst: str) -> list[dict[str, Any]]:
    return [e["props"] for e in view.edge(src, "FLOWS_TO", dst)]


def _col(table: str, field: str, ns: str = DUCK) -> str:
    return ids.column_id(ns, table, field)


def _labels(store: Store, uid: str) -> set[str]:
    node = store.get_node(uid)
    assert node is not None, uid
    return set(node.labels)


def test_dbt_ol_hash_does_not_inherit_the_raw_columns_label(store: Store, tmp_path: Path) -> None:
    _submit(store, tmp_path, DBT.read_bytes())
    ssn = _col("w.main.customers", "ssn")
    ingest(store, [Labeling(ssn, Label("PII", "US_SSN"), "presidio", 0.97, 3, 3)])
    view = GraphView.from_lines(export_lines(store))
    (hashed,) = _flows(view, ssn, _col("w.main.customers_hashed", "ssn_hash"))
    assert hashed["masking"] is True and hashed["evidence"] == "sql_facet"
    (total,) = _flows(view, _col("w.main.customers", "amount"),
                      _col("w.main.spend_by_state", "total_amount"))  # fmt: skip
    assert total["transformation_subtype"] == "AGGREGATION"
    (group,) = _flows(view, _col("w.main.customers", "state"),
                      ids.dataset_id(DUCK, "w.main.spend_by_state"))  # fmt: skip
    assert (group["transformation_type"], group["transformation_subtype"]) == (
        "INDIRECT", "GROUP_BY",
    )  # fmt: skip
    assert _labels(store, ssn) == {"PII", "PII:US_SSN"}
    assert _labels(store, _col("w.main.customers_hashed", "ssn_hash")) == set()
    assert _labels(store, ids.dataset_id(DUCK, "w.main.customers_hashed")) == set()
    assert _labels(store, ids.dataset_id(DUCK, "w.main.spend_by_state")) == set()
    # the plain copy still carries what it copies
    (email,) = _flows(view, _col("w.main.customers", "email"),
                      _col("w.main.customers_hashed", "email"))  # fmt: skip
    assert (email["transformation_type"], email["masking"]) == ("DIRECT", False)


def test_unreadable_sql_keeps_the_emitters_lineage(store: Store, tmp_path: Path) -> None:
    events = [json.loads(line) for line in DBT.read_text().splitlines()]
    for event in events:
        sql = event["job"]["facets"].get("sql")
        if sql:
            sql["query"] = "this is not ( sql"
    result = _submit(store, tmp_path, "\n".join(json.dumps(e) for e in events))
    assert any("kept as sent" in str(p) for p in result.problems)
    view = GraphView.from_lines(export_lines(store))
    ssn, hashed = _col("w.main.customers", "ssn"), _col("w.main.customers_hashed", "ssn_hash")
    (edge,) = _flows(view, ssn, hashed)
    assert (edge["transformation_type"], edge["masking"]) == ("DIRECT", False)


def _corpus(store: Store, tmp_path: Path, name: str) -> GraphView:
    case = json.loads((CORPUS / "cases" / f"{name}.json").read_text())
    _submit(store, tmp_path, json.dumps(events_of(case)))
    return GraphView.from_lines(export_lines(store))


def test_airflow_postgres_extract_is_typed_by_its_sql(store: Store, tmp_path: Path) -> None:
    view = _corpus(store, tmp_path, "airflow_tests_requests_postgres")
    ns = "postgres://postgres:5432"
    src = _col("public.top_delivery_times", "order_placed_on", ns)
    (edge,) = _flows(
        view, src, _col("food_delivery.public.popular_orders_day_of_week", "order_day_of_week", ns)
    )
    assert edge["evidence"] == "sql_facet"
    assert (edge["transformation_type"], edge["transformation_subtype"]) == (
        "DIRECT", "TRANSFORMATION",
    )  # fmt: skip


def test_marquez_join_key_the_emitter_listed_becomes_indirect(store: Store, tmp_path: Path) -> None:
    view = _corpus(store, tmp_path, "marquez_docker_metadata.template")
    ns = "food_delivery"
    dst = _col("public.orders_7_days", "menu_id", ns)
    (join_key,) = _flows(view, _col("public.categories", "menu_id", ns), dst)
    assert join_key["transformation_type"] == "INDIRECT"
    (value,) = _flows(view, _col("public.menus", "id", ns), dst)
    assert (value["transformation_type"], value["transformation_subtype"]) == (
        "DIRECT", "IDENTITY",
    )  # fmt: skip


def test_typed_emitter_lineage_is_left_as_sent(store: Store, tmp_path: Path) -> None:
    view = _corpus(
        store, tmp_path, "hive_hive-openlineage-hook_cllSimpleQueryWindowedAggregateComplete"
    )
    flows = [e["props"] for e in view.edges if e["rel"] == "FLOWS_TO"]
    assert flows and not any(p.get("evidence") == "sql_facet" for p in flows)


AIRFLOW = CORPUS / "emitted" / "airflow3_postgres_customer_pii.jsonl"
PG = "postgres://127.0.0.1:55432"


def test_airflow_start_event_names_the_created_table_as_the_connection_does(
    store: Store, tmp_path: Path
) -> None:
    """The START of ``CREATE TABLE customers_hashed AS SELECT ... FROM customers`` reports
    ``airflow_wh.public.customers`` only; the table it creates takes the same default
    database and schema instead of landing as a look-alike ``customers_hashed``."""
    _submit(store, tmp_path, AIRFLOW.read_bytes())
    view = GraphView.from_lines(export_lines(store))
    job = ids.job_id("airflow-e2e", "customer_pii.hash_ssn")
    written = {e["dst"] for e in view.out(job, "WRITES")}
    assert written == {ids.dataset_id(PG, "airflow_wh.public.customers_hashed")}
    names = {n["name"] for n in view.nodes.values() if n["kind"] == "Dataset"}
    assert not {"customers", "customers_hashed", "spend_by_state"} & names, names
    ssn = _col("airflow_wh.public.customers", "ssn", PG)
    # the task's own job and, under `dags test`, the SQL hook's `.query.N` child job
    hashed = _flows(view, ssn, _col("airflow_wh.public.customers_hashed", "ssn_hash", PG))
    assert {(f["via"], f["masking"]) for f in hashed} == {
        (job, True),
        (ids.job_id("airflow-e2e", "customer_pii.export_hashed.query.4"), True),
    }
