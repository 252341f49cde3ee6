"""Scrub sensitive values from text and records before they enter a training set or an
index: Presidio finds them, presidio-anonymizer replaces, masks, hashes or encrypts them.

Operators:

=========  ==================================================================  ==========
operator   result                                                              reversible
=========  ==================================================================  ==========
replace    ``<EMAIL_ADDRESS>``                                                 no
mask       ``*`` for every character                                           no
hash       SHA-256, salted with a key-derived salt (same value, same hash)     no
encrypt    AES (presidio's ``encrypt``), key from ``LINEAGE_REDACT_KEY``        yes
=========  ==================================================================  ==========

:func:`unredact` decrypts what ``encrypt`` produced, given the items that redaction
returned (positions and entity types, never the values). The key is derived from the
setting with SHA-256 and never logged or returned. When the caller names the source and
destination datasets, :func:`masking_facts` describes the masking edge between them so
that label propagation stops there (it is written through ``lineage.pipeline.ingest``).
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from pydantic import SecretStr

from lineage import ids
from lineage.errors import ConfigError, LineageError
from lineage.model import Edge, EdgeKind, Fact, Kind, Node, Rel

__all__ = [
    "OPERATORS",
    "Item",
    "Redacted",
    "Redactor",
    "masking_facts",
    "masking_view_sql",
]

OPERATORS = ("replace", "mask", "hash", "encrypt")
_LOCK = threading.Lock()
_SHARED: dict[str, Any] = {}


def _default_analyzer() -> Any:
    """Presidio offline (no NER model download): the sensitivity ingestor's engine when it
    is installed (it adds secret recognisers), else Presidio's pattern recognisers."""
    with _LOCK:
        if "analyzer" not in _SHARED:
            try:
                from ingest.sensitivity.analyzer import build_analyzer
            except ImportError:  # pragma: no cover - the ingestor ships with the project
                from presidio_analyzer import AnalyzerEngine
                from presidio_analyzer.nlp_engine import NoOpNlpEngine

                nlp = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "no_op"}])
                _SHARED["analyzer"] = AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])
            else:
                _SHARED["analyzer"] = build_analyzer()
        return _SHARED["analyzer"]


@dataclass(frozen=True, slots=True)
class Item:
    """Where a value was redacted in the *output* text, and as what. No value, ever."""

    start: int
    end: int
    entity_type: str
    operator: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "entity_type": self.entity_type,
            "operator": self.operator,
        }


@dataclass(slots=True)
class Redacted:
    """Redacted text with its items; for records, ``items`` maps field to items."""

    text: str = ""
    items: list[Item] = field(default_factory=list)


class Redactor:
    """One analyzer and one key; thread-safe to share (the API keeps one per process)."""

    def __init__(
        self,
        *,
        key: SecretStr | str | None = None,
        analyzer: Any = None,
        language: str = "en",
        threshold: float = 0.4,
    ) -> None:
        secret = key.get_secret_value() if isinstance(key, SecretStr) else key
        self._aes = (
            hashlib.sha256(b"lineage-redact-aes\x00" + secret.encode()).digest() if secret else None
        )
        self._salt = (
            hmac.new(secret.encode(), b"lineage-redact-hash-salt", hashlib.sha256).digest()
            if secret
            else None
        )
        self._analyzer = analyzer
        self.language = language
        self.threshold = threshold
        from presidio_anonymizer import AnonymizerEngine, DeanonymizeEngine

        self._anonymizer = AnonymizerEngine()
        self._deanonymizer = DeanonymizeEngine()

    def __repr__(self) -> str:  # never show the key
        return f"Redactor(language={self.language!r}, key={'set' if self._aes else 'unset'})"

    @property
    def analyzer(self) -> Any:
        if self._analyzer is None:
            self._analyzer = _default_analyzer()
        return self._analyzer

    def _operator(self, operator: str) -> Any:
        from presidio_anonymizer.entities import OperatorConfig

        if operator == "replace":
            return OperatorConfig("replace")
        if operator == "mask":
            return OperatorConfig(
                "mask", {"masking_char": "*", "chars_to_mask": 10_000, "from_end": False}
            )
        if operator == "hash":
            params: dict[str, Any] = {"hash_type": "sha256"}
            if self._salt is not None:
                params["salt"] = self._salt
            return OperatorConfig("hash", params)
        if operator == "encrypt":
            if self._aes is None:
                raise ConfigError("encrypt needs a key: set LINEAGE_REDACT_KEY")
            return OperatorConfig("encrypt", {"key": self._aes})
        raise LineageError(f"unknown operator {operator!r} (one of {', '.join(OPERATORS)})")

    def supported_entities(self) -> set[str]:
        """The entity types the recognisers know (asking for another one is an error)."""
        return set(self.analyzer.get_supported_entities(language=self.language))

    # -- text ---------------------------------------------------------------------------
    def find(self, text: str, entities: Sequence[str] | None = None) -> list[Any]:
        return self.analyzer.analyze(
            text=text,
            language=self.language,
            entities=list(entities) if entities else None,
            score_threshold=self.threshold,
        )

    def redact(
        self,
        text: str,
        operator: str = "replace",
        *,
        entities: Sequence[str] | None = None,
        whole: str | None = None,
    ) -> Redacted:
        """Redact what the analyzer finds in ``text`` (or all of it, as entity ``whole``)."""
        config = self._operator(operator)
        if whole is not None:
            from presidio_analyzer import RecognizerResult

            found = [RecognizerResult(whole, 0, len(text), 1.0)] if text else []
        else:
            found = self.find(text, entities)
        if not found:
            return Redacted(text, [])
        result = self._anonymizer.anonymize(
            text=text, analyzer_results=cast(Any, found), operators={"DEFAULT": config}
        )
        items = [Item(i.start, i.end, i.entity_type, operator) for i in result.items]
        return Redacted(result.text, sorted(items, key=lambda i: i.start))

    def unredact(self, text: str, items: Iterable[Item | Mapping[str, Any]]) -> str:
        """Decrypt the ``encrypt`` items of a redacted text; other items stay as they are."""
        if self._aes is None:
            raise ConfigError("unredact needs the key: set LINEAGE_REDACT_KEY")
        from presidio_anonymizer.entities import OperatorConfig, OperatorResult

        wanted = []
        for raw in items:
            item = raw if isinstance(raw, Item) else Item(**dict(raw))
            if item.operator != "encrypt":
                continue
            if not 0 <= item.start <= item.end <= len(text):
                raise LineageError(f"item {item.to_dict()} is outside the text")
            wanted.append(OperatorResult(item.start, item.end, item.entity_type))
        if not wanted:
            return text
        try:
            result = self._deanonymizer.deanonymize(
                text=text,
                entities=wanted,
                operators={"DEFAULT": OperatorConfig("decrypt", {"key": self._aes})},
            )
        except Exception as exc:  # presidio raises bare errors on a wrong key or bad input
            raise LineageError(f"cannot decrypt: {type(exc).__name__}") from None
        return result.text

    # -- records ------------------------------------------------------------------------
    def redact_records(
        self,
        records: Iterable[Mapping[str, Any]],
        operator: str = "replace",
        *,
        entities: Sequence[str] | None = None,
        fields: Sequence[str] = (),
    ) -> Iterator[tuple[dict[str, Any], dict[str, list[Item]]]]:
        """Each record redacted, with its items by field. String values are analysed;
        ``fields`` are redacted whole (any scalar, as text)."""
        whole = set(fields)
        for record in records:
            out: dict[str, Any] = {}
            items: dict[str, list[Item]] = {}
            for name, value in record.items():
                if name in whole and value is not None:
                    done = self.redact(str(value), operator, whole=f"FIELD:{name}".upper())
                elif isinstance(value, str) and value:
                    done = self.redact(value, operator, entities=entities)
                else:
                    out[name] = value
                    continue
                out[name] = done.text
                if done.items:
                    items[name] = done.items
            yield out, items

    def unredact_records(
        self,
        records: Iterable[Mapping[str, Any]],
        items: Iterable[Mapping[str, Iterable[Item | Mapping[str, Any]]]],
    ) -> list[dict[str, Any]]:
        out = []
        for record, by_field in zip(records, items, strict=True):
            restored = dict(record)
            for name, its in by_field.items():
                if isinstance(restored.get(name), str):
                    restored[name] = self.unredact(restored[name], its)
            out.append(restored)
        return out


def masking_facts(
    source: str,
    destination: str,
    *,
    operator: str,
    fields: Sequence[str] = (),
    masked: Iterable[str] = (),
    source_ref: str = "redact",
) -> Iterator[Fact]:
    """The graph facts of a redaction from ``source`` to ``destination`` (dataset ids):
    a redaction job reading one and writing the other, and a masking ``FLOWS_TO`` (with
    column edges when ``fields`` are known: masked fields masking, the rest identity).

    The source is not re-declared (its properties stay as they are); callers that must not
    touch existing edges at all (an undoable response) drop the ones already stored."""
    src, dst = ids.parse(source), ids.parse(destination)
    if src.kind is not Kind.DATASET or dst.kind is not Kind.DATASET:
        raise LineageError("source and destination must be dataset ids")
    if source == destination:
        raise LineageError("source and destination must differ")
    job = ids.job_id("lineage", f"redact/{dst.namespace}/{dst.name}")
    yield Node(
        job,
        Kind.JOB,
        f"redact/{dst.name}",
        "lineage",
        {"job_type": "redact", "operator": operator},
        source_ref,
    )
    props: dict[str, Any] = {"redacted_by": job}
    if fields:
        props["fields"] = list(fields)
    yield Node(destination, Kind.DATASET, dst.name, dst.namespace, props, source_ref)
    yield Edge(job, Rel.READS, source, {}, "", source_ref)
    yield Edge(job, Rel.WRITES, destination, {}, "", source_ref)
    base = {
        "kind": EdgeKind.TRANSFORM.value,
        "via": job,
        "transformation_type": "DIRECT",
        "transformation_subtype": "TRANSFORMATION",
    }
    masked = set(masked)
    yield Edge(
        source,
        Rel.FLOWS_TO,
        destination,
        {
            **base,
            "granularity": "dataset",
            "masking": True,
            "column_detail": bool(fields),
            "masking_operator": operator,
        },
        job,
        source_ref,
    )
    for name in fields:
        scol = ids.column_id(src.namespace, src.name, name)
        dcol = ids.column_id(dst.namespace, dst.name, name)
        yield Edge(source, Rel.HAS_COLUMN, scol, {}, "", source_ref)  # stub if new
        yield Node(dcol, Kind.COLUMN, f"{dst.name}.{name}", dst.namespace, {}, source_ref)
        yield Edge(destination, Rel.HAS_COLUMN, dcol, {}, "", source_ref)
        is_masked = name in masked
        yield Edge(
            scol,
            Rel.FLOWS_TO,
            dcol,
            {
                **base,
                "granularity": "column",
                "masking": is_masked,
                "transformation_subtype": "TRANSFORMATION" if is_masked else "IDENTITY",
            },
            job,
            source_ref,
        )


_SQL_MASK = {
    "hash": "SHA2(CAST({c} AS VARCHAR), 256)",
    "mask": "CONCAT(REPEAT('*', GREATEST(LENGTH({c}) - 4, 0)), RIGHT({c}, 4))",
}
_NO_FUNCTIONS = frozenset({"sqlite"})  # no SHA2/REPEAT without extensions
# Written in the dialect itself where the transpiled form is wrong (PostgreSQL's sha256
# takes bytea, not text).
_NATIVE_MASK = {
    ("postgres", "hash"): "ENCODE(SHA256(CONVERT_TO(CAST({c} AS TEXT), 'UTF8')), 'hex')",
}


def masking_view_sql(
    table: str,
    columns: Sequence[str],
    masked: Mapping[str, str],
    *,
    view: str,
    dialect: str = "ansi",
    operator: str = "replace",
) -> str:
    """``CREATE VIEW view AS SELECT ...`` exposing ``columns`` of ``table`` with the
    ``masked`` ones (column -> entity or label) replaced, masked or hashed, in ``dialect``.

    ``encrypt`` has no portable SQL form and is refused; on SQLite, which has no hash or
    repeat function built in, hash and mask fall back to replace (said in a comment).
    """
    import sqlglot
    from sqlglot import exp

    if operator not in ("replace", "mask", "hash"):
        raise LineageError(f"a masking view supports replace, mask or hash, not {operator!r}")
    read = "mysql"  # the templates above are written in MySQL's spelling
    effective = "replace" if dialect in _NO_FUNCTIONS else operator
    selects: list[Any] = []
    for name in columns:
        col = exp.column(exp.to_identifier(name))
        if name not in masked:
            selects.append(col)
            continue
        if effective == "replace":
            value: Any = exp.Literal.string(f"<{masked[name]}>")
        elif (dialect, effective) in _NATIVE_MASK:
            template = _NATIVE_MASK[dialect, effective]
            value = sqlglot.parse_one(template.format(c=col.sql(dialect)), read=dialect)
        else:
            value = sqlglot.parse_one(_SQL_MASK[effective].format(c=col.sql(read)), read=read)
        selects.append(exp.alias_(value, exp.to_identifier(name)))
    select = exp.select(*selects).from_(exp.to_table(table))
    statement = exp.Create(this=exp.to_table(view), kind="VIEW", expression=select, replace=False)
    try:
        sql = statement.sql(dialect="" if dialect == "ansi" else dialect, pretty=True)
    except (ValueError, KeyError) as exc:
        raise LineageError(f"unknown SQL dialect {dialect!r}") from exc
    note = (
        f"-- {dialect} has no built-in {operator} function: masked columns are replaced\n"
        if effective != operator
        else ""
    )
    return f"{note}{sql};\n"
