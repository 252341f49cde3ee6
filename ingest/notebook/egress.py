"""Tracing services that receive what a notebook's models see (egress).

LangSmith, Langfuse, Phoenix/Arize or Helicone switched on in a notebook copy prompts and
responses to a third party (experiment trackers that training reports to are recognised with
the trainers, in ``recognisers/training.py``). Each service is one row of
:data:`EGRESS`: how code turns it on, where the data goes, and which models it sees. The
service becomes an Endpoint marked ``egress`` and every such model flows into it with kind
``trace``, so "which data leaves through tracing" is a graph query like any other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.notebook.values import Collector
from ingest.vector_config.naming import endpoint_uid
from lineage import ids
from lineage.model import EdgeKind, Kind

__all__ = ["EGRESS", "Egress", "egress_endpoint", "egress_in", "record_egress"]


@dataclass(frozen=True, slots=True)
class Egress:
    service: str
    host: str
    switched_on: re.Pattern[str]
    sees: tuple[str, ...]  # model roles whose traffic it receives (model_type or origin)


def _rx(text: str) -> re.Pattern[str]:
    return re.compile(text, re.M)


_LLM = ("llm",)
EGRESS: tuple[Egress, ...] = (
    Egress(
        "langsmith",
        "api.smith.langchain.com",
        _rx(
            r"\b(?:LANGCHAIN_TRACING_V2|LANGSMITH_TRACING)\b[\]\s=,:'\"]{1,8}true\b"
            r"|\b(?:LANGCHAIN_TRACING_V2|LANGSMITH_TRACING)=\$\{"  # wired to the deployment's env
            r"|^\s*(?:from|import)\s+langsmith\b"
        ),
        _LLM,
    ),
    Egress("langfuse", "cloud.langfuse.com", _rx(r"^\s*(?:from|import)\s+langfuse\b"), _LLM),
    Egress(
        "arize", "app.phoenix.arize.com", _rx(r"^\s*(?:from|import)\s+(?:phoenix|arize)\b"), _LLM
    ),
    Egress("helicone", "oai.helicone.ai", _rx(r"helicone\.ai"), _LLM),
)


def egress_in(code: str) -> list[Egress]:
    """The services the code switches on."""
    return [e for e in EGRESS if e.switched_on.search(code)]


def egress_endpoint(out: Collector, egress: Egress) -> str:
    endpoint = endpoint_uid(egress.service, egress.host)
    out.node(endpoint, egress=egress.service, exposure="third_party", host=egress.host)
    return endpoint


def record_egress(out: Collector, services: list[Egress]) -> None:
    """An egress Endpoint per service, and ``trace`` flows from the models it sees."""
    for egress in services:
        endpoint = egress_endpoint(out, egress)
        for uid in out.uids():
            if ids.kind_of(uid) is not Kind.MODEL:
                continue
            props = out.node_props(uid)
            if props.get("model_type") in egress.sees or props.get("origin") in egress.sees:
                out.flow(uid, endpoint, EdgeKind.TRACE)
