"""What a chain is given reaches the LLMs it runs; a model server run here is local.
Real files from tests/corpus/real (sources and licences in the cases' expected.yaml)."""

from __future__ import annotations

from real_facts import NOTEBOOKS
from real_facts import flows as _flows
from real_facts import notebook as _facts

CORPUS_NOTEBOOKS = NOTEBOOKS.parents[1] / "notebooks"


def test_a_summarize_chain_sends_the_documents_to_its_llm() -> None:
    """generative-ai intro_langchain_gemini: ``WebBaseLoader(url).load()``, split, then
    ``load_summarize_chain(llm, chain_type="map_reduce").run(texts)``."""
    nb = "googlecloudplatform-generative-ai__intro_langchain_gemini.ipynb"
    nodes, edges = _facts(NOTEBOOKS / nb)
    page = (
        "dataset:https://cloud.google.com:/blog/products/ai-machine-learning/"
        "how-to-use-grounding-for-your-llms-with-text-embeddings"
    )
    (llm,) = [u for u in nodes if u.startswith("model:") and "flash" in u]
    assert (page, llm, "infer") in _flows(edges)


def test_an_ollama_model_with_no_host_runs_here() -> None:
    """langgraph crag_local: ``ChatOllama(model=local_llm)`` (Ollama's client defaults to
    localhost:11434): a local model, so the web pages it is given stay here (no ``infer``);
    the retrieved context is what matters (``retrieve``)."""
    nb = "langchain-ai-langgraph__crag_local.ipynb"
    nodes, edges = _facts(NOTEBOOKS / nb)
    assert nodes["model:ollama:llama3"].props["origin"] == "local"
    sent = {(src, kind) for src, dst, kind in _flows(edges) if dst == "model:ollama:llama3"}
    assert not [src for src, kind in sent if kind == "infer"], sent


def test_a_prompt_pipe_llm_chain_invoked_with_dataset_rows() -> None:
    """qdrant-examples langchain_integration (tests/corpus/notebooks, source in its README):
    ``chain.invoke(question)`` over questions drawn from the Hugging Face dataset: the rows
    reach Anthropic."""
    _, edges = _facts(CORPUS_NOTEBOOKS / "qdrant-examples__langchain_integration.ipynb")
    rows = "dataset:huggingface:sentence-transformers/natural-questions"
    assert (rows, "model:anthropic:claude-sonnet-4-5", "infer") in _flows(edges)
