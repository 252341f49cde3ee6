"""Secrets in facets never reach the graph: redact every text property before it is stored.

Emitters put credentials where nobody planned for them: a custom facet with a JDBC URL and
its password, an AWS secret key in a job's parameters, a connection string in the first
line of an ``errorMessage``. Every string property of the facts an event maps to (facets
kept as JSON text, descriptions, owners, error messages, edge descriptions) goes through
the secret recognisers of :mod:`ingest.secrets`; each secret is replaced in place by
``[REDACTED:<KIND>:<fingerprint>]`` (a salted hash: the same secret seen twice can be
recognised, never read back) and the node gets a ``SECRET:<KIND>`` label. Ids are not
touched: credentials in a namespace are stripped when the id is built (:mod:`._ids`).

The event log keeps the raw event (so that a replay is faithful); protect it like the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from ingest.secrets import SecretFinding, redact_text
from lineage.model import Edge, Fact, Label, Labeling, Node

__all__ = ["SECRET_DETECTOR", "cut", "redact_facts"]

SECRET_DETECTOR = "openlineage-secrets"  # noqa: S105 - a detector name


def cut(text: str, limit: int) -> str:
    """``text[:limit]``, but never in the middle of a word (up to 1,000 characters more):
    half a password kept past the cut would no longer look like one to the recognisers."""
    if len(text) <= limit:
        return text
    tail = text[limit : limit + 1000]
    end = next((i for i, c in enumerate(tail) if c.isspace()), len(tail))
    return text[: limit + end]


def _redact_value(value: Any, found: list[SecretFinding]) -> Any:
    if isinstance(value, str):
        text, hits = redact_text(value)
        found.extend(hits)
        return text
    if isinstance(value, (list, tuple)) and any(isinstance(v, str) for v in value):
        return [_redact_value(v, found) for v in value]
    return value


def _redacted(props: Any) -> tuple[dict[str, Any], list[SecretFinding]] | None:
    found: list[SecretFinding] = []
    out = {key: _redact_value(value, found) for key, value in props.items()}
    return (out, found) if found else None


def redact_facts(facts: Iterable[Fact]) -> Iterator[Fact]:
    """The facts with secrets in their properties redacted, and a SECRET labeling for each
    node (or an edge's source) that held one."""
    for fact in facts:
        if not isinstance(fact, (Node, Edge)) or not fact.props:
            yield fact
            continue
        result = _redacted(fact.props)
        if result is None:
            yield fact
            continue
        props, found = result
        yield replace(fact, props=props)
        owner = fact.uid if isinstance(fact, Node) else fact.src
        for kind in sorted({f.kind for f in found}):
            label = Label("SECRET", kind)
            yield Labeling(owner, label, SECRET_DETECTOR, 1.0, 1, 1, fact.source_ref)
