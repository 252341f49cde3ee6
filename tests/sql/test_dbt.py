"""dbt models without a manifest: rendered in a sandbox, materialised as dbt would."""

from __future__ import annotations

import json

import pytest

from ingest.sql import parse_sql
from ingest.sql.dbt import render_dbt_model
from lineage.errors import ParseError


def test_jaffle_shop_model_from_the_corpus(corpus) -> None:
    case = json.loads(
        (corpus / "sql" / "openlineage-dbt__postgres.jaffle_shop.orders.json").read_text()
    )
    sql = render_dbt_model(case["input"], "postgres.public.orders")
    assert sql.startswith("CREATE VIEW postgres.public.orders AS")
    assert "sum(case when payment_method = 'gift_card'" in sql
    got = parse_sql(sql, dialect="postgres")
    assert got["sources"] == ["postgres.public.stg_orders", "postgres.public.stg_payments"]
    assert got["targets"] == ["postgres.public.orders"]


def test_config_source_var_and_unknown_macros() -> None:
    sql = render_dbt_model(
        "{{ config(materialized='incremental') }}\n"
        "select id, {{ var('col', 'email') }} from {{ source('crm', 'users') }}"
        " where {{ dbt_utils.some_macro('x') }} 1 = 1",
        "dw.mart.users",
    )
    assert sql.startswith("INSERT INTO dw.mart.users\nselect id, email from crm.users")


def test_templates_run_sandboxed() -> None:
    with pytest.raises(ParseError):
        render_dbt_model("{{ ''.__class__.__mro__[1].__subclasses__() }}", "m")
