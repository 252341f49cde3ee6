"""Property: after any sequence of edits, incremental labels equal a full recompute.

Random small lineage graphs (datasets with columns, a model, an endpoint; column and
dataset edges with random transformation types, masking, aggregation, stale flags, column
detail, cycles allowed) receive random edit sequences: add/remove edges, add labels,
re-scans that retract, declassify/reclassify nodes and edges, delete nodes. After each edit
the stored state must be exactly what ``recompute`` produces (it writes nothing), and the
effective labels must match an independent naive fixpoint over all nodes.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lineage import ids, sensitivity
from lineage.model import Edge, Kind, Label, Labeling, Node, Rel
from lineage.pipeline import delete, ingest
from lineage.sensitivity import Action, Policy
from lineage.sensitivity.rules import EdgeRule, effective_labels, strip_declassified
from lineage.store import Store

from .conftest import NS, col, ds

pytestmark = pytest.mark.all_stores  # embedded and Neo4j

TABLES = {"t0": ("a", "b"), "t1": ("a", "b"), "t2": ("a", "b"), "t3": ("a",)}
MODEL = ids.model_id("mlflow://ml", "m")
ENDPOINT = ids.make(Kind.ENDPOINT, "https://api.example", "e")
COLS = [col(t, f) for t, fs in TABLES.items() for f in fs]
DATA = [ds(t) for t in TABLES]
NODES = COLS + DATA + [MODEL, ENDPOINT]
LABELS = [Label("PII", "EMAIL_ADDRESS"), Label("PHI", "MRN"), Label("SECRET")]

edge_props = st.fixed_dictionaries(
    {
        "transformation_type": st.sampled_from(["DIRECT", "DIRECT", "INDIRECT"]),
        "transformation_subtype": st.sampled_from(["IDENTITY", "AGGREGATION", "TRANSFORMATION"]),
        "masking": st.booleans(),
        "stale": st.sampled_from([False, False, False, True]),
        "column_detail": st.booleans(),
    }
)


@st.composite
def edges(draw: st.DrawFn) -> Edge:
    if draw(st.booleans()):
        src, dst = draw(st.sampled_from(COLS)), draw(st.sampled_from(COLS))
        gran = "column"
    else:
        src = draw(st.sampled_from([*DATA, MODEL]))
        dst = draw(st.sampled_from([*DATA, MODEL, ENDPOINT]))
        gran = "dataset"
    props = {**draw(edge_props), "granularity": gran, "kind": "transform"}
    if draw(st.integers(0, 5)) == 0:
        props["declassified"] = [draw(st.sampled_from(["PII", "*", "PHI:MRN"]))]
    job = f"job:{NS}:j{draw(st.integers(0, 1))}"
    return Edge(src, Rel.FLOWS_TO, dst, props, key=job)


actions = st.sampled_from(list(Action))
policies = st.builds(
    lambda m, a, pii: Policy(masking={"default": m, "PII": pii}, aggregation={"default": a}),
    actions,
    actions,
    actions,
)

edits = st.one_of(
    st.tuples(st.just("add"), st.lists(edges(), min_size=1, max_size=3)),
    st.tuples(st.just("remove"), st.integers(0, 100)),
    st.tuples(st.just("label"), st.sampled_from(NODES), st.sampled_from(LABELS)),
    st.tuples(st.just("rescan"), st.sampled_from(COLS), st.lists(st.sampled_from(LABELS))),
    st.tuples(st.just("declassify"), st.sampled_from(NODES), st.sampled_from(["PII", "*"])),
    st.tuples(st.just("reclassify"), st.sampled_from(NODES), st.sampled_from(["PII", "*"])),
    st.tuples(st.just("declassify_edge"), st.integers(0, 100), st.sampled_from(["PII", "*"])),
    st.tuples(st.just("delete"), st.sampled_from(NODES)),
)


def _base() -> list:
    facts: list = [
        Node(MODEL, Kind.MODEL, "m", "mlflow://ml"),
        Node(ENDPOINT, Kind.ENDPOINT, "e", "x"),
    ]
    for t, fields in TABLES.items():
        facts.append(Node(ds(t), Kind.DATASET, t, NS))
        facts += [Edge(ds(t), Rel.HAS_COLUMN, col(t, f)) for f in fields]
    return facts


def _flows(store: Store) -> list:
    return [e for e in store.iter_edges() if e.rel is Rel.FLOWS_TO]


def _apply(store: Store, edit: tuple) -> None:
    op = edit[0]
    flows = _flows(store)
    if op == "add":
        ingest(store, edit[1])
    elif op == "remove" and flows:
        e = flows[edit[1] % len(flows)]
        delete(store, edges=[(e.src, e.rel, e.dst, e.key)])
    elif op == "label" and store.get_node(edit[1]):
        ingest(store, [Labeling(edit[1], edit[2], "presidio", 0.9, 9, 10)])
    elif op == "rescan" and store.get_node(edit[1]):
        found = [Labeling(edit[1], lab, "presidio", 0.9, 9, 10) for lab in set(edit[2])]
        sensitivity.replace_detected(store, {edit[1]: found}, "presidio")
    elif op in ("declassify", "reclassify") and store.get_node(edit[1]):
        sensitivity.declassify(
            store, edit[1], [edit[2]], reason="test", who="t", undo=op == "reclassify"
        )
    elif op == "declassify_edge" and flows:
        e = flows[edit[1] % len(flows)]
        sensitivity.declassify(store, (e.src, e.dst, e.key), [edit[2]], reason="t", who="t")
    elif op == "delete":
        delete(store, nodes=[edit[1]])


def _naive(store: Store) -> dict[str, set[str]]:
    """Independent oracle: iterate every node until nothing changes (no provenance)."""
    nodes = {n.uid: n for n in store.iter_nodes()}
    decl = {u: tuple(n.props.get("declassified") or ()) for u, n in nodes.items()}
    own = {
        u: strip_declassified(n.props.get("own_labels") or (), decl[u]) for u, n in nodes.items()
    }
    hops: dict[str, list] = defaultdict(list)
    for e in store.iter_edges():
        if e.rel is Rel.HAS_COLUMN:
            hops[e.src].append((e.dst, None))  # dataset <- its column
        elif e.rel is Rel.FLOWS_TO:
            rule = EdgeRule.of(e.props, nodes[e.src].kind.value, nodes[e.dst].kind.value)
            hops[e.dst].append((e.src, rule))
    tokens = {u: set(own[u]) for u in nodes}
    changed = True
    while changed:
        changed = False
        for u in nodes:
            new = set(own[u])
            for src, rule in hops.get(u, ()):
                if rule is None:  # a column of dataset u
                    new |= tokens[src]
                else:
                    held = own[src] if rule.own_only else tokens[src]
                    new |= rule.passes(held, sensitivity.current_policy())
            new = strip_declassified(new, decl[u])
            if new != tokens[u]:
                tokens[u], changed = new, True
    return {u: set(effective_labels(t)[0]) for u, t in tokens.items()}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    initial=st.lists(edges(), max_size=10),
    steps=st.lists(edits, min_size=1, max_size=8),
    policy=policies,
)
def test_incremental_equals_full_recompute(
    g: Store, initial: list, steps: list, policy: Policy
) -> None:
    g.clear()
    sensitivity.set_policy(policy)
    try:
        ingest(g, _base() + initial)
        for step in steps:
            _apply(g, step)
            before = {n.uid: (n.labels, n.props.get("label_sources")) for n in g.iter_nodes()}
            outcome = sensitivity.recompute(g)
            after = {n.uid: (n.labels, n.props.get("label_sources")) for n in g.iter_nodes()}
            assert outcome.written == 0, (step, before, after)
            assert {u: set(v[0]) for u, v in after.items()} == _naive(g)
    finally:
        sensitivity.set_policy(Policy())
