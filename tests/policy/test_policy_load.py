"""Policy files: the starter library loads; every invalid policy names its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from lineage.errors import ParseError
from lineage.policy import configured_policies, load_dir, load_paths, load_text, starter_policies

GOOD = """\
id: p1
description: shadow models must not receive PII
severity: high
match:
  kind: shadow_model_receives
  categories: [pii]
responses:
  - action: quarantine
    target: model
"""


def _error(text: str) -> ParseError:
    with pytest.raises(ParseError) as info:
        load_text(text, "team/policies.yaml")
    return info.value


def test_starter_library_covers_the_issue_examples() -> None:
    policies = {p.id: p for p in starter_policies()}
    kinds = {p.match.kind for p in policies.values()}
    assert {
        "training_data_of_exposed_model",
        "secret_in_notebook",
        "index_retrievable_by_public_endpoint",
        "shadow_model_receives",
        "principal_outside_group_accesses",
        "label_reaches_exposed_endpoint",
        "cypher",
    } <= kinds
    training = policies["no-sensitive-training-data-for-exposed-models"]
    assert training.match.categories == ["PII", "PHI"]
    assert set(training.match.exposures) == {"public", "external"}
    pci = policies["pci-endpoints-only-for-payments"]
    assert pci.match.groups == ["payments"] and pci.match.categories == ["PCI"]
    # destructive responses are dry runs unless a policy says otherwise
    for p in policies.values():
        for r in p.responses:
            assert r.is_dry_run() == (r.action in ("quarantine", "revoke"))
    assert all(p.source.startswith("starter/") for p in policies.values())


def test_a_good_policy_and_its_defaults() -> None:
    (p,) = load_text(GOOD, "x.yaml")
    assert p.match.categories == ["PII"]  # upper-cased
    assert p.responses[0].is_dry_run() is True
    assert p.source == "x.yaml:1"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (GOOD.replace("severity: high", "severity: huge"), 3, "severity"),
        (GOOD.replace("  categories: [pii]", "  categoriez: [pii]"), 6, "Extra inputs"),
        (GOOD.replace("kind: shadow_model_receives", "kind: shadow_modle"), 5, "tag"),
        (GOOD.replace("target: model", "target: endpoint"), 9, "not a role"),
        (GOOD.replace("action: quarantine", "action: delete_everything"), 8, "action"),
        (GOOD.replace("categories: [pii]", "categories: [pii, 'a b']"), 6, "label category"),
        (GOOD.replace("description: shadow", "description: [shadow"), 3, "invalid YAML"),
        (GOOD + "id: p2\n", 10, "duplicate key 'id'"),
        (
            "- " + GOOD.replace("\n", "\n  ") + "\n- " + GOOD.replace("\n", "\n  "),
            11,
            "duplicate policy id",
        ),
        (GOOD.replace("id: p1\n", ""), 1, "id: Field required"),
    ],
)
def test_invalid_policies_name_the_line(text: str, line: int, words: str) -> None:
    err = _error(text)
    assert err.path == "team/policies.yaml"
    assert err.line == line, str(err)
    assert words in str(err)
    assert str(err).startswith(f"team/policies.yaml:{line}")


def test_cypher_match_is_read_only_and_parameterised() -> None:
    base = """\
id: c
description: d
severity: low
match:
  kind: cypher
  statement: {statement}
  params: {params}
"""
    ok = base.format(
        statement='"MATCH (m:Model) WHERE m.provider = $p RETURN m.uid AS subject"',
        params="{p: openai}",
    )
    assert load_text(ok)[0].match.params == {"p": "openai"}
    for statement, params, why, line in [
        ("MATCH (m:Model) DETACH DELETE m RETURN m.uid AS subject", "{}", "DETACH", 6),
        ("MATCH (m:Model) SET m.x = 1 RETURN m.uid AS subject", "{}", "SET", 6),
        ("CALL db.labels() YIELD label RETURN label AS subject", "{}", "must start", 6),
        ("MATCH (m:Model) RETURN m.uid AS subject; MATCH (n) DELETE n", "{}", "one statement", 6),
        ("MATCH (m:Model) RETURN m.uid AS uid", "{}", "subject", 6),
        ("MATCH (m:Model) WHERE m.p = $p RETURN m.uid AS subject", "{}", "not given: p", 5),
        ("MATCH (m:Model) RETURN m.uid AS subject", "{q: 1}", "not used: q", 5),
    ]:
        err = _error(base.format(statement=f'"{statement}"', params=params))
        assert why in str(err) and err.line == line, str(err)
    # words inside strings are data, not clauses
    quoted = base.format(
        statement="\"MATCH (m:Model) WHERE m.note = 'SET ME' RETURN m.uid AS subject\"", params="{}"
    )
    assert load_text(quoted)


def test_folders_and_duplicate_ids_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yml").write_text(GOOD.replace("id: p1", "id: p2"))
    assert [p.id for p in load_dir(tmp_path)] == ["p1", "p2"]
    (tmp_path / "c.yaml").write_text(GOOD)
    with pytest.raises(ParseError, match=r"'p1' is also defined at .*a\.yaml:1"):
        load_paths([tmp_path])
    assert [p.id for p in configured_policies(str(tmp_path / "a.yaml"))] == ["p1"]
    assert configured_policies("off") == []
    assert len(configured_policies(None)) == len(starter_policies())
    with pytest.raises(ParseError, match="cannot read"):
        load_paths([tmp_path / "missing.yaml"])
