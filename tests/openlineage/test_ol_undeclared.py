"""Column lineage naming datasets the event does not list in ``inputs``.

dbt-ol (real events, see the corpus README) leaves a model's upstream seed out of
``inputs``; Spark's Iceberg CTAS sends ``inputs: []`` with ``columnLineage`` naming the
sources. Those datasets are read by the job: they get a node, a source and READS.
"""

from __future__ import annotations

import json
from pathlib import Path

from ol_corpus import CORPUS, events_of
from ol_graph import GraphView

from ingest.openlineage import read_events
from lineage import ids
from lineage.intake import Intake
from lineage.store import Store
from lineage.transfer import export_lines

DBT = CORPUS / "emitted" / "dbt_ol_duckdb_pii_demo.jsonl"
DUCK = "duckdb:///tmp/dbtrun/w.duckdb"


def _view(store: Store, tmp_path: Path, payload: str | bytes) -> GraphView:
    intake = Intake.open(store, tmp_path / "eventlog")
    try:
        result = intake.submit(read_events(payload))
    finally:
        intake.close()
    assert not result.rejected and result.applied, result.to_dict()
    return GraphView.from_lines(export_lines(store))


def test_dbt_seed_named_only_by_column_lineage_is_a_real_input(
    store: Store, tmp_path: Path
) -> None:
    events = [json.loads(line) for line in DBT.read_text().splitlines()]
    for event in events:  # the column lineage alone must say it (no SQL to parse)
        event["job"]["facets"].pop("sql", None)
    view = _view(store, tmp_path, "\n".join(json.dumps(e) for e in events))
    seed = ids.dataset_id(DUCK, "w.main.customers")
    node = view.nodes[seed]
    assert (node["name"], node["namespace"]) == ("w.main.customers", DUCK)
    assert not node["props"].get("stub")
    assert view.edge(ids.source_id(DUCK), "CONTAINS", seed)
    for model in ("customers_hashed", "spend_by_state"):
        (reads,) = view.edge(ids.job_id("dbt", f"w.main.pii_demo.{model}"), "READS", seed)
        assert reads["props"]["evidence"] == "column_lineage"


def test_ctas_with_empty_inputs_keeps_its_sources(store: Store, tmp_path: Path) -> None:
    case = json.loads(
        (CORPUS / "cases" / "spark_app_pysparkCTASWithColumnLineageEnd.json").read_text()
    )
    events = events_of(case)
    for event in events:
        event["inputs"] = []  # as the Iceberg CTAS event sends it
    view = _view(store, tmp_path, json.dumps(events))
    (src,) = view.datasets("file", "/tmp/ctas_load/temp")
    (dst,) = view.datasets("file", "/tmp/ctas_load/tbl1")
    assert view.nodes[src]["kind"] == "Dataset"
    job = next(
        uid for uid, n in view.nodes.items() if n["kind"] == "Job" and view.edge(uid, "WRITES", dst)
    )
    assert view.edge(job, "READS", src)
    for field in ("a", "b"):
        (a,) = view.columns("file", "/tmp/ctas_load/temp", field)
        (b,) = view.columns("file", "/tmp/ctas_load/tbl1", field)
        assert view.edge(a, "FLOWS_TO", b)
