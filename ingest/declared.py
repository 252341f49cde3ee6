"""Declared deployments: the facts no artefact states, written down once by the platform team.

Whether an endpoint is reachable from the internet, which model or app sits behind it, and
who may call it live in load balancers, gateways and IAM, not in SQL or notebooks. A small
YAML file records them::

    endpoints:
      - id: endpoint:embedchain:crm-assistant      # an endpoint other ingestors found
        exposure: public
        description: '"Ask Acme" chat widget on acme.example'
      - namespace: https://api.acme.example        # or a new one, by namespace + name
        name: support-bot
        exposure: external
        serves: [model:huggingface:acme/support-bot]
        retrieves: [vectorindex:qdrant://qdrant.internal:6333:crm_notes]
    access:
      - principal: principal:okta://acme:group/partners
        endpoints: [endpoint:https://api.acme.example:support-bot]
        permission: invoke

Every id is checked by :mod:`lineage.ids`; every problem names the file and entry.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lineage import ids
from lineage.boundedyaml import safe_load
from lineage.errors import LineageError
from lineage.model import Edge, EdgeKind, Fact, Kind, Node, Problem, Rel, Severity

__all__ = ["declared_facts"]

_MAX_BYTES = 1_000_000


class _Endpoint(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(None, description="Id of an endpoint (found elsewhere or new).")
    namespace: str | None = Field(None, description="Namespace when no id is given.")
    name: str | None = Field(None, description="Name when no id is given.")
    exposure: Literal["public", "external", "internal", "unknown"] = "unknown"
    description: str | None = None
    serves: list[str] = Field(default_factory=list, description="Model ids served here.")
    retrieves: list[str] = Field(
        default_factory=list, description="Vector index ids this endpoint retrieves from."
    )

    def uid(self) -> str:
        if self.id:
            parsed = ids.parse(self.id)
            if parsed.kind is not Kind.ENDPOINT:
                raise ValueError(f"{self.id!r} is not an endpoint id")
            return self.id
        if not (self.namespace and self.name):
            raise ValueError("an endpoint needs `id`, or `namespace` and `name`")
        return ids.make(Kind.ENDPOINT, self.namespace, self.name)


class _Access(BaseModel):
    model_config = ConfigDict(extra="forbid")

    principal: str
    endpoints: list[str]
    permission: str = "invoke"


def _load(path: Path) -> Mapping[str, Any]:
    if path.stat().st_size > _MAX_BYTES:
        raise LineageError(f"{path}: larger than {_MAX_BYTES} bytes")
    data = safe_load(path.read_text(encoding="utf-8"), str(path)) or {}
    if not isinstance(data, Mapping):
        raise LineageError(f"{path}: expected a mapping at the top level")
    return data


def _endpoint_facts(entry: _Endpoint, ref: str) -> Iterator[Fact]:
    uid = entry.uid()
    parsed = ids.parse(uid)
    props: dict[str, Any] = {"exposure": entry.exposure, "declared": True}
    if entry.description:
        props["description"] = entry.description
    yield Node(uid, Kind.ENDPOINT, parsed.name, parsed.namespace, props, ref)
    for sources, kind, expected in (
        (entry.serves, EdgeKind.SERVE, Kind.MODEL),
        (entry.retrieves, EdgeKind.RETRIEVE, Kind.VECTOR_INDEX),
    ):
        for src in sources:
            if ids.kind_of(src) is not expected:
                raise ValueError(f"{src!r} is not a {expected.value} id")
            yield Edge(
                src, Rel.FLOWS_TO, uid,
                {"kind": kind.value, "granularity": "dataset", "transformation_type": "DIRECT",
                 "transformation_subtype": "IDENTITY", "masking": False},
                source_ref=ref,
            )  # fmt: skip


def _access_facts(entry: _Access, ref: str) -> Iterator[Fact]:
    principal = ids.parse(entry.principal)
    if principal.kind is not Kind.PRINCIPAL:
        raise ValueError(f"{entry.principal!r} is not a principal id")
    yield Node(entry.principal, Kind.PRINCIPAL, principal.name, principal.namespace, {}, ref)
    for endpoint in entry.endpoints:
        if ids.kind_of(endpoint) is not Kind.ENDPOINT:
            raise ValueError(f"{endpoint!r} is not an endpoint id")
        yield Edge(
            entry.principal, Rel.CAN_ACCESS, endpoint, {"permission": entry.permission},
            source_ref=ref,
        )  # fmt: skip


def declared_facts(path: str | Path, *, ref: str | None = None) -> Iterator[Fact]:
    """Facts from a declarations file; a bad entry is a Problem, the others still land."""
    path = Path(path)
    ref = ref or path.as_posix()
    try:
        raw = _load(path)
        unknown = set(raw) - {"endpoints", "access"}
        if unknown:
            raise LineageError(f"unknown section(s) {sorted(unknown)}")
    except (OSError, yaml.YAMLError, LineageError) as exc:
        yield Problem(Severity.ERROR, f"cannot read declarations: {exc}", ref)
        return
    sections: tuple[tuple[str, type[BaseModel], Any], ...] = (
        ("endpoints", _Endpoint, _endpoint_facts),
        ("access", _Access, _access_facts),
    )
    for section, model, to_facts in sections:
        for index, item in enumerate(raw.get(section) or []):
            where = f"{ref}#{section}[{index}]"
            try:
                entry = model.model_validate(item)
                yield from list(to_facts(entry, where))  # list(): all or nothing per entry
            except (ValidationError, ValueError, LineageError) as exc:
                yield Problem(Severity.ERROR, f"{section}[{index}]: {exc}", where)
