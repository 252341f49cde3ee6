"""Vector-DB and RAG configs as lineage: indexes, their servers, feeds and retrieving apps.

Formats: embedchain/mem0 YAML, Haystack pipeline YAML, Qdrant and Chroma server configs,
docker-compose services running vector databases, LangChain/LlamaIndex pipelines declared as
data. See :data:`ingest.vector_config.facts.FORMATS`.
"""

from ingest.vector_config.facts import FORMATS, Format, detect_format, vector_config_facts
from ingest.vector_config.load import Limits, load_config_text

__all__ = [
    "FORMATS",
    "Format",
    "Limits",
    "detect_format",
    "load_config_text",
    "vector_config_facts",
]
