"""Match kinds: each turns a policy's ``match`` into violations, using the query layer.

=====================================  ===================================================
kind                                   violation (roles)
=====================================  ===================================================
training_data_of_exposed_model         an exposure path that passes a train/fine_tune edge
                                       into a model (origin, dataset, model, endpoint)
index_retrievable_by_public_endpoint   an exposure path through a vector index
                                       (origin, index, endpoint)
label_reaches_exposed_endpoint         any exposure path (origin, endpoint)
shadow_model_receives                  an unregistered model holding the label (origin, model)
secret_in_notebook                     a notebook job owning the label (notebook)
principal_outside_group_accesses       CAN_ACCESS from a principal outside the groups to an
                                       asset holding the label (principal, asset)
cypher                                 each row of a read-only statement (subject, ...)
=====================================  ===================================================

Exposure-shaped kinds use :func:`queries.exposure.exposure_paths`, so a violation's evidence
is the same witness path (origin to endpoint, with each hop's transformation) and its risk
the same documented score (:mod:`queries.risk`) as ``lineage paths`` shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from lineage import sensitivity
from lineage.policy import cypher as q
from lineage.policy.spec import (
    CypherMatch,
    IndexRetrievableByPublicEndpoint,
    LabelReachesExposedEndpoint,
    Match,
    PrincipalOutsideGroupAccesses,
    SecretInNotebook,
    ShadowModelReceives,
    TrainingDataOfExposedModel,
    check_cypher,
)
from lineage.sensitivity.rules import matches as label_matches
from lineage.store.base import Store
from queries.exposure import Exposure, exposure_paths
from queries.results import Path
from queries.risk import risk

__all__ = ["Violation", "evaluate"]

_MAX_EVIDENCE = 10
_MAX_EXPOSURES = 100_000
_MAX_PATHS = 25  # simple paths per (origin, endpoint) examined for models or indexes on them


@dataclass(slots=True)
class Violation:
    """One thing that breaks a policy: who plays each role, why, and how bad."""

    roles: dict[str, str]
    labels: set[str] = field(default_factory=set)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    risk: float = 0.0
    explanation: str = ""
    title: str = ""

    def merge(self, other: Violation) -> None:
        self.labels |= other.labels
        for item in other.evidence:
            if len(self.evidence) < _MAX_EVIDENCE and item not in self.evidence:
                self.evidence.append(item)
        if other.risk > self.risk:
            self.risk, self.explanation = other.risk, other.explanation


def _category_hit(categories: Iterable[str], label: str) -> bool:
    return any(label_matches(c, label) for c in categories)


def _exposures(
    store: Store, categories: Iterable[str], exposures: list[str], *, all_paths: bool = False
) -> Iterator[tuple[Exposure, Path]]:
    """Each exposure with its witness path, or with each of its simple paths (capped) when
    the match is about what lies *on* the path (two models behind one endpoint)."""
    for category in categories:
        page = exposure_paths(
            store,
            label=category,
            exposures=exposures,
            limit=_MAX_EXPOSURES,
            all_paths=all_paths,
            max_paths=_MAX_PATHS,
        )
        for exp in page.results:
            for path in exp.paths if all_paths else (exp.path,):
                yield exp, path


def _path_evidence(exp: Exposure, path: Path) -> dict[str, Any]:
    return {
        "kind": "exposure_path",
        "text": path.text(),
        "nodes": [n.uid for n in path.nodes],
        "hops": [h.to_dict() for h in path.hops],
        "labels": list(exp.labels),
        "principals": list(exp.principals),
    }


def _from_exposure(exp: Exposure, path: Path, roles: dict[str, str], title: str) -> Violation:
    return Violation(
        roles={"origin": exp.origin.uid, **roles, "endpoint": exp.endpoint.uid},
        labels=set(exp.labels),
        evidence=[_path_evidence(exp, path)],
        risk=exp.risk.score,
        explanation=exp.risk.explain(),
        title=title,
    )


def _training(store: Store, m: TrainingDataOfExposedModel) -> Iterable[Violation]:
    for exp, path in _exposures(store, m.categories, list(m.exposures), all_paths=True):
        nodes, hops = path.nodes, path.hops
        for i, hop in enumerate(hops):
            if hop.rel == "FLOWS_TO" and hop.kind in m.edge_kinds and nodes[i + 1].kind == "Model":
                model, data = nodes[i + 1], nodes[i]
                yield _from_exposure(
                    exp,
                    path,
                    {"dataset": data.uid, "model": model.uid},
                    f"{model.name} is trained on {', '.join(sorted(exp.labels))} data "
                    f"({data.name}) and served at {exp.endpoint.exposure} endpoint "
                    f"{exp.endpoint.name}",
                )
                break


def _index(store: Store, m: IndexRetrievableByPublicEndpoint) -> Iterable[Violation]:
    for exp, path in _exposures(store, m.categories, list(m.exposures), all_paths=True):
        indexes = [n for n in path.nodes if n.kind == "VectorIndex"]
        if indexes:
            index = indexes[-1]
            yield _from_exposure(
                exp,
                path,
                {"index": index.uid},
                f"vector index {index.name} holds {', '.join(sorted(exp.labels))} and is "
                f"retrievable by {exp.endpoint.exposure} endpoint {exp.endpoint.name}",
            )


def _reaches(store: Store, m: LabelReachesExposedEndpoint) -> Iterable[Violation]:
    for exp, path in _exposures(store, m.categories, list(m.exposures)):
        yield _from_exposure(
            exp,
            path,
            {},
            f"{', '.join(sorted(exp.labels))} from {exp.origin.name} reaches "
            f"{exp.endpoint.exposure} endpoint {exp.endpoint.name}",
        )


def _why(store: Store, uid: str, labels: Iterable[str]) -> tuple[str, list[dict[str, Any]]]:
    origin, evidence = "", cast(list[dict[str, Any]], [])
    for label in sorted(labels):
        for path in sensitivity.why(store, uid, label, limit=3):
            origin = origin or path.origin
            if len(evidence) < _MAX_EVIDENCE:
                evidence.append({"kind": "label_path", "label": label, **path.to_dict()})
    return origin, evidence


def _shadow(store: Store, m: ShadowModelReceives) -> Iterable[Violation]:
    for row in store.query(q.SHADOW_MODELS):
        held = [x for x in row["labels"] if _category_hit(m.categories, x)]
        if not held:
            continue
        origin, evidence = _why(store, row["uid"], held)
        score = risk(
            held,
            kind="Model",
            registered=False,
            coarse_label=all(x in set(row["coarse_labels"]) for x in held),
        )
        yield Violation(
            roles={"origin": origin or row["uid"], "model": row["uid"]},
            labels=set(held),
            evidence=evidence,
            risk=score.score,
            explanation=score.explain(),
            title=f"unregistered model {row['uid']} receives {', '.join(sorted(held))}",
        )


def _notebook(store: Store, m: SecretInNotebook) -> Iterable[Violation]:
    rows = store.query(q.LABELLED_JOBS, {"job_types": list(m.job_types)})
    for row in rows:
        held = [x for x in row["labels"] if _category_hit(m.categories, x)]
        if not held:
            continue
        records = sensitivity.evidence(store, [row["uid"]]).get(row["uid"], [])
        evidence = [
            {"kind": "detection", **{k: r[k] for k in r if k != "salted_hash"}}
            for r in records
            if _category_hit(m.categories, str(r.get("label", "")))
        ][:_MAX_EVIDENCE]
        score = risk(held, kind="Job")
        yield Violation(
            roles={"notebook": row["uid"]},
            labels=set(held),
            evidence=evidence,
            risk=score.score,
            explanation=score.explain(),
            title=f"{str(row['job_type']).replace('_', ' ')} {row['name']} holds "
            f"{', '.join(sorted(held))}",
        )


def _outside(store: Store, m: PrincipalOutsideGroupAccesses) -> Iterable[Violation]:
    allowed = set(m.groups)
    rows = store.query(q.ACCESS_TO_LABELLED, {"kinds": list(m.asset_kinds)})
    for row in rows:
        held = [x for x in row["labels"] if _category_hit(m.categories, x)]
        member = allowed & (set(row["groups"]) | {row["name"], row["principal"]})
        if not held or member:
            continue
        score = risk(held, kind=row["kind"], exposure_value=row["exposure"], principals=1)
        yield Violation(
            roles={"principal": row["principal"], "asset": row["asset"]},
            labels=set(held),
            evidence=[
                {
                    "kind": "access",
                    "principal": row["principal"],
                    "groups": list(row["groups"]),
                    "asset": row["asset"],
                    "permission": row["permission"],
                    "allowed_groups": sorted(allowed),
                }
            ],
            risk=score.score,
            explanation=score.explain(),
            title=f"{row['name']} (not in {', '.join(sorted(allowed))}) can access "
            f"{row['asset']} holding {', '.join(sorted(held))}",
        )


def _cypher(store: Store, m: CypherMatch) -> Iterable[Violation]:
    check_cypher(m.statement, m.params)  # also checked when loaded
    for row in store.query(m.statement, m.params):
        subject = row.get("subject")
        if not isinstance(subject, str):
            continue
        roles = {"subject": subject}
        roles.update({r: str(row[r]) for r in m.extra_roles if isinstance(row.get(r), str)})
        labels = {str(x) for x in row.get("labels") or ()}
        path = [str(x) for x in row.get("path") or ()]
        yield Violation(
            roles=roles,
            labels=labels,
            evidence=[{"kind": "cypher_row", "path": path}] if path else [],
            risk=float(row["risk"]) if isinstance(row.get("risk"), (int, float)) else 0.0,
            title=str(row.get("title") or f"{subject} matches"),
        )


_EVALUATORS: dict[type, Callable[[Store, Any], Iterable[Violation]]] = {
    TrainingDataOfExposedModel: _training,
    IndexRetrievableByPublicEndpoint: _index,
    LabelReachesExposedEndpoint: _reaches,
    ShadowModelReceives: _shadow,
    SecretInNotebook: _notebook,
    PrincipalOutsideGroupAccesses: _outside,
    CypherMatch: _cypher,
}


def evaluate(store: Store, match: Match) -> dict[tuple[tuple[str, str], ...], Violation]:
    """Violations keyed by their key roles (one per finding; same-key ones are merged)."""
    out: dict[tuple[tuple[str, str], ...], Violation] = {}
    for v in _EVALUATORS[type(match)](store, match):
        key = tuple((r, v.roles[r]) for r in match.key_roles if r in v.roles)
        if key in out:
            out[key].merge(v)
        else:
            out[key] = v
    return out
