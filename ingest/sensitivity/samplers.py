"""Samplers: up to N rows per column from CSV, JSON Lines, Parquet, or a SQL database.

Files are sampled uniformly (reservoir sampling, seeded, so a re-scan sees the same rows);
Parquet reads only the row groups that hold the chosen rows; SQL databases are read through
SQLAlchemy with ``LIMIT`` (the first N rows in the database's order: cheap on any size,
and the same on every engine). Values live only in memory: a :class:`Sample` never shows
them in its ``repr``, and the location it reports has any password removed.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lineage.errors import ConfigError, ParseError

__all__ = ["Sample", "redact", "sample"]

DEFAULT_ROWS = 100
_SEED = 7
_FILE_KINDS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


@dataclass(frozen=True)
class Sample:
    """Sampled values per column (in memory only), with the column types when known."""

    location: str
    table: str
    rows: int
    columns: dict[str, list[Any]] = field(repr=False)
    field_types: dict[str, str] = field(default_factory=dict)


def redact(location: str) -> str:
    """The location without a password (``postgresql://u:***@h/db``)."""
    if "://" in location and "@" in location:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            return make_url(location).render_as_string(hide_password=True)
        except ArgumentError:
            head, _, tail = location.rpartition("@")
            return head.split("://")[0] + "://***@" + tail
    return location


def _reservoir(rows: Any, n: int) -> list[Any]:
    rng = random.Random(_SEED)
    out: list[Any] = []
    for i, row in enumerate(rows):
        if i < n:
            out.append(row)
        else:
            j = rng.randint(0, i)
            if j < n:
                out[j] = row
    return out


def _columns(records: list[dict[str, Any]], order: list[str]) -> dict[str, list[Any]]:
    names = list(dict.fromkeys([*order, *(k for r in records for k in r)]))
    return {name: [r.get(name) for r in records] for name in names}


def _csv(path: Path, n: int) -> Sample:
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as fh:
        head = fh.read(64 * 1024)
        fh.seek(0)
        try:
            dialect: Any = csv.Sniffer().sniff(head, delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel_tab if path.suffix == ".tsv" else csv.excel
        reader = csv.DictReader(fh, dialect=dialect)
        if not reader.fieldnames:
            raise ParseError("no header row", path=str(path), line=1)
        records = _reservoir(reader, n)
        order = [f for f in reader.fieldnames if f]
    clean = [{k: v for k, v in r.items() if k} for r in records]
    return Sample(str(path), path.stem, len(records), _columns(clean, order))


def _scalar(value: Any) -> Any:
    """Nested objects and arrays are classified as their JSON text."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value


def _jsonl(path: Path, n: int) -> Sample:
    def objects() -> Any:
        with path.open(encoding="utf-8", errors="replace") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ParseError(f"not JSON: {exc.msg}", path=str(path), line=number) from None
                if not isinstance(obj, dict):
                    raise ParseError(
                        "expected one JSON object per line", path=str(path), line=number
                    )
                yield obj

    records = _reservoir(objects(), n)
    flat = [
        {
            k: json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v
            for k, v in r.items()
        }
        for r in records
    ]
    return Sample(str(path), path.stem, len(flat), _columns(flat, []))


def _parquet(path: Path, n: int) -> Sample:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    total = pf.metadata.num_rows
    chosen = sorted(random.Random(_SEED).sample(range(total), min(n, total)))
    names = pf.schema_arrow.names
    types = {f.name: str(f.type) for f in pf.schema_arrow}
    columns: dict[str, list[Any]] = {name: [] for name in names}
    start = 0
    k = 0
    for g in range(pf.num_row_groups):
        size = pf.metadata.row_group(g).num_rows
        wanted = []
        while k < len(chosen) and chosen[k] < start + size:
            wanted.append(chosen[k] - start)
            k += 1
        if wanted:
            table = pf.read_row_group(g).take(wanted)
            for name in names:
                columns[name].extend(table.column(name).to_pylist())
        start += size
    return Sample(str(path), path.stem, len(chosen), columns, types)


def _sql(url: str, n: int, table: str | None) -> Sample:
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(url)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise ConfigError(f"cannot use database URL {redact(url)}: {exc}") from exc
    try:
        inspector = sa.inspect(engine)
        schema, _, name = (table or "").rpartition(".")
        schema = schema or None
        if not name:
            tables = inspector.get_table_names()
            if len(tables) != 1:
                raise ConfigError(
                    f"{redact(url)} holds {len(tables)} tables: pick one with --table"
                )
            name = tables[0]
        meta = sa.MetaData()
        try:
            tab = sa.Table(name, meta, schema=schema, autoload_with=engine)
        except sa.exc.NoSuchTableError:
            raise ConfigError(f"no table {table!r} in {redact(url)}") from None
        types = {c.name: str(c.type) for c in tab.columns}
        with engine.connect() as conn:
            rows = conn.execute(sa.select(tab).limit(n)).mappings().all()
    except sa.exc.OperationalError as exc:
        raise ConfigError(f"cannot read {redact(url)}: {exc.orig}") from None
    finally:
        engine.dispose()
    records = [dict(r) for r in rows]
    return Sample(redact(url), f"{schema}.{name}" if schema else name, len(records),
                  {c: [r.get(c) for r in records] for c in types}, types)  # fmt: skip


def sample(location: str | Path, *, rows: int = DEFAULT_ROWS, table: str | None = None) -> Sample:
    """Sample ``rows`` rows of a file (by suffix) or of a table behind a SQLAlchemy URL."""
    if rows < 1:
        raise ConfigError("rows must be at least 1")
    text = str(location)
    if "://" in text and not text.startswith("file://"):
        return _sql(text, rows, table)
    path = Path(text.removeprefix("file://"))
    kind = _FILE_KINDS.get(path.suffix.lower())
    if kind is None:
        raise ConfigError(f"{path}: unknown file type (known: {', '.join(sorted(_FILE_KINDS))})")
    if not path.is_file():
        raise ConfigError(f"{path}: no such file")
    return {"csv": _csv, "jsonl": _jsonl, "parquet": _parquet}[kind](path, rows)
