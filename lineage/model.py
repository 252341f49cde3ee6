"""The graph model: node kinds, relationships, sensitivity labels and ingest facts.

Everything here is a small frozen value. Ingestors yield these facts; the pipeline writes
them; stores read them back. Property values are restricted to what both Neo4j and
FalkorDB can store (scalars and lists of scalars), checked once, here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

__all__ = [
    "Edge",
    "EdgeKind",
    "Fact",
    "Kind",
    "Label",
    "Labeling",
    "Node",
    "Problem",
    "PropValue",
    "Rel",
    "Severity",
    "check_props",
]

type Scalar = str | int | float | bool
type PropValue = Scalar | list[Scalar] | tuple[Scalar, ...]


class Kind(StrEnum):
    """Node kinds; each is also the node's second graph label next to ``Asset``."""

    SOURCE = "Source"
    DATASET = "Dataset"
    COLUMN = "Column"
    JOB = "Job"
    MODEL = "Model"
    VECTOR_INDEX = "VectorIndex"
    ENDPOINT = "Endpoint"
    PRINCIPAL = "Principal"

    @property
    def holds_data(self) -> bool:
        """Kinds that ``FLOWS_TO`` may connect (the data-holding ones)."""
        return self in _DATA_KINDS


_DATA_KINDS = frozenset({Kind.DATASET, Kind.COLUMN, Kind.MODEL, Kind.VECTOR_INDEX, Kind.ENDPOINT})


class Rel(StrEnum):
    """Relationship types. Only ``FLOWS_TO`` carries data."""

    FLOWS_TO = "FLOWS_TO"
    HAS_COLUMN = "HAS_COLUMN"
    CONTAINS = "CONTAINS"
    READS = "READS"
    WRITES = "WRITES"
    CAN_ACCESS = "CAN_ACCESS"
    ALIAS_OF = "ALIAS_OF"


class EdgeKind(StrEnum):
    """What a ``FLOWS_TO`` edge does with the data (its ``kind`` property)."""

    TRANSFORM = "transform"
    TRAIN = "train"
    FINE_TUNE = "fine_tune"
    EMBED = "embed"
    RETRIEVE = "retrieve"
    SERVE = "serve"
    INFER = "infer"
    EXPORT = "export"
    TRACE = "trace"  # prompts/responses copied to an observability service (egress)


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


NODE_RESERVED = frozenset({"uid", "kind", "name", "namespace", "labels"})
EDGE_RESERVED = frozenset({"key", "src", "dst", "rel"})
_KEY = re.compile(r"[A-Za-z_][\w.-]{0,127}")


def check_props(
    props: Mapping[str, Any], reserved: frozenset[str] = NODE_RESERVED
) -> dict[str, PropValue]:
    """Validate property names and values; drop ``None``. Raises ``TypeError`` naming the key."""
    out: dict[str, PropValue] = {}
    for key, value in props.items():
        if value is None:
            continue
        if key in reserved:
            raise TypeError(f"property {key!r} is reserved")
        if not _KEY.fullmatch(key):
            raise TypeError(f"property name {key!r} is not a plain identifier")
        if isinstance(value, (list, tuple)):
            if not all(isinstance(v, (str, int, float, bool)) for v in value):
                raise TypeError(f"property {key!r}: lists may hold only scalars")
            if len({_list_type(v) for v in value}) > 1:  # Neo4j stores only uniform lists
                raise TypeError(f"property {key!r}: a list must hold one type of scalar")
            out[key] = list(value)
        elif isinstance(value, (str, int, float, bool)):
            out[key] = value
        else:
            raise TypeError(f"property {key!r}: {type(value).__name__} is not storable")
    return out


def _list_type(value: Scalar) -> type:
    """Ints and floats mix (both are numbers to either store); bools and strings do not."""
    return float if type(value) is int else type(value)


def _frozen(props: Mapping[str, Any], reserved: frozenset[str]) -> Mapping[str, PropValue]:
    return MappingProxyType(check_props(props, reserved))


@dataclass(frozen=True, slots=True)
class Label:
    """A sensitivity label: a category (PII, PHI, PCI, SECRET, ...) and maybe one entity.

    Its string form is ``PII`` or ``PII:EMAIL_ADDRESS`` and is what the store keeps.
    """

    category: str
    entity: str = ""

    def __str__(self) -> str:
        return f"{self.category}:{self.entity}" if self.entity else self.category

    @classmethod
    def parse(cls, text: str) -> Label:
        category, _, entity = text.partition(":")
        if not category:
            raise ValueError(f"empty label {text!r}")
        return cls(category.upper(), entity.upper())


@dataclass(frozen=True, slots=True)
class Node:
    """A node fact. ``props`` are free properties (see :func:`check_props`)."""

    uid: str
    kind: Kind
    name: str
    namespace: str
    props: Mapping[str, PropValue] = field(default_factory=dict)
    source_ref: str = ""
    observed_at: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "props", _frozen(self.props, NODE_RESERVED))


@dataclass(frozen=True, slots=True)
class Edge:
    """An edge fact. ``key`` tells apart parallel edges of one type (e.g. the job ``via``)."""

    src: str
    rel: Rel
    dst: str
    props: Mapping[str, PropValue] = field(default_factory=dict)
    key: str = ""
    source_ref: str = ""
    observed_at: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "props", _frozen(self.props, EDGE_RESERVED))

    @property
    def ident(self) -> tuple[str, str, str, str]:
        return (self.src, self.rel.value, self.dst, self.key)


@dataclass(frozen=True, slots=True)
class Labeling:
    """An own label found on a node by a detector (or declared), never with raw values."""

    uid: str
    label: Label
    detector: str
    confidence: float = 1.0
    hits: int = 0
    sampled: int = 0
    source_ref: str = ""


@dataclass(frozen=True, slots=True)
class Problem:
    """A per-item ingest problem: reported, never fatal unless the caller asks for strict."""

    severity: Severity
    message: str
    source_ref: str = ""
    snippet: str = ""

    def __str__(self) -> str:
        where = f"{self.source_ref}: " if self.source_ref else ""
        return f"{self.severity.value}: {where}{self.message}"


type Fact = Node | Edge | Labeling | Problem
