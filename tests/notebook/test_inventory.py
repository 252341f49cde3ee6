"""The approved-asset registry, shadow AI marking, the inventory query and its CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingest.inventory import ApprovedRegistry, load_registry, mark_registered
from ingest.notebook import notebook_facts
from ingest.vector_config import vector_config_facts
from lineage.cli import app
from lineage.errors import ConfigError
from lineage.model import Kind, Node
from lineage.pipeline import ingest
from lineage.store import Store
from queries.inventory import ai_assets

CORPUS = Path(__file__).parents[1] / "corpus"
REGISTRY = """
providers: [openai]
models:
  - "huggingface:BAAI/*"
  - {provider: huggingface, name: "sentence-transformers/*"}
vector_indexes:
  - {engine: chroma, name: "my-*"}
endpoints:
  - "endpoint:embedchain:full-stack-app"
"""


@pytest.fixture
def registry(tmp_path: Path) -> ApprovedRegistry:
    path = tmp_path / "registry.yaml"
    path.write_text(REGISTRY)
    return load_registry(path)


def _marked(registry: ApprovedRegistry, facts) -> dict[str, bool]:
    return {
        f.uid: f.props["registered"]
        for f in mark_registered(facts, registry)
        if isinstance(f, Node) and f.kind in (Kind.MODEL, Kind.VECTOR_INDEX, Kind.ENDPOINT)
    }


def test_registry_marks_listed_assets_and_everything_else_is_shadow(
    registry: ApprovedRegistry,
) -> None:
    config = CORPUS / "vector_configs" / "embedchain__configs_full-stack.yaml"
    marked = _marked(registry, vector_config_facts(config, ref=config.name))
    assert marked == {
        "endpoint:embedchain:full-stack-app": True,
        "vectorindex:chroma:my-collection-name": True,
        "model:openai:gpt-4o-mini": True,  # provider approved
        "model:openai:text-embedding-ada-002": True,
    }
    nb = CORPUS / "notebooks" / "qdrant-examples__deepseek-qdrant.ipynb"
    marked = _marked(registry, notebook_facts(nb, ref=nb.name))
    assert marked["model:huggingface:BAAI/bge-small-en-v1.5"] is True  # glob on namespace:name
    assert marked["model:deepseek:deepseek-chat"] is False  # shadow AI
    assert not any(v for k, v in marked.items() if k.startswith("vectorindex:"))


def test_bad_registries_say_what_is_wrong(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("modles: []\n")
    with pytest.raises(ConfigError, match="unknown registry section"):
        load_registry(path)
    path.write_text("models:\n  - {provider: openai, colour: red}\n")
    with pytest.raises(ConfigError, match="colour"):
        load_registry(path)
    path.write_text("models: [\n")
    with pytest.raises(ConfigError):
        load_registry(path)


def test_inventory_lists_assets_by_kind_with_where_found(
    store: Store, registry: ApprovedRegistry
) -> None:
    nb = CORPUS / "notebooks" / "hf-cookbook__rag_with_hf_and_milvus.ipynb"
    ingest(store, mark_registered(notebook_facts(nb, ref=nb.name), registry))
    assets = ai_assets(store)
    assert [a.kind for a in assets] == sorted(a.kind for a in assets)
    by_uid = {a.uid: a for a in assets}
    mixtral = by_uid["model:huggingface:mistralai/Mixtral-8x7B-Instruct-v0.1"]
    assert mixtral.shadow and mixtral.registered is False
    assert mixtral.found_in == (f"{nb.name}#cell40",)  # where it is called
    assert mixtral.jobs == (f"job:notebook:{nb.name}",)
    assert mixtral.detail["provider"] == "huggingface"
    index = by_uid["vectorindex:milvus:rag_collection"]
    assert index.detail["embedding_model"] == "model:huggingface:BAAI/bge-small-en-v1.5"
    shadow = {a.uid for a in ai_assets(store, shadow_only=True)}
    assert "model:huggingface:BAAI/bge-small-en-v1.5" not in shadow
    assert mixtral.uid in shadow and index.uid in shadow


def test_cli_ingest_and_inventory(tmp_path: Path) -> None:
    store = tmp_path / "store"
    reg = tmp_path / "registry.yaml"
    reg.write_text(REGISTRY)
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, ["--store", str(store), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    nb = CORPUS / "notebooks" / "qdrant-examples__deepseek-qdrant.ipynb"
    out = json.loads(run("ingest", "notebook", str(nb), "--json", "--no-classify"))
    assert out["files"] == 1 and out["assets"]["Model"] == 2
    configs = CORPUS / "vector_configs"
    out = json.loads(run("ingest", "vector-config", str(configs), "--json"))
    assert out["files"] == 20 and not [p for p in out["problems"] if p["severity"] == "error"]
    shadow = json.loads(run("inventory", "--shadow", "--json", "--registry", str(reg)))
    uids = {a["uid"] for a in shadow}
    assert "model:deepseek:deepseek-chat" in uids
    assert "model:openai:gpt-4o-mini" not in uids  # approved by the registry re-check
    everything = json.loads(run("inventory", "--json"))
    assert {a["kind"] for a in everything} == {"Model", "VectorIndex", "Endpoint"}
    assert len(everything) > len(shadow)
