"""The enforcement scenario buyers run, shared by the tests and ``bench/policy_enforcement.py``.

A company estate: a feature table trains a registered model served at an *external*
endpoint that two principals can call. Synthetic customers (Faker) land in a staging dataset
that is sampled and classified by Presidio (``ingest.sensitivity``): PII. Then one
OpenLineage event (a job writing the feature table from the staging data, described by its
``sql`` facet or its ``columnLineage`` facet) connects them, and the policy "no PII in
training datasets for externally accessible models" must fire at once.

Three environments, same story: a warehouse namespace (Snowflake, lineage from the SQL
facet), a SaaS export (a JSON Lines file in an export bucket) and an on-premises database
(SQLite, and PostgreSQL when a server is given).
"""

from __future__ import annotations

import csv
import json
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faker import Faker

from ingest.sensitivity import scan, scan_facts
from lineage import ids, pipeline
from lineage.model import Edge, Fact, Kind, Node, Rel
from lineage.store import Store

SEEN = "2026-01-05T09:00:00.000Z"
EVENT_TIME = "2026-01-06T10:00:00.000Z"
PRODUCER = "https://github.com/OpenLineage/OpenLineage/tree/1.30.0/integration/airflow"
FIELDS = ["customer_id", "full_name", "email", "phone", "note"]

POLICY = """\
id: no-pii-in-training-data-of-external-models
description: No PII in training datasets for externally accessible models.
severity: critical
match:
  kind: training_data_of_exposed_model
  categories: [PII]
  exposures: [public, external]
responses:
  - action: quarantine
    target: endpoint
    dry_run: {dry_run}
"""


def customers(n: int = 60, seed: int = 7) -> list[dict[str, Any]]:
    """Synthetic customers; the note mentions an e-mail address now and then."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    rows = []
    for i in range(n):
        email = fake.unique.email()
        rows.append(
            {
                "customer_id": 10_000 + i,
                "full_name": fake.name(),
                "email": email,
                "phone": fake.numerify("(###) ###-####").replace("(0", "(2").replace("(1", "(3"),
                "note": f"asked for a refund; reply to {email}" if i % 3 == 0 else "no note",
            }
        )
    return rows


@dataclass(frozen=True)
class Environment:
    name: str
    namespace: str
    staging: str  # dataset name in the namespace
    features_namespace: str
    features: str
    lineage: str  # "sql" (the SQL facet) or "columns" (a columnLineage facet)

    def write_data(
        self, folder: Path, rows: list[dict[str, Any]], db_url: str | None
    ) -> tuple[str, str | None]:
        """Put the staging rows where the environment keeps them; return (location, table)."""
        if self.name == "warehouse":  # an extract of the staging table, as a scan sees it
            path = folder / "customers_extract.csv"
            with path.open("w", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=FIELDS)
                writer.writeheader()
                writer.writerows(rows)
            return str(path), None
        if self.name == "saas":
            path = folder / "zendesk_customers.jsonl"
            path.write_text("".join(json.dumps(r) + "\n" for r in rows))
            return str(path), None
        if self.name == "onprem-sqlite":
            path = folder / "crm.db"
            with sqlite3.connect(path) as db:
                db.execute(
                    "CREATE TABLE customers (customer_id INTEGER PRIMARY KEY, full_name TEXT,"
                    " email TEXT, phone TEXT, note TEXT)"
                )
                db.executemany(
                    "INSERT INTO customers VALUES (?, ?, ?, ?, ?)",
                    [tuple(r[k] for k in FIELDS) for r in rows],
                )
            return f"sqlite:///{path}", "customers"
        if self.name == "onprem-postgres":
            import sqlalchemy as sa

            assert db_url, "the PostgreSQL environment needs a server URL"
            engine = sa.create_engine(db_url)
            with engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA IF EXISTS crm CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA crm"))
                conn.execute(
                    sa.text(
                        "CREATE TABLE crm.customers (customer_id INTEGER PRIMARY KEY,"
                        " full_name TEXT, email TEXT, phone TEXT, note TEXT)"
                    )
                )
                conn.execute(
                    sa.text(
                        "INSERT INTO crm.customers VALUES (:customer_id, :full_name, :email,"
                        " :phone, :note)"
                    ),
                    rows,
                )
            engine.dispose()
            return db_url, "crm.customers"
        raise ValueError(self.name)


ENVIRONMENTS = {
    "warehouse": Environment(
        "warehouse", "snowflake://acme", "raw.staging.customers",
        "snowflake://acme", "ml.features.support", "sql",
    ),
    "saas": Environment(
        "saas", "s3://acme-saas-exports", "zendesk/customers.jsonl",
        "snowflake://acme", "ml.features.support", "columns",
    ),
    "onprem-sqlite": Environment(
        "onprem-sqlite", "sqlite://crm-db01", "main.customers",
        "sqlite://crm-db01", "main.support_features", "columns",
    ),
    "onprem-postgres": Environment(
        "onprem-postgres", "postgres://crm-db02:5432", "crm.public.customers",
        "postgres://crm-db02:5432", "crm.public.support_features", "sql",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Estate:
    env: Environment
    staging: str
    features: str
    model: str
    endpoint: str
    principals: tuple[str, ...]
    train_job: str
    pii_columns: tuple[str, ...]


def estate_facts(env: Environment, suffix: str = "") -> tuple[list[Fact], Estate]:
    """The model side of the estate (no PII anywhere yet)."""
    features = ids.dataset_id(env.features_namespace, env.features + suffix)
    model = ids.model_id("mlflow://registry", f"support-bot{suffix}")
    endpoint = ids.make(Kind.ENDPOINT, "https://api.acme.example", f"support-chat{suffix}")
    train = ids.job_id("airflow://ml", f"train_support_bot{suffix}")
    principals = tuple(
        ids.make(Kind.PRINCIPAL, "okta://acme", name)
        for name in ("ann@acme.example", "partner-app")
    )
    fparsed = ids.parse(features)
    facts: list[Fact] = [
        Node(
            features,
            Kind.DATASET,
            fparsed.name,
            fparsed.namespace,
            {"fields": ["customer_id", "note"]},
        ),
        Node(
            train, Kind.JOB, f"train_support_bot{suffix}", "airflow://ml", {"job_type": "training"}
        ),
        Node(
            model,
            Kind.MODEL,
            f"support-bot{suffix}",
            "mlflow://registry",
            {"registered": True, "provider": "internal", "model_type": "llm"},
        ),
        Node(
            endpoint,
            Kind.ENDPOINT,
            f"support-chat{suffix}",
            "https://api.acme.example",
            {"exposure": "external"},
        ),
        Edge(train, Rel.READS, features),
        Edge(
            features,
            Rel.FLOWS_TO,
            model,
            {
                "kind": "train",
                "via": train,
                "granularity": "dataset",
                "transformation_type": "DIRECT",
                "transformation_subtype": "TRANSFORMATION",
            },
            key=train,
        ),
        Edge(
            model,
            Rel.FLOWS_TO,
            endpoint,
            {
                "kind": "serve",
                "via": "",
                "granularity": "dataset",
                "transformation_type": "DIRECT",
                "transformation_subtype": "IDENTITY",
            },
        ),
    ]
    for i, p in enumerate(principals):
        pp = ids.parse(p)
        facts.append(Node(p, Kind.PRINCIPAL, pp.name, pp.namespace, {"groups": ["support"]}))
        facts.append(
            Edge(p, Rel.CAN_ACCESS, endpoint, {"permission": "invoke", "granted_by": f"ticket-{i}"},
                 key="iam")
        )  # fmt: skip
    estate = Estate(env, ids.dataset_id(env.namespace, env.staging + suffix), features, model,
                    endpoint, principals, train, ())  # fmt: skip
    return facts, estate


def build(store: Store, env: Environment, folder: Path, *, db_url: str | None = None,
          suffix: str = "", rows: int = 60) -> Estate:  # fmt: skip
    """Write the staging data, scan and classify it (Presidio), and load the estate."""
    facts, estate = estate_facts(env, suffix)
    pipeline.ingest(store, facts, seen=SEEN)
    location, table = env.write_data(folder, customers(rows), db_url)
    result = scan(location, dataset=estate.staging, table=table)
    labelings = [lab for labs in result.labelings().values() for lab in labs]
    pipeline.ingest(store, [*scan_facts(result), *labelings], seen=SEEN)
    pii = tuple(sorted({lab.uid for lab in labelings if lab.label.category == "PII"}))
    return Estate(**{**estate.__dict__, "pii_columns": pii})


def violation_event(estate: Estate, *, run: int = 0) -> dict[str, Any]:
    """The OpenLineage event of the job that writes the feature table from staging."""
    env = estate.env
    staging, features = ids.parse(estate.staging), ids.parse(estate.features)
    job: dict[str, Any] = {"namespace": "airflow://etl", "name": f"build_{features.name}"}
    output: dict[str, Any] = {"namespace": features.namespace, "name": features.name}
    if env.lineage == "sql":
        job["facets"] = {
            "sql": {
                "_producer": PRODUCER,
                "_schemaURL": "https://openlineage.io/spec/facets/1-1-0/SQLJobFacet.json#/$defs/SQLJobFacet",
                "query": f"INSERT INTO {features.name} (customer_id, note)\n"
                f"SELECT customer_id, note || ' <' || email || '>' FROM {staging.name}",
            }
        }
    else:
        output["facets"] = {
            "columnLineage": {
                "_producer": PRODUCER,
                "_schemaURL": "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet",
                "fields": {
                    "customer_id": {"inputFields": [_field(staging, "customer_id", "IDENTITY")]},
                    "note": {
                        "inputFields": [
                            _field(staging, "note", "TRANSFORMATION"),
                            _field(staging, "email", "TRANSFORMATION"),
                        ]
                    },
                },
            }
        }
    return {
        "eventType": "COMPLETE",
        "eventTime": EVENT_TIME,
        "producer": PRODUCER,
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": str(uuid.UUID(int=run + 1, version=4))},
        "job": job,
        "inputs": [{"namespace": staging.namespace, "name": staging.name}],
        "outputs": [output],
    }


def _field(dataset: Any, name: str, subtype: str) -> dict[str, Any]:
    return {
        "namespace": dataset.namespace,
        "name": dataset.name,
        "field": name,
        "transformations": [{"type": "DIRECT", "subtype": subtype, "masking": False}],
    }


def iter_envs(postgres: bool) -> Iterator[str]:
    yield from ("warehouse", "saas", "onprem-sqlite")
    if postgres:
        yield "onprem-postgres"
