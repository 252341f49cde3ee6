"""A vector-DB / RAG config file as graph facts, by format (a table of detectors).

Each YAML/JSON document is matched against :data:`FORMATS` in order; the first whose
``detect`` accepts it produces the facts. A document no format accepts is reported as a
warning naming its top-level keys: unknown formats are reported, never guessed at.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.notebook.values import Collector
from ingest.secrets import scan_text
from ingest.vector_config.declared import declared_facts, is_declared
from ingest.vector_config.embedchain import (
    app_name,
    declares_assets,
    is_embedchain,
    rag_app,
    sections,
)
from ingest.vector_config.haystack import haystack_facts, is_haystack
from ingest.vector_config.kube import is_helm_values, is_manifest, manifest_facts, values_facts
from ingest.vector_config.litellm import is_litellm, litellm_facts
from ingest.vector_config.load import Limits, load_config_text, read_config_text
from ingest.vector_config.servers import (
    chroma_server_facts,
    compose_facts,
    is_chroma_server,
    is_compose,
    is_qdrant_server,
    qdrant_server_facts,
)
from lineage import ids
from lineage.errors import ParseError
from lineage.model import Fact, Label, Labeling, Problem, Severity

__all__ = ["FORMATS", "JOB_NAMESPACE", "Format", "detect_format", "vector_config_facts"]

JOB_NAMESPACE = "vector_config"
SECRET_DETECTOR = "config-secrets"  # noqa: S105 - a detector name


@dataclass(frozen=True, slots=True)
class Format:
    """One config format: a name, a detector over the parsed document, a fact producer."""

    name: str
    detect: Callable[[Any], bool]
    facts: Callable[[Collector, Mapping[str, Any], str], None]


def _embedchain(out: Collector, doc: Mapping[str, Any], path: str) -> None:
    doc = sections(doc)
    if not declares_assets(doc):
        out.problems.append(
            Problem(Severity.INFO, f"embedchain config with only {sorted(doc)}: no AI assets", path)
        )
        return
    # a named app is a deployable identity (what deployment manifests refer to); an unnamed
    # file only configures components some process loads: no endpoint is invented for it
    rag_app(out, doc, path, serves=app_name(doc) is not None)


def _is_openmemory(doc: Any) -> bool:
    """OpenMemory's ``config.json``: ``{"openmemory": {...}, "mem0": {<a mem0 config>}}``."""
    return (
        isinstance(doc, Mapping)
        and set(doc) <= {"openmemory", "mem0"}
        and is_embedchain(doc.get("mem0"))
    )


def _openmemory(out: Collector, doc: Mapping[str, Any], path: str) -> None:
    """Its ``mem0`` section, components only: the OpenMemory API that reads the file adds
    its own vector store in code, so no store is implied from here."""
    rag_app(out, doc["mem0"], path, serves=False, mem0=True)


FORMATS: tuple[Format, ...] = (
    Format("embedchain/mem0", is_embedchain, _embedchain),
    Format("openmemory", _is_openmemory, _openmemory),
    Format("litellm-proxy", is_litellm, litellm_facts),
    Format("haystack-pipeline", is_haystack, haystack_facts),
    Format("qdrant-server", is_qdrant_server, qdrant_server_facts),
    Format("chroma-server", is_chroma_server, chroma_server_facts),
    Format("docker-compose", is_compose, compose_facts),
    Format("langchain/llamaindex-declared", is_declared, declared_facts),
    Format("helm-values", is_helm_values, values_facts),
)


def detect_format(doc: Any) -> Format | None:
    return next((f for f in FORMATS if f.detect(doc)), None)


def vector_config_facts(
    path: str | Path,
    *,
    ref: str | None = None,
    text: str | None = None,
    limits: Limits | None = None,
) -> Iterator[Fact]:
    """Facts for one config file (or its ``text``); ``ref`` is the path used in ids."""
    ref = ref or Path(path).as_posix()
    limits = limits or Limits()
    try:
        if text is None:
            text = read_config_text(path, limits=limits, ref=ref)
        docs = load_config_text(text, ref, limits=limits, as_json=str(path).endswith(".json"))
    except ParseError as exc:
        yield Problem(Severity.ERROR, exc.message, exc.where, exc.snippet)
        return
    job = ids.job_id(JOB_NAMESPACE, ref)
    out = Collector(job, ref)
    formats: list[str] = []
    manifests: list[Mapping[str, Any]] = []  # read together: Services select across documents
    for number, doc in enumerate(d for d in docs if d is not None):
        if is_manifest(doc):
            manifests.append(doc)
            continue
        fmt = detect_format(doc)
        if fmt is None:
            keys = sorted(map(str, doc))[:12] if isinstance(doc, Mapping) else type(doc).__name__
            out.problems.append(
                Problem(
                    Severity.WARNING,
                    f"unknown config format (document {number + 1}, top-level {keys}); not guessed",
                    ref,
                )
            )
            continue
        formats.append(fmt.name)
        fmt.facts(out, doc, ref)
    if manifests:
        formats.append("kubernetes-manifest")
        manifest_facts(out, manifests, ref)
    for finding in scan_text(text, config=True):  # kind and line only, never the value
        out.label(
            Labeling(
                job,
                Label("SECRET", finding.kind),
                SECRET_DETECTOR,
                1.0,
                1,
                1,
                f"{ref}:{finding.line}",
            )
        )
        formats = formats or ["unrecognised"]
    if formats:
        out.node(job, job_type="rag_config", source_ref=ref, config_format=formats)
    yield from out.facts()
