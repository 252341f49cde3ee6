"""Issue 15's vector-store patterns in notebooks, each on a real notebook from
tests/corpus/real/notebooks (source repository, commit and licence in its expected.yaml)."""

from __future__ import annotations

from pathlib import Path

from ingest.notebook import notebook_facts
from lineage.model import Edge, Kind, Node, Rel

NOTEBOOKS = Path(__file__).resolve().parents[1] / "corpus" / "real" / "notebooks"


def _facts(slug: str) -> tuple[dict[str, Node], set[tuple[str, str, str]]]:
    path = NOTEBOOKS / f"{slug}.ipynb"
    nodes: dict[str, Node] = {}
    flows: set[tuple[str, str, str]] = set()
    for fact in notebook_facts(path, ref=path.name):
        if isinstance(fact, Node):
            nodes[fact.uid] = fact
        elif isinstance(fact, Edge) and fact.rel is Rel.FLOWS_TO:
            flows.add((fact.src, str(fact.props.get("kind")), fact.dst))
    return nodes, flows


def _collections(nodes: dict[str, Node]) -> dict[str, Node]:
    return {
        str(n.props.get("collection")): n for n in nodes.values() if n.kind is Kind.VECTOR_INDEX
    }


def test_langchain_lancedb_without_a_table_name_writes_the_library_default() -> None:
    """lancedb-vectordb-recipes__agentic_rag_langgraph: ``LanceDB.from_documents(docs,
    embedding)``; langchain_community's LanceDB defaults ``table_name`` to "vectorstore"."""
    nodes, flows = _facts("lancedb-vectordb-recipes__agentic_rag_langgraph")
    index = _collections(nodes)["vectorstore"]
    assert index.props["engine"] == "lancedb"
    assert any(k == "embed" and d == index.uid and "CIEP.pdf" in s for s, k, d in flows)


def test_llamaindex_milvus_vector_store_names_its_collection() -> None:
    """mistralai-cookbook__milvus_rag_french_parliament: ``MilvusVectorStore(uri=...,
    collection_name="mistral_french_parliament")`` in a StorageContext (not the in-memory
    default store)."""
    nodes, flows = _facts("mistralai-cookbook__milvus_rag_french_parliament")
    indexes = _collections(nodes)
    assert indexes["mistral_french_parliament"].props["engine"] == "milvus"
    assert not [n for n in indexes.values() if n.props["engine"] == "llama_index"]
    uid = indexes["mistral_french_parliament"].uid
    assert any(k == "embed" and d == uid for _, k, d in flows)


def test_weaviate_v4_collections_batches_and_modules() -> None:
    """weaviate-tutorials-scalable-rag-odsc-eu-2024__intro_workshop_finished: ``weaviate.
    connect_to_local`` (whose ``*`` must not swallow ``client.collections.create``), a
    ``batch.fixed_size`` writer fed from a DataFrame, and Ollama modules Weaviate calls."""
    nodes, flows = _facts("weaviate-tutorials-scalable-rag-odsc-eu-2024__intro_workshop_finished")
    movie = _collections(nodes)["Movie"]
    assert movie.uid == "vectorindex:weaviate://localhost:80:Movie"
    assert any(k == "embed" and d == movie.uid and s.endswith("movies.csv") for s, k, d in flows)
    assert nodes["model:ollama:nomic-embed-text"].props["model_type"] == "embedding"
    assert (movie.uid, "retrieve", "model:ollama:gemma2:2b") in flows


def test_weaviate_v3_schema_classes_and_batch_objects() -> None:
    """weaviate-weaviate-examples__qa_workshop_answers (``client.schema.create({"classes":
    [...]})``) and quickstart_code (``create_class`` + ``client.batch.add_data_object(props,
    "Question")``)."""
    nodes, _ = _facts("weaviate-weaviate-examples__qa_workshop_answers")
    assert {"Article", "Author", "Category"} <= set(_collections(nodes))
    nodes, flows = _facts("weaviate-weaviate-examples__quickstart_code")
    question = _collections(nodes)["Question"]
    assert any(k == "embed" and d == question.uid for _, k, d in flows)


def test_mem0_memory_is_its_vector_store_with_mem0_defaults() -> None:
    """mem0ai-mem0__kuzu_example: ``Memory.from_config(config_dict=config)`` sets only the
    embedder (and a graph store): the vector store and LLM are mem0's defaults (implied);
    ``memory.search`` results reach the chat model the notebook calls."""
    nodes, flows = _facts("mem0ai-mem0__kuzu_example")
    index = _collections(nodes)["mem0"]
    assert index.props["engine"] == "qdrant" and index.props["implied"] is True
    assert index.props["embedding_model"] == "model:openai:text-embedding-3-large"
    assert nodes["model:openai:gpt-5-mini"].props["implied_by"] == "mem0 default llm"
    assert (index.uid, "retrieve", "model:openai:gpt-4.1-nano-2025-04-14") in flows


def test_elasticsearch_client_through_a_wrapper_indices_create_and_bulk() -> None:
    """elastic-elasticsearch-labs__00-quick-start: ``client = enable_telemetry(client, ...)``
    (a helper the analysis cannot see into) keeps the client; ``client.indices.create(index=
    "book_index")`` and ``client.bulk(index="book_index", operations=...)`` fed from a URL."""
    nodes, flows = _facts("elastic-elasticsearch-labs__00-quick-start")
    index = _collections(nodes)["book_index"]
    assert index.props["engine"] == "elasticsearch"
    assert any(
        k == "embed" and d == index.uid and s.endswith("search/data.json") for s, k, d in flows
    )


def test_llamaindex_ingestion_pipeline_writes_its_store_and_query_engine_takes_llm_first() -> None:
    """elastic-elasticsearch-labs__rag_elastic_llama3: ``IngestionPipeline(..., vector_store=
    es_vector_store).run(documents=...)``, then ``index.as_query_engine(local_llm)``."""
    nodes, flows = _facts("elastic-elasticsearch-labs__rag_elastic_llama3")
    index = _collections(nodes)["workplace_index"]
    assert any(k == "embed" and d == index.uid and "workplace-documents" in s for s, k, d in flows)
    assert (index.uid, "retrieve", "model:ollama:llama3") in flows
    assert (index.uid, "retrieve", "model:openai:gpt-3.5-turbo") not in flows


def test_chroma_embedding_functions_are_the_collections_models() -> None:
    """chroma-core-chroma__alternative_embeddings: four collections, each created with
    ``embedding_function=`` one of Chroma's classes (OpenAI, Cohere, Instructor with no model:
    its default, implied; HuggingFace's hosted API). Literal documents are added, so the
    vectors come from the model alone."""
    nodes, flows = _facts("chroma-core-chroma__alternative_embeddings")
    indexes = _collections(nodes)
    instructor = nodes["model:huggingface:hkunlp/instructor-base"]
    assert instructor.props["implied"] is True and instructor.props["origin"] == "local"
    hosted = nodes["model:huggingface:sentence-transformers/all-MiniLM-L6-v2"]
    assert hosted.props["origin"] == "third_party_api"
    for collection, model in (
        ("openai_embeddings", "model:openai:text-embedding-ada-002"),
        ("cohere_embeddings", "model:cohere:large"),
        ("instructor_embeddings", instructor.uid),
        ("huggingface_embeddings", hosted.uid),
    ):
        assert indexes[collection].props["embedding_model"] == model
        assert (model, "embed", indexes[collection].uid) in flows


def test_a_faiss_coarse_quantizer_is_part_of_its_ivf_index() -> None:
    """pinecone-io-examples__faiss-tutorial_intro: ``quantizer = faiss.IndexFlatL2(d)`` only
    feeds ``faiss.IndexIVFFlat(quantizer, d, nlist)``; the sentence embeddings go into
    ``index``. One in-memory index, not two."""
    nodes, _ = _facts("pinecone-io-examples__faiss-tutorial_intro")
    faiss = [n for n in nodes.values() if n.kind is Kind.VECTOR_INDEX]
    assert [n.uid.rsplit("#", 1)[-1] for n in faiss] == ["index"]
    assert faiss[0].props["embedding_model"] == "model:huggingface:bert-base-nli-mean-tokens"


def _written(slug: str) -> set[str]:
    path = NOTEBOOKS / f"{slug}.ipynb"
    return {
        f.dst
        for f in notebook_facts(path, ref=path.name)
        if isinstance(f, Edge) and f.rel is Rel.WRITES
    }


def test_a_local_vector_store_written_to_is_a_written_directory() -> None:
    """lancedb-vectordb-recipes__hybrid_search_bm25_lancedb: ``LanceDB.from_documents(pages,
    embedding, connection=lancedb.connect("/tmp/lancedb"))`` and ``db.create_table("...",
    data=...)`` on ``lancedb.connect("data/sample-lancedb")``; chroma-core-chroma__
    local_persistence: ``PersistentClient(path="db")`` then ``collection.add``."""
    written = _written("lancedb-vectordb-recipes__hybrid_search_bm25_lancedb")
    assert {"dataset:file:/tmp/lancedb", "dataset:file:data/sample-lancedb"} <= written
    assert any(
        u.endswith("/db") or u.endswith(":db")
        for u in _written("chroma-core-chroma__local_persistence")
    )
    # mem0's default /tmp/qdrant is a library default, not a path the code names
    assert not [u for u in _written("mem0ai-mem0__kuzu_example") if "qdrant" in u]


def test_haystack_1x_store_default_index_and_mongodb_collection_names() -> None:
    """weaviate-weaviate-examples__harrypotter_qa_haystack1: ``haystack.document_stores.
    WeaviateDocumentStore()`` (Haystack 1.x) writes its default class ``Document``;
    anthropics-anthropic-cookbook__rag_using_mongodb: ``client["tech_news"][
    "hacker_noon_tech_news"]`` is collection hacker_noon_tech_news of database tech_news."""
    nodes, flows = _facts("weaviate-weaviate-examples__harrypotter_qa_haystack1")
    document = _collections(nodes)["Document"]
    assert document.props["engine"] == "weaviate"
    assert any(k == "embed" and d == document.uid and "harry_potter" in s for s, k, d in flows)
    nodes, _ = _facts("anthropics-anthropic-cookbook__rag_using_mongodb")
    index = _collections(nodes)["hacker_noon_tech_news"]
    assert index.props["database"] == "tech_news"


def test_pinecone_v2_module_index_and_dataframe_upserts() -> None:
    """pinecone-io-examples__training-with-wandb_02-encode (``pinecone.Index(index_id)``, the
    v2 module-level client) and __azure_openai_retrieval (``pinecone_datasets.load_dataset``
    then ``index.upsert_from_dataframe(dataset.documents)``)."""
    nodes, _ = _facts("pinecone-io-examples__training-with-wandb_02-encode")
    assert _collections(nodes)["arxiv-search"].props["engine"] == "pinecone"
    nodes, flows = _facts("pinecone-io-examples__azure_openai_retrieval")
    index = _collections(nodes)["azure-openai-langchain-intro"]
    source = "dataset:pinecone-datasets:langchain-python-docs-text-embedding-ada-002"
    assert (source, "embed", index.uid) in flows


def test_llamaindex_over_a_store_the_analysis_cannot_see_is_not_in_memory() -> None:
    """lancedb-vectordb-recipes__llamaindex_lancedb_cloud: the ``LanceDBVectorStore(...)``
    cell does not parse (``...`` after keywords), so ``StorageContext.from_defaults(
    vector_store=vector_store)`` holds an unknown store: the index built on it is not
    LlamaIndex's in-memory default (the later ``from_documents`` without one is)."""
    _, flows = _facts("lancedb-vectordb-recipes__llamaindex_lancedb_cloud")
    assert not any(k == "embed" and "paul_graham" in s for s, k, _ in flows)


def test_dspy_embeddings_retriever_is_an_in_memory_index_it_searches() -> None:
    """stanfordnlp-dspy__tutorial_rag: ``search = dspy.retrievers.Embeddings(embedder=...,
    corpus=corpus)`` over the jsonl corpus; ``search(question).passages`` is the context of
    the ChainOfThought answered by the configured LM."""
    nodes, flows = _facts("stanfordnlp-dspy__tutorial_rag")
    index = next(n for n in nodes.values() if n.kind is Kind.VECTOR_INDEX)
    assert (index.props["engine"], index.props["built_by"]) == (
        "faiss",
        "dspy.retrievers.Embeddings",
    )
    assert any(k == "embed" and d == index.uid and "corpus.jsonl" in s for s, k, d in flows)
    assert (index.uid, "retrieve", "model:openai:gpt-4o-mini") in flows


def test_faiss_write_index_writes_a_file() -> None:
    """pinecone-io-examples__faiss-ebook_pq_faiss: ``faiss.write_index(index, './temp.index')``."""
    assert "dataset:file:./temp.index" in _written("pinecone-io-examples__faiss-ebook_pq_faiss")


def test_lance_datasets_are_written_and_read_by_path() -> None:
    """lancedb-vectordb-recipes__llm-pretraining-dataloading_train: ``lance.write_dataset(
    pa_table, "tiny_stories_gpt4_encoded.lance", ...)`` of the tokenised TinyStories, later
    ``lance.dataset(dataset_path)`` in the training Dataset."""
    slug = "lancedb-vectordb-recipes__llm-pretraining-dataloading_train"
    lance = "dataset:file:./tiny_stories_gpt4_encoded.lance"
    assert lance in _written(slug)
    _, flows = _facts(slug)
    assert any(
        s == "dataset:huggingface:roneneldan/TinyStories" and d == lance for s, _, d in flows
    )


def test_redis_indexes_are_named_by_their_schema() -> None:
    """redis-developer-redis-ai-resources: ``client.ft("movies")`` on ``Redis.from_url``
    (00_redispy); redisvl ``SearchIndex(IndexSchema.from_dict({"index": {"name":
    "movies_recommendation"}}), redis_client=client)`` loaded from the CSV's rows
    (00_content_filtering); LlamaIndex ``RedisVectorStore(schema=custom_schema)``
    (rag_llamaindex)."""
    nodes, _ = _facts("redis-developer-redis-ai-resources__00_redispy")
    assert _collections(nodes)["movies"].props["engine"] == "redis"
    nodes, flows = _facts("redis-developer-redis-ai-resources__00_content_filtering")
    index = _collections(nodes)["movies_recommendation"]
    assert any(k == "embed" and d == index.uid and "imdb_movie" in s for s, k, d in flows)
    nodes, _ = _facts("redis-developer-redis-ai-resources__rag_llamaindex")
    assert "custom_index" in _collections(nodes)


def test_redisvl_vectorizers_are_embedding_models() -> None:
    """redis-developer-redis-ai-resources__00_content_filtering: ``HFTextVectorizer(
    'sentence-transformers/paraphrase-MiniLM-L6-v2')`` embeds locally."""
    nodes, _ = _facts("redis-developer-redis-ai-resources__00_content_filtering")
    model = nodes["model:huggingface:sentence-transformers/paraphrase-MiniLM-L6-v2"]
    assert (model.props["model_type"], model.props["origin"]) == ("embedding", "local")


def test_pymilvus_orm_collection() -> None:
    """milvus-io-pymilvus__hello_milvus: ``connections.connect(...)`` then
    ``Collection("hello_milvus", schema)``, inserted into and searched."""
    nodes, _ = _facts("milvus-io-pymilvus__hello_milvus")
    assert _collections(nodes)["hello_milvus"].props["engine"] == "milvus"
