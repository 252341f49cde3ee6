"""What a flow means: an agent object is no served endpoint, and an embedding vector is no
text a model is sent. Real files from tests/corpus/real (sources and licences in the cases'
expected.yaml)."""

from __future__ import annotations

from real_facts import flows as _flows
from real_facts import notebook as _facts


def test_an_agent_in_the_notebook_is_no_endpoint_and_its_model_reads_its_tools() -> None:
    """anthropic-cookbook claude_3_rag_agent::

        agent = ({...} | prompt.partial(tools=convert_tools(tools)) | llm.bind(...) | ...)
        agent_executor = AgentExecutor(agent=agent, tools=tools, verbose=True)

    with a Pinecone retriever tool: nothing serves the agent, so no endpoint; the index's
    passages reach Claude."""
    nodes, edges = _facts("anthropics-anthropic-cookbook__claude_3_rag_agent.ipynb")
    assert not [u for u in nodes if u.startswith("endpoint:")]
    claude = "model:anthropic:claude-3-opus-20240229"
    assert ("vectorindex:pinecone:claude-3-rag", claude, "retrieve") in _flows(edges)


def test_an_embedding_vector_used_to_pick_rows_is_not_sent_to_the_llm() -> None:
    """together-cookbook text_rag: ``query_embedding = generate_embeddings([query],
    'BAAI/bge-base-en-v1.5')``, cosine similarity picks ``movies_data[index]['title']`` and
    the titles go to ``meta-llama/Llama-3-8b-chat-hf``: the movies reach the LLM, the vector
    does not."""
    _, edges = _facts("togethercomputer-together-cookbook__text_rag.ipynb")
    llm = "model:together:meta-llama/Llama-3-8b-chat-hf"
    sent = {src for src, dst, kind in _flows(edges) if dst == llm and kind == "infer"}
    assert sent == {"dataset:file:datasets/movies.json"}
