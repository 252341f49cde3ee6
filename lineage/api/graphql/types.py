"""GraphQL output types: thin views of the frozen results in ``queries/``.

Each type is built from a result value by a ``of()`` constructor; nothing here queries the
store, so a field can never trigger hidden round trips (no N+1 by construction).
"""

from __future__ import annotations

from enum import Enum

import strawberry

from lineage.api.graphql.pagination import Connection, slice_connection
from queries.blast_radius import Affected, BlastRadius, Ranked
from queries.exposure import Exposure
from queries.inventory import AiAsset
from queries.lineage import Lineage, LineageNode
from queries.results import Hop, NodeInfo, Path, with_details
from queries.risk import Risk

__all__ = [
    "AffectedNode",
    "Asset",
    "BlastRadiusResult",
    "Direction",
    "ExposurePath",
    "HopType",
    "InventoryItem",
    "KindCount",
    "LabelChange",
    "Level",
    "LineageEntry",
    "LineageResult",
    "Mode",
    "PathType",
    "RankedAsset",
    "RiskFactor",
    "RiskType",
]


@strawberry.enum
class Direction(Enum):
    DOWN = "down"
    UP = "up"


@strawberry.enum
class Mode(Enum):
    CONFIDENTIALITY = "confidentiality"
    INTEGRITY = "integrity"


@strawberry.enum
class Level(Enum):
    DATASET = "dataset"
    COLUMN = "column"


@strawberry.type(name="Asset")
class Asset:
    uid: strawberry.ID
    kind: str
    name: str
    namespace: str
    labels: list[str]
    own_labels: list[str]
    exposure: str | None
    registered: bool | None
    principals: list[str]
    quarantined: bool = strawberry.field(
        default=False, description="Taken out of service by a remediation (undo restores it)."
    )
    runtime_findings: list[str] = strawberry.field(
        default_factory=list, description="Abnormal usage seen in gateway logs or model scans."
    )

    @classmethod
    def of(cls, n: NodeInfo) -> Asset:
        return cls(
            uid=strawberry.ID(n.uid),
            kind=n.kind,
            name=n.name,
            namespace=n.namespace,
            labels=list(n.labels),
            own_labels=list(n.own_labels),
            exposure=n.exposure,
            registered=n.registered,
            principals=list(n.principals),
            quarantined=n.quarantined,
            runtime_findings=list(n.runtime_findings),
        )


@strawberry.type(name="Hop")
class HopType:
    src: str
    dst: str
    rel: str
    kind: str | None
    via: str | None
    granularity: str | None
    transformation_type: str | None
    transformation_subtype: str | None
    transformation: str
    masking: bool
    stale: bool
    coarse: bool

    @classmethod
    def of(cls, h: Hop) -> HopType:
        return cls(
            src=h.src,
            dst=h.dst,
            rel=h.rel,
            kind=h.kind,
            via=h.via,
            granularity=h.granularity,
            transformation_type=h.transformation_type,
            transformation_subtype=h.transformation_subtype,
            transformation=h.transformation,
            masking=h.masking,
            stale=h.stale,
            coarse=h.coarse,
        )


@strawberry.type(name="Path")
class PathType:
    nodes: list[Asset]
    hops: list[HopType]
    text: str

    @classmethod
    def of(cls, p: Path) -> PathType:
        return cls(
            nodes=[Asset.of(n) for n in p.nodes],
            hops=[HopType.of(h) for h in p.hops],
            text=p.text(),
        )


@strawberry.type
class RiskFactor:
    name: str
    value: float
    why: str


@strawberry.type(name="Risk")
class RiskType:
    score: float
    factors: list[RiskFactor]
    explanation: str

    @classmethod
    def of(cls, r: Risk) -> RiskType:
        return cls(
            score=r.score,
            factors=[
                RiskFactor(name=f.name, value=round(f.value, 3), why=f.why) for f in r.factors
            ],
            explanation=r.explain(),
        )


@strawberry.type
class ExposurePath:
    origin: Asset
    endpoint: Asset
    labels: list[str]
    risk: RiskType
    path: PathType
    paths: list[PathType]
    principals: list[str]

    @classmethod
    def of(cls, e: Exposure) -> ExposurePath:
        return cls(
            origin=Asset.of(e.origin),
            endpoint=Asset.of(e.endpoint),
            labels=list(e.labels),
            risk=RiskType.of(e.risk),
            path=PathType.of(e.path),
            paths=[PathType.of(p) for p in e.paths],
            principals=list(e.principals),
        )


@strawberry.type
class KindCount:
    kind: str
    count: int


@strawberry.type
class RankedAsset:
    asset: Asset
    depth: int
    risk: RiskType
    path: PathType
    principals: list[str]

    @classmethod
    def of(cls, r: Ranked) -> RankedAsset:
        return cls(
            asset=Asset.of(r.node),
            depth=r.depth,
            risk=RiskType.of(r.risk),
            path=PathType.of(r.path),
            principals=list(r.principals),
        )


@strawberry.type
class AffectedNode:
    asset: Asset
    depth: int
    dataset: str | None

    @classmethod
    def of(cls, a: Affected) -> AffectedNode:
        return cls(asset=Asset.of(a.node), depth=a.depth, dataset=a.dataset)


@strawberry.type
class BlastRadiusResult:
    """Scalar facts here; the lists are paginated fields on the schema's type."""

    origin: Asset
    direction: Direction
    mode: Mode
    include_stale: bool
    max_depth: int
    depth_reached: int
    truncated: bool
    by_kind: list[KindCount]
    labels: list[str]
    result: strawberry.Private[BlastRadius]

    @strawberry.field(description="Endpoints, models and indexes, highest risk first.")
    def ranked(self, first: int | None = None, after: str | None = None) -> Connection[RankedAsset]:
        return slice_connection(self.result.ranked, first, after, RankedAsset.of)

    @strawberry.field(description="Every node in the radius, by depth then kind.")
    def affected(
        self, first: int | None = None, after: str | None = None
    ) -> Connection[AffectedNode]:
        return slice_connection(self.result.affected, first, after, AffectedNode.of)

    @strawberry.field(description="The traversed edges (the subgraph), in data-flow order.")
    def edges(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[HopType]:
        page = slice_connection(self.result.edges, first, after, lambda h: h)
        detailed = with_details(info.context["store"], [e.node for e in page.edges])
        for edge, hop in zip(page.edges, detailed, strict=True):
            edge.node = HopType.of(hop)  # type: ignore[assignment]
        return page  # type: ignore[return-value]

    @classmethod
    def of(cls, r: BlastRadius) -> BlastRadiusResult:
        return cls(
            origin=Asset.of(r.origin),
            direction=Direction(r.direction),
            mode=Mode(r.mode),
            include_stale=r.include_stale,
            max_depth=r.max_depth,
            depth_reached=r.depth_reached,
            truncated=r.truncated,
            by_kind=[KindCount(kind=k, count=n) for k, n in r.by_kind.items()],
            labels=list(r.labels),
            result=r,
        )


@strawberry.type
class LineageEntry:
    asset: Asset
    depth: int

    @classmethod
    def of(cls, n: LineageNode) -> LineageEntry:
        return cls(asset=Asset.of(n.node), depth=n.depth)


@strawberry.type
class LineageResult:
    origin: Asset
    direction: str
    level: Level
    max_depth: int
    depth_reached: int
    truncated: bool
    result: strawberry.Private[Lineage]

    @strawberry.field
    def nodes(self, first: int | None = None, after: str | None = None) -> Connection[LineageEntry]:
        return slice_connection(self.result.nodes, first, after, LineageEntry.of)

    @strawberry.field
    def edges(self, first: int | None = None, after: str | None = None) -> Connection[HopType]:
        return slice_connection(self.result.edges, first, after, HopType.of)

    @classmethod
    def of(cls, r: Lineage) -> LineageResult:
        return cls(
            origin=Asset.of(r.origin),
            direction=r.direction,
            level=Level(r.level),
            max_depth=r.max_depth,
            depth_reached=r.depth_reached,
            truncated=r.truncated,
            result=r,
        )


@strawberry.type
class InventoryItem:
    uid: strawberry.ID
    kind: str
    name: str
    namespace: str
    registered: bool | None
    shadow: bool
    found_in: list[str]
    jobs: list[str]
    labels: list[str]

    @classmethod
    def of(cls, a: AiAsset) -> InventoryItem:
        return cls(
            uid=strawberry.ID(a.uid),
            kind=a.kind,
            name=a.name,
            namespace=a.namespace,
            registered=a.registered,
            shadow=a.shadow,
            found_in=list(a.found_in),
            jobs=list(a.jobs),
            labels=list(a.labels),
        )


@strawberry.type
class LabelChange:
    """The node's labels after a declaration or declassification (propagation done)."""

    asset: Asset
    action: str
    labels_changed: list[str]
    nodes_updated: int
