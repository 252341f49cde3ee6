"""Discovery recall and precision on the real-world corpus (tests/corpus/real, issue 15).

    .venv/bin/python bench/discovery_accuracy.py [--markdown bench/discovery_accuracy_report.md]
                                                 [--json] [--check-floor]

Runs our real ingestors (notebook, vector/RAG config incl. docker-compose, dbt/SQL) on every
case, maps what they produce (nodes, edges, labels) onto the corpus schema's fact kinds
(/work/wt/CORPUS_SCHEMA.md, copied into the report header) and matches them against the
hand-written ``<slug>.expected.yaml``. Recall = expected facts found / expected; precision =
reported facts that match an expected fact / reported, over the same fact kinds. Overall, per
fact kind and per framework (a case counts toward each framework it lists). Every miss and every
false positive is listed. The matching rules are :data:`RULES` below, printed in the report;
they are the same for every case.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.discovery_facts import (  # noqa: E402
    FACT_KINDS,
    Produced,
    dataset_parts,
    model_ids,
    norm_id,
    produced_facts,
    suffix_len,
    template_match,
)
from bench.discovery_schema import Case, find_cases  # noqa: E402

CORPUS = ROOT / "tests" / "corpus" / "real"
FLOOR = ROOT / "bench" / "discovery_floor.json"

RULES = """\
Matching rules (the same for every case; no per-case exceptions):

- Ids compare case-insensitively after trimming. A model id also matches with a leading
  `<provider>/` removed when that word is the fact's provider (`openai/gpt-4o` = `gpt-4o`
  for provider openai), and with `./` or a trailing `/` removed (a save directory).
- A model fact is found when id, provider and role all match (a provider word outside the
  schema's vocabulary, e.g. `clarifai`, is `other`, as the schema says). A model found with
  the right id but another provider or role is a miss *and* a false positive, listed as such
  with both.
  A model trained in the artefact is known by every name it is saved or published under (an
  `export` flow from it): `trainer.save_model("out")` makes `out` one of its ids.
- A vector index matches on engine and collection (case-insensitive; our engine words map onto
  the schema's: `llama_index` and `haystack_inmemory`, the frameworks' default stores, are
  `inmemory`, and an engine outside the schema's vocabulary is `other`); an expected collection
  of null matches any collection of that engine; an index our tool names only by the variable
  that holds it (in-memory FAISS, Chroma without a name) has collection null.
- An expected id or dataset holding unresolved `{expr}` parts (the schema's `unresolved`
  templates) matches a reported one in which each `{expr}` is either kept or resolved to a
  value (`s3://{bucket}/imdb/train` = `s3://my-bucket/imdb/train`). A model or endpoint named
  at run time is known by the template it keeps (`credit-endpoint-{str(uuid.uuid4())[:8]}`;
  its id writes `<...>`, as ids hold no braces).
- Datasets (read, written, flow ends) are normalised: lower-case; `file://`, `./`, a trailing
  `/`, a URL's scheme and `www.` removed; then split into components on `/` (or on `.` for a
  dotted table name without a file extension). Two datasets match when one's components are a
  suffix of the other's (`data/train.csv` = `train.csv`; `db.public.customers` =
  `public.customers`; `rajpurkar/squad` = `squad`). A project folder (dbt) reads what one
  of its models reads and no model of it builds: a model read by another is internal.
- Flows match on kind and on both ends, each end by the rule of its kind prefix (`dataset:`,
  `model:`, `index:` by collection or, when null, engine; `endpoint:` by kind or name;
  `egress:` by service).
- Endpoints match on kind (the serving framework or platform), secrets on kind, egress on
  service, all case-insensitively. A generic secret detection (`GENERIC_API_KEY`) matches an
  expected kind ending in `_key`, `_token` or `_secret`; `PASSWORD`/`CONNECTION_STRING_PASSWORD`
  match an expected kind containing `password`.
- Each expected fact is matched to at most one reported fact and vice versa (exact matches
  first, then the longest suffix).
"""


# -- facts as comparable records -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Item:
    """One fact of one kind, expected or reported, with what matching needs."""

    kind: str
    text: str  # what the report prints
    keys: Mapping[str, Any] = field(default_factory=dict)


def _end_score(expected: str, reported: Mapping[str, Any]) -> int:
    """How well an expected flow end (``dataset:x``) matches a reported end; 0 = no match."""
    prefix, _, value = expected.partition(":")
    prefix = prefix.strip().lower()
    if prefix != reported["prefix"]:
        return 0
    if prefix == "dataset":
        return max((_dataset_score(dataset_parts(value), p) for p in reported["parts"]), default=0)
    if prefix == "model":
        want = model_ids(value, "")
        if want & reported["ids"]:
            return 100
        return 50 if any(template_match(a, b) for a in want for b in reported["ids"]) else 0
    if prefix == "index":
        v = norm_id(value)
        return 100 if v in reported["names"] else 0
    if prefix in ("endpoint", "egress"):
        return 100 if norm_id(value) in reported["names"] else 0
    return 0


def _dataset_score(e: tuple[str, ...], r: tuple[str, ...]) -> int:
    if e == r:
        return 1000
    if "{" in "/".join(e) and template_match("/".join(e), "/".join(r)):
        return 500
    return suffix_len(e, r)


def score_pair(kind: str, exp: Item, rep: Item) -> int:
    """A positive score when ``rep`` satisfies ``exp`` (higher is better), else 0."""
    e, r = exp.keys, rep.keys
    if kind == "models":
        if not (e["ids"] & r["ids"]) and not any(
            template_match(a, b) for a in e["ids"] for b in r["ids"]
        ):
            return 0
        return 100 if (e["provider"], e["role"]) == (r["provider"], r["role"]) else -1
    if kind == "vector_indexes":
        if e["engine"] != r["engine"]:
            return 0
        if e["collection"] is None:
            return 50
        return 100 if e["collection"] == r["collection"] else 0
    if kind in ("datasets_read", "datasets_written"):
        return _dataset_score(e["parts"], r["parts"])
    if kind == "flows":
        if e["kind"] != r["kind"]:
            return 0
        a, b = _end_score(e["from"], r["from"]), _end_score(e["to"], r["to"])
        return a + b if a and b else 0
    if kind == "endpoints":
        return 100 if e["kind"] in r["names"] or norm_id(e["name"]) in r["names"] else 0
    if kind == "secrets":
        ek, rk = e["kind"], r["kind"]
        if ek == rk:
            return 100
        if rk == "generic_api_key" and ek.endswith(("_key", "_token", "_secret")):
            return 50
        if rk in ("password", "connection_string_password") and "password" in ek:
            return 50
        return 0
    if kind == "egress":
        return 100 if e["service"] == r["service"] else 0
    raise ValueError(kind)


def expected_items(case: Case) -> dict[str, list[Item]]:
    out: dict[str, list[Item]] = defaultdict(list)
    facts = case.expected.get("facts") or {}
    for m in facts.get("models") or []:
        provider = norm_id(m.get("provider"))
        text = f"{m.get('id')} ({m.get('provider')}, {m.get('role')})"
        if m.get("implied"):
            text += " [implied]"
        keys = {"ids": model_ids(m.get("id"), provider), "provider": provider}
        out["models"].append(Item("models", text, {**keys, "role": norm_id(m.get("role"))}))
    for v in facts.get("vector_indexes") or []:
        coll = v.get("collection")
        out["vector_indexes"].append(
            Item(
                "vector_indexes",
                f"{v.get('engine')}:{coll}",
                {"engine": norm_id(v.get("engine")), "collection": norm_id(coll) or None},
            )
        )
    for kind in ("datasets_read", "datasets_written"):
        for d in facts.get(kind) or []:
            out[kind].append(Item(kind, str(d), {"parts": dataset_parts(str(d))}))
    for f in facts.get("flows") or []:
        out["flows"].append(
            Item(
                "flows",
                f"{f.get('from')} -[{f.get('kind')}]-> {f.get('to')}",
                {
                    "from": str(f.get("from")),
                    "to": str(f.get("to")),
                    "kind": norm_id(f.get("kind")),
                },
            )
        )
    for ep in facts.get("endpoints") or []:
        out["endpoints"].append(
            Item(
                "endpoints",
                f"{ep.get('name')} ({ep.get('kind')})",
                {"kind": norm_id(ep.get("kind")), "name": ep.get("name")},
            )
        )
    for s in facts.get("secrets") or []:
        out["secrets"].append(Item("secrets", str(s.get("kind")), {"kind": norm_id(s.get("kind"))}))
    for g in facts.get("egress") or []:
        out["egress"].append(
            Item("egress", str(g.get("service")), {"service": norm_id(g.get("service"))})
        )
    return out


def reported_items(produced: Produced) -> dict[str, list[Item]]:
    out: dict[str, list[Item]] = defaultdict(list)
    for m in produced.models:
        text = f"{m.name} ({m.provider}, {m.role})"
        ids = set().union(*(model_ids(n, m.provider) for n in m.names))
        keys = {"ids": ids, "provider": m.provider, "role": m.role}
        out["models"].append(Item("models", text, keys))
    for v in produced.indexes:
        out["vector_indexes"].append(
            Item(
                "vector_indexes",
                f"{v.engine}:{v.collection}",
                {"engine": v.engine, "collection": v.collection},
            )
        )
    for kind, names in (("datasets_read", produced.reads), ("datasets_written", produced.writes)):
        for d in sorted(names):
            out[kind].append(Item(kind, d, {"parts": dataset_parts(d)}))
    for f in produced.flows:
        out["flows"].append(
            Item(
                "flows",
                f"{f.src.text} -[{f.kind}]-> {f.dst.text}",
                {"from": f.src.keys, "to": f.dst.keys, "kind": f.kind},
            )
        )
    for ep in produced.endpoints:
        out["endpoints"].append(
            Item("endpoints", f"{ep.name} ({ep.kind})", {"names": {ep.kind, norm_id(ep.name)}})
        )
    for s in sorted(produced.secrets):
        out["secrets"].append(Item("secrets", s, {"kind": norm_id(s)}))
    for g in sorted(produced.egress):
        out["egress"].append(Item("egress", g, {"service": norm_id(g)}))
    return out


def match(kind: str, expected: list[Item], reported: list[Item]) -> tuple[list, list, list]:
    """(matched pairs, missed expected, false positives): one-to-one, best scores first."""
    pairs = []
    for i, e in enumerate(expected):
        for j, r in enumerate(reported):
            s = score_pair(kind, e, r)
            if s:
                pairs.append((s, i, j))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    used_e: set[int] = set()
    used_r: set[int] = set()
    matched = []
    for s, i, j in pairs:
        if s < 0 or i in used_e or j in used_r:
            continue
        used_e.add(i)
        used_r.add(j)
        matched.append((expected[i], reported[j]))
    hints: dict[int, str] = {}
    for s, i, j in pairs:  # right id, wrong provider/role: say so next to the miss
        if s < 0 and i not in used_e and j not in used_r:
            hints.setdefault(i, reported[j].text)
    missed = [
        Item(e.kind, e.text + (f" — reported as {hints[i]}" if i in hints else ""), e.keys)
        for i, e in enumerate(expected)
        if i not in used_e
    ]
    extra = [r for j, r in enumerate(reported) if j not in used_r]
    return matched, missed, extra


# -- running -------------------------------------------------------------------------------


@dataclass
class CaseResult:
    case: Case
    expected: Counter = field(default_factory=Counter)
    found: Counter = field(default_factory=Counter)
    reported: Counter = field(default_factory=Counter)
    correct: Counter = field(default_factory=Counter)
    misses: list[Item] = field(default_factory=list)
    false_positives: list[Item] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def score_case(case: Case) -> CaseResult:
    result = CaseResult(case)
    started = time.perf_counter()
    produced = produced_facts(case.artefact, case.root)
    result.seconds = time.perf_counter() - started
    result.problems = produced.problems
    result.errors = produced.errors
    exp, rep = expected_items(case), reported_items(produced)
    for kind in FACT_KINDS:
        matched, missed, extra = match(kind, exp.get(kind, []), rep.get(kind, []))
        result.expected[kind] = len(exp.get(kind, []))
        result.found[kind] = len(matched)
        result.reported[kind] = len(rep.get(kind, []))
        result.correct[kind] = len(matched)
        result.misses += missed
        result.false_positives += extra
    return result


@dataclass
class Totals:
    expected: int = 0
    found: int = 0
    reported: int = 0
    correct: int = 0

    def add(self, r: CaseResult, kinds: Iterable[str] = FACT_KINDS) -> None:
        for k in kinds:
            self.expected += r.expected[k]
            self.found += r.found[k]
            self.reported += r.reported[k]
            self.correct += r.correct[k]

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.reported if self.reported else 1.0


def run(corpus: Path = CORPUS, *, select: Callable[[Case], bool] | None = None) -> list[CaseResult]:
    return [score_case(c) for c in find_cases(corpus) if select is None or select(c)]


def summary(results: list[CaseResult]) -> dict[str, Any]:
    overall = Totals()
    kinds: dict[str, Totals] = defaultdict(Totals)
    frameworks: dict[str, Totals] = defaultdict(Totals)
    groups: dict[str, Totals] = defaultdict(Totals)
    for r in results:
        overall.add(r)
        groups[r.case.group].add(r)
        for k in FACT_KINDS:
            kinds[k].add(r, (k,))
        for fw in r.case.frameworks:
            frameworks[fw].add(r)

    def row(t: Totals) -> dict[str, Any]:
        return {
            "expected": t.expected,
            "found": t.found,
            "reported": t.reported,
            "correct": t.correct,
            "recall": round(t.recall, 4),
            "precision": round(t.precision, 4),
        }

    return {
        "cases": len(results),
        "overall": row(overall),
        "groups": {g: row(t) for g, t in sorted(groups.items())},
        "kinds": {k: row(kinds[k]) for k in FACT_KINDS},
        "frameworks": {f: row(t) for f, t in sorted(frameworks.items())},
    }


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def markdown(results: list[CaseResult], data: Mapping[str, Any]) -> str:
    lines = [
        "# Discovery accuracy on the real-world corpus (generated by bench/discovery_accuracy.py)",
        "",
        f"{data['cases']} cases from tests/corpus/real (notebooks, RAG/vector/compose configs, dbt "
        "projects), each artefact verbatim from a public repository with hand-written expected "
        "facts. Command: `.venv/bin/python bench/discovery_accuracy.py --markdown "
        "bench/discovery_accuracy_report.md`. Targets (issue 15): recall >= 85%, precision >= 90% "
        "overall, no framework below 70% recall.",
        "",
        RULES,
        "| scope | expected | found | recall | reported | correct | precision |",
        "|---|---|---|---|---|---|---|",
    ]

    def table_row(name: str, t: Mapping[str, Any]) -> str:
        return (
            f"| {name} | {t['expected']} | {t['found']} | {_pct(t['recall'])} | "
            f"{t['reported']} | {t['correct']} | {_pct(t['precision'])} |"
        )

    lines.append(table_row("**overall**", data["overall"]))
    for g, t in data["groups"].items():
        lines.append(table_row(g, t))
    lines += [
        "",
        "## Per fact kind",
        "",
        "| fact kind | expected | found | recall | reported | correct | precision |",
        "|---|---|---|---|---|---|---|",
    ]
    for k, t in data["kinds"].items():
        lines.append(table_row(k, t))
    lines += [
        "",
        "## Per framework (a case counts toward every framework it lists)",
        "",
        "| framework | expected | found | recall | reported | correct | precision |",
        "|---|---|---|---|---|---|---|",
    ]
    for f, t in data["frameworks"].items():
        flag = " (below 70%)" if t["expected"] and t["recall"] < 0.7 else ""
        lines.append(table_row(f + flag, t))
    lines += ["", "## Every miss and false positive, per case", ""]
    for r in results:
        if not (r.misses or r.false_positives or r.errors):
            continue
        exp = sum(r.expected.values())
        lines.append(
            f"### `{r.case.slug}` ({r.case.group}; found {sum(r.found.values())}/{exp}, "
            f"correct {sum(r.correct.values())}/{sum(r.reported.values())})"
        )
        lines.append("")
        for e in r.errors:
            lines.append(f"- ERROR {e}")
        for m in r.misses:
            lines.append(f"- miss {m.kind}: `{m.text}`")
        for fp in r.false_positives:
            lines.append(f"- false positive {fp.kind}: `{fp.text}`")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


BEGIN, END = "<!-- discovery-table:begin -->", "<!-- discovery-table:end -->"


def benchmarks_table(data: Mapping[str, Any]) -> str:
    """The compact table BENCHMARKS.md shows (overall, per group, kind and framework)."""

    def cell(t: Mapping[str, Any]) -> str:
        return (
            f"{t['found']}/{t['expected']} ({_pct(t['recall'])}) | "
            f"{t['correct']}/{t['reported']} ({_pct(t['precision'])})"
        )

    rows = ["| scope | recall | precision |", "|---|---|---|"]
    rows.append(f"| **overall, {data['cases']} cases** | {cell(data['overall'])} |")
    rows += [f"| {g} | {cell(t)} |" for g, t in data["groups"].items()]
    rows += [
        f"| kind: {k} | {cell(t)} |"
        for k, t in data["kinds"].items()
        if t["expected"] or t["reported"]
    ]
    for f, t in data["frameworks"].items():
        flag = " **< 70%**" if t["expected"] and t["recall"] < 0.7 else ""
        rows.append(f"| framework: {f}{flag} | {cell(t)} |")
    return "\n".join(rows)


def update_benchmarks(path: Path, data: Mapping[str, Any]) -> None:
    text = path.read_text()
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    path.write_text(f"{head}{BEGIN}\n{benchmarks_table(data)}\n{END}{tail}")


def _case_counts(r: CaseResult) -> dict[str, int]:
    return {
        "expected": sum(r.expected.values()),
        "found": sum(r.found.values()),
        "reported": sum(r.reported.values()),
    }


def check_floor(results: list[CaseResult], floor_path: Path = FLOOR) -> list[str]:
    """Regressions against the floor: a recorded case finding fewer facts than recorded, or
    precision over the recorded cases below what those same cases had when recorded.
    Cases added to the corpus since are scored but not held until recorded; cases the corpus
    no longer has (renamed or withdrawn by its curators) are not held."""
    floor = json.loads(floor_path.read_text())
    cases: Mapping[str, Mapping[str, int]] = floor.get("cases", {})
    bad = []
    held = [r for r in results if r.case.slug in cases]
    for r in held:
        now, then = _case_counts(r), cases[r.case.slug]
        if now["found"] < then["found"]:
            bad.append(f"{r.case.slug}: found {now['found']} < floor {then['found']}")
    then_found = sum(cases[r.case.slug]["found"] for r in held)
    then_reported = sum(cases[r.case.slug]["reported"] for r in held)
    now_found = sum(_case_counts(r)["found"] for r in held)
    now_reported = sum(_case_counts(r)["reported"] for r in held)
    then_p = then_found / then_reported if then_reported else 1.0
    now_p = now_found / now_reported if now_reported else 1.0
    if now_p + 1e-9 < then_p:
        bad.append(
            f"precision over the {len(held)} recorded cases {now_p:.4f} below floor {then_p:.4f}"
        )
    return bad


def raise_floor(results: list[CaseResult], floor_path: Path = FLOOR) -> dict[str, Any]:
    """Record the current scores as the floor, refusing while any check fails."""
    old = json.loads(floor_path.read_text()) if floor_path.exists() else {}
    bad = check_floor(results, floor_path) if old.get("cases") else []
    if bad:
        raise SystemExit(
            "below the floor: fix the regression before raising it:\n" + "\n".join(bad)
        )
    cases = {r.case.slug: _case_counts(r) for r in results if not r.errors}  # not a crash
    overall = summary(results)["overall"]
    floor = {
        "note": "Per case: facts found (never fewer); over the recorded cases: precision "
        "(never lower). Raised by --raise-floor as fixes land (tests/discovery).",
        "overall": {k: overall[k] for k in ("recall", "precision")},
        "cases": dict(sorted(cases.items())),
    }
    floor_path.write_text(json.dumps(floor, indent=1) + "\n")
    return floor


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--markdown", type=Path, help="write the full report here")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--benchmarks", type=Path, help="update the table in BENCHMARKS.md")
    parser.add_argument("--check-floor", action="store_true", help="fail below the floor file")
    parser.add_argument(
        "--raise-floor", action="store_true", help="record the current scores as the floor"
    )

    parser.add_argument("--case", help="only cases whose slug contains this")
    args = parser.parse_args(argv)
    results = run(args.corpus, select=(lambda c: args.case in c.slug) if args.case else None)
    data = summary(results)
    if args.markdown:
        args.markdown.write_text(markdown(results, data))
    if args.benchmarks:
        update_benchmarks(args.benchmarks, data)
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        o = data["overall"]
        print(
            f"{data['cases']} cases: recall {o['found']}/{o['expected']} = {_pct(o['recall'])}, "
            f"precision {o['correct']}/{o['reported']} = {_pct(o['precision'])}"
        )
        for k, t in data["kinds"].items():
            print(f"  {k:18} recall {_pct(t['recall']):>7}  precision {_pct(t['precision']):>7}")
        if args.case:
            for r in results:
                for m in r.misses:
                    print(f"  miss {m.kind}: {m.text}")
                for fp in r.false_positives:
                    print(f"  fp   {fp.kind}: {fp.text}")
                for e in r.errors:
                    print(f"  ERROR {e}")
    if args.raise_floor:
        raise_floor(results)
    if args.check_floor:
        bad = check_floor(results)
        for b in bad:
            print(b, file=sys.stderr)
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
