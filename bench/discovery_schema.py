"""The real-world corpus: finding cases and checking their expected files against the schema.

A case is ``<slug>.expected.yaml`` beside its artefact (``<slug>.ipynb``, ``<slug>.yaml``,
``docker-compose.<slug>.yml``, a dbt project folder ``<slug>/`` ...), under
``tests/corpus/real/notebooks`` or ``tests/corpus/real/configs``. The schema and its
vocabularies are those of the corpus brief (issue 15); :func:`validate` says what is wrong
and where, so a malformed expectation fails loudly instead of scoring as zero.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["Case", "find_cases", "load_case", "validate"]

EXPECTED_SUFFIX = ".expected.yaml"


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


FACT_KEYS = (
    "models",
    "vector_indexes",
    "datasets_read",
    "datasets_written",
    "flows",
    "endpoints",
    "secrets",
    "egress",
)
PROVIDERS = words(
    "openai azure_openai anthropic mistral cohere bedrock vertex google groq together huggingface "
    "hf_inference ollama vllm tgi llamacpp tei sagemaker azureml local voyage jina fireworks "
    "replicate other"
)
ROLES = words("llm embedding reranker trained fine_tuned base classifier other")
ENGINES = words(
    "qdrant chroma pinecone weaviate milvus faiss lancedb pgvector pgai elasticsearch opensearch "
    "redis mongodb_atlas docarray inmemory other"
)
FLOW_KINDS = words("train fine_tune embed retrieve infer transform export serve trace")
EGRESS = words("langsmith langfuse wandb arize helicone other")
FRAMEWORKS = words(
    "openai azure_openai anthropic mistral cohere bedrock vertex google_genai groq langchain "
    "langgraph llamaindex haystack haystack_yaml mem0 dspy transformers peft trl "
    "sentence_transformers sagemaker vertex_training azureml sklearn xgboost pytorch spark mllib "
    "onnx ollama vllm tgi llamacpp tei qdrant chroma pinecone weaviate milvus faiss lancedb "
    "pgvector pgai elasticsearch opensearch redis langsmith langfuse wandb embedchain dbt "
    "docker_compose kubernetes gradio streamlit other"
)
END_PREFIXES = ("dataset:", "model:", "index:", "endpoint:", "egress:")
_SHA = re.compile(r"^[0-9a-f]{40}$")
_SLUG = re.compile(r"^[a-z0-9_.-]+$")


@dataclass
class Case:
    """One corpus case: the artefact, its expected facts, and where it sits."""

    slug: str
    expected_path: Path
    artefact: Path | None
    root: Path  # the folder the artefact sits in: ids are relative to it
    group: str  # "notebooks" or "configs"
    expected: Mapping[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def frameworks(self) -> list[str]:
        return [str(f).lower() for f in self.expected.get("frameworks") or []]


def _artefact(expected: Path, slug: str) -> Path | None:
    folder = expected.parent
    names = [
        slug,
        *(f"{slug}{ext}" for ext in (".ipynb", ".yaml", ".yml", ".json", ".toml", ".sql")),
        f"docker-compose.{slug}.yml",
        f"docker-compose.{slug}.yaml",
    ]
    for name in names:
        candidate = folder / name
        if candidate.exists():
            return candidate
    others = sorted(
        p
        for p in folder.glob(f"*{slug}*")
        if p != expected and not p.name.endswith(EXPECTED_SUFFIX)
    )
    return others[0] if len(others) == 1 else None


def load_case(expected: Path, corpus: Path) -> Case:
    slug = expected.name[: -len(EXPECTED_SUFFIX)]
    group = expected.parent.relative_to(corpus).parts[0] if expected.is_relative_to(corpus) else ""
    case = Case(slug, expected, _artefact(expected, slug), expected.parent, group)
    try:
        data = yaml.safe_load(expected.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        case.errors.append(f"{expected.name}: not YAML: {exc}")
        return case
    if not isinstance(data, Mapping):
        case.errors.append(f"{expected.name}: top level is not a mapping")
        return case
    case.expected = data
    case.errors += [f"{expected.name}: {e}" for e in validate(data)]
    if case.artefact is None:
        case.errors.append(f"{expected.name}: no artefact named {slug}.* beside it")
    return case


def find_cases(corpus: Path) -> Iterator[Case]:
    for expected in sorted(corpus.rglob(f"*{EXPECTED_SUFFIX}")):
        yield load_case(expected, corpus)


def _check_vocab(errors: list[str], where: str, value: Any, vocab: frozenset[str]) -> None:
    if not isinstance(value, str) or value.lower() not in vocab:
        errors.append(f"{where}: {value!r} is not one of the schema's words")


def validate(data: Mapping[str, Any]) -> list[str]:
    """Everything wrong with one expected file (empty when it follows the schema)."""
    errors: list[str] = []
    source = data.get("source")
    if not isinstance(source, Mapping):
        errors.append("source: missing (repo, path, commit, license)")
    else:
        for key in ("repo", "path", "commit", "license"):
            if not source.get(key):
                errors.append(f"source.{key}: missing")
        if source.get("commit") and not _SHA.match(str(source["commit"])):
            errors.append(f"source.commit: {source['commit']!r} is not a 40-hex sha")
    if "modified" not in data:
        errors.append("modified: missing (null or what was changed)")
    frameworks = data.get("frameworks")
    if not isinstance(frameworks, list) or not frameworks:
        errors.append("frameworks: missing or empty")
    else:
        for i, fw in enumerate(frameworks):
            _check_vocab(errors, f"frameworks[{i}]", fw, FRAMEWORKS)
    facts = data.get("facts")
    if facts is None:
        facts = {}
    if not isinstance(facts, Mapping):
        return [*errors, "facts: not a mapping"]
    for key in facts:
        if key not in FACT_KEYS:
            errors.append(f"facts.{key}: unknown fact kind")
    for key in FACT_KEYS:
        if key in facts and not isinstance(facts[key], list):
            errors.append(f"facts.{key}: not a list")
    for i, m in enumerate(facts.get("models") or []):
        w = f"facts.models[{i}]"
        if not isinstance(m, Mapping) or not m.get("id"):
            errors.append(f"{w}: needs an id")
            continue
        _check_vocab(errors, f"{w}.provider", m.get("provider"), PROVIDERS)
        _check_vocab(errors, f"{w}.role", m.get("role"), ROLES)
    for i, v in enumerate(facts.get("vector_indexes") or []):
        w = f"facts.vector_indexes[{i}]"
        if not isinstance(v, Mapping) or "collection" not in v:
            errors.append(f"{w}: needs engine and collection (null if unknown)")
            continue
        _check_vocab(errors, f"{w}.engine", v.get("engine"), ENGINES)
    for key in ("datasets_read", "datasets_written"):
        for i, d in enumerate(facts.get(key) or []):
            if not isinstance(d, str) or not d.strip():
                errors.append(f"facts.{key}[{i}]: not a dataset string")
    for i, f in enumerate(facts.get("flows") or []):
        w = f"facts.flows[{i}]"
        if not isinstance(f, Mapping):
            errors.append(f"{w}: not a mapping")
            continue
        for end in ("from", "to"):
            if not str(f.get(end, "")).startswith(END_PREFIXES):
                errors.append(f"{w}.{end}: {f.get(end)!r} needs a kind prefix {END_PREFIXES}")
        _check_vocab(errors, f"{w}.kind", f.get("kind"), FLOW_KINDS)
    for i, ep in enumerate(facts.get("endpoints") or []):
        if not isinstance(ep, Mapping) or not ep.get("kind"):
            errors.append(f"facts.endpoints[{i}]: needs a kind")
    for i, s in enumerate(facts.get("secrets") or []):
        if not isinstance(s, Mapping) or not s.get("kind"):
            errors.append(f"facts.secrets[{i}]: needs a kind")
    for i, g in enumerate(facts.get("egress") or []):
        if not isinstance(g, Mapping):
            errors.append(f"facts.egress[{i}]: not a mapping")
            continue
        _check_vocab(errors, f"facts.egress[{i}].service", g.get("service"), EGRESS)
    return errors


def slug_ok(slug: str) -> bool:
    return bool(_SLUG.match(slug))
