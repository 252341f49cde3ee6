"""mem0: ``Memory()`` / ``Memory.from_config({...})`` as the vector index it stores memories in.

A mem0 ``Memory`` embeds what ``add`` is given into a vector store and returns it from
``search``; its LLM extracts facts from the messages. The store, embedder and LLM come from
the config's ``vector_store``/``embedder``/``llm`` sections, or mem0's defaults (Qdrant
collection ``mem0`` on a local path, OpenAI ``text-embedding-3-small`` and ``gpt-5-mini``),
recorded with ``implied: true``. The value returned is the index, so the generic write and
search rows of :mod:`.vector` turn ``m.add(messages)`` into an ``embed`` flow and what
``m.search(...)`` returns into retrieved data. A config the analysis cannot read (built at
run time) is not guessed at.
"""

from __future__ import annotations

from ingest.notebook.recognisers.registry import Call, Rule
from ingest.notebook.values import Val
from ingest.vector_config.embedchain import mem0_memory
from lineage import ids

__all__ = ["RULES"]


def _memory(call: Call) -> Val | None:
    if call.qual.endswith("from_config"):
        config = call.arg(0, "config_dict").const
    else:
        given = call.arg(None, "config")
        config = {} if not (given.tag or given.const or given.data) else given.const
    if not isinstance(config, dict):
        return None
    index, embedder, _ = mem0_memory(call.ctx.out, config)
    namespace = ids.parse(index).namespace
    engine = str(call.ctx.out.node_props(index).get("engine") or namespace)
    return Val(tag="mem0.Memory", asset=index).with_attrs(
        role="vector_index",
        engine=engine,
        namespace=namespace,
        embedder=Val(asset=embedder).with_attrs(role="embedding"),
    )


RULES: tuple[Rule, ...] = (
    Rule(
        ("mem0.Memory", "mem0.Memory.from_config", "mem0.AsyncMemory*"),
        _memory,
        "mem0 memories",
    ),
)
