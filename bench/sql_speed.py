"""SQL lineage speed: one pass per statement vs one ``sqlglot.lineage()`` call per column.

Statements are every corpus statement (tests/corpus/sql) with a query that has output
columns. Both sides are timed on the same statements in the same run, each repeated and
the median taken:

- from a parsed tree (the like-for-like pairing): ours copies the tree and walks every
  column in one pass (``statement_lineage``); the baseline calls
  ``sqlglot.lineage(column, parsed)`` for every output column (it copies and qualifies the
  tree in each call);
- from SQL text (the documented usage): ours is ``ingest.sql.analyse(sql)`` (split, parse,
  walk, script-level assembly); the baseline is ``sqlglot.lineage(column, sql)`` per column,
  which parses again in every call;
- table level: ``analyse(script, columns=False)`` over every corpus input, statements/s.

Times are CPU seconds of this process (``time.process_time``), not wall time: the machine
is shared, and under load wall time measures the neighbours; CPU time measures the work.

Run: ``.venv/bin/python bench/sql_speed.py [--repeat 5]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlglot import exp  # noqa: E402
from sqlglot.lineage import lineage  # noqa: E402

from ingest.sql import analyse  # noqa: E402
from ingest.sql.catalog import Catalog  # noqa: E402
from ingest.sql.dialects import fallback_dialects, resolve_dialect  # noqa: E402
from ingest.sql.shapes import shape_of  # noqa: E402
from ingest.sql.statement_lineage import statement_lineage  # noqa: E402
from ingest.sql.statements import Statement, split_statements  # noqa: E402
from ingest.sql.transforms import MaskingPolicy  # noqa: E402

CORPUS = ROOT / "tests" / "corpus" / "sql"


def _statements() -> list[dict[str, Any]]:
    out = []
    for path in sorted(CORPUS.glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        dialect = resolve_dialect(case["dialect"])
        schema = (case.get("context") or {}).get("schemas") or None
        for stmt in split_statements(case["input"], dialect, fallback_dialects(case["dialect"])):
            if stmt.expression is None:
                continue
            query = shape_of(stmt.expression).query
            if not isinstance(query, exp.Query) or not query.selects:
                continue
            # every output column ours computes; sqlglot names unaliased ones _col_<i>
            names = [s.alias_or_name or f"_col_{i}" for i, s in enumerate(query.selects)]
            out.append(
                {
                    "sql": stmt.text,
                    "dialect": case["dialect"],
                    "sqlglot_dialect": dialect,
                    "statement": stmt,
                    "query": query,
                    "query_sql": query.sql(dialect=dialect),
                    "columns": [n for n in names if n != "*"],
                    "schema": schema,
                }
            )
    return out


def _time(fn: Any, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        started = time.process_time()
        fn()
        runs.append(time.process_time() - started)
    return statistics.median(runs)


def _interleaved(a: Any, b: Any, repeat: int) -> tuple[float, float]:
    """Alternate the two sides so load on a shared machine hits both alike; medians."""
    runs_a, runs_b = [], []
    for _ in range(repeat):
        runs_a.append(_time(a, 1))
        runs_b.append(_time(b, 1))
    return statistics.median(runs_a), statistics.median(runs_b)


def run_ours_parsed(statements: list[dict[str, Any]]) -> None:
    policy = MaskingPolicy()
    for s in statements:
        stmt = s["statement"]
        tree = Statement(stmt.line, stmt.text, stmt.expression.copy())
        statement_lineage(
            tree, dialect=s["sqlglot_dialect"], catalog=Catalog(s["schema"]), policy=policy
        )


def run_ours(statements: list[dict[str, Any]]) -> None:
    for s in statements:
        analyse(s["sql"], dialect=s["dialect"], catalog=s["schema"])


def run_baseline(statements: list[dict[str, Any]], *, text: bool = False) -> int:
    calls = 0
    for s in statements:
        sql = s["query_sql"] if text else s["query"]
        for column in s["columns"]:
            calls += 1
            try:
                lineage(column, sql, schema=s["schema"], dialect=s["sqlglot_dialect"])
            except Exception:  # the baseline fails on some columns; its time still counts
                continue
    return calls


def run_tables(inputs: list[tuple[str, str]]) -> int:
    count = 0
    for text, dialect in inputs:
        count += len(analyse(text, dialect=dialect, columns=False).statements)
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    statements = _statements()
    columns = sum(len(s["columns"]) for s in statements)
    run_ours(statements[:20])  # warm caches (dialect objects, sqlglot tries)
    run_baseline(statements[:20])
    ours, base = _interleaved(
        lambda: run_ours_parsed(statements), lambda: run_baseline(statements), args.repeat
    )
    ours_text, text = _interleaved(
        lambda: run_ours(statements), lambda: run_baseline(statements, text=True), args.repeat
    )
    inputs = [
        (c["input"], c["dialect"])
        for c in (json.loads(p.read_text(encoding="utf-8")) for p in sorted(CORPUS.glob("*.json")))
    ]
    table_statements = run_tables(inputs)
    tables = _time(lambda: run_tables(inputs), args.repeat)
    report = {
        "statements": len(statements),
        "output_columns": columns,
        "parsed_ours_seconds": round(ours, 4),
        "parsed_baseline_seconds": round(base, 4),
        "parsed_speedup": round(base / ours, 2),
        "text_ours_seconds": round(ours_text, 4),
        "text_baseline_seconds": round(text, 4),
        "text_speedup": round(text / ours_text, 2),
        "ours_statements_per_s": round(len(statements) / ours_text, 1),
        "table_level_statements": table_statements,
        "table_level_seconds": round(tables, 4),
        "table_level_statements_per_s": round(table_statements / tables, 1),
        "repeat": args.repeat,
        "clock": "process CPU time",
    }
    n = len(statements)
    print(f"column lineage, {n} statements / {columns} output columns (median of {args.repeat}):")
    for label, a, b in (("from a parsed tree", ours, base), ("from SQL text", ours_text, text)):
        print(f"  {label + ':':<20} ours {a:.3f} s ({n / a:.0f} statements/s), "
              f"lineage() per column {b:.3f} s ({n / b:.0f}/s): {b / a:.2f}x")  # fmt: skip
    print(f"table level: {table_statements} statements in {tables:.3f} s = "
          f"{report['table_level_statements_per_s']} statements/s")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
