"""Ids for AI assets, shared by the notebook and the vector-config ingestors.

One naming scheme, so that the Qdrant collection a notebook writes and the one a RAG config
reads meet as one node. OpenLineage naming where it has a word for it, else a plain word:

============================  =================================  ==========================
asset                         namespace                          name
============================  =================================  ==========================
local file                    ``file``                           the path as written
object store key              ``s3://bucket`` (gs, abfss, ...)   the key
Hugging Face dataset          ``huggingface``                    repo id (``org/name``)
web page / API document       ``https://host``                   the path (``/`` if none)
Hugging Face model            ``huggingface``                    repo id
third-party LLM / embedding   the provider (``openai``, ...)     the model name
model trained in a notebook   ``notebook``                       ``<notebook path>#<var>``
vector index on a server      ``<engine>://host:port``           the collection
vector index, no server known  ``<engine>``                       the collection
endpoint                      the framework (``gradio``, ...)    ``<notebook path>#<var>``
============================  =================================  ==========================
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import SplitResult, urlsplit

from lineage import ids
from lineage.model import Kind

__all__ = [
    "DEFAULT_PORTS",
    "dataset_for_location",
    "endpoint_uid",
    "engine_namespace",
    "hf_dataset_uid",
    "model_uid",
    "url_port",
    "vector_index_uid",
]

DEFAULT_PORTS = {
    "qdrant": 6333,
    "chroma": 8000,
    "milvus": 19530,
    "weaviate": 8080,
    "elasticsearch": 9200,
    "opensearch": 9200,
    "postgres": 5432,
    "mongodb": 27017,
}
_AZURE_STORES = ("wasb", "wasbs", "abfs", "abfss")  # container@account.<service>
_OBJECT_STORES = ("s3", "s3a", "s3n", "gs", "gcs", "abfs", "abfss", "wasb", "wasbs", "az", "hdfs")
_WIN_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def url_port(parts: SplitResult) -> int | None:
    """The URL's port, or None when absent or not a number (``http://host:{PORT}/``: a port
    filled in at run time; the host is still known)."""
    try:
        return parts.port
    except ValueError:
        return None


def dataset_for_location(location: str, base: str = "") -> tuple[str, str] | None:
    """(namespace, name) for a path or URL a notebook reads or writes; None if not a location.

    >>> dataset_for_location("s3://bucket/raw/x.parquet")
    ('s3://bucket', 'raw/x.parquet')
    >>> dataset_for_location("./data/train.csv")
    ('file', 'data/train.csv')
    >>> dataset_for_location("The-AI-Act.pdf", base="notebooks")
    ('file', 'notebooks/The-AI-Act.pdf')

    Relative paths resolve against ``base`` (the notebook's folder), as the kernel would;
    a bare file name keeps a ``./`` so that ids keep its case (file systems are
    case-sensitive, and the id module folds only identifiers without a ``/``).
    """
    text = location.strip()
    if not text or "\n" in text or len(text) > 1024:
        return None
    if "://" in text:
        try:
            parts = urlsplit(text)
            parts.hostname  # noqa: B018 - a bracketed host that is no IP raises here too
        except ValueError:  # ``gs://[your-project-id]/...``: not a location urllib accepts
            return None
        scheme = parts.scheme.lower()
        if scheme == "file":
            return "file", parts.path or "/"
        if scheme in ("hf", "huggingface"):
            repo = (parts.netloc + parts.path).removeprefix("datasets/").strip("/")
            return ("huggingface", repo) if repo else None
        if not parts.hostname:
            return None
        # never keep credentials from a URL in an id
        netloc = parts.hostname + (f":{url_port(parts)}" if url_port(parts) else "")
        if scheme in _AZURE_STORES and parts.username and parts.password is None:
            netloc = f"{parts.username}@{netloc}"  # the container/file system, not a user
        if scheme in _OBJECT_STORES or scheme in ("http", "https", "ftp"):
            name = parts.path.lstrip("/") if scheme in _OBJECT_STORES else (parts.path or "/")
            return f"{scheme}://{netloc}", name or "/"
        return f"{scheme}://{netloc}", parts.path.lstrip("/") or "/"
    if _WIN_DRIVE.match(text):
        return "file", text.replace("\\", "/")
    if text in (".", "/", "./"):
        return None
    if not text.startswith(("/", "~")):
        text = posixpath.normpath(posixpath.join(base, text.replace("\\", "/")))
        if "/" not in text:
            text = "./" + text
    return "file", text


def hf_dataset_uid(repo_id: str) -> str:
    return ids.dataset_id("huggingface", repo_id.strip().strip("/"))


def model_uid(namespace: str, name: str) -> str:
    return ids.make(Kind.MODEL, namespace, name)


def endpoint_uid(namespace: str, name: str) -> str:
    return ids.make(Kind.ENDPOINT, namespace, name)


def engine_namespace(
    engine: str, url: str | None = None, *, host: str | None = None, port: int | str | None = None
) -> str:
    """``qdrant://host:6333`` when a server is named, else the bare engine word.

    In-memory and embedded (local path) engines get the bare word: there is no server.
    """
    engine = engine.lower()
    if url and "://" in url:
        parts = urlsplit(url)
        if parts.hostname:
            host = parts.hostname
            port = url_port(parts) or port
    elif url and not host and url not in (":memory:",) and "/" not in url and "." not in url:
        host = url
    if not host:
        return engine
    port = port or DEFAULT_PORTS.get(engine)
    return f"{engine}://{host.lower()}" + (f":{port}" if port else "")


def vector_index_uid(namespace: str, collection: str) -> str:
    return ids.make(Kind.VECTOR_INDEX, namespace, collection)
