"""Fuzz the intake of a real ``lineage serve`` (issue 14, point 1): names, namespaces and
facets drawn over lengths around the store's limits, every code point (NUL, controls, lone
surrogates, bidi marks) and deep nesting.

Whatever is sent: no 5xx; the valid events sent beside a fuzzed one land; an event answered
201 is in the graph or dead-lettered with a reason; and the next event after it is applied
(nothing wedged). Bounded: a few dozen examples, so the suite stays fast.
"""

from __future__ import annotations

import copy
import itertools
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ol_events import as_json, run_events
from ol_server import Server

TOKEN = "fuzz-write-token"
_TEMPLATE = as_json(next(iter(run_events(1, 1, seed=51))))
_jobs = itertools.count()

# Characters the store or the log have tripped on, mixed into otherwise ordinary text.
_NASTY = st.sampled_from(["\x00", "\ud800", "\udfff", "\x1b", "\x7f", "\x85", "\u202e", "\ufeff"])
_CHARS = st.one_of(st.characters(), _NASTY)
_TEXT = st.one_of(
    st.text(_CHARS, min_size=1, max_size=40),
    # around the id limit (2,048 bytes) and FalkorDB's crash size (~4.1 KB)
    st.tuples(st.text(_CHARS, min_size=1, max_size=4), st.integers(1000, 5000)).map(
        lambda t: (t[0] * t[1])[: t[1]]
    ),
)
_SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), _TEXT
)
_JSON = st.recursive(
    _SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(_CHARS, max_size=12), inner, max_size=4),
    ),
    max_leaves=12,
)


def _nest(value: Any, levels: int) -> Any:
    for _ in range(levels):
        value = {"a": value}
    return value


_FACET = st.one_of(_JSON, st.tuples(_JSON, st.integers(0, 300)).map(lambda t: _nest(*t)))


def _event(job: str) -> dict[str, Any]:
    event = copy.deepcopy(_TEMPLATE)
    event["job"] = {"namespace": "fuzz", "name": job}
    event["run"]["runId"] = str(uuid.uuid4())  # a new idempotency key: not a duplicate
    return event


def _fuzzed(job: str, namespace: str, name: str, facet: Any, where: str) -> dict[str, Any]:
    event = _event(job)
    dataset = event["outputs"][0]
    if where in ("name", "both"):
        dataset["name"] = name
    if where in ("namespace", "both"):
        dataset["namespace"] = namespace
    if where == "job":
        event["job"]["name"] = name
    dataset.setdefault("facets", {})["fuzz"] = {
        "_producer": "https://example.com/fuzz",
        "_schemaURL": "https://example.com/fuzz#/$defs/Fuzz",
        "value": facet,
    }
    return event


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    s = Server(tmp_path_factory.mktemp("fuzz") / "store", TOKEN)
    try:
        yield s.start()
    finally:
        s.stop()
        s.stop_store_server()


def _post(http: httpx.Client, path: str, payload: Any) -> httpx.Response:
    # ensure_ascii: lone surrogates travel as \\ud800 escapes, as a JSON emitter may send them
    body = json.dumps(payload, ensure_ascii=True).encode()
    return http.post(path, content=body, headers={"Content-Type": "application/json"})


def _in_graph(http: httpx.Client, uid: str) -> bool:
    r = http.post("/graphql", json={"query": "query($u: ID!) { asset(uid: $u) { uid } }",
                                    "variables": {"u": uid}})  # fmt: skip
    assert r.status_code == 200, r.text[:300]
    return r.json()["data"]["asset"] is not None


def _dead_letters(http: httpx.Client) -> int:
    r = http.get("/readyz")
    assert r.status_code == 200, r.text[:300]
    return int(r.json()["dead_letters"]["count"])


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    namespace=_TEXT,
    name=_TEXT,
    facet=_FACET,
    where=st.sampled_from(["name", "namespace", "both", "job", "facet"]),
    batch=st.booleans(),
)
def test_fuzzed_events_never_5xx_never_wedge(
    server: Server, namespace: str, name: str, facet: Any, where: str, batch: bool
) -> None:
    n = next(_jobs)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=server.url, headers=auth, timeout=60) as http:
        dead_before = _dead_letters(http)
        fuzzed = _fuzzed(f"fuzzed_{n}", namespace, name, facet, where)
        if batch:
            before, after = _event(f"before_{n}"), _event(f"after_{n}")
            r = _post(http, "/api/v1/lineage/batch", [before, fuzzed, after])
            assert r.status_code == 200, (r.status_code, r.text[:500])
            body = r.json()
            assert body["accepted"] in (2, 3) and body["applied"] is True, body
            for job in (f"before_{n}", f"after_{n}"):
                assert _in_graph(http, f"job:fuzz:{job}"), job
            accepted = body["accepted"] == 3
            if not accepted:
                assert [x["index"] for x in body["rejected"]] == [1]
                assert body["rejected"][0]["errors"][0]["field"]
        else:
            r = _post(http, "/api/v1/lineage", fuzzed)
            assert r.status_code in (201, 400, 422), (r.status_code, r.text[:500])
            accepted = r.status_code == 201
            if r.status_code == 422:
                assert r.json()["detail"][0]["field"]
        if accepted and where != "job":
            landed = _in_graph(http, f"job:fuzz:fuzzed_{n}")
            assert landed or _dead_letters(http) > dead_before, "acknowledged, then lost"
        # Nothing wedged: the next event is applied at once.
        sentinel = _event(f"sentinel_{n}")
        assert _post(http, "/api/v1/lineage", sentinel).status_code == 201
        assert _in_graph(http, f"job:fuzz:sentinel_{n}")
