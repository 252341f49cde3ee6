"""Vertex AI RAG Engine: a managed corpus that chunks, embeds and retrieves is a vector index.

``rag.create_corpus(display_name=...)`` (``vertexai.rag``) or ``client.rag.create_corpus(
rag_corpus=RagCorpus(display_name=...))`` makes it; ``upload_file(corpus_name, path)`` and
``import_files(corpus_name, paths=[...])`` (or an ``import_config`` naming Cloud Storage URIs
or Drive resources) embed files into it; a ``VertexRagStore`` naming it, in a retrieval
``Tool`` given to ``generate_content``, feeds what it retrieves to the model (the generic
provenance of the call turns that into a ``retrieve`` flow).
"""

from __future__ import annotations

from ingest.notebook.recognisers.common import dataset_at
from ingest.notebook.recognisers.registry import Call, Rule
from ingest.notebook.values import Val, union
from ingest.vector_config.naming import vector_index_uid
from lineage import ids
from lineage.model import EdgeKind, Kind

__all__ = ["RULES"]

_ENGINE = "vertex_rag"


def _corpus_spec(call: Call) -> Val | None:
    """``types.RagCorpus(display_name=...)``: the name the corpus will have."""
    return Val(tag=call.qual).with_attrs(display_name=call.text(None, "display_name") or "")


def _create_corpus(call: Call) -> Val | None:
    spec = call.arg(None, "rag_corpus")
    name = call.text(None, "display_name") or spec.attrs.get("display_name")
    name = name or call.ctx.target or "rag_corpus"
    uid = vector_index_uid(_ENGINE, name)
    call.ctx.out.node(uid, engine=_ENGINE, collection=name, managed=True)
    return Val(tag="vertex.RagCorpus", asset=uid).with_attrs(
        role="vector_index", engine=_ENGINE, namespace=_ENGINE
    )


def _read(call: Call, locations: list[object]) -> set[str]:
    found: set[str] = set()
    for location in locations:
        uid = dataset_at(call, location) if isinstance(location, str) else None
        if uid is not None:
            call.ctx.out.reads(uid)
            found.add(uid)
    return found


def _sources(call: Call) -> Val | None:
    """``GcsSource(uris=[...])`` / ``GoogleDriveSourceResourceId(resource_id=...)``."""
    uris = call.arg(None, "uris").const
    locations = list(uris) if isinstance(uris, (list, tuple)) else []
    locations.append(call.text(None, "resource_id"))
    return Val(tag=call.qual, data=frozenset(_read(call, locations)))


def _into_corpus(call: Call) -> Val | None:
    given = union([*call.args, *call.kwargs.values()]).carried()
    corpora = [u for u in given if ids.kind_of(u) is Kind.VECTOR_INDEX]
    if not corpora:
        return None
    paths = call.arg(None, "paths").const
    locations = [call.text(None, "path"), *(paths if isinstance(paths, (list, tuple)) else [])]
    files = _read(call, locations) | {u for u in given if ids.kind_of(u) is Kind.DATASET}
    for corpus in corpora:
        call.ctx.flow_into(files, corpus, EdgeKind.EMBED)
    return Val(data=frozenset(corpora))


RULES: tuple[Rule, ...] = (
    Rule(("*.RagCorpus",), _corpus_spec, "RAG Engine corpus specs"),
    Rule(("*.rag.create_corpus",), _create_corpus, "RAG Engine corpora"),
    Rule(("*.GcsSource", "*.GoogleDriveSourceResourceId"), _sources, "RAG Engine file sources"),
    Rule(("*.rag.upload_file", "*.rag.import_files"), _into_corpus, "RAG Engine imports"),
)
