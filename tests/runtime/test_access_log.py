"""Access logs in three real formats land as windowed usage; bad lines are counted, not fatal."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingest.access_log import (
    AccessRecord,
    Format,
    ReadStats,
    Usage,
    access_log_facts,
    read_access_log,
    source_key,
)
from lineage.cli import app
from lineage.model import Edge, Kind, Node, Problem
from lineage.pipeline import ingest
from lineage.store import Store, open_store
from queries.runtime import endpoint_usage, record_usage, refresh_runtime

from . import traffic

FIXTURES = Path(__file__).parent / "fixtures"


def read(name: str, fmt: str = "auto") -> tuple[list[AccessRecord], list[Problem], ReadStats]:
    stats = ReadStats()
    with (FIXTURES / name).open("rb") as lines:
        items = list(read_access_log(lines, fmt=fmt, path=name, stats=stats))
    records = [i for i in items if isinstance(i, AccessRecord)]
    return records, [i for i in items if isinstance(i, Problem)], stats


def test_nginx_json_log() -> None:
    records, problems, stats = read("nginx.jsonl")
    assert not problems and stats.format == "nginx"
    first, second, third, fourth = records
    assert first.principal == "principal:users:svc-billing"  # $http_x_user_id
    assert first.endpoint == "endpoint:http://ml.acme.internal:/v1/models/churn/predict"
    assert first.ts == pytest.approx(1777622401.0)  # +02:00 honoured
    assert (first.bytes_in, first.bytes_out, first.status) == (733, 412, 200)
    assert first.source == "src-a5410c6119d1"  # key of 198.51.100.7: client, not the proxy
    assert first.fp is not None and second.fp is None  # the query string became a SimHash
    assert second.principal == "principal:users:ann"
    # ids in paths collapse into one route; no user -> anonymous per source address
    assert (
        third.endpoint
        == fourth.endpoint
        == "endpoint:http://ml.acme.internal:/v1/users/{id}/profile"
    )
    assert third.principal == "principal:users:anonymous@src-01b34ffe8e30"  # 10.2.0.17
    assert third.error and not fourth.error


def test_envoy_json_log() -> None:
    records, problems, stats = read("envoy.jsonl")
    assert not problems and stats.format == "envoy"
    assert [r.principal for r in records] == [
        "principal:users:spiffe://acme.com/ns/support/sa/support-bot"
    ] * 2 + ["principal:users:spiffe://acme.com/ns/search/sa/indexer"]
    assert records[0].endpoint == "endpoint:http://llm.acme.com:/v1/chat/completions"
    assert [r.status for r in records] == [200, 503, 200]
    assert records[0].source == "src-c8cb8dde5477"  # 203.0.113.50
    assert records[1].source == "src-93d76f4768d7"  # 10.4.0.7: port stripped from the peer


def test_otel_gen_ai_spans() -> None:
    records, problems, stats = read("otel.jsonl")
    assert not problems and stats.format == "otel"
    assert len(records) == 3  # the HTTP server span is not an LLM call
    ok, limited, local = records
    assert ok.principal == "principal:users:cust-4411"
    assert ok.endpoint == "endpoint:https://api.openai.com:gpt-4o-mini"
    assert (ok.tokens_in, ok.tokens_out, ok.status) == (412, 96, 200)
    assert ok.ts == 1777622400.0
    assert limited.principal == "principal:users:service:support-bot"
    assert limited.error
    assert local.endpoint == "endpoint:http://ollama.ml.svc:11434:llama3.1:8b"
    assert local.fp is not None and local.source == "src-c00a3b4140e2"  # 10.4.0.9


def test_malformed_lines_are_counted_and_the_rest_lands(store: Store, tmp_path: Path) -> None:
    good = list(traffic.as_jsonl(traffic.normal_traffic(days=1, callers=3)))
    lines = list(good)
    bad_at = {3: "{not json", 10: json.dumps({"principal": "x", "endpoint": "y"}), 25: "[1, 2]"}
    bad_at[40] = json.dumps({"timestamp": "yesterday-ish", "principal": "p", "endpoint": "e"})
    bad_at[41] = json.dumps({"timestamp": 1, "principal": "", "endpoint": "e"})
    for number in sorted(bad_at):
        lines.insert(number - 1, bad_at[number])
    facts = list(access_log_facts(lines, path="gw.jsonl"))
    problems = [f for f in facts if isinstance(f, Problem)]
    assert [p.source_ref for p in problems] == [f"gw.jsonl:{n}" for n in sorted(bad_at)]
    assert "invalid JSON" in problems[0].message
    assert "missing timestamp" in problems[1].message
    assert all("yesterday" not in p.message for p in problems)  # no raw values echoed
    report = ingest(store, facts)
    assert len(report.problems) == 5
    (usage,) = [u for u in endpoint_usage(store) if u.endpoint == traffic.CHAT]
    chat_lines = [g for g in good if json.loads(g)["endpoint"] == traffic.CHAT]
    assert usage.requests == len(chat_lines)
    assert store.counts()["CAN_ACCESS"] == 3  # one edge per pair, not per request


def test_problem_flood_is_capped_but_counted() -> None:
    stats = ReadStats()
    items = list(read_access_log(["{"] * 500, stats=stats, max_problems=10))
    assert stats.malformed == 500 and len(items) == 11
    assert "490 more malformed lines" in items[-1].message


def test_counts_add_up_across_ingests_and_windows_stay_compact(store: Store) -> None:
    records = list(traffic.normal_traffic(days=2, callers=2))
    half = len(records) // 2
    for part in (records[:half], records[half:]):
        usage = Usage()
        for r in part:
            usage.add(r)
        record_usage(store, usage, source_ref="part")
    once = Usage()
    for r in records:
        once.add(r)
    expected = {(e.src, e.dst): e.props for e in once.facts() if isinstance(e, Edge)}
    stored = {
        (n.edge.src, n.edge.dst): n.edge.props
        for p in {k[0] for k in expected}
        for n in store.neighbours(p, direction="out")
    }
    assert stored.keys() == expected.keys()
    for key, props in expected.items():
        for name in ("requests", "errors", "tokens_in", "first_seen", "last_seen", "win_start"):
            assert stored[key][name] == props[name], name
        assert stored[key]["win_requests"] == props["win_requests"]
        assert len(props["win_start"]) == 48  # hourly windows over two days


def test_usage_nodes_carry_groups_and_edges_sources() -> None:
    usage = Usage()
    usage.add(
        AccessRecord(0, "principal:users:ann", "endpoint:gw:chat", groups=("a",), source="s1")
    )
    usage.add(
        AccessRecord(5, "principal:users:ann", "endpoint:gw:chat", groups=("b",), source="s2")
    )
    facts = list(usage.facts(prior_groups={"principal:users:ann": ["z"]}))
    (ann,) = [f for f in facts if isinstance(f, Node) and f.uid == "principal:users:ann"]
    assert ann.props["groups"] == ["a", "b", "z"]
    (edge,) = [f for f in facts if isinstance(f, Edge)]
    assert edge.props["sources"] == ["s1", "s2"]
    assert edge.key == "observed" and edge.props["permission"] == "invoke"
    assert edge.props["win_requests"] == [2]
    assert edge.props["win_errors"] == edge.props["win_near"] == []  # all zero: stored empty


def test_cli_ingest_is_additive_skips_repeats_and_scores_endpoints(tmp_path: Path) -> None:
    log = tmp_path / "gw.jsonl.gz"
    lines = traffic.as_jsonl(traffic.extraction_attack(requests=1500))
    normal = traffic.as_jsonl(traffic.normal_traffic(days=3, callers=8))
    with gzip.open(log, "wt") as f:
        for line in (*normal, *lines):
            f.write(line + "\n")
        f.write("garbage\n")
    runner = CliRunner()
    base = ["--store", str(tmp_path / "store")]
    first = runner.invoke(app, [*base, "ingest", "access-log", str(log), "--json"])
    assert first.exit_code == 0, first.output
    summary = json.loads(first.stdout)
    assert summary["malformed"] == 1 and summary["findings"] >= 1
    assert summary["problems"][0]["source_ref"].endswith(":" + str(summary["lines"]))
    again = runner.invoke(app, [*base, "ingest", "access-log", str(log), "--json"])
    assert json.loads(again.stdout)["skipped_already_ingested"] == [str(log)]
    found = runner.invoke(app, [*base, "runtime", "findings", "--json"])
    codes = {(f["code"], f["principal"]) for f in json.loads(found.stdout)}
    assert ("EXTRACTION_VOLUME", traffic.principal("mallory")) in codes
    assert all(p == traffic.principal("mallory") for _, p in codes)
    store = open_store(tmp_path / "store")
    try:
        node = store.get_node(traffic.SCORE)
        assert node is not None
        assert node.props["runtime_anomaly_score"] >= 0.5
        assert "EXTRACTION_VOLUME" in node.props["runtime_findings"]
        assert node.props["runtime_requests"] == summary["records"] - sum(
            u.requests for u in endpoint_usage(store) if u.endpoint != traffic.SCORE
        )
        chat = store.get_node(traffic.CHAT)
        assert chat is not None and chat.props["runtime_anomaly_score"] == 0.0
        assert chat.props["runtime_findings"] == []
        # the attacker disappears (e.g. edges deleted by retention): stale scores are cleared
        store.delete_edges(
            [(traffic.principal("mallory"), "CAN_ACCESS", traffic.SCORE, "observed")]
        )
        refresh_runtime(store)
        cleared = store.get_node(traffic.SCORE)
        assert cleared is not None and cleared.props["runtime_anomaly_score"] == 0.0
    finally:
        store.close()


def test_explicit_format_rejects_other_shapes() -> None:
    with (FIXTURES / "envoy.jsonl").open() as lines:
        items = list(read_access_log(lines, fmt=Format.JSONL, path="e"))
    assert all(isinstance(i, Problem) for i in items) and len(items) == 3


def test_internet_callers_raise_an_internal_endpoints_risk(store: Store) -> None:
    endpoint = "endpoint:http://ml.acme.internal:/v1/models/churn/predict"
    ingest(
        store,
        [
            Node(
                endpoint,
                Kind.ENDPOINT,
                "/v1/models/churn/predict",
                "http://ml.acme.internal",
                {"exposure": "internal"},
            )
        ],
    )
    line = json.dumps(
        {
            "timestamp": "2026-05-01T10:00:00Z",
            "principal": "ann",
            "endpoint": "http://ml.acme.internal/v1/models/churn/predict",
            "source_ip": "81.2.69.160",
        }
    )
    usage = Usage()
    for _ in usage.add_all(read_access_log([line])):
        pass
    record_usage(store, usage)
    (finding,) = refresh_runtime(store)
    assert finding.code == "PUBLIC_CALLERS_ON_INTERNAL"
    node = store.get_node(endpoint)
    assert node is not None
    assert node.props["exposure"] == "internal"  # declared exposure is left alone
    assert node.props["runtime_public_requests"] == 1
    assert node.props["runtime_findings"] == ["PUBLIC_CALLERS_ON_INTERNAL"]
    assert node.props["runtime_anomaly_score"] == 0.7


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("198.51.100.7", "src-a5410c6119d1"),  # documentation range: not the internet
        ("10.2.0.17", "src-01b34ffe8e30"),
        ("81.2.69.160", "pub-3b006e9750a8"),
        ("81.2.69.160:51000", "pub-3b006e9750a8"),  # the port is not part of the source
        ("2001:4860:4860::8888", "pub-b69dd8319fa9"),
        ("[2001:4860:4860::8888]:443", "pub-b69dd8319fa9"),
    ],
)
def test_source_keys_are_fixed_pseudonyms_never_the_address(address: str, key: str) -> None:
    """Fixed values: a key that kept the raw address, lost the port rule or the public/
    private split, or changed its hash (breaking stored keys) fails here."""
    assert source_key(address) == key
    assert address.split(":")[0].strip("[") not in key
