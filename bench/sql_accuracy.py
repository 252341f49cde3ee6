"""Score SQL lineage on the corpus (tests/corpus/sql): ours, openlineage-sql, sqlglot.lineage().

Each case is scored on what its authors asserted (``expected_kind``): table cases on the
source and target table sets, column cases on the set of (target table, target column,
source table, source column) pairs. Names are compared after removing quotes and case
(and collapsing whitespace in expression-named columns). Set equality, as the source
suites asserted. Expected answers are never edited: a case we disagree with fails and is
listed with its reason.

The three tools:
- ours: ``ingest.sql.analyse`` (script-level sources/targets; DIRECT and per-column
  INDIRECT entries, i.e. everything but the dataset-wide WHERE/JOIN/GROUP BY/ORDER BY inputs);
- openlineage-sql (the Rust parser from PyPI): ``in_tables``/``out_tables``, ``column_lineage``;
- sqlglot baseline: tables from sqlglot's scope traversal, columns from one
  ``sqlglot.lineage()`` call per output column (the documented way to use it).

Run: ``.venv/bin/python bench/sql_accuracy.py [--json out.json] [--failures]``
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CORPUS = ROOT / "tests" / "corpus" / "sql"

type Pair = tuple[str, str, str, str]


@dataclass
class Answer:
    sources: set[str] = field(default_factory=set)
    targets: set[str] = field(default_factory=set)
    columns: set[Pair] = field(default_factory=set)
    error: str | None = None


def norm(name: Any) -> str:
    """Quotes and case removed; whitespace collapsed. ``None`` -> ''."""
    if name is None:
        return ""
    if isinstance(name, dict):
        name = name.get("path") or name.get("table") or ""
    text = re.sub(r'["`\[\]\']', "", str(name)).lower()
    return " ".join(text.split())


def pair(target_table: Any, target: Any, source_table: Any, source: Any) -> Pair:
    return (norm(target_table), norm(target), norm(source_table), norm(source))


def expected_answer(case: dict[str, Any]) -> Answer:
    exp = case["expected"]
    ans = Answer(
        {norm(t) for t in exp.get("source_tables") or []},
        {norm(t) for t in exp.get("target_tables") or []},
    )
    for item in exp.get("column_lineage") or []:
        tgt = item["target"]
        for src in item["sources"]:
            ans.columns.add(pair(tgt.get("table"), tgt["column"], src.get("table"), src["column"]))
    return ans


def case_catalog(case: dict[str, Any]) -> dict[str, list[str]] | None:
    ctx = case.get("context") or {}
    return ctx.get("schemas") or None


# -- the three tools ----------------------------------------------------------------------
def case_sql(case: dict[str, Any]) -> str:
    """The SQL to read: a dbt case's Jinja model is rendered for the relation it names."""
    ctx = case.get("context") or {}
    if ctx.get("dbt_model") and ctx.get("relation_name"):
        from ingest.sql.dbt import render_dbt_model

        return render_dbt_model(case["input"], ctx["relation_name"].replace('"', ""))
    return case["input"]


def run_ours(case: dict[str, Any]) -> Answer:
    from ingest.sql import analyse

    env = (case.get("context") or {}).get("config_env") or {}
    lateral = env.get("SQLLINEAGE_LATERAL_COLUMN_ALIAS_REFERENCE")
    result = analyse(
        case_sql(case),
        dialect=case["dialect"],
        catalog=case_catalog(case),
        lateral_aliases=None if lateral is None else lateral.lower() in ("1", "true"),
    )
    ans = Answer({norm(s) for s in result.sources}, {norm(t) for t in result.targets})
    for edge in result.columns:
        if edge.target.column is None:
            continue
        for src in edge.sources:
            ans.columns.add(pair(edge.target.table, edge.target.column, src.table, src.column))
    errors = [s.error for s in result.statements if s.error]
    if errors and not (ans.sources or ans.targets or ans.columns):
        ans.error = errors[0]
    return ans


_OL_DIALECTS = {"tsql": "mssql", "sqlserver": "mssql", "spark": "databricks", "athena": "hive"}


def run_openlineage(case: dict[str, Any]) -> Answer:
    import openlineage_sql

    dialect = _OL_DIALECTS.get(case["dialect"], case["dialect"])
    try:
        meta = openlineage_sql.parse([case_sql(case)], dialect=dialect)
    except Exception as exc:
        return Answer(error=f"{type(exc).__name__}: {exc}")
    if meta is None:
        return Answer(error="no result")
    ans = Answer(
        {norm(t.qualified_name) for t in meta.in_tables},
        {norm(t.qualified_name) for t in meta.out_tables},
    )
    out = [t.qualified_name for t in meta.out_tables]
    for cl in meta.column_lineage:
        origin = cl.descendant.origin
        target = origin.qualified_name if origin is not None else None
        if origin is None and len(out) == 1:
            target = out[0]
        for src in cl.lineage:
            src_table = src.origin.qualified_name if src.origin is not None else None
            ans.columns.add(pair(target, cl.descendant.name, src_table, src.name))
    if meta.errors and not (ans.sources or ans.targets or ans.columns):
        ans.error = str(meta.errors[0])
    return ans


def _sqlglot_dialect(name: str) -> str | None:
    from ingest.sql.dialects import DIALECT_ALIASES

    return DIALECT_ALIASES.get(name, name) or None


def sqlglot_statement(stmt: Any, dialect: str | None, schema: Any) -> Answer:
    """Plain sqlglot: scope tables for table lineage, lineage() once per output column."""
    from sqlglot import exp
    from sqlglot.lineage import lineage
    from sqlglot.optimizer.scope import traverse_scope

    ans = Answer()
    target = None
    query = stmt
    if isinstance(stmt, (exp.Insert, exp.Create)):
        node = stmt.this.this if isinstance(stmt.this, exp.Schema) else stmt.this
        if isinstance(node, exp.Table):
            target = ".".join(p.name for p in node.parts)
            ans.targets.add(norm(target))
        query = stmt.expression
    elif isinstance(stmt, (exp.Update, exp.Delete, exp.Merge)) and isinstance(stmt.this, exp.Table):
        target = ".".join(p.name for p in stmt.this.parts)
        ans.targets.add(norm(target))
        query = None
    if not isinstance(query, exp.Query):
        return ans
    for scope in traverse_scope(query):
        for source in scope.sources.values():
            if isinstance(source, exp.Table) and isinstance(source.this, exp.Identifier):
                ans.sources.add(norm(".".join(p.name for p in source.parts)))
    selects = query.selects if isinstance(query, exp.Query) else []
    sql = query.sql(dialect=dialect)
    for i, sel in enumerate(selects):
        name = sel.alias_or_name or sel.sql(dialect=dialect)
        try:
            root = lineage(sel.alias_or_name or f"_col_{i}", sql, schema=schema, dialect=dialect)
        except Exception:
            continue
        for node in root.walk():
            if isinstance(node.expression, exp.Table) and not node.downstream:
                table = ".".join(p.name for p in node.expression.parts)
                col = node.name.split(".")[-1]
                ans.columns.add((norm(target), norm(name), norm(table), norm(col)))
    return ans


def run_sqlglot(case: dict[str, Any]) -> Answer:
    import sqlglot

    dialect = _sqlglot_dialect(case["dialect"])
    try:
        statements = sqlglot.parse(case_sql(case), dialect=dialect)
    except Exception as exc:
        return Answer(error=f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
    total = Answer()
    for stmt in statements:
        if stmt is None:
            continue
        ans = sqlglot_statement(stmt, dialect, case_catalog(case))
        total.sources |= ans.sources
        total.targets |= ans.targets
        total.columns |= ans.columns
    return total


TOOLS: dict[str, Callable[[dict[str, Any]], Answer]] = {
    "ours": run_ours,
    "openlineage-sql": run_openlineage,
    "sqlglot.lineage": run_sqlglot,
}


# -- scoring ------------------------------------------------------------------------------
def _diff(label: str, want: Iterable[Any], got: Iterable[Any]) -> str:
    want, got = set(want), set(got)
    parts = []
    if want - got:
        parts.append(f"missing {label} {sorted(want - got)[:3]}")
    if got - want:
        parts.append(f"extra {label} {sorted(got - want)[:3]}")
    return "; ".join(parts)


def score(case: dict[str, Any], got: Answer) -> tuple[bool, str]:
    want = expected_answer(case)
    if case["expected_kind"] == "column":
        ok = want.columns == got.columns
        reason = "" if ok else (got.error or _diff("pairs", want.columns, got.columns))
    else:
        ok = want.sources == got.sources and want.targets == got.targets
        reason = (
            ""
            if ok
            else got.error
            or "; ".join(
                r
                for r in (
                    _diff("sources", want.sources, got.sources),
                    _diff("targets", want.targets, got.targets),
                )
                if r
            )
        )
    return ok, reason


#: Why a case fails for us when it is a semantic choice, not a bug (read with the diff).
KNOWN_REASONS: dict[str, str] = (
    json.loads((Path(__file__).with_name("sql_known_failures.json")).read_text(encoding="utf-8"))
    if Path(__file__).with_name("sql_known_failures.json").exists()
    else {}
)


def load_cases() -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(CORPUS.glob("*.json"))]


def evaluate(tools: Iterable[str] = TOOLS) -> dict[str, Any]:
    cases = load_cases()
    report: dict[str, Any] = {"cases": len(cases), "tools": {}}
    for tool in tools:
        run = TOOLS[tool]
        kinds: dict[str, list[int]] = {"table": [0, 0], "column": [0, 0]}
        failures = []
        started = time.perf_counter()
        for case in cases:
            kind = "column" if case["expected_kind"] == "column" else "table"
            try:
                got = run(case)
            except Exception as exc:  # a crash is a failure, reported
                got = Answer(error=f"crash {type(exc).__name__}: {exc}")
            ok, reason = score(case, got)
            reason = " ".join(reason.split())[:240]  # one line per failing case
            kinds[kind][1] += 1
            if ok:
                kinds[kind][0] += 1
            else:
                note = KNOWN_REASONS.get(case["id"], "") if tool == "ours" else ""
                failures.append({"id": case["id"], "kind": kind, "reason": reason, "note": note})
        report["tools"][tool] = {
            "table": {"passed": kinds["table"][0], "total": kinds["table"][1]},
            "column": {"passed": kinds["column"][0], "total": kinds["column"][1]},
            "seconds": round(time.perf_counter() - started, 2),
            "failures": failures,
        }
    return report


def _pct(d: dict[str, int]) -> str:
    return f"{d['passed']}/{d['total']} ({100 * d['passed'] / max(d['total'], 1):.1f}%)"


def main(argv: list[str] | None = None) -> int:
    logging.getLogger("sqlglot").setLevel(logging.ERROR)  # the baseline warns per column
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="write the full report here")
    parser.add_argument("--failures", action="store_true", help="list every failing case")
    parser.add_argument("--tool", action="append", choices=list(TOOLS), help="only these tools")
    parser.add_argument("--markdown", type=Path, help="write the table and every failure here")
    args = parser.parse_args(argv)
    report = evaluate(args.tool or list(TOOLS))
    print(f"SQL lineage accuracy on {report['cases']} corpus cases")
    print(f"{'tool':<18} {'table cases':<20} {'column cases':<20} seconds")
    for tool, r in report["tools"].items():
        print(f"{tool:<18} {_pct(r['table']):<20} {_pct(r['column']):<20} {r['seconds']}")
    if args.failures:
        for tool, r in report["tools"].items():
            print(f"\n## failing cases: {tool} ({len(r['failures'])})")
            for f in r["failures"]:
                note = f" [{f['note']}]" if f["note"] else ""
                print(f"- {f['id']} ({f['kind']}): {f['reason'][:220]}{note}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    if args.markdown:
        args.markdown.write_text(markdown(report), encoding="utf-8")
    return 0


def markdown(report: dict[str, Any]) -> str:
    """The side-by-side table and every failing case of every tool, one line each."""
    lines = [
        "# SQL lineage accuracy on the corpus (generated by bench/sql_accuracy.py --markdown)",
        "",
        f"{report['cases']} cases from tests/corpus/sql, each scored on what its authors "
        "asserted; names compared without quotes and case.",
        "",
        "| tool | table cases | column cases |",
        "|---|---|---|",
    ]
    for tool, r in report["tools"].items():
        lines.append(f"| {tool} | {_pct(r['table'])} | {_pct(r['column'])} |")
    for tool, r in report["tools"].items():
        lines += ["", f"## Failing cases: {tool} ({len(r['failures'])})", ""]
        for f in r["failures"]:
            why = f["note"] or f["reason"]
            lines.append(f"- `{f['id']}` ({f['kind']}): {why.replace('|', '/')}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
