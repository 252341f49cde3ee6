"""Detectors over aggregated usage: planted attacks are flagged, normal traffic is not."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain

import pytest

from ingest.access_log import AccessRecord, Usage, source_key
from lineage.errors import ConfigError
from lineage.model import Edge
from queries.runtime import Thresholds, UsageRow, detect, endpoint_scores

from . import traffic
from .traffic import CHAT, SCORE, principal


def rows(records: Iterable[AccessRecord], **extra: tuple[str, ...]) -> list[UsageRow]:
    usage = Usage()
    for r in records:
        usage.add(r)
    return [
        UsageRow(f.src, f.dst, f.props, **{k: v for k, v in extra.items() if k != "labels"})
        if not extra.get("labels")
        else UsageRow(f.src, f.dst, f.props, labels=extra["labels"])
        for f in usage.facts()
        if isinstance(f, Edge)
    ]


@pytest.fixture(scope="module")
def normal() -> list[AccessRecord]:
    return list(traffic.normal_traffic())


@pytest.fixture(scope="module")
def attack() -> list[AccessRecord]:
    return list(traffic.extraction_attack())


def test_normal_traffic_raises_nothing(normal: list[AccessRecord]) -> None:
    assert len(normal) > 20_000  # heterogeneous callers over three days
    assert detect(rows(normal)) == []


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_other_normal_days_raise_nothing_either(seed: int) -> None:
    assert detect(rows(traffic.normal_traffic(seed=seed, callers=25))) == []


def test_planted_extraction_is_flagged_with_evidence(
    normal: list[AccessRecord], attack: list[AccessRecord]
) -> None:
    found = detect(rows(chain(normal, attack)))
    assert {(f.code, f.principal) for f in found} == {
        ("EXTRACTION_VOLUME", principal("mallory")),
        ("INPUT_SWEEP", principal("mallory")),
    }
    volume = next(f for f in found if f.code == "EXTRACTION_VOLUME")
    assert volume.endpoint == SCORE
    assert volume.window_start == "2026-05-03T14:00:00.000Z"
    assert volume.window_end == "2026-05-03T15:00:00.000Z"
    assert volume.evidence["requests"] == 3000
    assert 1 <= volume.evidence["principal_median"] <= 6  # quiet before the attack
    assert volume.evidence["endpoint_median"] > 5
    assert volume.score == pytest.approx(
        min(1.0, 0.5 * __import__("math").log10(volume.evidence["ratio"])), abs=1e-3
    )
    sweep = next(f for f in found if f.code == "INPUT_SWEEP")
    assert sweep.evidence["near_share"] > 0.9
    assert sweep.severity == "high"
    assert endpoint_scores(found) == {
        SCORE: (max(volume.score, sweep.score), ["EXTRACTION_VOLUME", "INPUT_SWEEP"])
    }


def test_burst_of_unrelated_inputs_is_volume_not_sweep(normal: list[AccessRecord]) -> None:
    burst = [
        AccessRecord(
            traffic.T0 + 50 * 3600 + i, principal("bulk"), CHAT, fp=i * 0x9E3779B97F4A7C15 % 2**64
        )
        for i in range(2000)
    ]
    codes = {f.code for f in detect(rows(chain(normal, burst)))}
    assert codes == {"EXTRACTION_VOLUME"}


def test_heavy_but_steady_user_is_not_flagged(normal: list[AccessRecord]) -> None:
    steady = [
        AccessRecord(traffic.T0 + h * 3600 + i, principal("batchjob"), CHAT, fp=None)
        for h in range(72)
        for i in range(400)
    ]
    assert detect(rows(chain(normal, steady))) == []


def test_many_principals_from_one_source(normal: list[AccessRecord]) -> None:
    found = detect(rows(chain(normal, traffic.fanout())))
    assert {f.code for f in found} == {"SOURCE_FANOUT"}
    (f,) = found
    assert f.endpoint == CHAT
    assert f.evidence["principals"] == 15
    assert f.evidence["median_principals_per_source"] == 1


def test_thresholds_are_configurable(normal: list[AccessRecord]) -> None:
    fan = rows(chain(normal, traffic.fanout()))
    assert detect(fan, Thresholds(source_min_principals=20)) == []
    small = rows(chain(normal, traffic.fanout(principals=3)))
    assert detect(small) == []
    strict = Thresholds.from_mapping({"source_min_principals": 3, "source_ratio": 2})
    assert {f.evidence["principals"] for f in detect(small, strict)} == {3}
    with pytest.raises(ConfigError, match="unknown runtime threshold"):
        Thresholds.from_mapping({"volume_ration": 3})


def test_new_principal_on_sensitive_endpoint() -> None:
    old = [AccessRecord(traffic.T0 + h * 3600, principal("ann"), CHAT) for h in range(24 * 20)]
    new = [AccessRecord(traffic.T0 + 24 * 19 * 3600, principal("eve"), CHAT)]
    data = rows(chain(old, new), labels=("PII:EMAIL_ADDRESS",))
    found = detect(data)
    assert [(f.code, f.principal) for f in found] == [("NEW_PRINCIPAL_SENSITIVE", principal("eve"))]
    assert found[0].evidence["new_to_every_endpoint"] is True
    # the same traffic on an endpoint without labels is unremarkable
    assert detect(rows(chain(old, new))) == []
    # and restricting to PHI makes the PII endpoint not sensitive
    assert detect(data, Thresholds(sensitive_labels=("PHI",))) == []


def test_principal_outside_allowed_group() -> None:
    data = [
        AccessRecord(traffic.T0, principal("ann"), SCORE, groups=("risk-analysts",)),
        AccessRecord(traffic.T0, principal("bob"), SCORE, groups=("marketing",)),
        AccessRecord(traffic.T0, principal("cat"), SCORE),
    ]
    usage = Usage()
    for r in data:
        usage.add(r)
    groups = {p: tuple(sorted(g)) for p, g in usage.groups.items()}
    urows = [
        UsageRow(e.src, e.dst, e.props, groups=groups.get(e.src, ()))
        for e in usage.facts()
        if isinstance(e, Edge)
    ]
    t = Thresholds.from_mapping(
        {"allowed_groups": {"endpoint:https://api.acme.com:/v1/*": ["risk-analysts"]}}
    )
    found = detect(urows, t)
    assert sorted(f.principal for f in found) == [principal("bob"), principal("cat")]
    assert {f.code for f in found} == {"OUTSIDE_ALLOWED_GROUP"}
    assert detect(urows) == []  # no policy, no finding


def test_internal_endpoint_called_from_the_internet() -> None:
    inside, outside = source_key("10.9.0.4"), source_key("81.2.69.160:51000")
    assert (inside[:4], outside[:4]) == ("src-", "pub-")
    usage = Usage()
    for i in range(20):
        usage.add(AccessRecord(traffic.T0 + i, principal("svc"), SCORE, source=inside))
    for i in range(3):
        usage.add(AccessRecord(traffic.T0 + 60 + i, principal("ext"), SCORE, source=outside))
    edges = [e for e in usage.facts() if isinstance(e, Edge)]
    assert {e.src: e.props["public_requests"] for e in edges} == {
        principal("svc"): 0,
        principal("ext"): 3,
    }
    internal = [UsageRow(e.src, e.dst, e.props, exposure="internal") for e in edges]
    (f,) = detect(internal)
    assert (f.code, f.endpoint, f.score) == ("PUBLIC_CALLERS_ON_INTERNAL", SCORE, 0.7)
    assert f.evidence["public_requests"] == 3
    assert f.evidence["principals"] == [principal("ext")]
    assert f.evidence["public_sources"] == [outside]
    public = [UsageRow(e.src, e.dst, e.props, exposure="public") for e in edges]
    assert detect(public) == []  # declared public: nothing to say


def test_thresholds_from_yaml(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "runtime.yaml"
    path.write_text(
        "runtime:\n"
        "  volume_ratio: 4\n"
        "  sensitive_labels: [PHI]\n"
        "  allowed_groups:\n"
        '    "endpoint:https://api.acme.com:*": [risk]\n'
    )
    t = Thresholds.from_file(path)
    assert t.volume_ratio == 4 and t.sensitive_labels == ("PHI",)
    assert t.allowed_groups == (("endpoint:https://api.acme.com:*", ("risk",)),)
    path.write_text("runtime:\n  volume_ratio: ten\n")
    with pytest.raises(ConfigError, match="volume_ratio"):
        Thresholds.from_file(path)
    path.write_text("runtime: [1, 2]\n")
    with pytest.raises(ConfigError):
        Thresholds.from_file(path)
