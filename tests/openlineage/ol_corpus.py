"""Turn the corpus' expected-event templates into concrete events, and match them back.

The corpus events are the integrations' *expected* events: partial, with matcher
placeholders (``${json-unit.any-string}``, ``{{ any(result) }}``, Jinja ``env_var``...) and
with fields the original tests did not check left out (runId, eventTime, producer, facet
``_producer``). :func:`complete` fills exactly those gaps with fixed values so the strict
schema check applies; :func:`pattern` turns a templated expected value into a regex, so the
checks treat placeholders as wildcards and everything else literally.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).parent.parent / "corpus" / "openlineage"
PRODUCER = "https://github.com/OpenLineage/OpenLineage/tree/1.54.0/integration/tests"
_PLACEHOLDER = re.compile(
    r"\$\{json-unit\.regex\}.*$|\$\{json-unit\.[a-z-]+\}|\{\{.*?\}\}|\{%.*?%\}", re.S
)
_TIME_KEYS = {"eventTime", "nominalStartTime", "nominalEndTime"}
_URI_KEYS = {"producer", "_producer", "schemaURL", "_schemaURL"}
FILLER_NAMESPACE = "unknown-namespace"
FILLER_JOB = "unknown-job"


def cases() -> list[Path]:
    return sorted((CORPUS / "cases").glob("*.json"))


def has_placeholder(value: Any) -> bool:
    return isinstance(value, str) and bool(_PLACEHOLDER.search(value))


def pattern(value: str | None) -> re.Pattern[str]:
    """A regex for an expected value: placeholders (and null) match anything."""
    if value is None:
        return re.compile(".*", re.S)
    parts = _PLACEHOLDER.split(value)
    return re.compile(".*".join(re.escape(p) for p in parts), re.S | re.I)


def _fill_string(key: str, value: str, seed: str) -> str:
    if not has_placeholder(value):
        return value
    if key in _TIME_KEYS:
        return "2024-05-01T10:00:00.000Z"
    if key == "runId":
        return str(uuid.uuid5(uuid.NAMESPACE_URL, seed))
    if key in _URI_KEYS:
        return PRODUCER
    return _PLACEHOLDER.sub("x", value)


def _walk(node: Any, key: str, seed: str) -> Any:
    if isinstance(node, dict):
        return {k: _walk(v, k, f"{seed}/{k}") for k, v in node.items()}
    if isinstance(node, list):
        return [_walk(v, key, f"{seed}/{i}") for i, v in enumerate(node)]
    if isinstance(node, str):
        return _fill_string(key, node, seed)
    return node


def _facets(facets: Any) -> Any:
    if not isinstance(facets, dict):
        return facets
    for facet in facets.values():
        if isinstance(facet, dict):
            facet.setdefault("_producer", PRODUCER)
            facet.setdefault("_schemaURL", "https://openlineage.io/spec/facets/1-0-0/Facet.json")
    return facets


def _dataset(d: dict[str, Any]) -> dict[str, Any]:
    if not d.get("namespace"):
        d["namespace"] = FILLER_NAMESPACE
    if not d.get("name"):
        d["name"] = "unknown-dataset"
    for key in ("facets", "inputFacets", "outputFacets"):
        _facets(d.get(key))
    lineage = (d.get("facets") or {}).get("columnLineage") or {}
    for spec in (lineage.get("fields") or {}).values():
        for f in spec.get("inputFields") or ():
            f.setdefault("namespace", FILLER_NAMESPACE)
    for f in lineage.get("dataset") or ():
        f.setdefault("namespace", FILLER_NAMESPACE)
    return d


def _run_facets(facets: dict[str, Any], seed: str) -> None:
    """Required facet fields the templates leave out because the tests did not check them."""
    parent = facets.get("parent")
    if isinstance(parent, dict):
        run = parent.setdefault("run", {})
        run.setdefault("runId", str(uuid.uuid5(uuid.NAMESPACE_URL, seed + "/parent")))
    engine = facets.get("processing_engine")
    if isinstance(engine, dict):
        engine.setdefault("version", "0.0.0")


def complete(event: dict[str, Any], seed: str) -> dict[str, Any]:
    """A schema-valid event from an expected-event template (see the module docstring)."""
    e = _walk(json.loads(json.dumps(event)), "", seed)
    if set(e) == {"columnLineage"}:  # a facet fragment from the spec's tests
        e = {
            "eventType": "COMPLETE",
            "job": {"namespace": "spec-tests", "name": Path(seed).stem},
            "outputs": [{"namespace": "fragment", "name": Path(seed).stem, "facets": e}],
        }
    e.setdefault("eventTime", "2024-05-01T10:00:00.000Z")
    e.setdefault("producer", PRODUCER)
    e.setdefault("schemaURL", "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent")
    if "dataset" not in e:
        e.setdefault("eventType", "COMPLETE")
        run = e.setdefault("run", {})
        if not run.get("runId"):
            run["runId"] = str(uuid.uuid5(uuid.NAMESPACE_URL, seed))
        _facets(run.get("facets"))
        _run_facets(run.get("facets") or {}, seed)
        job = e.setdefault("job", {})
        job.setdefault("namespace", FILLER_NAMESPACE)
        job.setdefault("name", FILLER_JOB)
        _facets(job.get("facets"))
    for side in ("inputs", "outputs"):
        e[side] = [_dataset(d) for d in e.get(side) or ()]
    return e


def events_of(case: dict[str, Any]) -> list[dict[str, Any]]:
    """The concrete events of a case's input file."""
    path = CORPUS / case["input"]
    data = json.loads(path.read_text())
    items = data if isinstance(data, list) else [data]
    return [complete(item, f"{path.name}#{i}") for i, item in enumerate(items)]
