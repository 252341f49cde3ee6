"""Typed models of the parts of an OpenLineage event this service reads.

Field names keep the spec's spelling (``runId``, ``inputFields``), as the OpenLineage client
does. Events are validated against the JSON Schema first (:mod:`.validate`); these models
then give the mapping typed access. Facets the mapping does not read are kept in
``other`` as plain JSON, so nothing an emitter sends is dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ColumnLineageFacet",
    "Dataset",
    "DatasetFacets",
    "Envelope",
    "Event",
    "InputField",
    "Job",
    "JobFacets",
    "Run",
    "RunFacets",
    "SchemaField",
    "Transformation",
    "parse_dataset",
    "parse_envelope",
    "parse_event",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class Transformation(_Model):
    type: str
    subtype: str = ""
    description: str = ""
    masking: bool = False


class InputField(_Model):
    namespace: str
    name: str
    field: str
    transformations: list[Transformation] = Field(default_factory=list)


class ColumnLineageField(_Model):
    inputFields: list[InputField] = Field(default_factory=list)
    transformationType: str = ""
    transformationDescription: str = ""


class ColumnLineageFacet(_Model):
    fields: dict[str, ColumnLineageField] = Field(default_factory=dict)
    dataset: list[InputField] = Field(default_factory=list)


class SchemaField(_Model):
    name: str
    type: str | None = None
    description: str | None = None
    fields: list[SchemaField] = Field(default_factory=list)


class SchemaFacet(_Model):
    fields: list[SchemaField] = Field(default_factory=list)


class Symlink(_Model):
    namespace: str
    name: str
    type: str = ""


class SymlinksFacet(_Model):
    identifiers: list[Symlink] = Field(default_factory=list)


class DataSourceFacet(_Model):
    name: str | None = None
    uri: str | None = None


class Owner(_Model):
    name: str
    type: str | None = None


class OwnershipFacet(_Model):
    owners: list[Owner] = Field(default_factory=list)


class DocumentationFacet(_Model):
    description: str = ""


class DatasetTypeFacet(_Model):
    datasetType: str = ""
    subType: str | None = None


class JobTypeFacet(_Model):
    processingType: str = ""
    integration: str = ""
    jobType: str | None = None


class SQLFacet(_Model):
    query: str
    dialect: str | None = None


class SourceCodeLocationFacet(_Model):
    type: str = ""
    url: str = ""


class _RunRef(_Model):
    runId: str


class _JobRef(_Model):
    namespace: str
    name: str


class ParentRunFacet(_Model):
    run: _RunRef
    job: _JobRef
    root: dict[str, Any] | None = None


class ErrorMessageFacet(_Model):
    message: str
    programmingLanguage: str = ""


class ExtractionError(_Model):
    errorMessage: str = ""
    task: str | None = None


class ExtractionErrorFacet(_Model):
    totalTasks: int = 0
    failedTasks: int = 0
    errors: list[ExtractionError] = Field(default_factory=list)


class _Facets(_Model):
    """A facets object: known facets typed, every other facet kept as raw JSON."""

    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)

    @property
    def other(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in (self.model_extra or {}).items()
            if not (isinstance(v, Mapping) and v.get("_deleted"))
        }


class DatasetFacets(_Facets):
    schema_: SchemaFacet | None = Field(None, alias="schema")
    columnLineage: ColumnLineageFacet | None = None
    symlinks: SymlinksFacet | None = None
    dataSource: DataSourceFacet | None = None
    documentation: DocumentationFacet | None = None
    ownership: OwnershipFacet | None = None
    datasetType: DatasetTypeFacet | None = None


class JobFacets(_Facets):
    sql: SQLFacet | None = None
    jobType: JobTypeFacet | None = None
    documentation: DocumentationFacet | None = None
    ownership: OwnershipFacet | None = None
    sourceCodeLocation: SourceCodeLocationFacet | None = None


class RunFacets(_Facets):
    parent: ParentRunFacet | None = None
    errorMessage: ErrorMessageFacet | None = None
    extractionError: ExtractionErrorFacet | None = None


class Dataset(_Model):
    namespace: str
    name: str
    facets: DatasetFacets = Field(default_factory=DatasetFacets)
    inputFacets: dict[str, Any] = Field(default_factory=dict)
    outputFacets: dict[str, Any] = Field(default_factory=dict)


class Job(_Model):
    namespace: str
    name: str
    facets: JobFacets = Field(default_factory=JobFacets)


class Run(_Model):
    runId: str
    facets: RunFacets = Field(default_factory=RunFacets)


class Envelope(_Model):
    """An event without its datasets (the batch mapper parses each distinct dataset once)."""

    kind: Literal["RunEvent", "JobEvent", "DatasetEvent"]
    eventTime: str
    producer: str = ""
    schemaURL: str = ""
    eventType: str | None = None
    run: Run | None = None
    job: Job | None = None


class Event(Envelope):
    """A run, job or dataset event (``kind`` tells which)."""

    dataset: Dataset | None = None
    inputs: list[Dataset] = Field(default_factory=list)
    outputs: list[Dataset] = Field(default_factory=list)


def _drop_deleted(facets: Any) -> Any:
    """A facet sent with ``_deleted: true`` means "remove it": treat it as absent."""
    if not isinstance(facets, Mapping):
        return facets
    return {k: v for k, v in facets.items() if not (isinstance(v, Mapping) and v.get("_deleted"))}


def parse_event(raw: Mapping[str, Any], kind: str) -> Event:
    """Build the typed event from a schema-valid JSON object."""
    data = dict(raw)
    data["kind"] = kind
    for key in ("run", "job", "dataset"):
        if isinstance(data.get(key), Mapping) and "facets" in data[key]:
            data[key] = {**data[key], "facets": _drop_deleted(data[key]["facets"])}
    for side in ("inputs", "outputs"):
        if data.get(side):
            data[side] = [
                {**d, "facets": _drop_deleted(d["facets"])} if "facets" in d else d
                for d in data[side]
            ]
    return Event.model_validate(data)


def parse_envelope(raw: Mapping[str, Any], kind: str) -> Envelope:
    """The typed event minus its datasets (see :func:`parse_dataset`)."""
    data = {k: v for k, v in raw.items() if k not in ("inputs", "outputs", "dataset")}
    data["kind"] = kind
    for key in ("run", "job"):
        if isinstance(data.get(key), Mapping) and "facets" in data[key]:
            data[key] = {**data[key], "facets": _drop_deleted(data[key]["facets"])}
    return Envelope.model_validate(data)


def parse_dataset(raw: Mapping[str, Any]) -> Dataset:
    if "facets" in raw:
        raw = {**raw, "facets": _drop_deleted(raw["facets"])}
    return Dataset.model_validate(raw)
