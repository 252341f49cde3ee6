"""Declared deployments: exposure, serving and access that no artefact states."""

from __future__ import annotations

from pathlib import Path

from ingest.declared import declared_facts
from lineage.model import Edge, Node, Problem, Rel


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "deployments.yaml"
    path.write_text(text)
    return path


def test_endpoints_serving_and_access(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
endpoints:
  - id: endpoint:embedchain:crm-assistant
    exposure: public
  - namespace: https://api.acme.example
    name: support-bot
    exposure: external
    serves: [model:huggingface:acme/support-bot]
access:
  - principal: principal:okta://acme:group/partners
    endpoints: [endpoint:https://api.acme.example:support-bot]
""",
    )
    facts = list(declared_facts(path, ref="deployments.yaml"))
    nodes = {f.uid: f for f in facts if isinstance(f, Node)}
    assert nodes["endpoint:embedchain:crm-assistant"].props["exposure"] == "public"
    assert nodes["endpoint:https://api.acme.example:support-bot"].props["exposure"] == "external"
    edges = {(f.src, f.rel, f.dst) for f in facts if isinstance(f, Edge)}
    assert (
        "model:huggingface:acme/support-bot",
        Rel.FLOWS_TO,
        "endpoint:https://api.acme.example:support-bot",
    ) in edges
    assert (
        "principal:okta://acme:group/partners",
        Rel.CAN_ACCESS,
        "endpoint:https://api.acme.example:support-bot",
    ) in edges
    assert not [f for f in facts if isinstance(f, Problem)]


def test_a_bad_entry_is_reported_and_the_others_land(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
endpoints:
  - id: dataset:pg:s.t
    exposure: public
  - {namespace: https://x.example, name: ok, exposure: internal}
  - {namespace: https://x.example, name: bad, exposure: galactic}
  - {namespace: https://x.example, name: srv, serves: [dataset:pg:s.t]}
""",
    )
    facts = list(declared_facts(path))
    problems = [f for f in facts if isinstance(f, Problem)]
    assert [p.source_ref.rsplit("#", 1)[1] for p in problems] == [
        "endpoints[0]", "endpoints[2]", "endpoints[3]"
    ]  # fmt: skip
    assert [f.uid for f in facts if isinstance(f, Node)] == ["endpoint:https://x.example:ok"]


def test_unreadable_files_are_one_problem(tmp_path: Path) -> None:
    for text in ("endpoints: [", "- just a list", "surprise: {}"):
        facts = list(declared_facts(_write(tmp_path, text)))
        assert len(facts) == 1 and isinstance(facts[0], Problem)
