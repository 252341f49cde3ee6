"""SQL ingestion: table and column lineage, transform-aware, from warehouse SQL.

:func:`parse_sql` gives the stable JSON document (``lineage parse-sql``); :func:`analyse`
the same as dataclasses; :func:`sql_facts` the graph facts (``lineage ingest sql``).
User guide: docs/sql.md.

>>> from ingest.sql import parse_sql
>>> parse_sql("INSERT INTO dw.t SELECT sha2(email) AS e FROM crm.users", dialect="spark")[
...     "columns"][0]["transformation"]
{'type': 'DIRECT', 'subtype': 'TRANSFORMATION', 'masking': True}
"""

from __future__ import annotations

from typing import Any

from ingest.sql.catalog import Catalog, CatalogInput
from ingest.sql.dialects import resolve_dialect
from ingest.sql.facts import sql_facts
from ingest.sql.result import ColumnEdge, ScriptLineage, StatementLineage
from ingest.sql.script import analyse
from ingest.sql.transforms import DEFAULT_MASKING_FUNCTIONS, MaskingPolicy, Transformation

__all__ = [
    "DEFAULT_MASKING_FUNCTIONS",
    "Catalog",
    "CatalogInput",
    "ColumnEdge",
    "MaskingPolicy",
    "ScriptLineage",
    "StatementLineage",
    "Transformation",
    "analyse",
    "parse_sql",
    "resolve_dialect",
    "sql_facts",
]


def parse_sql(
    text: str,
    *,
    dialect: str = "ansi",
    catalog: Catalog | CatalogInput | None = None,
    masking: MaskingPolicy | None = None,
) -> dict[str, Any]:
    """The ``lineage parse-sql --json`` document for ``text`` (see :mod:`ingest.sql.result`)."""
    return analyse(text, dialect=dialect, catalog=catalog, masking=masking).to_dict()
