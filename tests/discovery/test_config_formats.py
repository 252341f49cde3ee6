"""Config formats seen in real estates; real files from tests/corpus/real/configs (sources
and licences in the cases' expected.yaml files)."""

from __future__ import annotations

from real_facts import config as _config

from lineage.model import Kind


def test_openmemory_config_json_declares_its_mem0_models() -> None:
    """mem0ai/mem0 openmemory/api/config.json: ``{"mem0": {"llm": ..., "embedder": ...}}``.
    The OpenMemory API adds its vector store in code, so none is implied from the file."""
    nodes, _ = _config("mem0ai-mem0__openmemory_api_config.json")
    models = {u: n.props for u, n in nodes.items() if n.kind is Kind.MODEL}
    assert models["model:openai:gpt-4o-mini"]["model_type"] == "llm"
    assert models["model:openai:text-embedding-3-small"]["model_type"] == "embedding"
    assert not [n for n in nodes.values() if n.kind is Kind.VECTOR_INDEX]
