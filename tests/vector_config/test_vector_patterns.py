"""Issue 15's vector/RAG config patterns, each on a real file from tests/corpus/real/configs
(source repository, path, commit and licence in each case's expected.yaml)."""

from __future__ import annotations

from pathlib import Path

from config_facts import REAL, config_facts

from lineage.model import Kind, Node

CONFIGS = Path(__file__).parents[1] / "corpus" / "vector_configs"


def _endpoints(nodes: dict[str, Node]) -> list[str]:
    return [u for u, n in nodes.items() if n.kind is Kind.ENDPOINT]


def test_a_haystack_pipeline_file_alone_is_no_endpoint() -> None:
    """deepset-ai-hayhooks__basic_rag_pipeline: a 2.x pipeline with hayhooks ``inputs`` and
    ``outputs``. The file is loaded by a server; it serves nothing itself. Its retrieval into
    the generator stays, and the request fields it declares are kept on the config's job."""
    nodes, flows = config_facts(REAL / "deepset-ai-hayhooks__basic_rag_pipeline.yml")
    assert _endpoints(nodes) == []
    assert not [f for f in flows if f[1] == "serve"]
    store = next(u for u, n in nodes.items() if n.kind is Kind.VECTOR_INDEX)
    assert (store, "retrieve", "model:openai:gpt-4o-mini") in flows
    job = next(n for n in nodes.values() if n.kind is Kind.JOB)
    assert job.props["serving"] == "hayhooks"
    assert job.props["api_inputs"] == ["question"]


def test_a_haystack_1x_query_pipeline_is_no_endpoint_either() -> None:
    """deepset-ai-haystack__v1_rest_api_pipelines: the REST API container loads this file;
    the reader still receives what the retriever returns."""
    nodes, flows = config_facts(REAL / "deepset-ai-haystack__v1_rest_api_pipelines.yml")
    assert _endpoints(nodes) == []
    assert any(k == "retrieve" and d.endswith("deepset/roberta-base-squad2") for _, k, d in flows)


def test_an_unnamed_embedchain_config_is_no_endpoint_a_named_app_is() -> None:
    """mem0ai-mem0__embedchain_configs_ollama (no ``app`` section) configures components;
    embedchain's configs/chroma.yaml names its app (``app.config.id: my-app``)."""
    nodes, flows = config_facts(REAL / "mem0ai-mem0__embedchain_configs_ollama.yaml")
    assert _endpoints(nodes) == []
    assert ("vectorindex:chroma:embedchain_store", "retrieve", "model:local:llama2") in flows
    named, _ = config_facts(CONFIGS / "embedchain__configs_chroma.yaml")
    assert _endpoints(named) == ["endpoint:embedchain:my-app"]


def _compose(slug: str) -> tuple[dict[str, Node], set[tuple[str, str, str]], str]:
    name = f"docker-compose.{slug}.yml"
    nodes, flows = config_facts(REAL / name)
    return nodes, flows, f"endpoint:compose:{name}#"


def test_compose_writers_embed_into_the_store_and_the_ui_shows_what_the_backend_infers() -> None:
    """opea-project-genaiexamples__chatqna_xeon_compose: dataprep writes into Redis, the
    retriever reads it, the UI shows the megaservice's answers, nginx fronts dataprep
    through ``DATAPREP_SERVICE_IP=dataprep-redis-service`` (a host variable, no URL)."""
    _, flows, ep = _compose("opea-project-genaiexamples__chatqna_xeon_compose")
    assert (f"{ep}dataprep-redis-service", "embed", f"{ep}redis-vector-db") in flows
    assert (f"{ep}redis-vector-db", "retrieve", f"{ep}retriever") in flows
    assert (f"{ep}redis-vector-db", "retrieve", f"{ep}dataprep-redis-service") not in flows
    backend, ui = f"{ep}chatqna-xeon-backend-server", f"{ep}chatqna-xeon-ui-server"
    assert (backend, "infer", ui) in flows
    nginx = f"{ep}chatqna-xeon-nginx-server"
    assert (f"{ep}dataprep-redis-service", "serve", nginx) in flows


def test_compose_one_shot_jobs_are_no_servers_and_collectors_trace_into_their_store() -> None:
    """elastic-elasticsearch-labs__docker_compose_elastic: ``elasticsearch_settings`` runs
    the Elasticsearch image once to set a password (Kibana waits for it to complete); the
    OpenTelemetry collector exports into Elasticsearch; Kibana reads it."""
    nodes, flows, ep = _compose("elastic-elasticsearch-labs__docker_compose_elastic")
    assert f"{ep}elasticsearch_settings" not in nodes
    indexes = [n for n in nodes.values() if n.kind is Kind.VECTOR_INDEX]
    assert len(indexes) == 1 and indexes[0].props["server"] == f"{ep}elasticsearch"
    assert (f"{ep}otel-collector", "trace", f"{ep}elasticsearch") in flows
    assert (f"{ep}elasticsearch", "transform", f"{ep}kibana") in flows
    assert not [f for f in flows if "elasticsearch_settings" in f[0] + f[2]]


def test_compose_defaults_resolve_and_users_name_the_collection() -> None:
    """opea-project-genaiexamples__cogniwareims_xeon_compose: ``MODEL_ID:
    ${EMBEDDING_MODEL_ID:-BAAI/bge-base-en-v1.5}`` is deployed as its default; the retriever
    and dataprep services set ``INDEX_NAME: opea_ims_vectors`` on the Redis server."""
    nodes, flows, ep = _compose("opea-project-genaiexamples__cogniwareims_xeon_compose")
    assert "model:tei:BAAI/bge-base-en-v1.5" in nodes
    assert "model:tgi:Intel/neural-chat-7b-v3-3" in nodes
    assert not [u for u in nodes if "${" in u]
    index = nodes["vectorindex:redis://redis-vector-db:opea_ims_vectors"]
    assert index.props["server"] == f"{ep}redis-vector-db"
    assert (f"{ep}reranking", "infer", f"{ep}cogniwareims-backend") in flows
    assert (f"{ep}cogniwareims-backend", "infer", f"{ep}cogniwareims-ui") in flows


def test_compose_in_process_store_selected_by_variable() -> None:
    """lancedb-vectordb-recipes__nvidia_rag_blueprint_override: both servers switch to an
    embedded LanceDB (``APP_VECTORSTORE_NAME: lancedb``, ``COLLECTION_NAME``)."""
    _, flows, ep = _compose("lancedb-vectordb-recipes__nvidia_rag_blueprint_override")
    index = "vectorindex:lancedb:nvidia_blueprint_demo"
    assert (f"{ep}ingestor-server", "embed", index) in flows
    assert (index, "retrieve", f"{ep}rag-server") in flows


def test_compose_weaviate_modules_by_what_they_compute() -> None:
    """weaviate-weaviate-examples__transformers_newspublications: t2v embeds, qna and ner
    infer, the spellchecker transforms; the importer's depends_on on the modules is start
    order (it talks to Weaviate only)."""
    _, flows, ep = _compose("weaviate-weaviate-examples__transformers_newspublications")
    weaviate = f"{ep}weaviate"
    assert (f"{ep}t2v-transformers", "embed", weaviate) in flows
    assert (f"{ep}qna-transformers", "infer", weaviate) in flows
    assert (f"{ep}ner-transformers", "infer", weaviate) in flows
    assert (f"{ep}text-spellcheck", "transform", weaviate) in flows
    assert not [f for f in flows if f[2] == f"{ep}newspublications" and f[0] != weaviate]


def test_compose_host_variables_and_vectorizer_workers() -> None:
    """run-llama-llama_deploy__python_fullstack (``QDRANT_HOST: qdrant``, a one-shot deploy
    job) and timescale-pgai__evaluations_ollama_vectorizer (the worker embeds with Ollama
    into the database)."""
    nodes, flows, ep = _compose("run-llama-llama_deploy__python_fullstack")
    assert (f"{ep}qdrant", "retrieve", f"{ep}apiserver") in flows
    assert (f"{ep}apiserver", "infer", f"{ep}frontend") in flows
    assert f"{ep}deploy_workflows" not in nodes
    _, flows, ep = _compose("timescale-pgai__evaluations_ollama_vectorizer")
    assert (f"{ep}ollama", "embed", f"{ep}vectorizer-worker") in flows
    assert (f"{ep}vectorizer-worker", "embed", f"{ep}db") in flows


def test_haystack_2x_yaml_with_python_tuple_tags_is_read() -> None:
    """deepset-ai-haystack-rag-app__index: Haystack's own serialiser wrote
    ``http_auth: !!python/tuple`` (PyYAML's tag for a tuple). The file loads (the tuple as a
    plain list), and the document embedder's output reaching the DocumentWriter embeds into
    the writer's OpenSearch index."""
    nodes, flows = config_facts(REAL / "deepset-ai-haystack-rag-app__index.yml")
    index = next(n for n in nodes.values() if n.kind is Kind.VECTOR_INDEX)
    assert index.props["collection"] == "default"
    assert ("model:huggingface:intfloat/multilingual-e5-base", "embed", index.uid) in flows
    _, qflows = config_facts(REAL / "deepset-ai-haystack-rag-app__query.yml")
    # the query side embeds the question only: nothing is written into the index there
    assert not [f for f in qflows if f[1] == "embed"]
    assert any(k == "retrieve" and d == "model:openai:gpt-4o" for _, k, d in qflows)


def test_embedchain_providers_name_who_runs_the_model() -> None:
    """mem0ai-mem0__embedchain_configs_llama2 (embedchain's ``llama2`` provider calls Llama 2
    on Replicate: a third party) and ..._gpt4all (GPT4All runs here; its embedder without a
    ``model`` uses GPT4AllEmbedder's default)."""
    nodes, _ = config_facts(REAL / "mem0ai-mem0__embedchain_configs_llama2.yaml")
    llama = next(n for n in nodes.values() if n.kind is Kind.MODEL and "llama13b" in n.uid)
    assert (llama.props["provider"], llama.props["origin"]) == ("replicate", "third_party_api")
    nodes, flows = config_facts(REAL / "mem0ai-mem0__embedchain_configs_gpt4all.yaml")
    emb = nodes["model:local:all-MiniLM-L6-v2-f16.gguf"]
    assert emb.props["implied"] is True and emb.props["provider"] == "local"
    assert (emb.uid, "embed", "vectorindex:chroma:embedchain_store") in flows
    assert not [u for u in nodes if u.endswith(":unspecified")]


def test_weaviate_module_images_name_their_models() -> None:
    """weaviate-weaviate-examples__transformers_newspublications: the module tags are hub ids
    with ``/`` written ``-`` (and a release suffix on some): t2v embeds, NER classifies."""
    nodes, _, ep = _compose("weaviate-weaviate-examples__transformers_newspublications")
    t2v = nodes["model:huggingface:sentence-transformers/paraphrase-mpnet-base-v2"]
    assert (t2v.props["model_type"], t2v.props["served_by"]) == (
        "embedding",
        f"{ep}t2v-transformers",
    )
    ner = nodes["model:huggingface:dbmdz/bert-large-cased-finetuned-conll03-english"]
    assert ner.props["model_type"] == "classifier"
    assert "model:huggingface:bert-large-uncased-whole-word-masking-finetuned-squad" in nodes


def test_kubernetes_service_dns_names_are_uses() -> None:
    """elastic-elasticsearch-labs__k8s_manifest_elastic: Kibana's ``ELASTICSEARCH_HOSTS`` is
    ``http://elasticsearch.default.svc:9200`` (the Service's cluster DNS name)."""
    _, flows = config_facts(REAL / "elastic-elasticsearch-labs__k8s_manifest_elastic.yml")
    ep = "endpoint:kubernetes:elastic-elasticsearch-labs__k8s_manifest_elastic.yml#"
    assert (f"{ep}elasticsearch", "transform", f"{ep}kibana") in flows


def test_an_app_reading_a_store_through_a_retriever_service_does_not_retrieve_directly() -> None:
    """opea-project-genaiexamples__cogniwareims_xeon_compose: the backend reaches Redis's
    documents through the ``retriever`` service (which uses ``redis-vector-db``); its own
    link to Redis is not retrieval."""
    _, flows, ep = _compose("opea-project-genaiexamples__cogniwareims_xeon_compose")
    backend, redis = f"{ep}cogniwareims-backend", f"{ep}redis-vector-db"
    assert (f"{ep}retriever", "retrieve", backend) in flows
    assert (redis, "retrieve", f"{ep}retriever") in flows
    assert (redis, "transform", backend) in flows
    assert (redis, "retrieve", backend) not in flows


def test_chroma_built_locally_is_a_chroma_server() -> None:
    """chroma-core-chroma__server_side_embeddings_huggingface: ``image: server`` with
    ``build:`` and ``command: uvicorn chromadb.app:app ...`` is Chroma built from the repo;
    TEI serves ``${ST_MODEL:-BAAI/bge-small-en-v1.5}`` (its default, as deployed)."""
    nodes, _, ep = _compose("chroma-core-chroma__server_side_embeddings_huggingface")
    assert nodes[f"{ep}server"].props["service_kind"] == "chroma"
    assert any(
        n.kind is Kind.VECTOR_INDEX and n.props["engine"] == "chroma" for n in nodes.values()
    )
    assert "model:tei:BAAI/bge-small-en-v1.5" in nodes
