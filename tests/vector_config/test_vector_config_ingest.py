"""Vector-DB / RAG configs: the whole corpus, bad input (YAML bombs, broken YAML), formats."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from ingest.vector_config import Limits, vector_config_facts
from lineage.model import Edge, Kind, Node, Problem, Rel, Severity
from lineage.pipeline import ingest
from lineage.store import Store

CORPUS = Path(__file__).parents[1] / "corpus" / "vector_configs"
CONFIGS = sorted(CORPUS.iterdir())

# Nine levels of nine aliases: a few hundred bytes that expand to 9**9 strings; inside a
# known section, so a loader that did not refuse it would hand it to the fact builder.
BOMB = """
cache:
  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
  f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
  g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
  h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
  i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
vectordb: {provider: chroma, config: {collection_name: *i}}
"""


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_every_corpus_config_ingests(path: Path) -> None:
    facts = list(vector_config_facts(path, ref=path.name))
    assert not [f for f in facts if isinstance(f, Problem) and f.severity is Severity.ERROR]


def test_corpus_configs_land_in_the_store(store: Store) -> None:
    for path in CONFIGS:
        report = ingest(store, vector_config_facts(path, ref=path.name))
        assert not report.errors, path
    index = store.get_node("vectorindex:chroma:my-app")
    assert index is not None and index.props["engine"] == "chroma"
    assert index.props["embedding_model"] == "model:openai:text-embedding-ada-002"


def test_yaml_bomb_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB)
    start = time.perf_counter()
    (problem,) = vector_config_facts(path)
    assert time.perf_counter() - start < 1.0
    assert problem.severity is Severity.ERROR and "YAML bomb" in problem.message


def test_deep_nesting_and_size_limits(tmp_path: Path) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text("a: " + "[" * 200 + "]" * 200)
    (problem,) = vector_config_facts(deep)
    assert "nested deeper" in problem.message
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * 5000)
    (problem,) = vector_config_facts(big, limits=Limits(max_bytes=1000))
    assert "limit" in problem.message


def test_unsafe_tags_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text("vectordb: !!python/object/apply:os.system ['echo pwned']\n")
    (problem,) = vector_config_facts(path)
    assert problem.severity is Severity.ERROR


def test_broken_yaml_reports_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("vectordb:\n  provider: chroma\n config: [\n")
    (problem,) = vector_config_facts(path, ref="broken.yaml")
    assert problem.severity is Severity.ERROR and problem.source_ref.startswith("broken.yaml:")


def test_unknown_format_is_reported_not_guessed(tmp_path: Path) -> None:
    path = tmp_path / "other.yaml"
    path.write_text("database:\n  host: qdrant.internal\n  collection: docs\n")
    facts = list(vector_config_facts(path))
    assert len(facts) == 1 and facts[0].severity is Severity.WARNING
    assert "unknown config format" in facts[0].message and "database" in facts[0].message


def test_langchain_serialized_chain(tmp_path: Path) -> None:
    chain = {
        "lc": 1,
        "type": "constructor",
        "id": ["langchain", "chains", "RetrievalQA"],
        "kwargs": {
            "retriever": {
                "lc": 1,
                "type": "constructor",
                "id": ["langchain", "vectorstores", "qdrant", "Qdrant"],
                "kwargs": {"collection_name": "kb", "url": "http://qdrant:6333"},
            },
            "embeddings": {
                "lc": 1,
                "type": "constructor",
                "id": ["langchain", "embeddings", "OpenAIEmbeddings"],
                "kwargs": {"model": "text-embedding-3-small"},
            },
            "llm": {
                "lc": 1,
                "type": "constructor",
                "id": ["langchain", "chat_models", "ChatOpenAI"],
                "kwargs": {"model_name": "gpt-4o"},
            },
        },
    }
    path = tmp_path / "chain.json"
    path.write_text(json.dumps(chain))
    facts = list(vector_config_facts(path, ref="chain.json"))
    flows = {
        (f.src, f.props["kind"], f.dst)
        for f in facts
        if isinstance(f, Edge) and f.rel is Rel.FLOWS_TO
    }
    assert ("vectorindex:qdrant://qdrant:6333:kb", "retrieve", "model:openai:gpt-4o") in flows
    index = next(f for f in facts if isinstance(f, Node) and f.kind is Kind.VECTOR_INDEX)
    assert index.props["embedding_model"] == "model:openai:text-embedding-3-small"


def test_haystack_v2_pipeline(tmp_path: Path) -> None:
    path = tmp_path / "rag.yaml"
    path.write_text("""
components:
  retriever:
    type: haystack_integrations.components.retrievers.qdrant.QdrantEmbeddingRetriever
    init_parameters:
      document_store:
        type: haystack_integrations.document_stores.qdrant.QdrantDocumentStore
        init_parameters: {url: "http://qdrant:6333", index: faq, similarity: cosine}
  generator:
    type: haystack.components.generators.OpenAIGenerator
    init_parameters: {model: gpt-4o-mini}
connections:
  - {sender: retriever.documents, receiver: generator.documents}
""")
    facts = list(vector_config_facts(path, ref="rag.yaml"))
    flows = {
        (f.src, f.props["kind"], f.dst)
        for f in facts
        if isinstance(f, Edge) and f.rel is Rel.FLOWS_TO
    }
    # the retrieved documents reach the generator; the file itself serves nothing
    assert (
        "vectorindex:qdrant://qdrant:6333:faq",
        "retrieve",
        "model:openai:gpt-4o-mini",
    ) in flows
    assert not [f for f in flows if f[2].startswith("endpoint:")]


def test_hard_coded_secrets_in_configs_are_labelled_never_kept(tmp_path: Path) -> None:
    password, key = "Xk29fLq8mPzw-7", "c2VjcmV0LWtleS1mb3ItcWRyYW50LTQyMTk3"
    path = tmp_path / "docker-compose.yml"
    path.write_text(
        "services:\n  db:\n    image: pgvector/pgvector:pg16\n    environment:\n"
        f"      POSTGRES_PASSWORD: {password}\n      POSTGRES_USER: postgres\n"
        "  app:\n    image: acme/rag\n    depends_on: [db]\n    environment:\n"
        f"      - QDRANT_API_KEY={key}\n      - OPENAI_API_KEY=${{OPENAI_API_KEY}}\n"
    )
    facts = list(vector_config_facts(path, ref="docker-compose.yml"))
    labels = sorted((str(f.label), f.source_ref) for f in facts if hasattr(f, "label"))
    assert labels == [
        ("SECRET:POSTGRES_PASSWORD", "docker-compose.yml:5"),
        ("SECRET:QDRANT_API_KEY", "docker-compose.yml:11"),
    ]
    assert password not in repr(facts) and key not in repr(facts)
