"""Export/import round trip and the stable JSON Lines format."""

from __future__ import annotations

import json
from pathlib import Path

from lineage import ids
from lineage.model import Edge, Kind, Node, Rel
from lineage.pipeline import ingest
from lineage.store import Store, open_store
from lineage.transfer import export_lines, import_from

NS = "snowflake://acme"


def _estate(store: Store) -> None:
    a, b = ids.dataset_id(NS, "raw.users"), ids.dataset_id(NS, "mart.users")
    col = ids.column_id(NS, "raw.users", "email")
    ingest(
        store,
        [
            Node(a, Kind.DATASET, "raw.users", NS, {"fields": ["id", "email"], "rows": 10}),
            Node(b, Kind.DATASET, "mart.users", NS),
            Node(col, Kind.COLUMN, "raw.users.email", NS),
            Edge(a, Rel.HAS_COLUMN, col),
            Edge(a, Rel.FLOWS_TO, b, {"kind": "transform", "masking": False}, key="job:x:j"),
        ],
        seen="2026-01-01T00:00:00.000Z",
    )
    store.set_props(
        col, {"labels": ["PII", "PII:EMAIL_ADDRESS"], "own_labels": ["PII:EMAIL_ADDRESS"]}
    )


def test_format_is_the_documented_one(store: Store) -> None:
    _estate(store)
    records = [json.loads(line) for line in export_lines(store)]
    node = next(r for r in records if r.get("uid") == ids.column_id(NS, "raw.users", "email"))
    assert set(node) == {"type", "uid", "kind", "name", "namespace", "labels", "props"}
    assert node["labels"] == ["PII", "PII:EMAIL_ADDRESS"]
    edge = next(r for r in records if r["type"] == "edge" and r["rel"] == "FLOWS_TO")
    assert set(edge) == {"type", "rel", "src", "dst", "props", "key"}
    assert edge["props"]["kind"] == "transform" and edge["key"] == "job:x:j"
    kinds = [r["type"] for r in records]
    assert kinds == sorted(kinds, key=lambda t: t != "node")  # nodes first


def test_round_trip_between_stores(store: Store, tmp_path: Path) -> None:
    _estate(store)
    exported = list(export_lines(store))
    other = open_store(tmp_path / "other")
    try:
        report = import_from(other, exported)
        assert (report.nodes, report.edges, report.errors) == (3, 2, [])
        assert list(export_lines(other)) == exported
        import_from(other, exported)  # importing twice changes nothing
        assert list(export_lines(other)) == exported
    finally:
        other.close()


def test_bad_lines_are_reported_by_number_and_good_ones_load(store: Store) -> None:
    good = {"type": "node", "uid": "dataset:pg:s.a", "kind": "Dataset", "name": "s.a",
            "namespace": "pg", "labels": [], "props": {}}  # fmt: skip
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps({**good, "uid": "dataset:pg:s.b", "kind": "Model"}),
        json.dumps(
            {"type": "edge", "rel": "NOPE", "src": "dataset:pg:s.a", "dst": "dataset:pg:s.a"}
        ),
        json.dumps({"type": "whatever"}),
    ]
    report = import_from(store, lines)
    assert report.nodes == 1
    assert [e.split(":")[0] for e in report.errors] == ["line 2", "line 3", "line 4", "line 5"]
    assert store.counts() == {"Dataset": 1}
