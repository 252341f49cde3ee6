"""The recogniser table, assembled from one module per area (order matters: see registry).

>>> from ingest.notebook.recognisers import RECOGNISERS
>>> [r.what for r in RECOGNISERS.lookup("pandas.read_parquet")]
['pandas reads']
"""

from ingest.notebook.recognisers import (
    chroma,
    data_io,
    dspy,
    haystack,
    llm,
    managed,
    mem0,
    redis,
    serving,
    tracking,
    training,
    vector,
    vertex_azure,
    vertex_rag,
    weaviate,
)
from ingest.notebook.recognisers.registry import RECOGNISERS, Call, Context, Registry, Rule

__all__ = ["RECOGNISERS", "Call", "Context", "Registry", "Rule"]

for _table in (
    dspy.RULES,  # before the generic save/download rows
    data_io.RULES,
    training.RULES,
    tracking.RULES,
    managed.RULES,
    vertex_azure.RULES,
    vertex_rag.RULES,
    haystack.RULES,
    weaviate.RULES,  # before vector's generic collection/write rows
    mem0.RULES,
    chroma.RULES,
    redis.RULES,
    vector.RULES,
    serving.RULES,
    llm.RULES,
):
    RECOGNISERS.extend(_table)
