"""A method called on an instance of a notebook's own class runs with ``self`` that instance,
so what ``__init__`` stored (a memory, a client) is what the method uses. Real file from
tests/corpus/real (source and licence in the case's expected.yaml)."""

from __future__ import annotations

from real_facts import flows as _flows
from real_facts import notebook as _facts


def test_memories_searched_in_one_method_reach_the_llm_called_in_another() -> None:
    """mem0 customer_support_chatbot::

    class SupportChatbot:
        def __init__(self):
            self.client = anthropic.Client(...)
            self.memory = Memory.from_config(self.config)
        def get_relevant_history(self, user_id, query):
            return self.memory.search(query=query, user_id=user_id, limit=5)
        def handle_customer_query(self, user_id, query):
            relevant_history = self.get_relevant_history(user_id, query)
            ...  # the memories go into the prompt of self.client.messages.create(...)

    chatbot = SupportChatbot()
    response = chatbot.handle_customer_query(user_id, query)
    """
    _, edges = _facts("mem0ai-mem0__customer_support_chatbot.ipynb")
    claude = "model:anthropic:claude-3-5-sonnet-latest"
    assert ("vectorindex:qdrant:mem0", claude, "retrieve") in _flows(edges)
