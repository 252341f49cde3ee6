"""Airflow 3 end to end: ``airflow dags test`` with apache-airflow-providers-openlineage,
sending over HTTP to a real ``lineage serve``.

The DAG (``airflow_dags/customer_pii.py``) runs SQL on a PII table in a real PostgreSQL
(a hash of the SSN, a plain copy of the email, an aggregate) and a Python task whose lineage
is declared with inlets/outlets. The provider parses the SQL itself (openlineage-sql) and
sends untyped column lineage with the SQL facet; the graph must know the hash is masked, the
copy and the exported file carry the email label, and the aggregate carries none. Airflow
runs from ``.venv-airflow`` (``scripts/bootstrap``, ``requirements-airflow.txt``) with a
SQLite metadata database in the test's folder; nothing leaves the machine.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from lineage_serve import LineageServe

from lineage import ids
from lineage.model import Label, Labeling, Rel
from lineage.pipeline import ingest
from lineage.store import open_store

pytestmark = pytest.mark.emitters

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv-airflow" / "bin"
DAGS = Path(__file__).parent / "airflow_dags"
TOKEN = "airflow-emitter-token"
NAMESPACE = "airflow-e2e"
DB = "airflow_wh"


def _warehouse(postgres_url: str) -> str:
    """A database of its own on the shared test server; returns its host:port."""
    engine = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {DB}"))
        conn.execute(sa.text(f"CREATE DATABASE {DB}"))
    engine.dispose()
    return urlsplit(postgres_url).netloc.rpartition("@")[2]


def _airflow(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(
        [str(BIN / "airflow"), *args],
        check=False, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    tail = f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert done.returncode == 0, f"airflow {args[0]} failed:\n{tail}"


def test_airflow_dag_lands_with_sql_masking_and_assets(tmp_path: Path, postgres_url: str) -> None:
    assert (BIN / "airflow").exists(), "run scripts/bootstrap: .venv-airflow has no airflow"
    hostport = _warehouse(postgres_url)
    export = tmp_path / "exports" / "customers_hashed.csv"
    server = LineageServe(tmp_path / "store", {"LINEAGE_API_TOKEN": TOKEN})
    server.start()
    try:
        transport = {
            "type": "http",
            "url": server.url,
            "endpoint": "api/v1/lineage",
            "auth": {"type": "api_key", "apiKey": TOKEN},
        }
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(tmp_path),
            "AIRFLOW_HOME": str(tmp_path / "airflow"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW_CONN_WAREHOUSE": f"postgres://postgres@{hostport}/{DB}",
            "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps(transport),
            "AIRFLOW__OPENLINEAGE__NAMESPACE": NAMESPACE,
            "CUSTOMER_PII_WAREHOUSE_ASSET": f"postgres://{hostport}/{DB}",
            "CUSTOMER_PII_EXPORT_ASSET": export.as_uri(),
            "DO_NOT_TRACK": "1",
            "SCARF_ANALYTICS": "false",
        }
        _airflow(["db", "migrate"], env)
        _airflow(["dags", "test", "customer_pii", "2025-01-02"], env)
    finally:
        server.stop()
        server.stop_store_server()

    ns = f"postgres://{hostport}"

    def ds(table: str) -> str:
        return ids.dataset_id(ns, f"{DB}.public.{table}")

    def col(table: str, field: str) -> str:
        return ids.column_id(ns, f"{DB}.public.{table}", field)

    store = open_store(tmp_path / "store")
    try:

        def targets(uid: str, rel: Rel) -> set[str]:
            return {n.node.uid for n in store.neighbours(uid, direction="out", rels=[rel])}

        hash_job = ids.job_id(NAMESPACE, "customer_pii.hash_ssn")
        assert targets(hash_job, Rel.READS) == {ds("customers")}
        assert targets(hash_job, Rel.WRITES) == {ds("customers_hashed")}
        agg_job = ids.job_id(NAMESPACE, "customer_pii.spend_by_state")
        assert targets(agg_job, Rel.WRITES) == {ds("spend_by_state")}
        # inlets/outlets: an Airflow Asset becomes the task's input and output datasets
        export_job = ids.job_id(NAMESPACE, "customer_pii.export_hashed")
        exported = ids.dataset_id("file", str(export))
        assert targets(export_job, Rel.READS) == {ds("customers_hashed")}
        assert targets(export_job, Rel.WRITES) == {exported}

        def flow(src: str, dst: str) -> dict:
            edges = [
                n.edge
                for n in store.neighbours(src, direction="out", rels=[Rel.FLOWS_TO])
                if n.node.uid == dst
            ]
            assert edges, (src, dst)
            return dict(edges[0].props)

        # the provider's column lineage is untyped; the SQL facet types it
        assert flow(col("customers", "ssn"), col("customers_hashed", "ssn_hash"))["masking"]
        assert not flow(col("customers", "email"), col("customers_hashed", "email"))["masking"]
        total = flow(col("customers", "spend"), col("spend_by_state", "total_spend"))
        assert total["transformation_subtype"] == "AGGREGATION"

        ingest(
            store,
            [
                Labeling(col("customers", "ssn"), Label("PII", "US_SSN"), "presidio", 0.97, 2, 2),
                Labeling(
                    col("customers", "email"), Label("PII", "EMAIL_ADDRESS"), "presidio", 0.97, 2, 2
                ),
            ],
        )

        def labels(uid: str) -> set[str]:
            node = store.get_node(uid)
            assert node is not None, uid
            return set(node.labels)

        assert "PII:US_SSN" not in labels(col("customers_hashed", "ssn_hash"))
        assert "PII:EMAIL_ADDRESS" in labels(col("customers_hashed", "email"))
        assert "PII:US_SSN" not in labels(ds("customers_hashed"))
        # the plain email copy reaches the file the export task declared as its outlet
        assert "PII:EMAIL_ADDRESS" in labels(exported)
        assert labels(ds("spend_by_state")) == set()
    finally:
        store.close()
