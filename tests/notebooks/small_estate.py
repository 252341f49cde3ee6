"""A small estate written through the real pipeline (labels propagate as in production):

crm.customers.email (own PII:EMAIL_ADDRESS) -> features.tickets.email -> features.tickets
  ==fine_tune==> support-model ==serve==> support-bot (public; alice, bob)
crm.customers.email -masked-> marts.contacts.email_hash ; hr.people (own PII) -> hr-model
  (shadow: registered false) ==serve==> hr-api (internal); a Principal and a Job besides.
"""

from __future__ import annotations

from lineage import ids
from lineage.model import Edge, Kind, Label, Labeling, Node, Rel
from lineage.pipeline import ingest

WH = "snowflake://acme"
ML = "mlflow://ml.acme"
API = "https://api.acme.example"


def ds(name: str) -> str:
    return ids.dataset_id(WH, name)


def col(name: str, field: str) -> str:
    return ids.column_id(WH, name, field)


MODEL = ids.model_id(ML, "support-model")
SHADOW = ids.model_id(ML, "hr-model")
BOT = ids.make(Kind.ENDPOINT, API, "support-bot")
HR_API = ids.make(Kind.ENDPOINT, API, "hr-api")
ALICE = ids.make(Kind.PRINCIPAL, "okta://acme", "alice")
JOB = ids.job_id("airflow://acme", "build_features")


def load(store) -> None:
    facts: list = []

    def table(name: str, *cols: str) -> None:
        facts.append(Node(ds(name), Kind.DATASET, name, WH, {"fields": list(cols)}))
        for c in cols:
            facts.append(Node(col(name, c), Kind.COLUMN, f"{name}.{c}", WH))
            facts.append(Edge(ds(name), Rel.HAS_COLUMN, col(name, c)))

    def flow(src: str, dst: str, kind: str = "transform", **props) -> None:
        gran = "column" if src.startswith("column:") else "dataset"
        p = {"kind": kind, "via": JOB, "granularity": gran, "transformation_type": "DIRECT"}
        p.update(props)
        facts.append(Edge(src, Rel.FLOWS_TO, dst, p, key=JOB))

    table("crm.customers", "id", "email")
    table("features.tickets", "id", "email")
    table("marts.contacts", "id", "email_hash")
    table("hr.people", "id", "salary")
    facts.append(Node(JOB, Kind.JOB, "build_features", "airflow://acme", {"job_type": "sql"}))
    facts.append(Node(MODEL, Kind.MODEL, "support-model", ML, {"registered": True}))
    facts.append(Node(SHADOW, Kind.MODEL, "hr-model", ML, {"registered": False}))
    facts.append(Node(BOT, Kind.ENDPOINT, "support-bot", API, {"exposure": "public"}))
    facts.append(Node(HR_API, Kind.ENDPOINT, "hr-api", API, {"exposure": "internal"}))
    facts.append(Node(ALICE, Kind.PRINCIPAL, "alice", "okta://acme"))
    facts.append(Edge(ALICE, Rel.CAN_ACCESS, BOT, {"permission": "invoke"}))
    facts.append(Edge(JOB, Rel.READS, ds("crm.customers")))
    facts.append(Edge(JOB, Rel.WRITES, ds("features.tickets")))
    flow(col("crm.customers", "email"), col("features.tickets", "email"))
    flow(col("crm.customers", "id"), col("features.tickets", "id"))
    flow(ds("crm.customers"), ds("features.tickets"), column_detail=True)
    flow(col("crm.customers", "email"), col("marts.contacts", "email_hash"), masking=True)
    flow(ds("features.tickets"), MODEL, "fine_tune")
    flow(MODEL, BOT, "serve")
    flow(ds("hr.people"), SHADOW, "train")
    flow(SHADOW, HR_API, "serve")
    facts.append(Labeling(col("crm.customers", "email"), Label("PII", "EMAIL_ADDRESS"), "t", 0.9))
    facts.append(Labeling(col("hr.people", "salary"), Label("PII"), "t", 1.0))
    ingest(store, facts, seen="2026-01-15T09:00:00.000Z")
