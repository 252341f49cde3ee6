"""Hard-coded secrets in text (notebook cells and outputs, configs), by provider.

A finding says *what kind* of secret is where (cell, line) and, at most, a salted hash so
that the same key seen twice can be recognised; the secret itself is never stored, logged
or returned (not even in ``repr``). Placeholders (``sk-xxx``, ``hf_...``, ``<your key>``,
``${VAR}``) and low-entropy strings are not secrets.

The detectors are a table, like the notebook recognisers: add a row to add a provider.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import secrets as _random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace

from ingest.credentials import config_credential

__all__ = [
    "CONFIG_DETECTORS",
    "DETECTORS",
    "Detector",
    "SecretFinding",
    "fingerprint",
    "redact_text",
    "scan_text",
]

_SALT = os.environ.get("LINEAGE_SECRET_SALT", "").encode() or _random.token_bytes(16)


@dataclass(frozen=True, slots=True)
class Detector:
    """One kind of secret: a regex; group ``s`` (if present) is the secret part."""

    kind: str
    pattern: re.Pattern[str]
    min_entropy: float = 3.0
    anchors: tuple[str, ...] = ()  # lower-case substrings a match must contain: a cheap gate


@dataclass(frozen=True, slots=True)
class SecretFinding:
    """Where a secret of some kind was found. Holds no part of the secret."""

    kind: str
    line: int
    fingerprint: str

    def __repr__(self) -> str:
        return f"SecretFinding(kind={self.kind!r}, line={self.line})"


def _rx(text: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(text, flags)


_Q = r"['\"]"
_EQ = r"\\?['\"]"  # JSON inside a shell string escapes its quotes: -d "{\"password\":\"...\"}"
DETECTORS: tuple[Detector, ...] = (
    Detector(
        "PRIVATE_KEY",
        _rx(
            r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?"
            r"PRIVATE KEY(?: BLOCK)?-----(?P<s>[A-Za-z0-9+/=\s\\n]{32,})"
        ),
        0,
    ),
    Detector(
        "GCP_SERVICE_ACCOUNT_KEY",
        _rx(
            r"\"type\"\s*:\s*\"service_account\"[^}]{0,400}\"private_key_id\"\s*:\s*"
            r"\"(?P<s>[a-f0-9]{40})\"",
            re.S,
        ),
        2.5,
    ),
    Detector("ANTHROPIC_API_KEY", _rx(r"\b(?P<s>sk-ant-(?:api|admin)\d\d-[A-Za-z0-9_-]{80,})")),
    Detector(
        "OPENAI_API_KEY", _rx(r"\b(?P<s>sk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{32,})")
    ),
    Detector("HUGGINGFACE_TOKEN", _rx(r"\b(?P<s>hf_[A-Za-z0-9]{30,})\b")),
    Detector("AWS_ACCESS_KEY_ID", _rx(r"\b(?P<s>(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16})\b")),
    Detector(
        "AWS_SECRET_ACCESS_KEY",
        _rx(
            r"(?i)aws_?secret_?(?:access_?)?key"
            + _Q
            + r"?\]?\s*[:=]\s*"
            + _Q
            + r"(?P<s>[A-Za-z0-9/+=]{40})"
            + _Q
        ),
    ),
    Detector("GCP_API_KEY", _rx(r"\b(?P<s>AIza[0-9A-Za-z_-]{35})\b")),
    Detector("AZURE_STORAGE_KEY", _rx(r"AccountKey=(?P<s>[A-Za-z0-9+/=]{40,})")),
    Detector(
        "AZURE_API_KEY",
        _rx(r"(?i)azure\w*?_?key" + _Q + r"?\]?\s*[:=]\s*" + _Q + r"(?P<s>[a-f0-9]{32})" + _Q),
    ),
    Detector(
        "GITHUB_TOKEN",
        _rx(r"\b(?P<s>(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{60,})"),
    ),
    Detector(
        "SLACK_WEBHOOK",
        _rx(r"(?P<s>https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]+)"),
    ),
    Detector("SLACK_TOKEN", _rx(r"\b(?P<s>xox[baprs]-[A-Za-z0-9-]{10,})")),
    Detector(
        "JWT", _rx(r"\b(?P<s>eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})")
    ),
    Detector(
        "CONNECTION_STRING_PASSWORD",
        _rx(r"\b[a-z][a-z0-9+.-]{1,30}://[^:/\s@'\"]{1,100}:(?P<s>[^@/\s'\"]{4,200})@[\w.-]+"),
        2.0,
    ),
    Detector(
        "PASSWORD",
        _rx(
            r"(?i)\b(?:[a-z0-9]+_)*(?:passw(?:or)?d|pwd|passwd)"  # db_password, too
            + _EQ
            + r"?\]?\s*[:=]\s*"
            + _EQ
            + r"(?P<s>[^'\"\s\\]{6,200})"
            + _EQ
        ),
        2.0,
    ),
    Detector(  # a password in a URL's query or a JDBC URL: ?user=u&password=..., ;password=...
        "PASSWORD",
        _rx(r"(?i)[?&;](?:passw(?:or)?d|pwd)=(?P<s>[^&;\s'\"]{4,200})"),
        2.0,
    ),
    Detector(
        "GENERIC_API_KEY",
        _rx(
            r"(?i)\b(?:api_?key|secret(?:_?key)?|access_?token|auth_?token|token)"
            + _Q
            + r"?\]?\s*[:=]\s*"
            + _Q
            + r"(?P<s>[A-Za-z0-9_\-./+=]{16,200})"
            + _Q
        ),
    ),
)

# Literal pieces every match of a kind contains: most text has none, and a substring test
# is far cheaper than a regex scan (outputs can be megabytes).
_ANCHORS = {
    "PRIVATE_KEY": ("private key",),
    "GCP_SERVICE_ACCOUNT_KEY": ("service_account",),
    "ANTHROPIC_API_KEY": ("sk-ant-",),
    "OPENAI_API_KEY": ("sk-",),
    "HUGGINGFACE_TOKEN": ("hf_",),
    "AWS_ACCESS_KEY_ID": ("akia", "asia", "abia", "acca"),
    "AWS_SECRET_ACCESS_KEY": ("secret",),
    "GCP_API_KEY": ("aiza",),
    "AZURE_STORAGE_KEY": ("accountkey=",),
    "AZURE_API_KEY": ("azure",),
    "GITHUB_TOKEN": ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    "SLACK_WEBHOOK": ("hooks.slack.com",),
    "SLACK_TOKEN": ("xox",),
    "JWT": ("eyj",),
    "CONNECTION_STRING_PASSWORD": ("://",),
    "PASSWORD": ("passw", "pwd"),
    "GENERIC_API_KEY": ("apikey", "api_key", "token", "secret"),
}
DETECTORS = tuple(replace(d, anchors=_ANCHORS.get(d.kind, ())) for d in DETECTORS)
_ANCHOR_RX = re.compile(
    "|".join(sorted({re.escape(a) for d in DETECTORS for a in d.anchors}, key=len, reverse=True))
)

# Config files (YAML, env lists, compose ``command:`` flags, k8s ``name:``/``value:`` pairs):
# any literal given to a credential-named variable is a hard-coded credential, however weak
# (``POSTGRES_PASSWORD: postgres`` is the worst kind), and ``${VAR:-literal}`` runs as written
# when VAR is unset. The kind names the credential: the service's when the name or a known
# default value says which (``POSTGRES_PASSWORD``, ``MINIO_SECRET_KEY``), else PASSWORD or
# GENERIC_API_KEY. The rows live in credentials.py; these regexes only find candidates.
_CRED_NAME = r"[\w.-]*(?i:pass|pwd|secret|key|token|salt|auth)[\w.-]*"
CONFIG_DETECTORS: tuple[Detector, ...] = (
    Detector(  # NAME: value / - NAME=value / "name": "value"
        "CONFIG_CREDENTIAL",
        _rx(
            r"(?m)^[ \t]*(?:-[ \t]*)?[\"']?(?P<n>" + _CRED_NAME + r")[\"']?[ \t]*[:=][ \t]*"
            r"(?P<v>[^\n]*)$"
        ),
        0,
        ("passw", "pwd", "secret", "key", "token", "salt", "auth"),
    ),
    Detector(  # Kubernetes env: - name: NAME \n value: literal
        "CONFIG_CREDENTIAL",
        _rx(
            r"(?m)^[ \t]*-?[ \t]*name:[ \t]*[\"']?(?P<n>" + _CRED_NAME + r")[\"']?[ \t]*\n"
            r"[ \t]*value:[ \t]*(?P<v>[^\n]*)$"
        ),
        0,
        ("passw", "pwd", "secret", "key", "token", "salt", "auth"),
    ),
    Detector(  # command-line flags: --api-key X, --requirepass X, --password=X
        "CONFIG_CREDENTIAL",
        _rx(
            r"(?<![\w-])--(?P<n>api-key|requirepass|password|passwd|token|auth-token|secret"
            r"|master-key)(?:[ \t]+|=)(?P<v>\$\{[^}\s]*\}|[^\s\\'\"]+|\"[^\"\n]*\"|'[^'\n]*')"
        ),
        0,
        ("api-key", "requirepass", "--pass", "--token", "--auth-token", "--secret", "master-key"),
    ),
)

_PLACEHOLDER = re.compile(
    r"xxx|\.\.\.|your|<|>|\{|\}|\$|example|placeholder|dummy|changeme|change_me|redacted|\*\*\*"
    r"|insert|replace|secret_here|token_here|key_here|password123|^password$|^test|fake|sample",
    re.I,
)


def _entropy(text: str) -> float:
    counts = Counter(text)
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


_ENV_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")  # "HF_TOKEN": the variable's name


def _is_placeholder(value: str, detector: Detector) -> bool:
    if _PLACEHOLDER.search(value) or _ENV_NAME.fullmatch(value):
        return True
    if len(set(value)) <= 3:
        return True
    return detector.min_entropy > 0 and _entropy(value) < detector.min_entropy


def fingerprint(value: str) -> str:
    """A salted hash (per process unless ``LINEAGE_SECRET_SALT`` is set), 16 hex digits."""
    return hashlib.sha256(_SALT + value.encode("utf-8", "replace")).hexdigest()[:16]


_WINDOW = 1 << 20
_OVERLAP = 1 << 13  # longer than any secret the table matches but a private key's body


def _windows(text: str) -> Iterator[tuple[int, str]]:
    """(offset, slice) windows over the whole text, overlapping so that a secret across a
    boundary is whole in one of them: memory stays bounded and nothing past the first
    window is missed."""
    if len(text) <= _WINDOW:
        yield 0, text
        return
    step = _WINDOW - _OVERLAP
    for start in range(0, len(text), step):
        yield start, text[start : start + _WINDOW]
        if start + _WINDOW >= len(text):
            return


_GENERIC = ("PASSWORD", "GENERIC_API_KEY", "CONNECTION_STRING_PASSWORD")
# Config mode: provider formats first (an ``sk-...`` under OPENAI_API_KEY is an OpenAI key),
# then credential-named variables, then the generic quoted rows.
_CONFIG_ORDER = (
    *(d for d in DETECTORS if d.kind not in _GENERIC),
    *CONFIG_DETECTORS,
    *(d for d in DETECTORS if d.kind in _GENERIC),
)
_CONFIG_ANCHORS = frozenset(a for d in _CONFIG_ORDER for a in d.anchors)


def _match(detector: Detector, m: re.Match[str]) -> tuple[str, int, int] | None:
    """(kind, start, end) of a match's secret within the window, None if it is none."""
    if detector in CONFIG_DETECTORS:
        found = config_credential(m.group("n"), m.group("v"))
        if found is None:
            return None
        kind, a, b = found
        return kind, m.start("v") + a, m.start("v") + b
    start, end = m.span("s") if "s" in detector.pattern.groupindex else m.span()
    if _is_placeholder(m.string[start:end], detector):
        return None
    return detector.kind, start, end


def _spans(text: str, *, config: bool) -> Iterator[tuple[str, int, int, str]]:
    """(kind, start, end, secret) for every secret, across windows, each span once."""
    claimed: list[tuple[int, int]] = []
    order = _CONFIG_ORDER if config else DETECTORS
    for offset, window in _windows(text):
        lower = window.lower()
        # Overlapping anchors (``apikey`` holds ``key``) must all count: a substring test each
        # in config mode (small files), one alternation scan for notebooks (large outputs).
        present = (
            {a for a in _CONFIG_ANCHORS if a in lower} if config else set(_ANCHOR_RX.findall(lower))
        )
        if not present:
            continue
        for detector in order:
            if detector.anchors and present.isdisjoint(detector.anchors):
                continue
            for m in detector.pattern.finditer(window):
                found = _match(detector, m)
                if found is None:
                    continue
                kind, start, end = found
                value = window[start:end]
                start, end = start + offset, end + offset
                if any(a < end and start < b for a, b in claimed):
                    continue
                claimed.append((start, end))
                yield kind, start, end, value


def scan_text(text: str, *, config: bool = False) -> Iterator[SecretFinding]:
    """Secrets in ``text``, one finding per distinct secret and kind, with its line (1-based).

    A span claimed by a more specific detector (earlier in the table) is not reported again
    by a generic one (``api_key = "sk-..."`` is an OpenAI key, not also a generic key).
    ``config`` adds the rows for credential-named variables in YAML/env/flags; there a
    password inside a URL that repeats a credential named elsewhere in the file
    (``DATABASE_URL: postgres://postgres:postgres@db``) is the same credential, not another.
    Long texts are scanned in overlapping windows of 1 MiB, to the end.
    """
    spans = [
        (kind, start, fingerprint(value)) for kind, start, _, value in _spans(text, config=config)
    ]
    named = (
        {fp for kind, _, fp in spans if kind != "CONNECTION_STRING_PASSWORD"} if config else set()
    )
    seen: set[tuple[str, str]] = set()
    for kind, start, fp in sorted(spans, key=lambda s: s[1]) if config else spans:
        if (kind, fp) in seen or (kind == "CONNECTION_STRING_PASSWORD" and fp in named):
            continue
        seen.add((kind, fp))
        yield SecretFinding(kind, text.count("\n", 0, start) + 1, fp)


def redact_text(text: str) -> tuple[str, list[SecretFinding]]:
    """``text`` with every secret replaced by ``[REDACTED:<KIND>:<fingerprint>]`` (no quote
    or backslash, so JSON text stays JSON), and what was found.

    >>> redact_text("postgres://etl:Xy7-pq9Zr2@db:5432/x")[0]  # doctest: +ELLIPSIS
    'postgres://etl:[REDACTED:CONNECTION_STRING_PASSWORD:...]@db:5432/x'
    """
    spans = sorted(_spans(text, config=False), key=lambda s: s[1])
    if not spans:
        return text, []
    parts: list[str] = []
    found: list[SecretFinding] = []
    at = 0
    for kind, start, end, value in spans:
        mark = fingerprint(value)
        parts.append(text[at:start])
        parts.append(f"[REDACTED:{kind}:{mark}]")
        found.append(SecretFinding(kind, text.count("\n", 0, start) + 1, mark))
        at = end
    parts.append(text[at:])
    return "".join(parts), found
