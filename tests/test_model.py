"""Fact values are what both stores can keep: scalars, and lists of one scalar type."""

from __future__ import annotations

import pytest

from lineage.model import Edge, Kind, Label, Node, Rel, check_props


def test_props_accept_scalars_and_uniform_lists() -> None:
    props = check_props({"a": 1, "b": [1, 2.5], "c": ["x"], "d": None, "e": (True, False)})
    assert props == {"a": 1, "b": [1, 2.5], "c": ["x"], "e": [True, False]}  # None dropped


@pytest.mark.parametrize(
    ("props", "why"),
    [
        ({"a": [1, "x"]}, "one type"),
        ({"a": [True, 1]}, "one type"),
        ({"a": [None]}, "only scalars"),
        ({"a": {"nested": 1}}, "not storable"),
        ({"uid": "x"}, "reserved"),
        ({"bad key": 1}, "plain identifier"),
        ({"a`b": 1}, "plain identifier"),
    ],
)
def test_props_reject_what_a_store_cannot_keep(props: dict, why: str) -> None:
    with pytest.raises(TypeError, match=why):
        check_props(props)


def test_facts_are_frozen_and_checked() -> None:
    node = Node("dataset:pg:s.t", Kind.DATASET, "s.t", "pg", {"rows": 3})
    with pytest.raises(AttributeError):
        node.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        node.props["rows"] = 4  # type: ignore[index]
    with pytest.raises(TypeError, match="reserved"):
        Edge("a", Rel.FLOWS_TO, "b", {"key": "x"})
    assert Edge("a", Rel.FLOWS_TO, "b", {"kind": "train"}).props["kind"] == "train"


def test_label_text_round_trip() -> None:
    assert str(Label.parse("pii:email_address")) == "PII:EMAIL_ADDRESS"
    assert Label.parse("SECRET") == Label("SECRET")
