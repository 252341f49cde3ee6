"""Synthetic but realistically shaped gateway traffic, with attacks planted on request.

Normal callers have heterogeneous rates (10-120 requests an hour), a day/night cycle,
Poisson noise, one or two client addresses each, and unrelated inputs (random 64-bit
fingerprints: what SimHashes of unrelated prompts look like). The planted attacker keeps
a low profile for days, then walks a feature grid at high rate in one hour.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator

from ingest.access_log import AccessRecord, simhash64, source_key
from lineage import ids
from lineage.model import Kind

T0 = 1_777_593_600  # 2026-05-01T00:00:00Z
HOUR = 3600
CHAT = ids.make(Kind.ENDPOINT, "https://api.acme.com", "/v1/chat")
SCORE = ids.make(Kind.ENDPOINT, "https://api.acme.com", "/v1/score")
ATTACK_HOUR = 2 * 24 + 14  # day 3, 14:00


def principal(name: str) -> str:
    return ids.make(Kind.PRINCIPAL, "users", name)


def _poisson(rng: random.Random, lam: float) -> int:
    # Knuth for small lambda, normal approximation above
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def normal_traffic(*, days: int = 3, callers: int = 20, seed: int = 11) -> Iterator[AccessRecord]:
    rng = random.Random(seed)
    for i in range(callers):
        who = principal(f"user{i:02d}")
        rate = rng.uniform(10, 120)
        addrs = [source_key(f"10.0.{i}.{j}") for j in range(rng.choice((1, 2)))]
        endpoint = CHAT if i % 4 else SCORE
        for hour in range(days * 24):
            daytime = 1.0 if 8 <= hour % 24 < 20 else 0.3
            for _ in range(_poisson(rng, rate * daytime)):
                yield AccessRecord(
                    ts=T0 + hour * HOUR + rng.uniform(0, HOUR),
                    principal=who,
                    endpoint=endpoint,
                    status=500 if rng.random() < 0.01 else 200,
                    tokens_in=rng.randint(20, 400),
                    tokens_out=rng.randint(50, 800),
                    source=rng.choice(addrs),
                    fp=rng.getrandbits(64),
                )


def extraction_attack(*, requests: int = 3000, seed: int = 5) -> Iterator[AccessRecord]:
    """A quiet caller for two days, then a grid sweep over the scoring endpoint."""
    rng = random.Random(seed)
    who = principal("mallory")
    src = source_key("198.51.100.23")
    for hour in range(ATTACK_HOUR):
        for _ in range(_poisson(rng, 3)):
            yield AccessRecord(
                ts=T0 + hour * HOUR + rng.uniform(0, HOUR),
                principal=who,
                endpoint=SCORE,
                source=src,
                fp=rng.getrandbits(64),
            )
    start = T0 + ATTACK_HOUR * HOUR
    for n in range(requests):
        age, income = 18 + (n // 60) % 60, 20_000 + (n % 60) * 1_000
        yield AccessRecord(
            ts=start + n * (HOUR - 1) / requests,
            principal=who,
            endpoint=SCORE,
            source=src,
            fp=simhash64(f"age={age}&income={income}&zip=94110&tenure=3"),
        )


def fanout(*, principals: int = 15) -> Iterator[AccessRecord]:
    """Many fresh accounts from one address (a trial-account farm)."""
    src = source_key("203.0.113.9")
    for i in range(principals):
        for k in range(5):
            yield AccessRecord(
                ts=T0 + ATTACK_HOUR * HOUR + i * 60 + k,
                principal=principal(f"trial{i:02d}"),
                endpoint=CHAT,
                source=src,
                fp=random.Random(i * 100 + k).getrandbits(64),
            )


def as_jsonl(records: Iterator[AccessRecord]) -> Iterator[str]:
    """The records in the native schema (principal/endpoint ids, fingerprints as hex)."""
    for r in records:
        yield json.dumps(
            {
                "timestamp": r.ts,
                "principal": r.principal,
                "endpoint": r.endpoint,
                "status": r.status,
                "input_tokens": r.tokens_in,
                "output_tokens": r.tokens_out,
                "input_fingerprint": f"{r.fp:016x}" if r.fp is not None else None,
                "groups": list(r.groups),
            }
        )
