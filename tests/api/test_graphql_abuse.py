"""GraphQL abuse against a real ``lineage serve``: fragment fan-out, circular
introspection, aliases and spreads hidden in fragments, out-of-range ints and forged
cursors. Reads are open here (no read token), as by default: no token is needed to try."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from gql_server import Serve
from graphql import get_introspection_query

from lineage.store import open_store


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serve]:
    root = tmp_path_factory.mktemp("gql-abuse")
    open_store(root / "store").close()
    serve = Serve(root / "store", {"LINEAGE_POLICIES": "off"})
    serve.start()
    try:
        yield serve
    finally:
        serve.stop()


def _fan_out(levels: int) -> str:
    """``F{i}`` spreads ``F{i-1}`` twice: 2**levels fields from a few hundred bytes."""
    lines = [f"query {{ ...F{levels} }}", "fragment F0 on Query { __typename }"]
    lines += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)]
    return "\n".join(lines)


def _errors(resp: httpx.Response) -> list[tuple[str, str]]:
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body.get("data") is None, body
    return [(e["extensions"]["code"], e["message"]) for e in body["errors"]]


def test_fragment_fan_out_is_refused_at_once_and_health_keeps_answering(server: Serve) -> None:
    attack = _fan_out(30)
    assert len(attack.encode()) < 1500
    results: list[httpx.Response] = []

    def send() -> None:
        results.append(server.gql(attack))

    health: list[float] = []
    attacker = threading.Thread(target=send)
    started = time.monotonic()
    attacker.start()
    while attacker.is_alive() and time.monotonic() - started < 30:
        t0 = time.monotonic()
        assert httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200
        health.append(time.monotonic() - t0)
    attacker.join(timeout=30)
    elapsed = time.monotonic() - started
    assert results, "the attack query got no answer"
    [(code, message)] = _errors(results[0])
    assert code == "GRAPHQL_VALIDATION"
    assert "fields (fragments expanded): the limit is 500" in message
    assert elapsed < 5, f"the attack took {elapsed:.1f} s"
    assert max(health, default=0) < 1.0, health


def test_server_stops_promptly_after_attacks(tmp_path) -> None:
    open_store(tmp_path / "store").close()
    serve = Serve(tmp_path / "store", {"LINEAGE_POLICIES": "off"}).start()
    try:
        for levels in (20, 30, 40):
            assert _errors(serve.gql(_fan_out(levels)))[0][0] == "GRAPHQL_VALIDATION"
        proc = serve.proc
        assert proc is not None
        t0 = time.monotonic()
        serve.stop()
        assert proc.returncode is not None and time.monotonic() - t0 < 15
    finally:
        serve.stop()


def test_small_fan_out_within_the_cost_still_runs(server: Serve) -> None:
    resp = server.gql(_fan_out(5))  # 32 fields, 63 spreads
    assert resp.json() == {"data": {"__typename": "Query"}}


def test_circular_introspection_is_depth_limited(server: Serve) -> None:
    inner = "name"
    for _ in range(12):
        inner = f"fields {{ type {{ {inner} }} }}"
    resp = server.gql(f"{{ __schema {{ types {{ {inner} }} }} }}")
    [(code, message)] = _errors(resp)
    assert code == "GRAPHQL_VALIDATION"
    assert message == "query has 27 introspection depth: the limit is 20"


def test_the_standard_introspection_query_works(server: Serve) -> None:
    """GraphiQL and code generators send this; the limits must leave it alone."""
    resp = server.gql(get_introspection_query(descriptions=True))
    body = resp.json()
    assert "errors" not in body, body
    names = {t["name"] for t in body["data"]["__schema"]["types"]}
    assert {"Query", "Mutation", "Asset"} <= names


def test_aliases_and_depth_hidden_in_fragments_are_counted(server: Serve) -> None:
    aliased = " ".join(f"a{i}: __typename" for i in range(8))
    doc = (
        f"query {{ ...A ...B }} fragment A on Query {{ {aliased} }} fragment B on Query {{ ...A }}"
    )
    [(code, message)] = _errors(server.gql(doc))
    assert (code, message) == ("GRAPHQL_VALIDATION", "query has 16 aliases: the limit is 15")
    # depth through fragments: each fragment adds a level
    doc = (
        'query { search(text: "a") { ...E } } fragment E on AssetConnection { edges { ...N } } '
        "fragment N on AssetEdge { node { ...L } } fragment L on Asset { lineage { "
        + "x { " * 8
        + "y"
        + " }" * 8
        + " } }"
    )
    codes = {c for c, _ in _errors(server.gql(doc))}
    messages = [m for _, m in _errors(server.gql(doc))]
    assert codes == {"GRAPHQL_VALIDATION"}
    assert "query exceeds maximum operation depth of 10" in messages


def test_fragment_spreads_are_capped(server: Serve) -> None:
    doc = "query { " + "...T " * 101 + "} fragment T on Query { __typename }"
    [(code, message)] = _errors(server.gql(doc))
    assert (code, message) == (
        "GRAPHQL_VALIDATION",
        "query has 101 fragment spreads (expanded): the limit is 100",
    )


def test_fragment_cycles_are_refused(server: Serve) -> None:
    doc = "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }"
    [(code, message)] = _errors(server.gql(doc))
    assert code == "GRAPHQL_VALIDATION" and "cycle" in message


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


_SEARCH = 'query($a: String) { search(text: "a", after: $a) { edges { cursor } } }'
_INVENTORY = "query($a: String) { inventory(after: $a) { totalCount } }"
_EXPOSURE = "query($a: String) { exposurePaths(after: $a) { totalCount } }"


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ('{ search(text: "a", first: 2147483648) { edges { cursor } } }', {}),
        ('query($n: Int) { search(text: "a", first: $n) { edges { cursor } } }', {"n": 2**31}),
        ("query($n: Int) { inventory(first: $n) { totalCount } }", {"n": 2**63}),
        (_INVENTORY, {"a": _b64("o:²".encode())}),
        (_INVENTORY, {"a": _b64(b"o:" + b"9" * 30)}),
        (_EXPOSURE, {"a": _b64(b"o:" + b"9" * 19)}),
        (_SEARCH, {"a": _b64(b"k:\x00")}),
        (_SEARCH, {"a": _b64(b"k:\xff")}),
        ("query($a: String) { findings(after: $a) { totalCount } }", {"a": "%%%"}),
    ],
)
def test_out_of_range_ints_and_forged_cursors_are_user_errors(server, query, variables) -> None:
    codes = [c for c, _ in _errors(server.gql(query, variables))]
    assert codes and set(codes) <= {"GRAPHQL_VALIDATION", "BAD_USER_INPUT"}, codes


@pytest.mark.parametrize("after", ["zzz", _b64(b'[1, "x", 3]'), _b64(b"o:12")])
def test_rest_findings_with_a_forged_cursor_is_400(server: Serve, after: str) -> None:
    resp = httpx.get(f"{server.url}/api/v1/findings", params={"after": after})
    assert resp.status_code == 400 and "cursor" in resp.json()["detail"]


def test_a_query_over_the_validation_deadline_gets_a_timeout_error(tmp_path) -> None:
    """The deadline on validation answers with a TIMEOUT-class error that names the limit
    and its setting (not a generic validation failure, never a hang or a 500); health and
    other queries are unaffected. The deadline is set so low that validating the standard
    introspection query (a few milliseconds of real work) overruns it."""
    open_store(tmp_path / "store").close()
    env = {"LINEAGE_POLICIES": "off", "LINEAGE_GRAPHQL_VALIDATION_SECONDS": "0.000001"}
    serve = Serve(tmp_path / "store", env).start()
    try:
        resp = serve.gql(get_introspection_query(descriptions=True))
        [(code, message)] = _errors(resp)
        assert code == "TIMEOUT"
        assert message.startswith("query validation took longer than 1e-06 s")
        assert "LINEAGE_GRAPHQL_VALIDATION_SECONDS" in message
        assert httpx.get(f"{serve.url}/healthz", timeout=5).status_code == 200
    finally:
        serve.stop()
