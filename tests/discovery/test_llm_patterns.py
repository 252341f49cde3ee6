"""Issue 15, LLM/embedding models on real files: the id, provider and role a reader of each
SDK's docs would name (sources and licences in the cases' expected.yaml files)."""

from __future__ import annotations

from real_facts import config, flows, notebook

from lineage.model import Node


def _models(nodes: dict[str, Node]) -> dict[str, str]:
    """model uid -> provider."""
    return {u: str(n.props.get("provider")) for u, n in nodes.items() if u.startswith("model:")}


def test_openai_client_reads_its_base_url_from_the_environment() -> None:
    """aws-samples-amazon-bedrock-workshop__mantle_openai_compatible:
    ``os.environ["OPENAI_BASE_URL"] = "https://bedrock-mantle.us-east-1.api.aws/v1"`` then
    ``client = OpenAI()`` / ``client.chat.completions.create(model="openai.gpt-oss-120b", ...)``:
    the calls go to Bedrock, not to OpenAI."""
    nodes, _ = notebook("aws-samples-amazon-bedrock-workshop__mantle_openai_compatible.ipynb")
    models = _models(nodes)
    assert models == {"model:bedrock:openai.gpt-oss-120b": "bedrock"}


def test_langchain_openai_embeddings_on_an_azure_api_base_from_the_environment() -> None:
    """pinecone-io-examples__azure_openai_retrieval: ``os.environ['OPENAI_API_BASE'] =
    'https://azure-pinecone-demo.openai.azure.com/'`` then ``OpenAIEmbeddings(
    deployment='embedding', model='text-embedding-ada-002')``."""
    nodes, _ = notebook("pinecone-io-examples__azure_openai_retrieval.ipynb")
    models = _models(nodes)
    assert models["model:azure_openai:text-embedding-ada-002"] == "azure_openai"
    assert "model:openai:text-embedding-ada-002" not in models


def test_embedchain_section_key_typed_with_a_doubled_colon_is_still_the_section() -> None:
    """mem0ai-mem0__embedchain_configs_aws_bedrock.yaml: ``embedder::`` / ``provider:
    aws_bedrock`` / ``model: amazon.titan-embed-text-v2:0``."""
    nodes, _ = config("mem0ai-mem0__embedchain_configs_aws_bedrock.yaml")
    models = _models(nodes)
    assert models["model:bedrock:amazon.titan-embed-text-v2:0"] == "bedrock"
    assert models["model:bedrock:amazon.titan-text-express-v1"] == "bedrock"
    assert nodes["model:bedrock:amazon.titan-embed-text-v2:0"].props["model_type"] == "embedding"


def test_weaviate_v3_class_vectorizer_is_the_embedding_model() -> None:
    """weaviate-weaviate-examples__quickstart_code: ``class_obj = {"class": "Question",
    "vectorizer": "text2vec-openai"}`` / ``client.schema.create_class(class_obj)``: Weaviate
    embeds with OpenAI's module default of that generation, recorded as implied."""
    nodes, _ = notebook("weaviate-weaviate-examples__quickstart_code.ipynb")
    model = nodes["model:openai:text-embedding-ada-002"]
    assert model.props["model_type"] == "embedding"
    assert model.props["implied"] is True
    index = next(n for u, n in nodes.items() if u.startswith("vectorindex:"))
    assert index.props["embedding_model"] == "model:openai:text-embedding-ada-002"


def test_llamacpp_convert_and_quantize_derive_gguf_files_from_the_hub_checkout() -> None:
    """mistralai-cookbook__quantization_gguf_llamacpp: ``!git clone
    https://{user_name}:{hf_token}@huggingface.co/{model_id}``, ``fp16 =
    f"{model_name}/{model_name.lower()}.fp16.bin"`` / ``!python llama.cpp/convert_hf_to_gguf.py
    {model_name} --outtype f16 --outfile {fp16}``, then ``!./llama.cpp/llama-quantize {fp16}
    {qtype} {method}`` (the variables are set in the same cells as the ``!`` lines)."""
    nodes, edges = notebook("mistralai-cookbook__quantization_gguf_llamacpp.ipynb")
    base = "model:huggingface:mistralai/Mistral-7B-Instruct-v0.3"
    fp16 = "model:local:Mistral-7B-Instruct-v0.3/mistral-7b-instruct-v0.3.fp16.bin"
    gguf = "model:llamacpp:Mistral-7B-Instruct-v0.3/mistral-7b-instruct-v0.3.Q4_K_M.gguf"
    assert nodes[base].props["role"] == "base"
    assert {(base, fp16, "transform"), (fp16, gguf, "transform")} <= flows(edges)


def test_a_subclass_of_a_library_embeddings_class_is_built_as_its_base() -> None:
    """googlecloudplatform-generative-ai__code_retrieval_augmented_generation: ``class
    CustomVertexAIEmbeddings(VertexAIEmbeddings):`` then ``embeddings =
    CustomVertexAIEmbeddings(requests_per_minute=EMBEDDING_QPM, ...,
    model_name="text-embedding-005", ...)``."""
    nodes, _ = notebook(
        "googlecloudplatform-generative-ai__code_retrieval_augmented_generation.ipynb"
    )
    model = nodes["model:vertex:text-embedding-005"]
    assert model.props["model_type"] == "embedding"
    assert model.props["provider"] == "vertex"


def test_lancedb_registry_embedder_is_a_local_hub_model_not_sent_to_the_lm() -> None:
    """lancedb-vectordb-recipes__dspy_lancedb_beautypets: ``get_registry()
    .get("huggingface") .create(name="BAAI/bge-small-en-v1.5", device=device)`` inside a
    retriever that a DSPy module calls; the embedder is the retriever's, not a prompt."""
    nodes, edges = notebook("lancedb-vectordb-recipes__dspy_lancedb_beautypets.ipynb")
    uid = "model:huggingface:BAAI/bge-small-en-v1.5"
    assert nodes[uid].props["model_type"] == "embedding"
    assert nodes[uid].props["origin"] == "local"
    assert not [f for f in flows(edges) if f[0] == uid and f[2] == "infer"]


def test_a_model_id_asked_at_run_time_with_a_literal_fallback_is_the_fallback() -> None:
    """elastic-elasticsearch-labs__bedrock_langchain_qa: ``default_model_id =
    "amazon.titan-text-express-v1"`` / ``AWS_MODEL_ID = input(f"AWS model [default:
    {default_model_id}]: ") or default_model_id`` / ``llm = Bedrock(client=bedrock_client,
    model_id=AWS_MODEL_ID)``."""
    nodes, _ = notebook("elastic-elasticsearch-labs__bedrock_langchain_qa.ipynb")
    model = nodes["model:bedrock:amazon.titan-text-express-v1"]
    assert model.props["provider"] == "bedrock"


def test_elser_installed_in_the_cluster_is_an_in_cluster_embedding_model() -> None:
    """elastic-elasticsearch-labs__agentic_rag_news_assistant: ``def install_elser(es,
    model_id): ... es.ml.put_trained_model(model_id=model_id, input={"field_names":
    ["text_field"]})`` called as ``install_elser(es, ".elser_model_2")``."""
    nodes, _ = notebook("elastic-elasticsearch-labs__agentic_rag_news_assistant.ipynb")
    model = nodes["model:elasticsearch:.elser_model_2"]
    assert model.props["model_type"] == "embedding"
    assert model.props["origin"] == "local"


def test_weaviate_cloud_sandbox_modules_run_their_tagged_models() -> None:
    """weaviate-weaviate-examples__qa_workshop_answers: ``modules = [{"name":
    "text2vec-transformers", "tag": "sentence-transformers-paraphrase-MiniLM-L6-v2"}, {"name":
    "qna-transformers", "tag": "bert-large-uncased-whole-word-masking-finetuned-squad"}]`` /
    ``weaviate_url = my_wcs.create(cluster_name, with_auth=with_auth, modules=modules, ...)``."""
    nodes, _ = notebook("weaviate-weaviate-examples__qa_workshop_answers.ipynb")
    embedder = nodes["model:weaviate:sentence-transformers-paraphrase-MiniLM-L6-v2"]
    assert embedder.props["model_type"] == "embedding"
    qna = nodes["model:weaviate:bert-large-uncased-whole-word-masking-finetuned-squad"]
    assert qna.props["model_type"] == "other"


def test_a_together_model_named_after_a_fine_tune_of_this_notebook_is_fine_tuned() -> None:
    """togethercomputer-together-cookbook__finetuning_guide: ``client.fine_tuning.create(
    ..., model = 'meta-llama/Meta-Llama-3.1-8B-Instruct-Reference', ..., suffix = 'test1_8b')``
    then ``client.chat.completions.create(model="zainhas/Meta-Llama-3.1-8B-Instruct-Reference-
    test1_8b-e5a0fb5d-ded38e09", ...)``."""
    nodes, _ = notebook("togethercomputer-together-cookbook__finetuning_guide.ipynb")
    name = "zainhas/Meta-Llama-3.1-8B-Instruct-Reference-test1_8b-e5a0fb5d-ded38e09"
    assert nodes[f"model:together:{name}"].props["origin"] == "fine_tuned"
    base = nodes["model:together:meta-llama/Meta-Llama-3.1-8B-Instruct-Reference"]
    assert base.props["origin"] == "third_party_api"


def test_a_litellm_route_with_a_bare_provider_prefix_is_named_by_its_alias() -> None:
    """berriai-litellm__proxy_server_config.yaml: ``- model_name: dall-e-2`` / ``litellm_params:``
    / ``model: azure/`` / ``api_base: https://openai-gpt-4-test-v-1.openai.azure.com/``."""
    nodes, _ = config("berriai-litellm__proxy_server_config.yaml")
    models = _models(nodes)
    assert models["model:azure_openai:dall-e-2"] == "azure_openai"
    assert "model:azure_openai:azure/" not in models


def test_haystack_image_build_args_bake_models_into_the_service() -> None:
    """docker-compose.deepset-ai-haystack-demos__airgapped_rest_api.yml: ``build: args:
    hf_model_names: "['sentence-transformers/all-MiniLM-L6-v2']"`` and
    ``container_model_path: /opt/models/fine-tuned-reader``."""
    nodes, _ = config("docker-compose.deepset-ai-haystack-demos__airgapped_rest_api.yml")
    models = _models(nodes)
    assert models["model:huggingface:sentence-transformers/all-MiniLM-L6-v2"] == "huggingface"
    assert models["model:local:/opt/models/fine-tuned-reader"] == "local"


def test_keywords_passed_on_through_a_kwargs_parameter_name_the_model() -> None:
    """mistralai-cookbook__langfuse_mistral_sdk: ``def mistral_completion(**kwargs): ...
    res = mistral_client.chat.complete(**kwargs)`` called as ``mistral_completion(
    model="mistral-small-latest", max_tokens=1024, ...)``."""
    nodes, _ = notebook("mistralai-cookbook__langfuse_mistral_sdk.ipynb")
    assert _models(nodes)["model:mistral:mistral-small-latest"] == "mistral"
