"""Golden exposure paths: the label must travel the whole way, over value-carrying edges,
to an exposed endpoint; ranking, pagination, all simple paths."""

from __future__ import annotations

import pytest
from graph_builder import Builder, col, ds, endpoint, index, model, principal

from queries.exposure import exposure_paths
from queries.graph_index import GraphIndex

pytestmark = pytest.mark.all_stores  # embedded and Neo4j


@pytest.fixture(autouse=True, params=["cypher", "index"])
def walk(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every golden case twice on the embedded store: walked by the store's Cypher, and by
    the in-process graph index (read at once whenever it is behind, instead of in the
    background while Cypher answers)."""
    if request.param == "cypher":
        monkeypatch.setattr(GraphIndex, "current", lambda self, wait=False: None)
    else:
        real = GraphIndex.current
        monkeypatch.setattr(GraphIndex, "current", lambda self, wait=False: real(self, wait=True))
    return request.param


EMAIL = ["PII", "PII:EMAIL_ADDRESS"]
SSN = ["PII", "PII:US_SSN"]


def _estate(store):
    """users.email (own PII:EMAIL) -> feats.email -> feats ==train==> m ==serve==> chat (public)
    users.ssn (own PII:US_SSN) -masked-> feats.ssn_hash; m also serves an internal endpoint."""
    b = (
        Builder(store)
        .flow("users.email", "feats.email")
        .flow("users.ssn", "feats.ssn_hash", masking=True, transformation_subtype="TRANSFORMATION")
        .flow("users", "feats", column_detail=True)
        .flow("feats", model("m"), kind="train")
        .flow(model("m"), endpoint("chat"), kind="serve")
        .flow(model("m"), endpoint("admin"), kind="serve")
        .endpoint("chat", "public", "alice", "bob")
        .endpoint("admin", "internal", "carol")
        .write()
    )
    b.labels("users.email", EMAIL, own=["PII:EMAIL_ADDRESS"])
    b.labels("users.ssn", SSN, own=["PII:US_SSN"])
    b.labels("users", sorted({*EMAIL, *SSN}))
    for name in ("feats.email", "feats", model("m"), endpoint("chat"), endpoint("admin")):
        b.labels(name, EMAIL)
    return b


def test_witness_path_carries_the_label_to_the_public_endpoint(store):
    _estate(store)
    page = exposure_paths(store, label="PII")
    assert page.complete and page.total == 1 and not page.has_next
    (exp,) = page.results
    assert exp.origin.uid == col("users", "email")
    assert exp.endpoint.uid == endpoint("chat")
    assert exp.labels == ("PII", "PII:EMAIL_ADDRESS")
    assert [n.uid for n in exp.path.nodes] == [
        col("users", "email"),
        col("feats", "email"),
        ds("feats"),
        model("m"),
        endpoint("chat"),
    ]
    assert [(h.rel, h.kind) for h in exp.path.hops] == [
        ("FLOWS_TO", "transform"),
        ("HAS_COLUMN", None),
        ("FLOWS_TO", "train"),
        ("FLOWS_TO", "serve"),
    ]
    assert exp.principals == (principal("alice"), principal("bob"))
    # 100 x 0.8 (PII:EMAIL_ADDRESS) x 1.0 public x 1.0 anyone x 0.85^2 (two coarse hops)
    assert exp.risk.score == pytest.approx(57.8)


def test_exposure_set_is_configurable_and_entity_queries_are_exact(store):
    _estate(store)
    both = exposure_paths(store, exposures=("public", "internal"))
    assert sorted(r.endpoint.uid for r in both.results) == [endpoint("admin"), endpoint("chat")]
    assert both.results[0].endpoint.uid == endpoint("chat")  # public ranks above internal
    assert exposure_paths(store, label="PII:EMAIL_ADDRESS").total == 1
    # the SSN only reaches feats.ssn_hash through a masking edge: never exposed
    assert exposure_paths(store, label="PII:US_SSN").total == 0
    assert exposure_paths(store, label="PHI").total == 0


def test_a_node_without_the_label_breaks_the_path(store):
    b = _estate(store)
    b.labels(model("m"), [])  # e.g. declassified at the model
    assert exposure_paths(store, label="PII").total == 0


def test_indirect_and_stale_edges_carry_no_exposure(store):
    b = Builder(store)
    b.flow("src.a", "mid.a", transformation_type="INDIRECT", transformation_subtype="JOIN")
    b.flow("src.b", "mid.b", stale=True)
    b.flow("mid", endpoint("api"), kind="serve").endpoint("api", "external").write()
    for name in ("src.a", "src.b"):
        b.labels(name, EMAIL, own=["PII:EMAIL_ADDRESS"])
    for name in ("mid.a", "mid.b", "mid", endpoint("api")):
        b.labels(name, EMAIL)
    assert exposure_paths(store).total == 0
    stale = exposure_paths(store, include_stale=True)
    assert [r.origin.uid for r in stale.results] == [col("src", "b")]


def test_diamond_gives_one_result_per_origin_endpoint_and_all_paths_on_request(store):
    b = Builder(store)
    b.chain("a", "b", "d").chain("a", "c", "d")
    b.flow("d", endpoint("api"), kind="serve").endpoint("api", "public").write()
    b.labels("a", EMAIL, own=["PII:EMAIL_ADDRESS"])
    for name in ("b", "c", "d", endpoint("api")):
        b.labels(name, EMAIL)
    page = exposure_paths(store)
    assert page.total == 1
    assert len(page.results[0].paths) == 1
    (exp,) = exposure_paths(store, all_paths=True).results
    assert sorted([n.uid for n in p.nodes] for p in exp.paths) == [
        [ds("a"), ds("b"), ds("d"), endpoint("api")],
        [ds("a"), ds("c"), ds("d"), endpoint("api")],
    ]
    assert len(exposure_paths(store, all_paths=True, max_paths=1).results[0].paths) == 1


def test_cycle_and_depth_bound(store):
    b = Builder(store).chain("a", "b", "c", "a").flow("c", endpoint("api"), kind="serve")
    b.endpoint("api", "public").write()
    b.labels("a", EMAIL, own=["PII:EMAIL_ADDRESS"])
    for name in ("b", "c", endpoint("api")):
        b.labels(name, EMAIL)
    (exp,) = exposure_paths(store).results
    assert exp.path.flow_hops == 3
    assert exposure_paths(store, depth=2).total == 0


def test_ranking_and_pagination_are_stable(store):
    b = Builder(store)
    for i in range(5):
        b.flow(f"t{i}.email", f"t{i}_out", granularity="column")
        b.flow(f"t{i}_out", endpoint(f"api{i}"), kind="serve")
        b.endpoint(f"api{i}", "public" if i % 2 else "external", *[f"u{j}" for j in range(i)])
    b.write()
    for i in range(5):
        b.labels(f"t{i}.email", EMAIL, own=["PII:EMAIL_ADDRESS"])
        b.labels(f"t{i}_out", EMAIL).labels(endpoint(f"api{i}"), EMAIL)
    full = exposure_paths(store)
    assert full.total == 5
    scores = [r.risk.score for r in full.results]
    assert scores == sorted(scores, reverse=True)
    first, second = exposure_paths(store, limit=2), exposure_paths(store, offset=2, limit=2)
    assert [r.key for r in first.results + second.results] == [r.key for r in full.results[:4]]
    assert first.has_next and second.has_next
    assert not exposure_paths(store, offset=4, limit=2).has_next


def test_with_real_propagation_and_declassification(store):
    """Detected labels propagate through the pipeline (lineage.sensitivity); a
    declassification at the model retracts them downstream and the exposure disappears."""
    from lineage import sensitivity
    from lineage.model import Label, Labeling
    from lineage.pipeline import ingest

    (
        Builder(store)
        .flow("users.email", "feats.email")
        .flow("users", "feats", column_detail=True)
        .flow("feats", model("m"), kind="train")
        .flow(model("m"), endpoint("chat"), kind="serve")
        .endpoint("chat", "public")
        .write()
    )
    ingest(store, [Labeling(col("users", "email"), Label("PII", "EMAIL_ADDRESS"), "test", 0.9)])
    (exp,) = exposure_paths(store, label="PII").results
    assert exp.origin.uid == col("users", "email")
    assert exp.labels == ("PII", "PII:EMAIL_ADDRESS")
    assert exp.risk.factors[-1].value < 1.0  # the detector's 0.9 lowers confidence
    sensitivity.declassify(store, model("m"), ["PII"], reason="model trained on hashes", who="t")
    assert exposure_paths(store, label="PII").total == 0


def test_a_column_owner_behind_a_dataset_level_edge_is_found(store):
    """notes.email owns the label but has no edge of its own: the whole file is embedded.

    Walking upstream from the endpoint reaches ``notes`` through the dataset-level edge; the
    owning column must still be found as the origin, through its roll-up to the dataset.
    """
    b = (
        Builder(store)
        .node("notes.email")
        .node("notes.account_id")
        .flow("notes", index("kb"), kind="embed")
        .flow(index("kb"), endpoint("bot"), kind="retrieve")
        .endpoint("bot", "public", "anyone")
        .write()
    )
    b.labels("notes.email", EMAIL, own=["PII:EMAIL_ADDRESS"])
    for name in ("notes", index("kb"), endpoint("bot")):
        b.labels(name, EMAIL)
    page = exposure_paths(store, label="PII")
    assert page.total == 1
    (exp,) = page.results
    assert exp.origin.uid == col("notes", "email")
    assert [n.uid for n in exp.path.nodes] == [
        col("notes", "email"), ds("notes"), index("kb"), endpoint("bot")
    ]  # fmt: skip
    assert [h.rel for h in exp.path.hops] == ["HAS_COLUMN", "FLOWS_TO", "FLOWS_TO"]


def test_a_column_owner_fed_by_another_owner_is_an_origin_too(store):
    """crm.email and the table it copies, raw.email, both own the label; the walk enters
    crm.email from its dataset (a dataset-level edge downstream) and goes on upstream, so the
    step that enters it must carry its own labels: two origins, two exposures."""
    b = (
        Builder(store)
        .flow("raw.email", "crm.email")
        .flow("crm", index("kb"), kind="embed")
        .flow(index("kb"), endpoint("bot"), kind="retrieve")
        .endpoint("bot", "public", "anyone")
        .write()
    )
    for name in ("raw.email", "crm.email"):
        b.labels(name, EMAIL, own=["PII:EMAIL_ADDRESS"])
    for name in ("raw", "crm", index("kb"), endpoint("bot")):
        b.labels(name, EMAIL)
    page = exposure_paths(store, label="PII")
    assert sorted(e.origin.uid for e in page.results) == [col("crm", "email"), col("raw", "email")]


def test_a_quarantined_endpoint_is_shown_as_such(store):
    """Quarantine removes access but not the lineage: the path stays, flagged as mitigated."""
    _estate(store)
    store.set_props(endpoint("chat"), {"quarantined": True})
    (exp,) = exposure_paths(store, label="PII").results
    assert exp.endpoint.quarantined and exp.to_dict()["endpoint"]["quarantined"] is True
