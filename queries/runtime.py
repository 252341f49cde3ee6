"""Runtime questions: usage per endpoint, and anomalies that look like model extraction.

Reads the windowed ``CAN_ACCESS`` usage edges that ``ingest.access_log`` writes (key
``observed``) and the artefact verdicts ``ingest.model_scan`` puts on Model nodes. Every
detector is a plain function of the usage rows and :class:`Thresholds`; each finding
carries its evidence (window, counts, baseline) and a score in [0, 1] documented in
docs/runtime.md. :func:`apply_runtime_findings` records the result on Endpoint nodes
(``runtime_anomaly_score``, ``runtime_findings``, ``runtime_requests``,
``runtime_principals``, ``runtime_public_requests``) for the risk formula.
"""

from __future__ import annotations

import fnmatch
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from lineage.errors import ConfigError
from lineage.model import Fact, Label
from lineage.pipeline import IngestReport, ingest
from lineage.store.base import Store
from lineage.timeutil import to_iso

__all__ = [
    "ENDPOINT_PROPS",
    "MODEL_LOCATIONS",
    "OBSERVED_USAGE",
    "PRINCIPAL_GROUPS",
    "STORED_USAGE",
    "UNSAFE_ARTEFACTS",
    "ArtefactVerdict",
    "EndpointUsage",
    "RuntimeFinding",
    "Thresholds",
    "UsageRow",
    "apply_runtime_findings",
    "artefact_verdicts",
    "detect",
    "endpoint_scores",
    "endpoint_usage",
    "load_usage",
    "model_locations",
    "record_usage",
    "refresh_runtime",
    "runtime_findings",
]

OBSERVED_USAGE = """
MATCH (p:Principal)-[e:CAN_ACCESS]->(x:Asset)
WHERE e.observed = true
RETURN p.uid AS principal, p.groups AS groups, x.uid AS endpoint, x.labels AS labels,
       x.allowed_groups AS allowed, x.exposure AS exposure, properties(e) AS props"""

ENDPOINT_PROPS = """
MATCH (x:Endpoint)
WHERE x.runtime_anomaly_score > 0
RETURN x.uid AS endpoint"""

STORED_USAGE = """
UNWIND $pairs AS pair
MATCH (p:Principal {uid: pair[0]})-[e:CAN_ACCESS {key: $key}]->(x:Asset {uid: pair[1]})
RETURN p.uid AS principal, x.uid AS endpoint, properties(e) AS props"""

PRINCIPAL_GROUPS = """
UNWIND $uids AS uid
MATCH (p:Principal {uid: uid})
WHERE p.groups IS NOT NULL
RETURN p.uid AS principal, p.groups AS groups"""

MODEL_LOCATIONS = """
MATCH (m:Model)
WHERE m.artefact_path IS NOT NULL OR m.path IS NOT NULL OR m.uri IS NOT NULL
   OR m.location IS NOT NULL OR m.source_uri IS NOT NULL
RETURN m.uid AS uid,
       coalesce(m.artefact_path, m.path, m.uri, m.location, m.source_uri) AS location"""

UNSAFE_ARTEFACTS = """
MATCH (m:Model)
WHERE m.artefact_verdict IS NOT NULL
OPTIONAL MATCH (m)-[:FLOWS_TO*1..6]->(x:Endpoint)
RETURN m.uid AS model, properties(m) AS props, collect(DISTINCT x.uid) AS endpoints"""

_SEVERITY_HIGH = 0.75


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Detector settings; every field is documented in docs/runtime.md."""

    min_window_requests: int = 100  # a window below this is never "extraction volume"
    volume_ratio: float = 10.0  # x the endpoint's and the principal's median window
    principal_history: int = 3  # windows a principal needs before its own norm counts
    sweep_min_requests: int = 50
    sweep_near_ratio: float = 0.5  # share of successive requests with near inputs
    source_min_principals: int = 10
    source_ratio: float = 5.0  # x the median distinct principals per source
    new_principal_days: float = 7.0
    sensitive_labels: tuple[str, ...] = ()  # categories; empty = any label is sensitive
    allowed_groups: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (endpoint glob, groups)
    public_min_requests: int = 1  # internet requests that make an "internal" endpoint exposed
    public_exposure_score: float = 0.7
    unsafe_artefact_score: float = 1.0
    suspicious_artefact_score: float = 0.5

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Thresholds:
        defaults = {f.name: f.default for f in fields(cls)}
        unknown = sorted(map(str, set(data) - defaults.keys()))
        if unknown:
            raise ConfigError(f"unknown runtime threshold(s): {', '.join(unknown)}")
        values = dict(data)
        for name, value in values.items():
            default = defaults[name]
            if isinstance(default, (int, float)):
                try:
                    values[name] = type(default)(value)
                except (TypeError, ValueError):
                    raise ConfigError(f"runtime threshold {name}: not a number") from None
        if "sensitive_labels" in values:
            values["sensitive_labels"] = tuple(values["sensitive_labels"])
        if "allowed_groups" in values:
            raw = values["allowed_groups"]
            if not isinstance(raw, Mapping):
                raise ConfigError("allowed_groups maps an endpoint glob to a list of groups")
            values["allowed_groups"] = tuple((str(k), tuple(v)) for k, v in raw.items())
        try:
            return cls(**values)
        except TypeError as exc:
            raise ConfigError(f"runtime thresholds: {exc}") from exc

    @classmethod
    def from_file(cls, path: str | Path) -> Thresholds:
        """Load from YAML (or JSON): a mapping of the field names above."""
        import yaml

        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"{path}: {exc}") from exc
        data = data.get("runtime", data) if isinstance(data, Mapping) else data
        if not isinstance(data, Mapping):
            raise ConfigError(f"{path}: expected a mapping of thresholds")
        return cls.from_mapping(data)


@dataclass(frozen=True, slots=True)
class RuntimeFinding:
    """One anomaly, with what it rests on. Small and serialisable for the policies layer."""

    code: str  # EXTRACTION_VOLUME, INPUT_SWEEP, SOURCE_FANOUT, NEW_PRINCIPAL_SENSITIVE, ...
    severity: str  # high | medium | low
    score: float
    endpoint: str = ""
    principal: str = ""
    model: str = ""
    window_start: str = ""
    window_end: str = ""
    summary: str = ""
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["evidence"] = dict(self.evidence)
        return out


@dataclass(frozen=True, slots=True)
class UsageRow:
    """One observed (principal, endpoint) usage edge as read from the store."""

    principal: str
    endpoint: str
    props: Mapping[str, Any]
    groups: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()
    exposure: str = ""

    def windows(self) -> list[tuple[int, int, int, int]]:
        """(start, requests, errors, near) per stored window."""
        p = self.props
        starts = p.get("win_start") or []
        req = p.get("win_requests") or []
        err = p.get("win_errors") or []
        near = p.get("win_near") or []
        return [
            (
                int(s),
                int(req[i]) if i < len(req) else 0,
                int(err[i]) if i < len(err) else 0,
                int(near[i]) if i < len(near) else 0,
            )
            for i, s in enumerate(starts)
        ]


def load_usage(store: Store) -> list[UsageRow]:
    return [
        UsageRow(
            r["principal"],
            r["endpoint"],
            r["props"],
            tuple(r["groups"] or ()),
            tuple(r["labels"] or ()),
            tuple(r["allowed"] or ()),
            str(r["exposure"] or ""),
        )
        for r in store.query(OBSERVED_USAGE)
    ]


def _severity(score: float) -> str:
    return "high" if score >= _SEVERITY_HIGH else "medium" if score >= 0.4 else "low"


def _ratio_score(ratio: float) -> float:
    """10x the baseline scores 0.5, 100x scores 1.0 (log10 scale, clamped)."""
    return round(min(1.0, max(0.0, math.log10(max(ratio, 1.0)) / 2)), 3)


def _window(start: int, window_s: int) -> tuple[str, str]:
    return to_iso(start), to_iso(start + window_s)


def _volume(rows: Sequence[UsageRow], t: Thresholds) -> list[RuntimeFinding]:
    cells: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        cells[row.endpoint].extend(w[1] for w in row.windows() if w[1] > 0)
    endpoint_median = {e: statistics.median(c) for e, c in cells.items() if c}
    out = []
    for row in rows:
        wins = [w for w in row.windows() if w[1] > 0]
        base_e = endpoint_median.get(row.endpoint, 0.0)
        best: tuple[float, int, int, float] | None = None
        flagged = 0
        for start, req, _err, _near in wins:
            if req < t.min_window_requests or req < t.volume_ratio * base_e:
                continue
            others = [w[1] for w in wins if w[0] != start]
            base_p = statistics.median(others) if len(others) >= t.principal_history else 0.0
            if base_p and req < t.volume_ratio * base_p:
                continue
            flagged += 1
            ratio = req / max(base_e, base_p, 1.0)
            if best is None or ratio > best[0]:
                best = (ratio, start, req, base_p)
        if best is None:
            continue
        ratio, start, req, base_p = best
        score = _ratio_score(ratio)
        ws, we = _window(start, int(row.props.get("window_s", 3600)))
        out.append(
            RuntimeFinding(
                "EXTRACTION_VOLUME",
                _severity(score),
                score,
                endpoint=row.endpoint,
                principal=row.principal,
                window_start=ws,
                window_end=we,
                summary=f"{req} requests in one window, {ratio:.1f}x the norm",
                evidence={
                    "requests": req,
                    "endpoint_median": base_e,
                    "principal_median": base_p,
                    "principal_windows": len(wins),
                    "windows_flagged": flagged,
                    "ratio": round(ratio, 2),
                },
            )
        )
    return out


def _sweep(rows: Sequence[UsageRow], t: Thresholds) -> list[RuntimeFinding]:
    out = []
    for row in rows:
        best: tuple[float, int, int, int] | None = None
        for start, req, _err, near in row.windows():
            if req < t.sweep_min_requests:
                continue
            share = near / (req - 1)
            if share >= t.sweep_near_ratio and (best is None or share > best[0]):
                best = (share, start, req, near)
        if best is None:
            continue
        share, start, req, near = best
        score = round(min(1.0, share), 3)
        ws, we = _window(start, int(row.props.get("window_s", 3600)))
        out.append(
            RuntimeFinding(
                "INPUT_SWEEP",
                _severity(score),
                score,
                endpoint=row.endpoint,
                principal=row.principal,
                window_start=ws,
                window_end=we,
                summary=f"{near} of {req - 1} successive inputs were near-duplicates",
                evidence={"requests": req, "near_pairs": near, "near_share": round(share, 3)},
            )
        )
    return out


def _fanout(rows: Sequence[UsageRow], t: Thresholds) -> list[RuntimeFinding]:
    principals: dict[str, set[str]] = defaultdict(set)
    endpoints: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        for source in row.props.get("sources") or ():
            principals[source].add(row.principal)
            endpoints[source].add(row.endpoint)
    if not principals:
        return []
    median = statistics.median(len(p) for p in principals.values())
    out = []
    for source, who in sorted(principals.items()):
        n = len(who)
        if n < t.source_min_principals or n < t.source_ratio * median:
            continue
        score = _ratio_score(n / max(median, 1.0))
        for endpoint in sorted(endpoints[source]):
            out.append(
                RuntimeFinding(
                    "SOURCE_FANOUT",
                    _severity(score),
                    score,
                    endpoint=endpoint,
                    summary=f"{n} distinct principals from one source {source}",
                    evidence={
                        "source": source,
                        "principals": n,
                        "median_principals_per_source": median,
                        "sample": sorted(who)[:10],
                    },
                )
            )
    return out


def _sensitive(labels: Iterable[str], t: Thresholds) -> list[str]:
    labels = list(labels)
    if not t.sensitive_labels:
        return labels
    wanted = {c.upper() for c in t.sensitive_labels}
    return [lab for lab in labels if Label.parse(lab).category in wanted]


def _new_principals(rows: Sequence[UsageRow], t: Thresholds) -> list[RuntimeFinding]:
    lasts = [r.props.get("last_seen", "") for r in rows]
    if not lasts:
        return []
    now = max(lasts)
    horizon = to_iso(datetime.fromisoformat(now) - timedelta(days=t.new_principal_days))
    endpoint_since: dict[str, str] = {}
    principal_since: dict[str, str] = {}
    for row in rows:
        first = row.props.get("first_seen", now)
        endpoint_since[row.endpoint] = min(endpoint_since.get(row.endpoint, first), first)
        principal_since[row.principal] = min(principal_since.get(row.principal, first), first)
    out = []
    for row in rows:
        first = row.props.get("first_seen", now)
        sensitive = _sensitive(row.labels, t)
        if not sensitive or first < horizon or endpoint_since[row.endpoint] >= horizon:
            continue
        new_everywhere = principal_since[row.principal] >= horizon
        score = 0.6 if new_everywhere else 0.4
        out.append(
            RuntimeFinding(
                "NEW_PRINCIPAL_SENSITIVE",
                _severity(score),
                score,
                endpoint=row.endpoint,
                principal=row.principal,
                window_start=first,
                window_end=row.props.get("last_seen", ""),
                summary="a principal never seen before reached a sensitive endpoint",
                evidence={
                    "first_seen": first,
                    "requests": int(row.props.get("requests", 0)),
                    "labels": sorted(sensitive)[:10],
                    "endpoint_observed_since": endpoint_since[row.endpoint],
                    "new_to_every_endpoint": new_everywhere,
                    "horizon": horizon,
                },
            )
        )
    return out


def _allowed(row: UsageRow, t: Thresholds) -> tuple[str, ...]:
    allowed = list(row.allowed)
    for pattern, groups in t.allowed_groups:
        if fnmatch.fnmatchcase(row.endpoint, pattern):
            allowed.extend(groups)
    return tuple(sorted(set(allowed)))


def _outside_group(rows: Sequence[UsageRow], t: Thresholds) -> list[RuntimeFinding]:
    out = []
    for row in rows:
        allowed = _allowed(row, t)
        if not allowed or set(row.groups) & set(allowed):
            continue
        score = 0.8
        out.append(
            RuntimeFinding(
                "OUTSIDE_ALLOWED_GROUP",
                _severity(score),
                score,
                endpoint=row.endpoint,
                principal=row.principal,
                window_start=row.props.get("first_seen", ""),
                window_end=row.props.get("last_seen", ""),
                summary="a principal outside the endpoint's allowed groups called it",
                evidence={
                    "requests": int(row.props.get("requests", 0)),
                    "principal_groups": list(row.groups),
                    "allowed_groups": list(allowed),
                },
            )
        )
    return out


def _public_on_internal(rows: Sequence[UsageRow], t: Thresholds) -> list[RuntimeFinding]:
    """Endpoints declared ``internal`` that logs show being called from internet addresses."""
    by_endpoint: dict[str, list[UsageRow]] = defaultdict(list)
    for row in rows:
        if row.exposure == "internal":
            by_endpoint[row.endpoint].append(row)
    out = []
    for endpoint, group in sorted(by_endpoint.items()):
        public = [r for r in group if int(r.props.get("public_requests") or 0) > 0]
        count = sum(int(r.props["public_requests"]) for r in public)
        if count < t.public_min_requests:
            continue
        score = t.public_exposure_score
        sources = sorted(
            {s for r in public for s in r.props.get("sources") or () if s[:4] == "pub-"}
        )
        out.append(
            RuntimeFinding(
                "PUBLIC_CALLERS_ON_INTERNAL",
                _severity(score),
                score,
                endpoint=endpoint,
                window_start=min(str(r.props.get("first_seen", "")) for r in public),
                window_end=max(str(r.props.get("last_seen", "")) for r in public),
                summary=f"declared internal, yet {count} requests came from internet addresses",
                evidence={
                    "public_requests": count,
                    "principals": sorted(r.principal for r in public)[:10],
                    "public_sources": sources[:10],
                    "declared_exposure": "internal",
                },
            )
        )
    return out


DETECTORS = (_volume, _sweep, _fanout, _new_principals, _outside_group, _public_on_internal)


def detect(rows: Sequence[UsageRow], thresholds: Thresholds | None = None) -> list[RuntimeFinding]:
    """Every usage anomaly in ``rows``, highest score first."""
    t = thresholds or Thresholds()
    found = [f for detector in DETECTORS for f in detector(rows, t)]
    return sorted(found, key=lambda f: (-f.score, f.code, f.endpoint, f.principal))


@dataclass(frozen=True, slots=True)
class ArtefactVerdict:
    """A scanned model artefact and the endpoints it reaches over ``FLOWS_TO``."""

    model: str
    verdict: str  # safe | suspicious | unsafe | error | unknown
    format: str
    sha256: str
    scanner: str
    findings: tuple[str, ...]
    endpoints: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def artefact_verdicts(store: Store) -> list[ArtefactVerdict]:
    """Every scanned model with its verdict and serving endpoints, the worst first."""
    order = {"unsafe": 0, "suspicious": 1, "error": 2, "unknown": 3, "safe": 4}
    out = []
    for r in store.query(UNSAFE_ARTEFACTS):
        p = r["props"]
        scanner = p.get("artefact_scanner", "")
        if p.get("artefact_scanner_version"):
            scanner = f"{scanner} {p['artefact_scanner_version']}"
        out.append(
            ArtefactVerdict(
                r["model"],
                str(p.get("artefact_verdict")),
                str(p.get("artefact_format", "")),
                str(p.get("artefact_sha256", "")),
                scanner,
                tuple(p.get("artefact_findings") or ()),
                tuple(sorted(e for e in r["endpoints"] if e)),
            )
        )
    return sorted(out, key=lambda v: (order.get(v.verdict, 5), v.model))


def model_locations(store: Store) -> list[tuple[str, str]]:
    """(model uid, where its artefact is) for Model nodes that say where they live.

    Ingestors record it as ``artefact_path``, ``path``, ``uri``, ``location`` or
    ``source_uri`` (first present wins): a local path, ``file://...``, or a remote URI.
    """
    return [
        (r["uid"], str(r["location"]))
        for r in store.query(MODEL_LOCATIONS)
        if isinstance(r["location"], str)
    ]


def _artefact_findings(verdicts: Iterable[ArtefactVerdict], t: Thresholds) -> list[RuntimeFinding]:
    out = []
    for v in verdicts:
        if v.verdict not in ("unsafe", "suspicious"):
            continue
        score = t.unsafe_artefact_score if v.verdict == "unsafe" else t.suspicious_artefact_score
        evidence = {
            "verdict": v.verdict,
            "format": v.format,
            "sha256": v.sha256,
            "scanner": v.scanner,
            "findings": list(v.findings[:20]),
        }
        for endpoint in v.endpoints or ("",):
            out.append(
                RuntimeFinding(
                    "UNSAFE_MODEL_ARTEFACT" if v.verdict == "unsafe" else "SUSPICIOUS_ARTEFACT",
                    "high" if v.verdict == "unsafe" else _severity(score),
                    score,
                    endpoint=endpoint,
                    model=v.model,
                    summary=f"model artefact is {v.verdict}: {', '.join(v.findings[:3])}",
                    evidence=evidence,
                )
            )
    return out


def runtime_findings(store: Store, thresholds: Thresholds | None = None) -> list[RuntimeFinding]:
    """Usage anomalies and unsafe model artefacts (with the endpoints serving them)."""
    t = thresholds or Thresholds()
    found = detect(load_usage(store), t) + _artefact_findings(artefact_verdicts(store), t)
    return sorted(found, key=lambda f: (-f.score, f.code, f.endpoint, f.principal, f.model))


def endpoint_scores(findings: Iterable[RuntimeFinding]) -> dict[str, tuple[float, list[str]]]:
    """Per endpoint: the worst finding's score (max, so it stays explainable) and codes."""
    scores: dict[str, float] = {}
    codes: dict[str, set[str]] = defaultdict(set)
    for f in findings:
        if not f.endpoint:
            continue
        scores[f.endpoint] = max(scores.get(f.endpoint, 0.0), f.score)
        codes[f.endpoint].add(f.code)
    return {e: (scores[e], sorted(codes[e])) for e in scores}


@dataclass(frozen=True, slots=True)
class EndpointUsage:
    """Observed use of one endpoint, summed over its callers."""

    endpoint: str
    requests: int
    errors: int
    principals: int
    tokens_in: int
    tokens_out: int
    bytes_in: int
    bytes_out: int
    public_requests: int
    first_seen: str
    last_seen: str
    top_principals: tuple[tuple[str, int], ...]
    windows: tuple[tuple[str, int], ...]  # (window start, requests), latest last

    @property
    def error_rate(self) -> float:
        return self.errors / self.requests if self.requests else 0.0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["error_rate"] = round(self.error_rate, 4)
        out["top_principals"] = [{"principal": p, "requests": n} for p, n in self.top_principals]
        out["windows"] = [{"start": s, "requests": n} for s, n in self.windows]
        return out


def endpoint_usage(
    store: Store,
    endpoint: str | None = None,
    *,
    top: int = 5,
    last_windows: int = 48,
    rows: Sequence[UsageRow] | None = None,
) -> list[EndpointUsage]:
    """Usage per endpoint (or of one), busiest first."""
    rows = load_usage(store) if rows is None else rows
    by_endpoint: dict[str, list[UsageRow]] = defaultdict(list)
    for row in rows:
        if endpoint is None or row.endpoint == endpoint:
            by_endpoint[row.endpoint].append(row)
    out = []
    for uid, group in by_endpoint.items():

        def total(name: str, group: list[UsageRow] = group) -> int:
            return sum(int(r.props.get(name) or 0) for r in group)

        per_window: dict[int, int] = defaultdict(int)
        for row in group:
            for start, req, _err, _near in row.windows():
                per_window[start] += req
        callers = sorted(
            ((r.principal, int(r.props.get("requests") or 0)) for r in group),
            key=lambda pn: (-pn[1], pn[0]),
        )
        out.append(
            EndpointUsage(
                uid,
                total("requests"),
                total("errors"),
                len({r.principal for r in group}),
                total("tokens_in"),
                total("tokens_out"),
                total("bytes_in"),
                total("bytes_out"),
                total("public_requests"),
                min(str(r.props.get("first_seen", "")) for r in group),
                max(str(r.props.get("last_seen", "")) for r in group),
                tuple(callers[:top]),
                tuple((to_iso(s), per_window[s]) for s in sorted(per_window)[-last_windows:]),
            )
        )
    return sorted(out, key=lambda u: (-u.requests, u.endpoint))


def apply_runtime_findings(
    store: Store, findings: Sequence[RuntimeFinding], *, rows: Sequence[UsageRow] | None = None
) -> dict[str, tuple[float, list[str]]]:
    """Record findings on Endpoint nodes for the risk formula; clear stale ones.

    Writes ``runtime_anomaly_score`` (float, max finding score), ``runtime_findings`` (codes),
    and from usage ``runtime_requests``, ``runtime_principals`` and
    ``runtime_public_requests``. These are derived annotations, not facts, so they are set
    in one batch rather than ingested.
    """
    rows = load_usage(store) if rows is None else rows
    scores = endpoint_scores(findings)
    usage = {u.endpoint: u for u in endpoint_usage(store, rows=rows, top=0, last_windows=0)}
    previously = {r["endpoint"] for r in store.query(ENDPOINT_PROPS)}
    known = {e for e in (scores.keys() | usage.keys() | previously) if e.startswith("endpoint:")}
    with store.batch():
        for uid in sorted(known):
            score, codes = scores.get(uid, (0.0, []))
            props: dict[str, Any] = {
                "runtime_anomaly_score": float(score),
                "runtime_findings": codes,
            }
            if uid in usage:
                props["runtime_requests"] = usage[uid].requests
                props["runtime_principals"] = usage[uid].principals
                props["runtime_public_requests"] = usage[uid].public_requests
            store.set_props(uid, props)
    return scores


class UsageFacts(Protocol):
    """What :func:`record_usage` needs from an aggregate (``ingest.access_log.Usage``)."""

    pairs: Mapping[tuple[str, str], Any]
    groups: Mapping[str, Any]

    def facts(
        self,
        *,
        prior: Mapping[tuple[str, str], Mapping[str, Any]] | None = ...,
        prior_groups: Mapping[str, Iterable[str]] | None = ...,
        source_ref: str = ...,
    ) -> Iterable[Fact]: ...


def record_usage(
    store: Store,
    usage: UsageFacts,
    *,
    source_ref: str = "",
    report: IngestReport | None = None,
    edge_key: str = "observed",
    chunk: int = 2000,
) -> IngestReport:
    """Write an aggregate, adding its counts onto those already stored for the same pairs.

    Read-merge-write: callers that may run concurrently (the HTTP endpoint) serialise calls.
    """
    pairs = [list(p) for p in usage.pairs]
    prior: dict[tuple[str, str], Mapping[str, Any]] = {}
    for i in range(0, len(pairs), chunk):
        rows = store.query(STORED_USAGE, {"pairs": pairs[i : i + chunk], "key": edge_key})
        prior.update({(r["principal"], r["endpoint"]): r["props"] for r in rows})
    prior_groups: dict[str, list[str]] = {}
    if usage.groups:
        rows = store.query(PRINCIPAL_GROUPS, {"uids": sorted(usage.groups)})
        prior_groups = {r["principal"]: list(r["groups"] or ()) for r in rows}
    facts = usage.facts(prior=prior, prior_groups=prior_groups, source_ref=source_ref)
    return ingest(store, facts, report=report)


def refresh_runtime(store: Store, thresholds: Thresholds | None = None) -> list[RuntimeFinding]:
    """Recompute every runtime finding and record the scores on the endpoints."""
    rows = load_usage(store)
    t = thresholds or Thresholds()
    found = detect(rows, t) + _artefact_findings(artefact_verdicts(store), t)
    found.sort(key=lambda f: (-f.score, f.code, f.endpoint, f.principal, f.model))
    apply_runtime_findings(store, found, rows=rows)
    return found
