"""Vertex AI RAG Engine on a real notebook from tests/corpus/real (GoogleCloudPlatform/
generative-ai; source and licence in the case's expected.yaml)."""

from __future__ import annotations

from real_facts import NOTEBOOKS, flows, notebook


def test_a_vertex_rag_engine_corpus_is_an_index_files_are_embedded_into() -> None:
    """generative-ai intro_rag_engine: ``client.rag.create_corpus(rag_corpus=RagCorpus(
    display_name="my-rag-corpus"))``, ``upload_file(path="test.md")``, ``import_files`` of a
    Cloud Storage prefix, then a retrieval ``Tool`` over it given to ``generate_content``."""
    nodes, edges = notebook(NOTEBOOKS / "googlecloudplatform-generative-ai__intro_rag_engine.ipynb")
    corpus = "vectorindex:vertex_rag:my-rag-corpus"
    assert nodes[corpus].props["engine"] == "vertex_rag"
    found = flows(edges)
    assert ("dataset:file:./test.md", corpus, "embed") in found
    gcs = "dataset:gs://cloud-samples-data:gen-app-builder/search/alphabet-investor-pdfs/*"
    assert (gcs, corpus, "embed") in found
    assert [dst for src, dst, kind in found if src == corpus and kind == "retrieve"]
