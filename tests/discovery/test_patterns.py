"""Issue 15's failure patterns, each on a real file from tests/corpus/real (sources and
licences in the cases' expected.yaml files)."""

from __future__ import annotations

from real_facts import NOTEBOOKS
from real_facts import config as _config_facts
from real_facts import flows as _flows
from real_facts import notebook as _facts

from lineage.model import Kind, Rel


def test_fstring_output_names_resolve_and_each_training_is_its_own_model() -> None:
    """``model_name = model_checkpoint.split("/")[-1]``; ``f"{model_name}-finetuned-..."``,
    with ``model_checkpoint`` reassigned between two trainings (huggingface/notebooks)."""
    nb = "huggingface-notebooks__language_modeling.ipynb"
    nodes, edges = _facts(NOTEBOOKS / nb)
    assert not [u for u in nodes if "{" in u], "raw placeholders in ids"
    gpt2 = f"model:notebook:{nb}#distilgpt2-finetuned-wikitext2"
    roberta = f"model:notebook:{nb}#distilroberta-base-finetuned-wikitext2"
    assert nodes[gpt2].props["origin"] == "fine_tuned"
    assert nodes[roberta].props["origin"] == "fine_tuned"
    flows = _flows(edges)
    assert ("model:huggingface:distilgpt2", gpt2, "fine_tune") in flows
    assert ("model:huggingface:distilroberta-base", roberta, "fine_tune") in flows
    assert ("dataset:huggingface:wikitext", roberta, "fine_tune") in flows


def test_a_literal_flag_picks_its_branch() -> None:
    """``load_dataset("squad_v2" if squad_v2 else "squad")`` with ``squad_v2 = False``."""
    nodes, _ = _facts(NOTEBOOKS / "huggingface-notebooks__question_answering_ort.ipynb")
    assert "dataset:huggingface:squad" in nodes
    assert "dataset:huggingface:squad_v2" not in nodes


def test_haystack_components_take_their_provider_from_the_component_type() -> None:
    """deepset-ai/haystack-tutorials 27: InMemoryDocumentStore, SentenceTransformers
    embedders, three chat generators, a pipeline wired with ``connect``."""
    nb = "deepset-ai-haystack-tutorials__27_first_rag_pipeline.ipynb"
    nodes, edges = _facts(NOTEBOOKS / nb)
    assert nodes["model:openai:gpt-4o-mini"].props["origin"] == "third_party_api"
    assert "model:mistral:mistral-small-latest" in nodes
    assert nodes["model:huggingface:Qwen/Qwen3-4B-Instruct-2507"].props["origin"] == "local"
    stores = [n for n in nodes.values() if n.kind is Kind.VECTOR_INDEX]
    assert [s.props["engine"] for s in stores] == ["inmemory"]
    store = stores[0].uid
    assert stores[0].props["embedding_model"] == (
        "model:huggingface:sentence-transformers/all-MiniLM-L6-v2"
    )
    flows = _flows(edges)
    assert ("dataset:huggingface:bilgeyucel/seven-wonders", store, "embed") in flows
    assert (store, "model:mistral:mistral-small-latest", "retrieve") in flows


def test_a_haystack_generator_without_a_model_is_its_default_marked_implied() -> None:
    """deepset-ai/haystack-tutorials 28: ``OpenAIChatGenerator()`` with no model."""
    nb = "deepset-ai-haystack-tutorials__28_structured_output_openai.ipynb"
    nodes, _ = _facts(NOTEBOOKS / nb)
    implied = [n for n in nodes.values() if n.props.get("implied")]
    assert implied and all(n.props["implied_by"].endswith("default model") for n in implied)
    assert "model:openai:gpt-5-mini" in {n.uid for n in implied}


def test_a_url_with_a_port_filled_in_at_run_time_does_not_stop_the_notebook() -> None:
    """GoogleCloudPlatform/vertex-ai-samples: ``curl http://localhost:{PORT}/...`` crashed
    the whole notebook's ingest (urllib refuses a non-numeric port)."""
    nb = "googlecloudplatform-vertex-ai-samples__get_started_vertex_training_lightgbm.ipynb"
    nodes, _ = _facts(NOTEBOOKS / nb)
    assert any(n.kind is Kind.MODEL for n in nodes.values())


def test_compose_services_are_endpoints_with_auth_off_settings_and_service_urls_as_flows() -> None:
    """timescale/pgai: timescaledb-ha told ``ai.ollama_host=http://ollama:11434``."""
    name = "docker-compose.timescale-pgai__docker_compose_pgai_ollama.yml"
    nodes, edges = _config_facts(name)
    db, ollama = (f"endpoint:compose:{name}#{s}" for s in ("db", "ollama"))
    assert nodes[db].props["service_kind"] == "pgai"
    assert nodes[db].props["exposure"] == "published"
    assert nodes[ollama].props["auth"] == "off"
    assert (ollama, db, "embed") in _flows(edges)  # pgai calls Ollama to vectorise
    assert [n.props["engine"] for n in nodes.values() if n.kind is Kind.VECTOR_INDEX] == ["pgai"]


def test_compose_depends_on_and_anonymous_weaviate() -> None:
    """weaviate/weaviate-examples: Weaviate with anonymous access and a transformers module."""
    name = "docker-compose.weaviate-weaviate-examples__transformers_newspublications.yml"
    nodes, edges = _config_facts(name)
    weaviate = [n for n in nodes.values() if n.props.get("service_kind") == "weaviate"]
    assert weaviate and weaviate[0].props["auth_setting"] == (
        "AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED=true"
    )
    module = [n for n in nodes.values() if n.props.get("service_kind") == "weaviate-module"]
    assert module and (module[0].uid, weaviate[0].uid, "embed") in _flows(edges)


def test_llamaindex_settings_defaults_are_implied_models_with_the_rule() -> None:
    """pinecone-io/examples llama_index_intro: no LLM named, so the query engine answers with
    LlamaIndex's default OpenAI LLM, fed by the Pinecone index."""
    nodes, edges = _facts(NOTEBOOKS / "pinecone-io-examples__llama_index_intro.ipynb")
    llm = nodes["model:openai:gpt-3.5-turbo"]
    assert llm.props["implied"] is True
    assert llm.props["implied_by"] == "LlamaIndex Settings.llm default"
    assert any(
        e.dst == llm.uid and e.src.startswith("vectorindex:") and e.props["kind"] == "retrieve"
        for e in edges
    )


def test_langchain_wrappers_without_a_model_use_the_default_marked_implied() -> None:
    """langchain-ai/langgraph adaptive_rag: ``OpenAIEmbeddings()``; the URLs of a literal list
    read one by one by ``WebBaseLoader`` in a comprehension."""
    nodes, _ = _facts(NOTEBOOKS / "langchain-ai-langgraph__adaptive_rag.ipynb")
    emb = nodes["model:openai:text-embedding-ada-002"]
    assert emb.props["implied_by"] == "OpenAIEmbeddings() default model"
    assert "dataset:https://lilianweng.github.io:/posts/2023-06-23-agent/" in nodes


def test_index_identity_through_a_handle() -> None:
    """``pinecone_index = pc.Index(index_name)``; ``PineconeVectorStore(pinecone_index=...)``:
    the store is the named index, the same node any other artefact using it meets."""
    nodes, edges = _facts(NOTEBOOKS / "pinecone-io-examples__llama_index_intro.ipynb")
    indexes = [n.uid for n in nodes.values() if n.kind is Kind.VECTOR_INDEX]
    assert indexes == ["vectorindex:pinecone:llama-index-intro"]
    assert ("dataset:huggingface:squad", indexes[0], "embed") in _flows(edges)


def test_langsmith_tracing_is_an_egress_of_the_models_prompts() -> None:
    """langchain-ai/langgraph code_assistant_mistral: ``LANGCHAIN_TRACING_V2 = "true"``."""
    nodes, edges = _facts(NOTEBOOKS / "langchain-ai-langgraph__code_assistant_mistral.ipynb")
    sink = "endpoint:langsmith:api.smith.langchain.com"
    assert nodes[sink].props["egress"] == "langsmith"
    assert ("model:mistral:mistral-large-latest", sink, "trace") in _flows(edges)


def test_a_compose_service_wired_to_langsmith_traces_to_it() -> None:
    """opea-project/GenAIExamples AgentQnA: ``LANGCHAIN_TRACING_V2: ${LANGCHAIN_TRACING_V2}``."""
    name = "docker-compose.opea-project-genaiexamples__agentqna_xeon_compose_openai.yml"
    _, edges = _config_facts(name)
    sink = "endpoint:langsmith:api.smith.langchain.com"
    traced = {src for src, dst, kind in _flows(edges) if dst == sink and kind == "trace"}
    assert f"endpoint:compose:{name}#worker-rag-agent" in traced


def test_bedrock_runtime_calls_name_their_models() -> None:
    """aws-samples/amazon-bedrock-workshop: ``boto3.client("bedrock-runtime")``, then
    ``converse(modelId=MODELS[...])`` over a literal dict, also in ``for ... in MODELS.items()``."""
    nb = "aws-samples-amazon-bedrock-workshop__text_and_code_generation.ipynb"
    nodes, _ = _facts(NOTEBOOKS / nb)
    bedrock = {n.name for n in nodes.values() if n.kind is Kind.MODEL and n.namespace == "bedrock"}
    assert {"us.anthropic.claude-haiku-4-5-20251001-v1:0", "us.amazon.nova-pro-v1:0"} <= bedrock


def test_a_litellm_proxy_config_lists_its_routes_and_logging_egress() -> None:
    """BerriAI/litellm proxy_server_config.yaml: prefixed routes, wildcards, team callbacks."""
    name = "berriai-litellm__proxy_server_config.yaml"
    nodes, edges = _config_facts(name)
    assert nodes["model:azure_openai:chatgpt-v-2"].props["origin"] == "third_party_api"
    assert "model:sagemaker:berri-benchmarking-Llama-2-70b-chat-hf-4" in nodes
    assert "model:anthropic:anthropic/*" in nodes
    assert nodes["model:other:fake"].props["api_base"].startswith("https://")
    proxy = f"endpoint:litellm:{name}#litellm-proxy"
    assert (proxy, "endpoint:langfuse:cloud.langfuse.com", "trace") in _flows(edges)


def test_reads_by_url_are_dataset_reads() -> None:
    """anthropic-cookbook read_web_pages_with_haiku: ``requests.get(url).text``;
    elasticsearch-labs 00-quick-start: ``json.loads(urlopen(url).read())``."""
    for nb, url in (
        (
            "anthropics-anthropic-cookbook__read_web_pages_with_haiku.ipynb",
            "dataset:https://en.wikipedia.org:/wiki/96th_Academy_Awards",
        ),
        (
            "elastic-elasticsearch-labs__00-quick-start.ipynb",
            "dataset:https://raw.githubusercontent.com:/elastic/elasticsearch-labs/main/notebooks/"
            "search/data.json",
        ),
    ):
        _, edges = _facts(NOTEBOOKS / nb)
        assert url in {e.dst for e in edges if e.rel is Rel.READS}, nb


def test_pgai_sql_functions_through_a_db_cursor() -> None:
    """timescale/pgai best_embedding_model_rag_app: ``cur.execute("SELECT ai.load_dataset(...)")``
    and ``ai.create_vectorizer(... destination => %s, embedding => ai.embedding_ollama(%s, %s))``
    with the parameters of a function called over a literal list of model records."""
    nodes, edges = _facts(NOTEBOOKS / "timescale-pgai__best_embedding_model_rag_app.ipynb")
    flows = _flows(edges)
    essays = next(u for u in nodes if u.startswith("dataset:") and u.endswith(":essays"))
    assert ("dataset:huggingface:sgoel9/paul_graham_essays", essays, "transform") in flows
    index = "vectorindex:pgai:essays_nomic_embed_text_embeddings"
    assert nodes[index].props["embedding_model"] == "model:ollama:nomic-embed-text"
    assert (essays, index, "embed") in flows


def test_embedchain_defaults_are_implied_and_wired() -> None:
    """mem0ai/mem0 embedchain configs/anthropic.yaml: only an ``llm`` section, so the app
    embeds with OpenAI into Chroma ``embedchain_store`` and retrieves into Claude."""
    nodes, edges = _config_facts("mem0ai-mem0__embedchain_configs_anthropic.yaml")
    index = next(n for n in nodes.values() if n.kind is Kind.VECTOR_INDEX)
    assert (index.props["engine"], index.props["collection"]) == ("chroma", "embedchain_store")
    assert index.props["implied"] is True
    embedder = nodes["model:openai:text-embedding-ada-002"]
    assert embedder.props["implied_by"] == "embedchain default embedder"
    flows = _flows(edges)
    assert (embedder.uid, index.uid, "embed") in flows
    assert (index.uid, "model:anthropic:claude-instant-1", "retrieve") in flows


def test_haystack_yaml_provider_follows_the_component_type() -> None:
    """deepset-ai/hayhooks basic_rag_pipeline.yml: an ``OpenAIChatGenerator`` with
    ``model: gpt-4o-mini`` is OpenAI (it was a local Hugging Face model), fed by the
    retriever's in-memory store."""
    nodes, edges = _config_facts("deepset-ai-hayhooks__basic_rag_pipeline.yml")
    model = nodes["model:openai:gpt-4o-mini"]
    assert model.props["origin"] == "third_party_api"
    assert "model:huggingface:gpt-4o-mini" not in nodes
    assert any(s.startswith("vectorindex:") and d == model.uid and k == "retrieve"
               for s, d, k in _flows(edges))  # fmt: skip


def test_a_bedrock_customization_job_fine_tunes_a_custom_model() -> None:
    """anthropic-cookbook finetuning_on_bedrock: ``create_model_customization_job``."""
    nodes, edges = _facts(NOTEBOOKS / "anthropics-anthropic-cookbook__finetuning_on_bedrock.ipynb")
    custom = nodes["model:bedrock:anthropic_finetuning_cookbook"]
    assert custom.props["origin"] == "fine_tuned"
    data = "dataset:s3://your_bucket_name:json_mode_dataset.jsonl"  # bucket names are lower-case
    assert (data, custom.uid, "fine_tune") in _flows(edges)
