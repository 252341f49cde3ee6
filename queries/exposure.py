"""Exposure paths: where a labelled node's values can leave through an exposed endpoint.

A path for label ``L`` runs over value-carrying ``FLOWS_TO`` edges (not INDIRECT, not
masking, not stale; dataset edges with column detail give way to their column edges) from a
node whose *own* labels contain ``L`` (or, for a category, one of its entities) to an
Endpoint whose ``exposure`` is in the configured set, and every node on it holds ``L`` in
its effective ``labels``: the label really travels the whole way.

Search runs upstream from the exposed endpoints, which are few, in one shared traversal per
batch of endpoints (one round trip per level for all of them). Endpoints are visited in
order of the best score they could reach (:func:`queries.risk.risk` with full confidence),
so the top results are final as soon as the next endpoint cannot beat them: ranking stops
early instead of exploring the whole estate.

>>> # page = exposure_paths(store, label="PII", limit=10)
>>> # page.results[0].path.text(), page.results[0].risk.explain()
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from lineage.errors import LineageError
from lineage.model import Label
from queries.cypher import EXPOSED_ENDPOINTS, OWNING_COLUMNS
from queries.graph_index import Snapshot, index_for
from queries.results import NodeInfo, Path, fetch_nodes, path_of
from queries.risk import Risk, label_confidence, risk
from queries.traverse import Reach, State, Step, edge_details, traverse

__all__ = ["DEFAULT_EXPOSURES", "Exposure", "ExposurePage", "exposure_paths", "matches"]

DEFAULT_EXPOSURES = ("public", "external")
_FIRST_BATCH = 48  # endpoints searched together first; each later batch doubles


@dataclass(frozen=True, slots=True)
class Exposure:
    """One (origin, endpoint) exposure with its evidence and score."""

    origin: NodeInfo
    endpoint: NodeInfo
    labels: tuple[str, ...]  # labels held by every node on the witness path
    path: Path
    paths: tuple[Path, ...]  # all simple paths when asked (capped), else just ``path``
    principals: tuple[str, ...]
    risk: Risk

    @property
    def key(self) -> str:
        return f"{self.origin.uid}->{self.endpoint.uid}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "origin": self.origin.to_dict(),
            "endpoint": self.endpoint.to_dict(),
            "labels": list(self.labels),
            "risk": self.risk.to_dict(),
            "path": self.path.to_dict(),
            "paths": [p.to_dict() for p in self.paths],
            "principals": list(self.principals),
        }


@dataclass(frozen=True, slots=True)
class ExposurePage:
    results: tuple[Exposure, ...]
    offset: int
    total: int  # results found so far; exact when ``complete``
    complete: bool  # every candidate endpoint was searched
    endpoints_searched: int
    endpoints_exposed: int

    @property
    def has_next(self) -> bool:
        return not self.complete or self.offset + len(self.results) < self.total

    def to_dict(self) -> dict[str, Any]:
        return {
            "offset": self.offset,
            "total": self.total,
            "complete": self.complete,
            "has_next": self.has_next,
            "endpoints_searched": self.endpoints_searched,
            "endpoints_exposed": self.endpoints_exposed,
            "results": [r.to_dict() for r in self.results],
        }


def matches(query: str, label: str) -> bool:
    """``PII`` matches ``PII`` and ``PII:<entity>``; an entity label matches only itself."""
    return query == label or (":" not in query and label.partition(":")[0] == query)


@dataclass(slots=True)
class _Candidate:
    uid: str
    exposure: str
    principals: int
    searches: tuple[str, ...]  # labels to search from this endpoint
    bound: float  # the best score any of its paths can reach


@dataclass(slots=True)
class _Found:
    origin: str
    endpoint: str
    searches: set[str]
    state: State
    depth: int
    reach: Reach


def _candidates(store: Any, label: str | None, exposures: Sequence[str]) -> list[_Candidate]:
    rows = store.query(EXPOSED_ENDPOINTS, {"exposures": list(exposures), "label": label})
    out = []
    for row in rows:
        labels = list(row["labels"] or ())
        if label is not None:
            searches: tuple[str, ...] = (label,)
            held = [x for x in labels if matches(label, x)]
        else:
            searches = tuple(sorted({x.partition(":")[0] for x in labels}))
            held = labels
        coarse = set(row["coarse_labels"] or ())
        bound = risk(
            held,
            kind="Endpoint",
            exposure_value=row["exposure"],
            principals=int(row["principals"]),
            coarse_label=bool(held) and all(x in coarse for x in held),
            runtime_score=float(row["runtime_score"] or 0.0),
        ).score
        out.append(_Candidate(row["uid"], row["exposure"], int(row["principals"]), searches, bound))
    out.sort(key=lambda c: (-c.bound, c.uid))
    return out


def _search(
    store: Any,
    batch: Sequence[_Candidate],
    *,
    depth: int,
    include_stale: bool,
    index: Snapshot | None = None,
) -> list[_Found]:
    starts = [((c.uid, lab, c.uid), "Endpoint") for c in batch for lab in c.searches]
    reach = traverse(store, starts, way="in", depth=depth, include_stale=include_stale, index=index)
    _enter_owning_columns(store, reach)
    found: dict[tuple[str, str], _Found] = {}
    for state, d in reach.depth.items():
        uid, lab, tag = state
        if uid == tag or lab is None or tag is None:
            continue
        if not any(matches(lab, own) for own in reach.own.get(uid, ())):
            continue
        key = (uid, tag)
        prior = found.get(key)
        if prior is None or d < prior.depth:
            searches = prior.searches if prior else set()
            found[key] = _Found(uid, tag, searches | {lab}, state, d, reach)
        else:
            prior.searches.add(lab)
    return list(found.values())


def _enter_owning_columns(store: Any, reach: Reach) -> None:
    """Add the columns that own a label to the datasets the upstream walk entered.

    Walking upstream, a dataset reached through a dataset-level edge (an embedding job, a
    file copied whole) holds its columns' labels, but a column that owns one and has no
    incoming edge of its own is never entered by the walk, so the origin would be missed.
    Each such column joins the search at its dataset's depth, through a roll-up step.
    """
    datasets = {state[0] for state in reach.depth if reach.kind.get(state[0]) == "Dataset"}
    if not datasets:
        return
    owning: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for row in store.query(OWNING_COLUMNS, {"uids": sorted(datasets)}):
        owning.setdefault(row["dataset"], []).append((row["column"], tuple(row["own"] or ())))
    for state, d in list(reach.depth.items()):
        uid, lab, tag = state
        if lab is None or uid not in owning:
            continue
        for column, own in owning[uid]:
            entered: State = (column, lab, tag)
            if entered in reach.depth or not any(matches(lab, x) for x in own):
                continue
            reach.depth[entered] = d
            reach.kind[column] = "Column"
            reach.own[column] = own
            reach.parent[entered] = (state, Step(column, uid, "rollup"))


def _carried(path: Path, searches: Iterable[str]) -> tuple[str, ...]:
    common = set(path.nodes[0].labels) if path.nodes else set()
    for node in path.nodes[1:]:
        common &= set(node.labels)
    wanted = list(searches)
    return tuple(sorted(x for x in common if any(matches(q, x) for q in wanted)))


def _all_paths(found: _Found, depth: int, cap: int) -> list[list[Step]]:
    graph: nx.MultiDiGraph = nx.MultiDiGraph()
    for src, _dst, step in found.reach.steps:
        if src[2] == found.endpoint and src[1] in found.searches:
            graph.add_edge(step.src, step.dst, step=step)
    if found.origin not in graph or found.endpoint not in graph:
        return []
    out: list[list[Step]] = []
    edge_paths = nx.all_simple_edge_paths(graph, found.origin, found.endpoint, cutoff=2 * depth + 2)
    for edge_path in itertools.islice(edge_paths, cap):
        steps: list[Step] = [graph.edges[u, v, k]["step"] for u, v, k in edge_path]
        if sum(1 for s in steps if s.step == "flow") <= depth:
            out.append(steps)
    return out


def exposure_paths(
    store: Any,
    *,
    label: str | None = None,
    exposures: Sequence[str] = DEFAULT_EXPOSURES,
    depth: int = 8,
    offset: int = 0,
    limit: int = 100,
    all_paths: bool = False,
    max_paths: int = 10,
    include_stale: bool = False,
    use_index: bool = True,
) -> ExposurePage:
    """Ranked exposures, one witness path per (origin, endpoint) unless ``all_paths``.

    ``label`` is a category (``PII``) or an entity label (``PII:EMAIL_ADDRESS``); none means
    every label. Results are ranked by risk, then path length, then ids (stable pages).
    ``use_index`` lets the in-process graph index (:mod:`queries.graph_index`) walk the
    labelled steps when it holds the store's present state; the answer is the same.
    """
    if limit < 0 or offset < 0 or depth < 1:
        raise LineageError("offset and limit must be >= 0 and depth >= 1")
    answer = functools.partial(
        _exposure_paths, store, label=label, exposures=exposures, depth=depth, offset=offset,
        limit=limit, all_paths=all_paths, max_paths=max_paths, include_stale=include_stale,
    )  # fmt: skip
    index = index_for(store) if use_index else None
    snap = index.current() if index is not None else None  # None: behind the store
    page = answer(snap)
    if snap is not None and store.version() != snap.version:
        return answer(None)  # a write landed while the copy answered: ask the store's Cypher
    return page


def _exposure_paths(
    store: Any,
    index: Snapshot | None,
    *,
    label: str | None,
    exposures: Sequence[str],
    depth: int,
    offset: int,
    limit: int,
    all_paths: bool,
    max_paths: int,
    include_stale: bool,
) -> ExposurePage:
    label = str(Label.parse(label)) if label else None
    candidates = _candidates(store, label, exposures)
    scored: list[tuple[Exposure, _Found]] = []
    want = offset + limit
    searched, size = 0, _FIRST_BATCH
    while searched < len(candidates):
        batch = candidates[searched : searched + size]
        searched += len(batch)
        size *= 2
        found = _search(store, batch, depth=depth, include_stale=include_stale, index=index)
        scored.extend(_score(store, found))
        scored.sort(key=lambda x: (-x[0].risk.score, x[0].path.flow_hops, x[0].key))
        if (
            0 < want <= len(scored)
            and searched < len(candidates)
            and scored[want - 1][0].risk.score >= candidates[searched].bound
        ):
            break
    page = scored[offset:want]
    results = []
    for found_exp, fnd in page:
        exp = found_exp
        if all_paths:
            found_paths = _all_paths(fnd, depth, max_paths)
            uids = {fnd.origin} | {s.dst for steps in found_paths for s in steps}
            nodes = fetch_nodes(store, uids)
            details = edge_details(store, [s for steps in found_paths for s in steps])
            paths = tuple(
                path_of([details.get((s.src, s.dst, s.code), s) for s in steps], nodes, fnd.origin)
                for steps in found_paths
            ) or (exp.path,)
            exp = Exposure(
                exp.origin, exp.endpoint, exp.labels, exp.path, paths, exp.principals, exp.risk
            )
        results.append(exp)
    return ExposurePage(
        results=tuple(results),
        offset=offset,
        total=len(scored),
        complete=searched >= len(candidates),
        endpoints_searched=searched,
        endpoints_exposed=len(candidates),
    )


def _score(store: Any, found: list[_Found]) -> list[tuple[Exposure, _Found]]:
    if not found:
        return []
    witness = {id(f): f.reach.witness(f.state) for f in found}
    details = edge_details(store, [s for steps in witness.values() for s in steps])
    witness = {
        k: [details.get((s.src, s.dst, s.code), s) for s in steps] for k, steps in witness.items()
    }
    uids = {f.endpoint for f in found} | {f.origin for f in found}
    for steps in witness.values():
        uids.update(s.src for s in steps)
        uids.update(s.dst for s in steps)
    nodes = fetch_nodes(store, uids)
    out = []
    for f in found:
        path = path_of(witness[id(f)], nodes, f.origin)
        origin, endpoint = nodes[f.origin], nodes[f.endpoint]
        carried = _carried(path, f.searches) or tuple(sorted(f.searches))
        score = risk(
            carried,
            kind="Endpoint",
            exposure_value=endpoint.exposure,
            principals=len(endpoint.principals),
            origin_confidence=max(label_confidence(origin.evidence, x) for x in carried),
            coarse_hops=path.coarse_hops,
            coarse_label=all(x in endpoint.coarse_labels for x in carried),
            runtime_score=endpoint.runtime_score,
            runtime_findings=endpoint.runtime_findings,
        )
        exposure = Exposure(origin, endpoint, carried, path, (path,), endpoint.principals, score)
        out.append((exposure, f))
    return out
