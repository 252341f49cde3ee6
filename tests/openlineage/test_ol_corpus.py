"""Every corpus event file ingests, and the exported graph holds what each case expects.

Expected inputs and outputs must be READ/WRITTEN by the job, expected column lineage must
be column FLOWS_TO edges keyed by the job (with the expected transformation terms),
expected symlinks must resolve to one canonical node, and an expected ``sql`` facet must be
the one recorded on the job. Placeholders in the expectations are wildcards.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from ol_corpus import cases, events_of, has_placeholder
from ol_graph import GraphView

from ingest.openlineage import read_events
from lineage.intake import Intake
from lineage.store import Store
from lineage.transfer import export_lines


def _ingest(store: Store, tmp_path: Path, case: dict[str, Any]) -> GraphView:
    intake = Intake.open(store, tmp_path / "eventlog")
    try:
        result = intake.submit(read_events(json.dumps(events_of(case))))
    finally:
        intake.close()
    assert not result.rejected, result.to_dict()
    assert result.applied
    return GraphView.from_lines(export_lines(store))


def _jobs(view: GraphView, expected: dict[str, Any]) -> set[str]:
    job = expected.get("job") or {}
    found = view.find("Job", job.get("namespace"), job.get("name"))
    assert found, f"no job node for {job}"
    return found


def _check_datasets(view: GraphView, jobs: set[str], expected: dict[str, Any]) -> None:
    for side, rel in (("inputs", "READS"), ("outputs", "WRITES")):
        for d in expected.get(side) or ():
            targets = view.datasets(d.get("namespace"), d.get("name"))
            assert targets, f"{side}: no dataset node for {d}"
            assert any(view.edge(j, rel, t) for j in jobs for t in targets), (
                f"no {rel} from {sorted(jobs)} to {d}"
            )


def _check_columns(view: GraphView, jobs: set[str], expected: dict[str, Any]) -> None:
    for entry in expected.get("column_lineage") or ():
        t = entry["target"]
        targets = view.columns(t.get("namespace"), t.get("name"), t["field"])
        assert targets, f"no target column for {t}"
        for s in entry["sources"]:
            sources = view.columns(s.get("namespace"), s.get("name"), s["field"])
            edges = [
                e
                for src in sources
                for dst in targets
                for e in view.edge(src, "FLOWS_TO", dst)
                if e.get("key") in jobs
            ]
            assert edges, f"no column FLOWS_TO {s} -> {t}"
            props = edges[0]["props"]
            assert props["granularity"] == "column" and props["via"] in jobs
            transformations = s.get("transformations") or []
            tags = {f"{x['type']}:{x.get('subtype', '').upper()}" for x in transformations}
            assert tags <= set(props.get("transformations") or []), (tags, props)
            if transformations:
                direct = [x for x in transformations if x["type"] == "DIRECT"]
                assert props["transformation_type"] == ("DIRECT" if direct else "INDIRECT")
                assert props["masking"] == (
                    all(x.get("masking", False) for x in direct) if direct else False
                )


def _check_symlinks(view: GraphView, expected: dict[str, Any]) -> None:
    for link in expected.get("symlinks") or ():
        d = link["dataset"]
        own = view.datasets(d.get("namespace"), d.get("name"))
        other = view.datasets(link["namespace"], link["name"])
        assert own and own == other, f"{d} and its symlink {link} are not one node"
        assert (
            view.find("Dataset", d.get("namespace"), d.get("name"))
            | view.find("Dataset", link["namespace"], link["name"])
            > own
        ), "the alias node is kept beside the canonical one"


def _check_sql(view: GraphView, jobs: set[str], expected: dict[str, Any], all_sql: set) -> None:
    """The job records the query it ran (by digest: the text stays in the event log)."""
    sql = expected.get("sql")
    if not sql or has_placeholder(sql) or len(all_sql) > 1:
        return  # a job that ran several queries keeps the latest
    digest = hashlib.sha256(sql.encode()).hexdigest()
    assert any(view.nodes[j]["props"].get("sql_sha256") == digest for j in jobs)


@pytest.mark.parametrize("case_path", cases(), ids=lambda p: p.stem)
def test_corpus_case(store: Store, tmp_path: Path, case_path: Path) -> None:
    case = json.loads(case_path.read_text())
    view = _ingest(store, tmp_path, case)
    expected = case["expected"]
    events = expected.get("events") or [{"column_lineage": expected.get("column_lineage")}]
    for event in events:
        jobs = _jobs(view, event)
        all_sql = {e.get("sql") for e in events if e.get("job") == event.get("job")} - {None}
        _check_datasets(view, jobs, event)
        _check_columns(view, jobs, event)
        _check_symlinks(view, event)
        _check_sql(view, jobs, event, all_sql)


def test_every_event_file_has_a_case() -> None:
    inputs = {json.loads(p.read_text())["input"] for p in cases()}
    files = {f"events/{p.name}" for p in (cases()[0].parent.parent / "events").glob("*.json")}
    assert files == inputs
