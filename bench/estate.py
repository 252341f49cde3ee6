"""A seeded, lineage-shaped synthetic estate for every benchmark.

Shape (what real warehouses and ML platforms look like, not a random graph):

* sources (warehouse/database namespaces) hold **raw** datasets;
* layers raw -> staging -> marts -> features, each dataset built by one job from 1-3
  upstream datasets of the previous layer, picked with a Zipf-like preference so a few
  **hub tables** feed very many (fan-out) while most feed one or two;
* datasets carry 3-8 columns; column FLOWS_TO edges follow the job with realistic
  transformation mixes (identity, transformations, aggregations, masking, INDIRECT
  filter/join), plus the dataset-level FLOWS_TO marked ``column_detail``;
* feature datasets train **models** and are embedded into **vector indexes**; models and
  indexes are served or retrieved by **endpoints** (public / external / internal);
* **principals** can access endpoints; ~4 % of raw columns carry an own PII/PHI/PCI label.

``generate(n_nodes)`` yields facts lazily; ``load(store, n_nodes)`` writes them through the
real pipeline. Sizes 10k to 1M nodes; the same seed gives the same estate.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass

from lineage import ids
from lineage.model import Edge, EdgeKind, Fact, Kind, Label, Labeling, Node, Rel
from lineage.pipeline import IngestReport, ingest
from lineage.store.base import Store

__all__ = ["EstateShape", "generate", "load"]

SEEN = "2026-01-01T00:00:00.000Z"
LAYERS = ("raw", "staging", "marts", "features")
_LABELS = [
    Label("PII", "EMAIL_ADDRESS"),
    Label("PII", "PHONE_NUMBER"),
    Label("PII", "US_SSN"),
    Label("PHI", "MEDICAL_RECORD"),
    Label("PCI", "CREDIT_CARD"),
]
# (type, subtype, masking, weight)
_TRANSFORMS = [
    ("DIRECT", "IDENTITY", False, 62),
    ("DIRECT", "TRANSFORMATION", False, 14),
    ("DIRECT", "AGGREGATION", False, 6),
    ("DIRECT", "TRANSFORMATION", True, 4),
    ("INDIRECT", "FILTER", False, 7),
    ("INDIRECT", "JOIN", False, 7),
]
_EXPOSURES = [("public", 2), ("external", 3), ("internal", 5)]


@dataclass(frozen=True)
class EstateShape:
    """Node budget split derived from the requested size (about 7.5 nodes per dataset)."""

    n_nodes: int

    @property
    def datasets(self) -> int:
        return max(8, int(self.n_nodes / 7.6))

    @property
    def sources(self) -> int:
        return max(2, self.datasets // 2000)

    @property
    def models(self) -> int:
        return max(2, self.n_nodes // 400)

    @property
    def indexes(self) -> int:
        return max(1, self.n_nodes // 800)

    @property
    def endpoints(self) -> int:
        return max(2, self.n_nodes // 500)

    @property
    def principals(self) -> int:
        return max(2, self.n_nodes // 300)


class _Zipf:
    """Pick from a growing list with weight 1/rank^s: a few hubs, a long tail."""

    def __init__(self, items: list[str], rng: random.Random, s: float = 1.1) -> None:
        self.items = items
        self.rng = rng
        self.cum = list(itertools.accumulate(1.0 / (i + 1) ** s for i in range(len(items))))
        order = list(range(len(items)))
        rng.shuffle(order)  # hubs anywhere in the layer, not only the first tables
        self.order = order

    def pick(self) -> str:
        x = self.rng.random() * self.cum[-1]
        return self.items[self.order[bisect.bisect_left(self.cum, x)]]


def _weighted(rng: random.Random, table: list[tuple]) -> tuple:
    total = sum(row[-1] for row in table)
    x = rng.random() * total
    for row in table:
        x -= row[-1]
        if x <= 0:
            return row
    return table[-1]


def generate(n_nodes: int, seed: int = 7) -> Iterator[Fact]:
    """Yield the facts of an estate of about ``n_nodes`` nodes (seeded, deterministic)."""
    rng = random.Random(seed)
    shape = EstateShape(n_nodes)
    namespaces = [f"snowflake://acct{i}" for i in range(shape.sources)]
    for ns in namespaces:
        yield Node(ids.source_id(ns), Kind.SOURCE, ns, ns, {"platform": "snowflake"})

    per_layer = _layer_sizes(shape.datasets)
    columns: dict[str, list[str]] = {}
    previous: list[str] = []
    counter = itertools.count()
    for layer, size in zip(LAYERS, per_layer, strict=True):
        current: list[str] = []
        picker = _Zipf(previous, rng) if previous else None
        for _ in range(size):
            ns = rng.choice(namespaces)
            name = f"db.{layer}.t{next(counter)}"
            uid = ids.dataset_id(ns, name)
            cols = [f"c{j}" for j in range(rng.randint(3, 8))]
            columns[uid] = [ids.column_id(ns, name, c) for c in cols]
            yield Node(uid, Kind.DATASET, name, ns, {"layer": layer, "fields": cols})
            yield Edge(ids.source_id(ns), Rel.CONTAINS, uid)
            for cid, col in zip(columns[uid], cols, strict=True):
                yield Node(cid, Kind.COLUMN, f"{name}.{col}", ns, {})
                yield Edge(uid, Rel.HAS_COLUMN, cid)
                if layer == "raw" and rng.random() < 0.04:
                    yield Labeling(cid, rng.choice(_LABELS), "synthetic", 0.9, 90, 100)
            if picker is not None:
                yield from _job(rng, ns, name, uid, picker, columns)
            current.append(uid)
        previous = current

    features = previous
    yield from _ai_layer(rng, shape, features, columns)


def _layer_sizes(total: int) -> list[int]:
    weights = (0.35, 0.30, 0.20, 0.15)
    sizes = [max(2, int(total * w)) for w in weights]
    return sizes


def _job(
    rng: random.Random,
    ns: str,
    name: str,
    uid: str,
    picker: _Zipf,
    columns: dict[str, list[str]],
) -> Iterator[Fact]:
    job = ids.job_id(ns, f"build_{name}")
    yield Node(job, Kind.JOB, f"build_{name}", ns, {"job_type": "sql"}, f"models/{name}.sql:1")
    yield Edge(job, Rel.WRITES, uid)
    upstream = {picker.pick() for _ in range(rng.randint(1, 3))}
    for up in sorted(upstream):
        yield Edge(job, Rel.READS, up)
        yield Edge(
            up, Rel.FLOWS_TO, uid,
            {"kind": "transform", "via": job, "granularity": "dataset", "column_detail": True,
             "transformation_type": "DIRECT", "transformation_subtype": "TRANSFORMATION",
             "masking": False},
            key=job,
        )  # fmt: skip
    ups = sorted(upstream)
    for target_col in columns[uid]:
        for _ in range(rng.choice((1, 1, 1, 2))):
            src_col = rng.choice(columns[rng.choice(ups)])
            ttype, subtype, masking, _w = _weighted(rng, _TRANSFORMS)
            yield Edge(
                src_col, Rel.FLOWS_TO, target_col,
                {"kind": "transform", "via": job, "granularity": "column",
                 "transformation_type": ttype, "transformation_subtype": subtype,
                 "masking": masking},
                key=job,
            )  # fmt: skip


def _ai_layer(
    rng: random.Random, shape: EstateShape, features: list[str], columns: dict[str, list[str]]
) -> Iterator[Fact]:
    ns = "mlflow://ml"
    picker = _Zipf(features, rng)
    servable: list[tuple[str, str]] = []  # (uid, edge kind from it to an endpoint)
    for i in range(shape.models):
        uid = ids.model_id(ns, f"model_{i}")
        registered = rng.random() > 0.15
        yield Node(
            uid, Kind.MODEL, f"model_{i}", ns, {"provider": "internal", "registered": registered}
        )
        kind = EdgeKind.FINE_TUNE if rng.random() < 0.3 else EdgeKind.TRAIN
        for src in {picker.pick() for _ in range(rng.randint(1, 4))}:
            job = ids.job_id(ns, f"train_model_{i}")
            yield Edge(src, Rel.FLOWS_TO, uid,
                       {"kind": kind.value, "via": job, "granularity": "dataset",
                        "transformation_type": "DIRECT", "transformation_subtype": "TRANSFORMATION",
                        "masking": False}, key=job)  # fmt: skip
        servable.append((uid, EdgeKind.SERVE.value))
    for i in range(shape.indexes):
        uid = ids.make(Kind.VECTOR_INDEX, "qdrant://vec:6333", f"docs_{i}")
        yield Node(uid, Kind.VECTOR_INDEX, f"docs_{i}", "qdrant://vec:6333",
                   {"engine": "qdrant", "collection": f"docs_{i}",
                    "embedding_model": "all-MiniLM-L6-v2"})  # fmt: skip
        for src in {picker.pick() for _ in range(rng.randint(1, 3))}:
            job = ids.job_id(ns, f"embed_docs_{i}")
            yield Edge(src, Rel.FLOWS_TO, uid,
                       {"kind": EdgeKind.EMBED.value, "via": job, "granularity": "dataset",
                        "transformation_type": "DIRECT", "transformation_subtype": "TRANSFORMATION",
                        "masking": False}, key=job)  # fmt: skip
        servable.append((uid, EdgeKind.RETRIEVE.value))
    endpoints = []
    for i in range(shape.endpoints):
        uid = ids.make(Kind.ENDPOINT, "https://api.acme.example", f"svc_{i}")
        exposure = _weighted(rng, _EXPOSURES)[0]
        yield Node(
            uid, Kind.ENDPOINT, f"svc_{i}", "https://api.acme.example", {"exposure": exposure}
        )
        for src, kind in {rng.choice(servable) for _ in range(rng.randint(1, 2))}:
            yield Edge(src, Rel.FLOWS_TO, uid,
                       {"kind": kind, "granularity": "dataset", "transformation_type": "DIRECT",
                        "transformation_subtype": "IDENTITY", "masking": False})  # fmt: skip
        endpoints.append(uid)
    for i in range(shape.principals):
        uid = ids.make(Kind.PRINCIPAL, "okta://acme", f"user_{i}")
        yield Node(uid, Kind.PRINCIPAL, f"user_{i}", "okta://acme", {"type": "user"})
        for ep in {rng.choice(endpoints) for _ in range(rng.randint(1, 3))}:
            yield Edge(uid, Rel.CAN_ACCESS, ep, {"permission": "invoke"})


def load(store: Store, n_nodes: int, seed: int = 7, *, batch_size: int = 10_000) -> IngestReport:
    """Write an estate through the real pipeline (the bulk-load path benchmarks measure)."""
    return ingest(store, generate(n_nodes, seed), batch_size=batch_size, seen=SEEN)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n_nodes", type=int)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jsonl", action="store_true", help="print facts as counts only")
    args = parser.parse_args()
    kinds: dict[str, int] = {}
    for fact in generate(args.n_nodes, args.seed):
        key = fact.kind.value if isinstance(fact, Node) else type(fact).__name__
        if isinstance(fact, Edge):
            key = fact.rel.value
        kinds[key] = kinds.get(key, 0) + 1
    for key, n in sorted(kinds.items()):
        print(f"{key:12} {n}")


if __name__ == "__main__":
    main()
