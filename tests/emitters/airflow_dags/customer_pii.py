"""An Airflow 3 DAG for tests/emitters/test_airflow_ol.py: SQL tasks on a PII table in
PostgreSQL (a hash of the SSN, a plain copy of the email, an aggregate) and a Python task
whose lineage is declared with inlets/outlets (Airflow Assets).

The warehouse connection and the asset URIs come from the environment the test sets.
"""

import os
from datetime import datetime

from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, Asset

WAREHOUSE = os.environ["CUSTOMER_PII_WAREHOUSE_ASSET"]  # postgres://host:port/db
EXPORT = os.environ["CUSTOMER_PII_EXPORT_ASSET"]  # file:///.../customers_hashed.csv


def _export() -> None:
    """Stands in for an export job; its lineage is what inlets/outlets declare."""


with DAG("customer_pii", start_date=datetime(2025, 1, 1), schedule=None, catchup=False):
    seed = SQLExecuteQueryOperator(
        task_id="seed",
        conn_id="warehouse",
        sql=[
            "DROP TABLE IF EXISTS customers_hashed, spend_by_state, customers",
            "CREATE TABLE customers (id int, email text, ssn text, state text, spend numeric)",
            "INSERT INTO customers VALUES (1, 'ann@example.com', '078-05-1120', 'CA', 10.5),"
            " (2, 'bob@example.org', '219-09-9999', 'NY', 3.25)",
        ],
    )
    hashed = SQLExecuteQueryOperator(
        task_id="hash_ssn",
        conn_id="warehouse",
        sql="CREATE TABLE customers_hashed AS SELECT id, email,"
        " encode(sha256(ssn::bytea), 'hex') AS ssn_hash, state FROM customers",
    )
    by_state = SQLExecuteQueryOperator(
        task_id="spend_by_state",
        conn_id="warehouse",
        sql="CREATE TABLE spend_by_state AS"
        " SELECT state, sum(spend) AS total_spend FROM customers GROUP BY state",
    )
    export = PythonOperator(
        task_id="export_hashed",
        python_callable=_export,
        inlets=[Asset(f"{WAREHOUSE}/public/customers_hashed")],
        outlets=[Asset(EXPORT)],
    )
    seed >> [hashed, by_state]
    hashed >> export
