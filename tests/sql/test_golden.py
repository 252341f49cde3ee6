"""Golden pairs: each ``golden/<name>.sql`` beside the ``<name>.json`` that parse-sql prints.

A fixture names its dialect (and optionally a catalog) in header comments::

    -- dialect: snowflake
    -- schema: {"db.t": ["a", "b"]}

Regenerate after a reviewed change with ``LINEAGE_REGEN_GOLDEN=1 pytest tests/sql`` and read
the diff before committing it.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from ingest.sql import parse_sql

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(GOLDEN.glob("*.sql"))


def read_case(path: Path) -> tuple[str, str, dict | None]:
    text = path.read_text(encoding="utf-8")
    dialect = re.search(r"^-- dialect: (\S+)", text, re.M)
    schema = re.search(r"^-- schema: (.+)$", text, re.M)
    assert dialect, f"{path.name}: missing '-- dialect:' header"
    return text, dialect.group(1), json.loads(schema.group(1)) if schema else None


def test_every_dialect_the_issue_names_has_a_golden_case() -> None:
    dialects = {read_case(p)[1] for p in CASES}
    wanted = {"ansi", "postgres", "snowflake", "bigquery", "spark", "databricks", "hive",
              "mysql", "tsql", "redshift", "duckdb"}  # fmt: skip
    assert wanted <= dialects


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_golden(path: Path) -> None:
    text, dialect, schema = read_case(path)
    got = parse_sql(text, dialect=dialect, catalog=schema)
    expected_path = path.with_suffix(".json")
    if os.environ.get("LINEAGE_REGEN_GOLDEN") == "1":
        expected_path.write_text(json.dumps(got, indent=2) + "\n", encoding="utf-8")
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    assert got == expected
