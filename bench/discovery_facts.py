"""What our ingestors report for one corpus artefact, in the corpus schema's fact kinds.

The artefact goes through the same ingestors ``lineage ingest`` uses (notebook, vector/RAG
config incl. docker-compose, dbt/SQL), with ids relative to the artefact's folder. The graph
facts (nodes, edges, labels) are then read the way a security engineer reads the inventory:

- models: Model nodes, with the schema's provider and role derived from the node's namespace
  and props (``origin``, ``model_type``, ``provider``) and from its edges (the source of a
  ``fine_tune`` flow is a ``base`` model); a model trained here is also known by the names
  it is exported under (``export`` flows);
- vector_indexes: VectorIndex nodes (engine, collection; none when named only by a variable);
- datasets_read / datasets_written: the job's READS / WRITES edges (for a project folder,
  one job per model, a model read by another is internal: its inputs are the datasets it reads
  and does not build);
- flows: FLOWS_TO edges with their ``kind``;
- endpoints: Endpoint nodes that serve (not egress services);
- secrets: SECRET labels; egress: Endpoint nodes marked ``egress`` (tracing services).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.discovery_schema import ENGINES, FACT_KEYS, PROVIDERS, words
from ingest.notebook import notebook_facts
from ingest.vector_config import vector_config_facts
from lineage import ids
from lineage.model import Edge, Fact, Kind, Labeling, Node, Problem, Rel, Severity

__all__ = [
    "FACT_KINDS",
    "Produced",
    "dataset_parts",
    "model_ids",
    "norm_id",
    "produced_facts",
    "suffix_len",
    "template_match",
]

FACT_KINDS = FACT_KEYS  # one list of fact kinds: the expectation schema's
CONFIG_SUFFIXES = (".yaml", ".yml", ".json", ".toml")

# -- normalisation (see RULES in discovery_accuracy) ------------------------------------------

_FILE_EXT = re.compile(r"\.[A-Za-z0-9]{1,8}$")
_DATA_EXTS = words(
    "csv tsv json jsonl parquet txt pdf xlsx xls pkl pickle bin pt db md html xml zip gz tar "
    "arrow feather npy npz h5 hdf5 sqlite yaml yml avro orc png jpg jpeg wav mp3 mp4 docx pptx "
    "ipynb py onnx safetensors joblib sav model"
)


def norm_id(text: Any) -> str:
    return str(text or "").strip().lower()


def model_ids(text: Any, provider: str) -> set[str]:
    """The spellings one model id may take: as written, without ``./`` or a trailing ``/``,
    and without a leading ``<provider>/`` when that word is the fact's provider."""
    base = norm_id(text)
    stripped = base.removeprefix("./").rstrip("/")
    out = {base, stripped}
    head, sep, tail = stripped.partition("/")
    if sep and head == norm_id(provider) and head in PROVIDERS:
        out.add(tail)
    return {o for o in out if o}


_TEMPLATE_PART = re.compile(r"\{[^{}]*\}")


def template_match(expected: str, reported: str) -> bool:
    """An expected id with unresolved ``{expr}`` parts matches a reported one that resolved
    any of them (or kept them): each ``{expr}`` stands for itself or for any text."""
    if "{" not in expected:
        return False
    pattern = "".join(
        f"(?:{re.escape(m)}|.+)" if _TEMPLATE_PART.fullmatch(m) else re.escape(m)
        for m in re.split(r"(\{[^{}]*\})", expected.strip().lower())
        if m
    )
    return re.fullmatch(pattern, reported.strip().lower()) is not None


def dataset_parts(text: str) -> tuple[str, ...]:
    """A dataset string as comparable components (path parts, or table name parts)."""
    s = str(text).strip().lower().removeprefix("file://")
    s = re.sub(r"^[a-z][a-z0-9+.-]*://", "", s).removeprefix("www.")
    while s.startswith("./"):
        s = s[2:]
    s = s.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    if "/" in s:
        return tuple(p for p in s.split("/") if p not in ("", "."))
    m = _FILE_EXT.search(s)
    if m and m.group(0)[1:] in _DATA_EXTS:
        return (s,)
    return tuple(p for p in s.split(".") if p)


def suffix_len(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    """Components in common at the end, when the shorter is wholly a suffix of the longer."""
    if not a or not b:
        return 0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) if long_[len(long_) - len(short) :] == short else 0


# our provider words -> the schema's (a word outside the schema's vocabulary is "other")
_PROVIDER = {
    "internal": "local",
    "mlflow": "local",
    "huggingface_api": "hf_inference",
    "hf_inference_endpoints": "hf_inference",
    "self_hosted": "other",
    "openai_compatible": "other",
    "litellm": "other",
    "fastembed": "huggingface",
}
_MANAGED = ("sagemaker", "vertex", "azureml")
# our engine words -> the schema's (LlamaIndex's and Haystack's default stores live in memory)
_ENGINE_WORDS = {"llama_index": "inmemory", "haystack_inmemory": "inmemory"}
_TRAINED_ORIGINS = {"trained": "trained", "fine_tuned": "fine_tuned"}
_EXPORTED_ORIGINS = ("saved", "published", "logged", "registered")
_ROLE_BY_TYPE = {
    "llm": "llm",
    "embedding": "embedding",
    "reranker": "reranker",
    "classifier": "classifier",
}


@dataclass(frozen=True, slots=True)
class End:
    """One end of a reported flow: its display text and what matching needs."""

    text: str
    keys: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class PFlow:
    src: End
    dst: End
    kind: str


@dataclass
class PModel:
    name: str
    names: set[str]
    provider: str
    role: str


@dataclass(frozen=True, slots=True)
class PIndex:
    engine: str
    collection: str | None


@dataclass(frozen=True, slots=True)
class PEndpoint:
    name: str
    kind: str


@dataclass
class Produced:
    models: list[PModel] = field(default_factory=list)
    indexes: list[PIndex] = field(default_factory=list)
    reads: set[str] = field(default_factory=set)
    writes: set[str] = field(default_factory=set)
    flows: list[PFlow] = field(default_factory=list)
    endpoints: list[PEndpoint] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)
    egress: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def run_ingestors(artefact: Path, root: Path) -> list[Fact]:
    """Every fact our ingestors produce for ``artefact`` (a file or a project folder)."""
    ref = artefact.relative_to(root).as_posix()
    if artefact.is_dir():
        from ingest.sql.project import project_facts

        return list(project_facts(artefact, ref=ref))
    if artefact.suffix == ".ipynb":
        return list(notebook_facts(artefact, ref=ref))
    if artefact.suffix in CONFIG_SUFFIXES:
        return list(vector_config_facts(artefact, ref=ref))
    if artefact.suffix == ".sql":
        from ingest.sql import sql_facts

        text = artefact.read_text(encoding="utf-8", errors="replace")
        return list(sql_facts(text, namespace="sql", path=ref))
    raise ValueError(f"{artefact}: no ingestor for this kind of file")


def dataset_text(uid: str) -> str:
    """The dataset as the schema writes it: a path, a URL, a hub id or a table name."""
    parsed = ids.parse(uid)
    ns, name = parsed.namespace, parsed.name
    if ns == "file" or ns == "huggingface":
        return name
    if "://" in ns:
        scheme = ns.split("://", 1)[0]
        if scheme in ("http", "https", "ftp", "s3", "s3a", "gs", "gcs", "abfss", "az", "hdfs"):
            return ns + ("" if name.startswith("/") else "/") + name
    return name  # a table: its (qualified) name


def _model_provider(node: Node) -> str:
    props = node.props
    if node.namespace == "notebook" or node.namespace == "file":
        # trained here, unless a managed platform trained it (named by the notebook variable)
        return props["provider"] if props.get("provider") in _MANAGED else "local"
    provider = str(props.get("provider") or node.namespace).lower()
    if provider == "huggingface" and props.get("origin") == "third_party_api":
        return "hf_inference"
    provider = _PROVIDER.get(provider, provider)
    return provider if provider in PROVIDERS else "other"


class _Graph:
    def __init__(self, facts: Iterable[Fact]) -> None:
        self.nodes: dict[str, Node] = {}
        self.edges: list[Edge] = []
        self.labels: list[Labeling] = []
        self.problems: list[Problem] = []
        for f in facts:
            if isinstance(f, Node):
                self.nodes[f.uid] = f
            elif isinstance(f, Edge):
                self.edges.append(f)
            elif isinstance(f, Labeling):
                self.labels.append(f)
            elif isinstance(f, Problem):
                self.problems.append(f)
        self.flows = [e for e in self.edges if e.rel is Rel.FLOWS_TO]
        self.out: dict[str, list[Edge]] = defaultdict(list)
        self.into: dict[str, list[Edge]] = defaultdict(list)
        for e in self.flows:
            self.out[e.src].append(e)
            self.into[e.dst].append(e)

    def node(self, uid: str) -> Node:
        node = self.nodes.get(uid)
        if node is None:
            parsed = ids.parse(uid)
            node = Node(uid, parsed.kind, parsed.name or parsed.namespace, parsed.namespace, {})
        return node

    def is_egress(self, uid: str) -> bool:
        return bool(self.node(uid).props.get("egress"))

    def model_role(self, node: Node) -> str:
        props = node.props
        origin = str(props.get("origin") or "")
        if origin in _TRAINED_ORIGINS:
            return _TRAINED_ORIGINS[origin]
        if origin in _EXPORTED_ORIGINS:  # a saved copy plays the role of what was saved
            for e in self.into.get(node.uid, []):
                if e.props.get("kind") == "export" and ids.kind_of(e.src) is Kind.MODEL:
                    return self.model_role(self.node(e.src))
        if props.get("role") in ("reranker", "classifier", "base"):
            return str(props["role"])
        if any(e.props.get("kind") == "fine_tune" for e in self.out.get(node.uid, [])):
            return "base"
        kind = str(props.get("model_type") or "")
        return _ROLE_BY_TYPE.get(kind, "other")

    def model_names(self, node: Node) -> set[str]:
        """A model's own name, plus the names of its exported copies (for trained ones)."""
        names = {_own_name(node)}
        if node.props.get("template"):
            names.add(str(node.props["template"]))
        for e in self.out.get(node.uid, []):
            if e.props.get("kind") == "export" and ids.kind_of(e.dst) is Kind.MODEL:
                names.add(_own_name(self.node(e.dst)))
        return names

    def index(self, node: Node) -> PIndex:
        engine = str(node.props.get("engine") or node.namespace.split("://", 1)[0]).lower()
        engine = _ENGINE_WORDS.get(engine, engine)
        engine = engine if engine in ENGINES else "other"  # the schema's closed vocabulary
        collection = node.props.get("collection", node.name)
        named_by_var = "#" in str(collection) or node.props.get("collection_known") is False
        return PIndex(engine, None if named_by_var else str(collection).lower())

    def end(self, uid: str) -> End:
        node = self.node(uid)
        kind = node.kind
        if kind is Kind.DATASET:
            text = dataset_text(uid)
            return End(f"dataset:{text}", {"prefix": "dataset", "parts": [dataset_parts(text)]})
        if kind is Kind.COLUMN:
            text = dataset_text(ids.parse(uid).dataset)
            return End(f"dataset:{text}", {"prefix": "dataset", "parts": [dataset_parts(text)]})
        if kind is Kind.MODEL:
            names = self.model_names(node)
            all_ids = set().union(*(model_ids(n, _model_provider(node)) for n in names))
            return End(f"model:{_own_name(node)}", {"prefix": "model", "ids": all_ids})
        if kind is Kind.VECTOR_INDEX:
            idx = self.index(node)
            names = {idx.collection or idx.engine}
            return End(f"index:{idx.collection or idx.engine}", {"prefix": "index", "names": names})
        if kind is Kind.ENDPOINT and self.is_egress(uid):
            service = str(node.props.get("egress")).lower()
            return End(f"egress:{service}", {"prefix": "egress", "names": {service}})
        if kind is Kind.ENDPOINT:
            ep = _endpoint(node)
            names = {ep.kind, ep.name.lower()}
            if node.props.get("template"):  # a name built at run time, as models keep it
                names.add(str(node.props["template"]).lower())
            return End(f"endpoint:{ep.name}", {"prefix": "endpoint", "names": names})
        return End(uid, {"prefix": kind.value.lower()})


def _owner(uid: str) -> str:
    return ids.parse(uid).dataset if ids.kind_of(uid) is Kind.COLUMN else uid


def _own_name(node: Node) -> str:
    if node.namespace == "notebook":  # trained here, named by its variable
        return node.name.rsplit("#", 1)[-1]
    return node.name


def _endpoint(node: Node) -> PEndpoint:
    kind = str(
        node.props.get("service_kind")
        or node.props.get("framework")
        or node.props.get("platform")
        or node.namespace
    )
    name = node.name.rsplit("#", 1)[-1]
    return PEndpoint(name, kind.lower())


def produced_facts(artefact: Path | None, root: Path) -> Produced:
    out = Produced()
    if artefact is None:
        out.errors.append("no artefact")
        return out
    try:
        facts = run_ingestors(artefact, root)
    except Exception as exc:  # the scorer reports any crash as the case's error
        out.errors.append(f"ingestor crashed: {type(exc).__name__}: {exc}")
        return out
    g = _Graph(facts)
    for p in g.problems:
        (out.errors if p.severity is Severity.ERROR else out.problems).append(str(p))
    copies = _exported_copies(g)
    for node in g.nodes.values():
        if node.kind is Kind.MODEL and node.uid not in copies:
            names = g.model_names(node)
            out.models.append(
                PModel(_own_name(node), names, _model_provider(node), g.model_role(node))
            )
        elif node.kind is Kind.MODEL:
            continue
        elif node.kind is Kind.VECTOR_INDEX:
            out.indexes.append(g.index(node))
        elif node.kind is Kind.ENDPOINT:
            if g.is_egress(node.uid):
                out.egress.add(str(node.props["egress"]).lower())
            else:
                out.endpoints.append(_endpoint(node))
    for e in g.edges:
        if e.rel is Rel.READS and ids.kind_of(e.dst) is Kind.DATASET:
            out.reads.add(dataset_text(e.dst))
        elif e.rel is Rel.WRITES and ids.kind_of(e.dst) is Kind.DATASET:
            out.writes.add(dataset_text(e.dst))
    if artefact.is_dir():  # a project: its inputs are what it reads and does not build itself
        out.reads -= out.writes
    seen: set[tuple[str, str, str]] = set()  # column edges of one dataset pair: one flow
    for e in g.flows:
        if e.dst in copies and e.props.get("kind") == "export":
            continue  # a trained model saved as itself: one fact, not a flow
        src, dst = g.end(e.src), g.end(e.dst)
        kind = str(e.props.get("kind") or "transform")
        ident = (_owner(e.src), _owner(e.dst), kind)
        if ident in seen:
            continue
        seen.add(ident)
        out.flows.append(PFlow(src, dst, kind))
    for lab in g.labels:
        if lab.label.category == "SECRET":
            out.secrets.add(lab.label.entity.lower())
    return out


def _exported_copies(g: _Graph) -> set[str]:
    """Saved/published copies of a model trained here: the same model fact, other names."""
    copies: set[str] = set()
    for e in g.flows:
        if e.props.get("kind") != "export":
            continue
        src = g.nodes.get(e.src)
        if src is None or ids.kind_of(e.dst) is not Kind.MODEL or src.kind is not Kind.MODEL:
            continue
        if str(src.props.get("origin")) in _TRAINED_ORIGINS:
            copies.add(e.dst)
    return copies
