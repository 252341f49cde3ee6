"""Issue 15, models called through SDKs: the provider follows the SDK's real API (which
service the client reaches), each pattern on a real file from tests/corpus/real (sources and
licences in the cases' expected.yaml files)."""

from __future__ import annotations

from real_facts import notebook

from lineage.model import Node


def _models(slug: str) -> dict[str, Node]:
    nodes, _ = notebook(f"{slug}.ipynb")
    return {uid: n for uid, n in nodes.items() if uid.startswith("model:")}


def test_google_genai_client_with_a_project_calls_vertex_ai() -> None:
    """``genai.Client(project=..., location=...)`` then ``client.models.generate_content``."""
    models = _models("googlecloudplatform-generative-ai__intro_rag_engine")
    gemini = models["model:vertex:gemini-3.6-flash"]
    assert gemini.props["provider"] == "vertex"
    assert gemini.props["origin"] == "third_party_api"


def test_langchain_google_genai_with_a_project_is_vertex_not_the_gemini_api() -> None:
    """``ChatGoogleGenerativeAI(model=..., project=PROJECT_ID, enterprise=True)`` and the
    embeddings class alike."""
    models = _models("googlecloudplatform-generative-ai__intro_langchain_gemini")
    assert "model:vertex:gemini-3.6-flash" in models
    assert models["model:vertex:gemini-embedding-001"].props["model_type"] == "embedding"
    assert not [u for u in models if u.startswith("model:google:")]


def test_vertex_sdk_and_llamaindex_vertex_classes() -> None:
    """``GenerativeModel(GENERATIVE_MODEL)`` (vertexai SDK) and LlamaIndex's
    ``VertexTextEmbedding(model_name=...)``."""
    assert "model:vertex:gemini-2.0-flash" in _models(
        "googlecloudplatform-generative-ai__rag_embeddings_and_index_with_alloydb"
    )
    models = _models("googlecloudplatform-generative-ai__llamaindex_workflows")
    assert models["model:vertex:text-embedding-005"].props["model_type"] == "embedding"


def test_anthropic_bedrock_client_sends_to_bedrock() -> None:
    """``AnthropicBedrock(...).messages.create(model="anthropic.claude-...")``."""
    models = _models("elastic-elasticsearch-labs__bedrock_anthropic_es_client")
    assert "model:bedrock:anthropic.claude-3-sonnet-20240229-v1:0" in models
    assert not [u for u in models if u.startswith("model:anthropic:")]


def _models_of(slug: str) -> dict[str, str]:
    """model uid -> model_type."""
    return {u: str(n.props.get("model_type")) for u, n in _models(slug).items()}


def test_provider_sdk_clients_by_their_real_import_paths() -> None:
    """``from mistralai.client import Mistral`` (mistralai 1.x), ``anthropic.Client`` (the
    SDK's alias of ``Anthropic``), ``together.Together`` and ``voyageai.Client``, each then
    called through its methods (``client.chat.complete``, ``messages.create``, ``vo.embed``)."""
    assert _models_of("mistralai-cookbook__basic_rag")["model:mistral:mistral-large-latest"] == (
        "llm"
    )
    assert "model:anthropic:claude-3-opus-20240229" in _models_of(
        "anthropics-anthropic-cookbook__rag_using_mongodb"
    )
    together = _models_of("togethercomputer-together-cookbook__text_rag")
    assert together["model:together:BAAI/bge-base-en-v1.5"] == "embedding"
    assert together["model:together:meta-llama/Llama-3-8b-chat-hf"] == "llm"
    voyage = _models_of("anthropics-anthropic-cookbook__rag_using_pinecone")
    assert voyage["model:voyage:voyage-2"] == "embedding"


def test_langchain_voyage_embeddings() -> None:
    """``VoyageEmbeddings(voyage_api_key=..., model="voyage-2")``."""
    models = _models_of("anthropics-anthropic-cookbook__claude_3_rag_agent")
    assert models["model:voyage:voyage-2"] == "embedding"


def test_dspy_placeholder_provider_is_not_a_provider_and_embedder_embeds() -> None:
    """``dspy.LM('<provider>/Llama-3.2-3B-Instruct')``: the prefix is a placeholder, so the
    whole string is the id and the provider unknown; ``dspy.Embedder('openai/...')`` is an
    OpenAI embedding model (LiteLLM routing)."""
    agents = _models_of("stanfordnlp-dspy__tutorial_agents")
    assert "model:other:<provider>/Llama-3.2-3B-Instruct" in agents
    assert not [u for u in agents if u.startswith("model:<")]
    rag = _models_of("stanfordnlp-dspy__tutorial_rag")
    assert rag["model:openai:text-embedding-3-small"] == "embedding"


def test_a_model_argument_not_known_here_or_left_as_a_placeholder_makes_no_node() -> None:
    """``chat.completions.create(model=ft_resp.output_name)`` (a run-time value),
    ``chat.complete(**kwargs)`` and ``invoke_model(modelId="YOUR_PROVISIONED_THROUGHPUT_ARN")``:
    no ``unspecified`` or placeholder model; the literal models beside them stay."""
    together = _models("togethercomputer-together-cookbook__finetuning_guide")
    assert "model:together:meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo" in together
    assert not [u for u in together if u.endswith(":unspecified")]
    mistral = _models("mistralai-cookbook__langfuse_mistral_sdk")
    assert not [u for u in mistral if u.endswith(":unspecified")]
    bedrock = _models("anthropics-anthropic-cookbook__finetuning_on_bedrock")
    assert "model:bedrock:anthropic_finetuning_cookbook" in bedrock
    assert not [u for u in bedrock if "YOUR_" in u]


def test_ollama_client_on_a_remote_host_is_still_ollama() -> None:
    """``ChatOllama(base_url=SERVICE_URL)`` with Ollama deployed on Cloud Run."""
    models = _models("googlecloudplatform-generative-ai__cloud_run_ollama_gemma2_rag_qa")
    gemma = [n for u, n in models.items() if u.endswith(":gemma2:9b")]
    assert [n.props["provider"] for n in gemma] == ["ollama"]


def test_vertex_upload_of_a_tgi_container_serves_the_hub_model() -> None:
    """``aiplatform.Model.upload(serving_container_image_uri=<TGI image>,
    serving_container_environment_variables={"MODEL_ID": "google/gemma-7b-it", ...})``."""
    models = _models("googlecloudplatform-generative-ai__vertex_tgi_gemma")
    assert models["model:tgi:google/gemma-7b-it"].props["model_type"] == "llm"
    assert "model:vertex:google--gemma-7b-it" not in models


def test_azure_chat_openai_is_named_by_its_model_not_its_deployment() -> None:
    """``AzureChatOpenAI(deployment_name="gpt4", model_name="gpt-4")``."""
    models = _models("pinecone-io-examples__azure_openai_retrieval")
    assert "model:azure_openai:gpt-4" in models
    assert "model:azure_openai:gpt4" not in models


def test_elasticsearch_inference_endpoints_name_their_service_and_model() -> None:
    """``client.inference.put_model(task_type=..., body={"service": "cohere",
    "service_settings": {"api_key": KEY, "model_id": ...}})`` (a run-time key beside the
    literal model) and the in-cluster ``"service": "elasticsearch"`` E5 model."""
    cohere = _models("elastic-elasticsearch-labs__cohere_elasticsearch")
    assert cohere["model:cohere:embed-english-v3.0"].props["model_type"] == "embedding"
    assert cohere["model:cohere:rerank-english-v3.0"].props["model_type"] == "reranker"
    e5 = _models("elastic-elasticsearch-labs__multilingual_rag_mistral")
    in_cluster = e5["model:elasticsearch:.multilingual-e5-small"]
    assert (in_cluster.props["provider"], in_cluster.props["origin"]) == ("self_hosted", "local")


def test_llama_cpp_cli_runs_its_gguf_file_as_a_local_llm() -> None:
    """``!./llama.cpp/llama-cli -m {qtype} ...`` with ``qtype`` an f-string of literals from
    earlier cells (mistralai/cookbook, quantization with llama.cpp)."""
    models = _models("mistralai-cookbook__quantization_gguf_llamacpp")
    gguf = models["model:llamacpp:Mistral-7B-Instruct-v0.3/mistral-7b-instruct-v0.3.Q4_K_M.gguf"]
    assert (gguf.props["provider"], gguf.props["model_type"]) == ("llamacpp", "llm")


def test_provider_fine_tuning_job_names_its_base_model_its_file_and_wandb() -> None:
    """Together: ``client.files.upload("coqa_prepared_train.jsonl")`` then
    ``client.fine_tuning.create(model='meta-llama/...-Reference', wandb_api_key=...)``."""
    nodes, _ = notebook("togethercomputer-together-cookbook__finetuning_guide.ipynb")
    base = nodes["model:together:meta-llama/Meta-Llama-3.1-8B-Instruct-Reference"]
    assert base.props["role"] == "base"
    assert [
        u for u in nodes if u.startswith("dataset:") and u.endswith("coqa_prepared_train.jsonl")
    ]
    assert [n for n in nodes.values() if n.props.get("egress") == "wandb"]


def test_bedrock_knowledge_base_embeds_with_the_model_in_its_arn() -> None:
    """``boto3.client('bedrock-agent').create_knowledge_base(knowledgeBaseConfiguration=
    {"vectorKnowledgeBaseConfiguration": {"embeddingModelArn": f"arn:aws:bedrock:{aws_region}
    ::foundation-model/{embedding_model_id}"}})`` with the region known only at run time."""
    models = _models("aws-samples-amazon-bedrock-workshop__create_kb_and_ingest")
    titan = models["model:bedrock:amazon.titan-embed-text-v2:0"]
    assert (titan.props["provider"], titan.props["model_type"]) == ("bedrock", "embedding")
