"""Poison events are refused at the edge, by field, and the valid events beside them land.

Each case here took the service down before (issue 14): an id of ~4.1 KB crashed FalkorDB's
unique-constraint check, a NUL made it refuse every later write, and a facet nested 256
levels deep turned the whole batch into a 500.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from ol_events import as_json, run_events

from ingest.openlineage import MAX_DEPTH, check_event
from ingest.openlineage.limits import _scan, _walk, check_names
from lineage import ids
from lineage.api import create_app
from lineage.errors import InvalidId
from lineage.settings import Settings
from lineage.store import Store

TOKEN = "test-write-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("LINEAGE_EVENT_LOG", str(tmp_path / "eventlog"))
    settings = Settings(store=str(tmp_path / "unused"), api_token=TOKEN, max_request_bytes=1 << 22)
    with TestClient(create_app(settings, store=store)) as c:
        yield c


@pytest.fixture
def events() -> list[dict[str, Any]]:
    return [as_json(e) for e in run_events(4, 1, seed=21)]


def _nested(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": 1}
    for _ in range(levels):
        value = {"a": value}
    return value


def _custom_facet(event: dict[str, Any], value: Any) -> dict[str, Any]:
    event = copy.deepcopy(event)
    event["outputs"][0].setdefault("facets", {})["custom"] = {
        "_producer": "https://example.com/p",
        "_schemaURL": "https://example.com/s#/$defs/C",
        "value": value,
    }
    return event


def _poisons(event: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """(a poisoned copy of the event, the field the 422 must name)."""
    long_name = copy.deepcopy(event)
    long_name["outputs"][0]["name"] = "t" * 4099
    nul_name = copy.deepcopy(event)
    nul_name["job"]["name"] = "a\u0000b"
    nul_namespace = copy.deepcopy(event)
    nul_namespace["inputs"][0]["namespace"] = "post\u0000gres"
    control = copy.deepcopy(event)
    control["outputs"][0]["name"] = "orders\u001b[31m"
    long_column = copy.deepcopy(event)
    long_column["outputs"][0]["facets"]["schema"]["fields"][0]["name"] = "c" * 3000
    return [
        (long_name, "outputs[0].name"),
        (nul_name, "job.name"),
        (nul_namespace, "inputs[0].namespace"),
        (control, "outputs[0].name"),
        (long_column, "outputs[0].facets.schema.fields[0].name"),
        (_custom_facet(event, "x\u0000y"), "outputs[0].facets.custom.value"),
        (_custom_facet(event, {"k\u0000": 1}), "outputs[0].facets.custom.value.k\\x00"),
        (_custom_facet(event, _nested(300)), "outputs[0].facets.custom.value"),
    ]


def test_each_poison_is_a_422_naming_its_field(
    client: TestClient, store: Store, events: list[dict[str, Any]]
) -> None:
    for poisoned, field in _poisons(events[0]):
        r = client.post("/api/v1/lineage", json=poisoned, headers=AUTH)
        assert r.status_code == 422, (field, r.status_code, r.text[:300])
        fields = [e["field"] for e in r.json()["detail"]]
        assert any(f.startswith(field) for f in fields), (field, fields)
    # The store took none of it and still takes good events.
    assert client.post("/api/v1/lineage", json=events[1], headers=AUTH).status_code == 201
    assert store.get_node(f"job:spark:{events[1]['job']['name']}") is not None


def test_a_batch_reports_poisons_by_index_and_lands_the_rest(
    client: TestClient, store: Store, events: list[dict[str, Any]]
) -> None:
    poisons = [p for p, _ in _poisons(events[0])]
    batch = [events[1], *poisons, events[2]]
    r = client.post("/api/v1/lineage/batch", json=batch, headers=AUTH)
    assert r.status_code == 200, r.text[:300]
    body = r.json()
    assert body["accepted"] == 2 and body["applied"] is True
    assert [x["index"] for x in body["rejected"]] == list(range(1, 1 + len(poisons)))
    deep = body["rejected"][-1]["errors"][0]
    assert f"deeper than {MAX_DEPTH}" in deep["message"]
    for event in (events[1], events[2]):
        assert store.get_node(f"job:spark:{event['job']['name']}") is not None
    # And the next request is applied too: nothing wedged.
    r = client.post("/api/v1/lineage", json=events[3], headers=AUTH)
    assert r.status_code == 201
    assert store.get_node(f"job:spark:{events[3]['job']['name']}") is not None


def test_very_deep_json_is_rejected_without_recursion(events: list[dict[str, Any]]) -> None:
    deep: Any = []
    for _ in range(200_000):  # far past Python's recursion limit
        deep = [deep]
    violations = check_event(_custom_facet(events[0], deep))
    assert violations and "deeper than" in violations[0].message
    at_limit = _custom_facet(events[0], _nested(MAX_DEPTH - 8))
    assert check_event(at_limit) == []


@pytest.mark.parametrize(
    "name",
    ["a\x00b", "a\x1fb", "a\x7fb", "a\x85b", "a\ud800b", "x" * 4099],
)
def test_no_ingestor_can_build_an_unstorable_id(name: str) -> None:
    with pytest.raises(InvalidId):
        ids.dataset_id("postgres://db", name)
    with pytest.raises(InvalidId):
        ids.job_id("airflow", name)
    with pytest.raises(InvalidId):
        ids.column_id("postgres://db", "t", name)


def test_ids_up_to_the_limit_are_fine() -> None:
    name = "é" * ((ids.MAX_ID_BYTES - len("dataset:s3://b:")) // 2)
    uid = ids.dataset_id("s3://b", name)
    assert len(uid.encode()) <= ids.MAX_ID_BYTES
    assert ids.parse(uid).name == name


_NAMEISH = st.one_of(
    st.text(max_size=20),
    st.text(st.sampled_from("ab\x00\x1f\x85\u202e\ud800é"), max_size=8),
    st.integers(140, 700).map(lambda n: "é" * n),
)
_TREE = st.recursive(
    st.one_of(st.none(), st.integers(), _NAMEISH),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["name", "namespace", "field", "x", "a\x00"]), inner,
                        max_size=3),
    ),
    max_leaves=30,
)  # fmt: skip


@settings(max_examples=300, deadline=None, database=None)
@given(tree=_TREE, levels=st.integers(0, 80), ns=_NAMEISH, name=_NAMEISH, column=_NAMEISH)
def test_the_fast_path_never_clears_what_the_precise_checks_refuse(
    tree: Any, levels: int, ns: str, name: str, column: str
) -> None:
    """The one-pass scan may send a good event to the precise checks, never the reverse."""
    facets = {"schema": {"fields": [{"name": column}]}, "f": _nested(levels)}
    event = {"outputs": [{"namespace": ns, "name": name, "facets": facets}], "x": tree}
    clean, plain = _scan(event)
    if clean:
        assert list(_walk(event)) == []
    if clean and plain:
        assert check_names(event) == []
