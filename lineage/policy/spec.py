"""What a policy file may say: pydantic models with ``extra="forbid"``, one per match kind
and per response, so a typo is an error that names its line (see :mod:`lineage.policy.load`).

A policy is::

    id: no-pii-in-exposed-training-data
    description: No PII or PHI in the training data of a model behind an exposed endpoint.
    severity: critical
    match:
      kind: training_data_of_exposed_model
      categories: [PII, PHI]
      exposures: [public, external]
    responses:
      - action: quarantine
        target: endpoint
        dry_run: false

Each match kind names the *roles* its violations fill (``model``, ``endpoint``...); a
response's ``target`` must be one of them. Destructive responses (quarantine, revoke) are
dry runs unless the policy says ``dry_run: false``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "DESTRUCTIVE",
    "SEVERITY_WEIGHT",
    "CypherMatch",
    "IndexRetrievableByPublicEndpoint",
    "LabelReachesExposedEndpoint",
    "Match",
    "NotifyResponse",
    "Policy",
    "PrincipalOutsideGroupAccesses",
    "QuarantineResponse",
    "RecommendResponse",
    "RedactResponse",
    "Response",
    "RevokeResponse",
    "SecretInNotebook",
    "ShadowModelReceives",
    "TrainingDataOfExposedModel",
    "check_cypher",
]

Exposure = Literal["public", "external", "internal", "unknown"]
Severity = Literal["low", "medium", "high", "critical"]
SEVERITY_WEIGHT = {"low": 0.25, "medium": 0.5, "high": 0.75, "critical": 1.0}
DESTRUCTIVE = frozenset({"quarantine", "revoke"})


def _exposed() -> list[Exposure]:
    return ["public", "external"]


def _public() -> list[Exposure]:
    return ["public"]


def _training_kinds() -> list[Literal["train", "fine_tune", "embed"]]:
    return ["train", "fine_tune"]


def _endpoints() -> list[Literal["Endpoint", "Model", "VectorIndex", "Dataset"]]:
    return ["Endpoint"]


_CATEGORY = re.compile(r"[A-Z][A-Z0-9_]*(:[A-Z][A-Z0-9_]*)?")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _categories(values: list[str]) -> list[str]:
    out = [v.strip().upper() for v in values]
    for v in out:
        if not _CATEGORY.fullmatch(v):
            raise ValueError(f"{v!r} is not a label category (PII) or label (PII:EMAIL_ADDRESS)")
    if not out:
        raise ValueError("at least one category is needed")
    return out


class _LabelMatch(_Strict):
    categories: list[str] = Field(
        default_factory=lambda: ["PII"],
        description="Label categories (PII) or labels (PII:EMAIL_ADDRESS) that violate.",
    )

    _check_categories = field_validator("categories")(_categories)


class TrainingDataOfExposedModel(_LabelMatch):
    """A model trained (or fine-tuned) on data holding a label, served at an exposed endpoint."""

    kind: Literal["training_data_of_exposed_model"]
    exposures: list[Exposure] = Field(default_factory=_exposed, description="Endpoint exposures.")
    edge_kinds: list[Literal["train", "fine_tune", "embed"]] = Field(
        default_factory=_training_kinds,
        description="FLOWS_TO kinds that count as training.",
    )
    roles: ClassVar[tuple[str, ...]] = ("origin", "dataset", "model", "endpoint")
    key_roles: ClassVar[tuple[str, ...]] = ("model", "endpoint")


class SecretInNotebook(_LabelMatch):
    """A notebook (a Job of ``job_type`` notebook) holding a secret."""

    kind: Literal["secret_in_notebook"]
    categories: list[str] = Field(default_factory=lambda: ["SECRET"])
    job_types: list[str] = Field(default_factory=lambda: ["notebook"])
    roles: ClassVar[tuple[str, ...]] = ("notebook",)
    key_roles: ClassVar[tuple[str, ...]] = ("notebook",)


class IndexRetrievableByPublicEndpoint(_LabelMatch):
    """A vector index holding a label that an exposed endpoint retrieves from."""

    kind: Literal["index_retrievable_by_public_endpoint"]
    categories: list[str] = Field(default_factory=lambda: ["PHI"])
    exposures: list[Exposure] = Field(default_factory=_public)
    roles: ClassVar[tuple[str, ...]] = ("origin", "index", "endpoint")
    key_roles: ClassVar[tuple[str, ...]] = ("index", "endpoint")


class ShadowModelReceives(_LabelMatch):
    """An unregistered (shadow) model that receives data holding a label."""

    kind: Literal["shadow_model_receives"]
    roles: ClassVar[tuple[str, ...]] = ("origin", "model")
    key_roles: ClassVar[tuple[str, ...]] = ("model",)


class PrincipalOutsideGroupAccesses(_LabelMatch):
    """A principal outside the allowed groups that can access an asset holding a label."""

    kind: Literal["principal_outside_group_accesses"]
    categories: list[str] = Field(default_factory=lambda: ["PCI"])
    groups: list[str] = Field(
        min_length=1, description="Allowed groups (a principal's `groups`, or its name)."
    )
    asset_kinds: list[Literal["Endpoint", "Model", "VectorIndex", "Dataset"]] = Field(
        default_factory=_endpoints
    )
    roles: ClassVar[tuple[str, ...]] = ("principal", "asset")
    key_roles: ClassVar[tuple[str, ...]] = ("principal", "asset")


class LabelReachesExposedEndpoint(_LabelMatch):
    """An exposed endpoint that values holding a label reach (an exposure path)."""

    kind: Literal["label_reaches_exposed_endpoint"]
    exposures: list[Exposure] = Field(default_factory=_exposed)
    roles: ClassVar[tuple[str, ...]] = ("origin", "endpoint")
    key_roles: ClassVar[tuple[str, ...]] = ("origin", "endpoint")


_STRINGS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`", re.S)
_COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
_WRITES = re.compile(
    r"\b(CREATE|MERGE|SET|DELETE|DETACH|REMOVE|DROP|FOREACH|LOAD|CALL|USE|GRANT|DENY|REVOKE"
    r"|ALTER|RENAME|START|STOP|TERMINATE|SHOW|ENABLE|DISABLE)\b",
    re.I,
)
_FIRST = re.compile(r"^\s*(MATCH|OPTIONAL\s+MATCH|WITH|UNWIND)\b", re.I)
_PARAM = re.compile(r"\$(\w+)")
_RETURNS_SUBJECT = re.compile(r"\bAS\s+subject\b|\bRETURN\s+subject\b|,\s*subject\b", re.I)


def _bare(statement: str) -> str:
    return _COMMENTS.sub(" ", _STRINGS.sub("''", statement))


def _check_statement(statement: str) -> str:
    bare = _bare(statement)
    if ";" in bare:
        raise ValueError("cypher match: one statement only (no ';')")
    if not _FIRST.match(bare):
        raise ValueError("cypher match: must start with MATCH, OPTIONAL MATCH, WITH or UNWIND")
    found = _WRITES.search(bare)
    if found:
        raise ValueError(f"cypher match: {found.group(1).upper()} is not allowed (read-only)")
    if not re.search(r"\bRETURN\b", bare, re.I) or not _RETURNS_SUBJECT.search(bare):
        raise ValueError("cypher match: must RETURN a `subject` column (a node uid)")
    return statement


def _check_params(statement: str, params: Mapping[str, Any]) -> None:
    used = set(_PARAM.findall(_bare(statement)))
    missing, unused = used - set(params), set(params) - used
    if missing:
        raise ValueError(f"cypher match: parameters not given: {', '.join(sorted(missing))}")
    if unused:
        raise ValueError(f"cypher match: parameters not used: {', '.join(sorted(unused))}")


def check_cypher(statement: str, params: Mapping[str, Any]) -> None:
    """Refuse anything but one read-only, parameterised statement returning ``subject``.

    Raises :class:`ValueError` saying why. (Read-only is also enforced by the store: reads
    run in read transactions, ``GRAPH.RO_QUERY`` on FalkorDB.)
    """
    _check_statement(statement)
    _check_params(statement, params)


class CypherMatch(_Strict):
    """A read-only, parameterised Cypher statement; each row is a violation.

    It must ``RETURN`` a ``subject`` column (a node uid); other returned columns named in
    ``roles`` are uids too; an optional ``labels`` column (list of strings) and ``path``
    column (list of uids) become evidence. Write clauses and procedure calls are refused.
    """

    kind: Literal["cypher"]
    statement: str = Field(description="The read-only statement.")
    params: dict[str, str | int | float | bool | list[str | int | float | bool]] = Field(
        default_factory=dict, description="Parameters: every $name in the statement."
    )
    roles: ClassVar[tuple[str, ...]] = ("subject",)
    key_roles: ClassVar[tuple[str, ...]] = ("subject",)
    extra_roles: list[str] = Field(
        default_factory=list, description="Other returned columns that are node uids."
    )

    _read_only = field_validator("statement")(_check_statement)

    @model_validator(mode="after")
    def _parameterised(self) -> CypherMatch:
        _check_params(self.statement, self.params)
        return self


Match = Annotated[
    TrainingDataOfExposedModel
    | SecretInNotebook
    | IndexRetrievableByPublicEndpoint
    | ShadowModelReceives
    | PrincipalOutsideGroupAccesses
    | LabelReachesExposedEndpoint
    | CypherMatch,
    Field(discriminator="kind"),
]


class _Response(_Strict):
    target: str | None = Field(None, description="The violation role acted on.")
    dry_run: bool | None = Field(
        None, description="Record what would be done without doing it (default: destructive)."
    )

    def is_dry_run(self) -> bool:
        action = getattr(self, "action", "")
        return self.dry_run if self.dry_run is not None else action in DESTRUCTIVE


class QuarantineResponse(_Response):
    """Mark a model, index or endpoint ``quarantined`` and remove its CAN_ACCESS edges."""

    action: Literal["quarantine"]


class RevokeResponse(_Response):
    """Remove one principal's CAN_ACCESS edges to the asset of the violation."""

    action: Literal["revoke"]
    asset: str = Field("asset", description="The role of the asset whose access is revoked.")


class RedactResponse(_Response):
    """Write a redacted copy of a dataset's sampled file, or the masking view SQL."""

    action: Literal["redact"]
    mode: Literal["view", "file"] = "view"
    operator: Literal["replace", "mask", "hash", "encrypt"] = "replace"
    dialect: str = Field("ansi", description="SQL dialect of the masking view (sqlglot name).")
    output: str | None = Field(None, description="Folder for the SQL or the redacted copy.")


class NotifyResponse(_Response):
    """POST the finding (never raw values) to a webhook, with retries."""

    action: Literal["notify"]
    url: str = Field(pattern=r"^https?://", description="Webhook URL.")
    retries: int = Field(3, ge=0, le=10)
    backoff: float = Field(0.5, ge=0, le=60, description="First retry delay; doubles.")
    timeout: float = Field(5.0, gt=0, le=60)


class RecommendResponse(_Response):
    """Record a recommendation on the finding; change nothing."""

    action: Literal["recommend"]
    message: str = Field(description="What a person should do.")


Response = Annotated[
    QuarantineResponse | RevokeResponse | RedactResponse | NotifyResponse | RecommendResponse,
    Field(discriminator="action"),
]


class Policy(_Strict):
    """One policy: what violates it and what to do about each violation."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,99}$", description="Stable identifier.")
    description: str = Field(min_length=1)
    severity: Severity
    match: Match
    responses: list[Response] = Field(default_factory=list)
    enabled: bool = True
    tags: list[str] = Field(default_factory=list)
    source: str = Field("", exclude=True, description="Where it was loaded from (file:line).")

    @property
    def roles(self) -> tuple[str, ...]:
        extra = tuple(getattr(self.match, "extra_roles", ()))
        return tuple(self.match.roles) + extra

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "description": self.description,
            "severity": self.severity,
            "match": self.match.kind,
            "responses": [
                {"action": r.action, "target": r.target, "dry_run": r.is_dry_run()}
                for r in self.responses
            ],
            "enabled": self.enabled,
            "source": self.source,
        }
