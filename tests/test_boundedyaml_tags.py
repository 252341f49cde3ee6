"""``!!python/tuple`` (what PyYAML's dumper writes for a tuple, and so what Haystack 2.x
pipeline files carry) loads as a plain list; no other Python tag constructs anything."""

from __future__ import annotations

import pytest
import yaml  # type: ignore[import-untyped]

from lineage.boundedyaml import Limits, safe_load
from lineage.errors import ParseError


def test_python_tuple_is_a_plain_list_with_anchors() -> None:
    text = "a: &t !!python/tuple [admin, secret]\nb: *t\n"
    assert safe_load(text, "x.yml") == {"a": ["admin", "secret"], "b": ["admin", "secret"]}


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system [echo hi]\n",
        "a: !!python/name:os.system ''\n",
        "a: !!python/object:collections.OrderedDict {}\n",
        "a: !!python/tuple {k: v}\n",  # a tuple tag on a mapping is not a tuple
    ],
)
def test_other_python_tags_are_refused(text: str) -> None:
    with pytest.raises(ParseError):
        safe_load(text, "x.yml")


def test_the_limits_hold_inside_a_tuple() -> None:
    items = ", ".join(["*a"] * 20)
    text = f"a: &a [x]\nb: !!python/tuple [{items}]\n"
    with pytest.raises(ParseError, match="aliases"):
        safe_load(text, "x.yml", limits=Limits(max_aliases=10))


def test_plain_safe_loader_is_left_alone() -> None:
    with pytest.raises(yaml.constructor.ConstructorError):
        yaml.safe_load("a: !!python/tuple [1]\n")
