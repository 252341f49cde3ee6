"""Tutorial notebooks offer alternatives and reach files in ways issue 15's scorer showed
were missed; each case is a real file from tests/corpus/real (sources and licences in the
cases' expected.yaml files)."""

from __future__ import annotations

from real_facts import NOTEBOOKS
from real_facts import flows as _flows
from real_facts import notebook as _facts

from lineage.model import Kind


def test_provider_cells_are_alternatives_that_each_get_the_retrieved_documents() -> None:
    """haystack-tutorials 27: ``chat_generator`` is bound in three cells, one per provider
    (Transformers, OpenAI, Mistral), none used before the next; the pipeline's ``llm`` is
    whichever the reader ran, so the retriever feeds all three."""
    nb = "deepset-ai-haystack-tutorials__27_first_rag_pipeline.ipynb"
    nodes, edges = _facts(NOTEBOOKS / nb)
    (store,) = [n.uid for n in nodes.values() if n.kind is Kind.VECTOR_INDEX]
    flows = _flows(edges)
    for model in (
        "model:huggingface:Qwen/Qwen3-4B-Instruct-2507",
        "model:openai:gpt-4o-mini",
        "model:mistral:mistral-small-latest",
    ):
        assert (store, model, "retrieve") in flows, model


def test_a_value_read_between_two_bindings_is_not_an_alternative() -> None:
    """huggingface/notebooks language_modeling: ``model`` is trained, then rebound to a
    second base model for a second training; the first training is no alternative of the
    second, so nothing flows from one fine-tuned model into the other."""
    nb = "huggingface-notebooks__language_modeling.ipynb"
    _, edges = _facts(NOTEBOOKS / nb)
    gpt2 = f"model:notebook:{nb}#distilgpt2-finetuned-wikitext2"
    roberta = f"model:notebook:{nb}#distilroberta-base-finetuned-wikitext2"
    fine_tunes = {(src, dst) for src, dst, kind in _flows(edges) if kind == "fine_tune"}
    assert ("model:huggingface:distilroberta-base", roberta) in fine_tunes
    assert (gpt2, roberta) not in fine_tunes


def test_a_downloaded_folder_listed_into_an_indexing_pipeline() -> None:
    """haystack-tutorials 30: ``gdown.download_folder(url, output=output_dir)``, then
    ``Path(output_dir).glob("**/*")`` as the pipeline's sources; the generator is a
    ``HuggingFaceAPIChatGenerator`` naming its model in ``api_params``."""
    nb = "deepset-ai-haystack-tutorials__30_file_type_preprocessing.ipynb"
    nodes, edges = _facts(NOTEBOOKS / nb)
    url = "dataset:https://drive.google.com:/drive/folders/1n9yqq5Gl_HWfND5bTlrCwAOycMDt5EMj"
    folder = [u for u in nodes if u.endswith("recipe_files")]
    assert len(folder) == 1, folder
    (store,) = [n.uid for n in nodes.values() if n.kind is Kind.VECTOR_INDEX]
    model = "model:hf_inference:Qwen/Qwen2.5-7B-Instruct"
    assert nodes[model].props["origin"] == "third_party_api"
    flows = _flows(edges)
    assert (url, folder[0], "transform") in flows
    assert (folder[0], store, "embed") in flows
    assert (store, model, "retrieve") in flows


def test_a_haystack_fetcher_reads_the_pages_it_is_given_to_index() -> None:
    """mistral cookbook haystack_chat_with_docs: ``LinkContentFetcher`` -> converter ->
    ``MistralDocumentEmbedder`` -> ``DocumentWriter``; ``indexing.run({"fetcher": {"urls":
    urls}})`` with two mistral.ai pages."""
    nb = "mistralai-cookbook__haystack_chat_with_docs.ipynb"
    nodes, edges = _facts(NOTEBOOKS / nb)
    (store,) = [n.uid for n in nodes.values() if n.kind is Kind.VECTOR_INDEX]
    pages = sorted(u for u in nodes if u.startswith("dataset:https://mistral.ai"))
    assert len(pages) == 2, pages
    flows = _flows(edges)
    assert all((page, store, "embed") in flows for page in pages)


def test_any_langchain_vector_store_built_from_documents_is_an_index() -> None:
    """langgraph crag_local: ``SKLearnVectorStore.from_documents(documents=doc_splits,
    embedding=...)`` over three web pages, then ``vectorstore.as_retriever()``."""
    nodes, edges = _facts(NOTEBOOKS / "langchain-ai-langgraph__crag_local.ipynb")
    (index,) = [n for n in nodes.values() if n.kind is Kind.VECTOR_INDEX]
    assert index.props["engine"] == "sklearn"
    embedded = {src for src, dst, kind in _flows(edges) if dst == index.uid and kind == "embed"}
    assert len([u for u in embedded if "lilianweng.github.io" in u]) == 3
