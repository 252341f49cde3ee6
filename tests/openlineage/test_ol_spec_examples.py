"""The spec's own valid examples pass our validation and map without problems."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from ingest.openlineage import BatchMapper, validate_event
from ingest.openlineage.validate import CONSUMED_FACETS
from lineage.model import Problem, Severity

SPEC = Path(str(resources.files("ingest.openlineage") / "spec"))
_WHERE = {file: where for where, facets in CONSUMED_FACETS.items() for file in facets.values()}
EXAMPLES = sorted(p for p in (SPEC / "tests").glob("*/*.json") if p.parent.name in _WHERE)


def _event(where: str, facets: dict[str, Any]) -> dict[str, Any]:
    event: dict[str, Any] = {
        "eventType": "COMPLETE",
        "eventTime": "2024-05-01T10:00:00.000Z",
        "producer": "https://example.com/tests",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": "0190b8b2-3c3c-7a1a-8b2b-c1b95c24ff11", "facets": {}},
        "job": {"namespace": "tests", "name": "spec.example", "facets": {}},
        "inputs": [],
        "outputs": [],
    }
    if where == "dataset":
        event["outputs"] = [{"namespace": "s3://bucket", "name": "out/table", "facets": facets}]
    else:
        event[where]["facets"] = facets
    return event


def test_the_examples_are_found() -> None:
    assert len(EXAMPLES) >= 20
    assert {p.parent.name for p in EXAMPLES} >= {
        "ColumnLineageDatasetFacet",
        "SymlinksDatasetFacet",
    }


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_a_spec_example_facet_is_valid_and_maps(path: Path) -> None:
    event = _event(_WHERE[path.parent.name], json.loads(path.read_text()))
    assert validate_event(event) == []
    mapper = BatchMapper()
    mapper.add(event)
    errors = [f for f in mapper.facts() if isinstance(f, Problem) and f.severity is Severity.ERROR]
    assert errors == []


def test_the_spec_full_example_event() -> None:
    event = json.loads((SPEC / "tests" / "example_full_event.json").read_text())
    assert validate_event(event) == []
    mapper = BatchMapper()
    mapper.add(event)
    assert any(not isinstance(f, Problem) for f in mapper.facts())


def test_a_broken_example_names_the_field() -> None:
    path = SPEC / "tests" / "ColumnLineageDatasetFacet" / "1.json"
    facets = json.loads(path.read_text())
    name = next(iter(facets["columnLineage"]["fields"]))
    del facets["columnLineage"]["fields"][name]["inputFields"][0]["field"]
    violations = validate_event(_event("dataset", facets))
    assert violations
    assert violations[0].path.startswith(
        f"outputs[0].facets.columnLineage.fields.{name}.inputFields[0]"
    )
