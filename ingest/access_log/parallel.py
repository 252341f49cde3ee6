"""Aggregate one large log file on several cores: byte ranges in, one merged :class:`Usage`.

The file is cut into ranges at line boundaries; each worker process reads its range with
the ordinary reader and returns its aggregate; aggregates merge exactly (sums, min/max,
window-wise addition, set unions), except that a near-duplicate input pair straddling two
ranges is not counted. Line numbers in problems stay those of the whole file: the parent
counts the newlines before each range first (a C-speed pass over the bytes).

Workers are started with ``spawn``, so they inherit no store connection or server handle.
Gzip files and streams cannot be cut and are read in one process.
"""

from __future__ import annotations

import gzip
import itertools
import mmap
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import BinaryIO

from ingest.access_log.aggregate import MAX_SOURCES, Usage
from ingest.access_log.reader import Format, ReadStats, read_access_log
from ingest.access_log.records import Resolver
from lineage.model import Problem

__all__ = ["MIN_PARALLEL_BYTES", "aggregate_file", "merge_usage"]

MIN_PARALLEL_BYTES = 64 * 1024 * 1024  # below this, starting workers costs more than it saves


def merge_usage(into: Usage, other: Usage) -> Usage:
    """Add ``other`` into ``into`` (same window size); returns ``into``."""
    if other.window_s != into.window_s:
        raise ValueError("cannot merge aggregates with different window sizes")
    for key, theirs in other.pairs.items():
        mine = into.pairs.get(key)
        if mine is None:
            into.pairs[key] = theirs
            continue
        mine.requests += theirs.requests
        mine.errors += theirs.errors
        mine.bytes_in += theirs.bytes_in
        mine.bytes_out += theirs.bytes_out
        mine.tokens_in += theirs.tokens_in
        mine.tokens_out += theirs.tokens_out
        mine.public_requests += theirs.public_requests
        mine.first = min(mine.first, theirs.first)
        mine.last = max(mine.last, theirs.last)
        for start, (req, err, near) in theirs.windows.items():
            win = mine.windows.setdefault(start, [0, 0, 0])
            win[0] += req
            win[1] += err
            win[2] += near
        for source in sorted(theirs.sources):
            if len(mine.sources) >= MAX_SOURCES:
                break
            mine.sources.add(source)
        mine.last_fp = theirs.last_fp if theirs.last_fp is not None else mine.last_fp
    for principal, groups in other.groups.items():
        into.groups.setdefault(principal, set()).update(groups)
    into.records += other.records
    return into


def _ranges(path: Path, parts: int) -> list[tuple[int, int, int]]:
    """(start, end, first line number) for ``parts`` ranges cut after a newline."""
    size = path.stat().st_size
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        cuts = [0]
        for i in range(1, parts):
            at = data.find(b"\n", max(cuts[-1], size * i // parts))
            if at < 0:
                break
            cuts.append(at + 1)
        cuts.append(size)
    out, line = [], 1
    with path.open("rb") as f:
        for start, end in itertools.pairwise(cuts):
            if end > start:
                out.append((start, end, line))
                line += _newlines(f, start, end)
    return out


def _newlines(f: BinaryIO, start: int, end: int, block: int = 16 * 1024 * 1024) -> int:
    f.seek(start)
    count, left = 0, end - start
    while left > 0 and (chunk := f.read(min(block, left))):
        count += chunk.count(b"\n")
        left -= len(chunk)
    return count


def _lines(path: Path, start: int, end: int):  # type: ignore[no-untyped-def]
    if path.suffix == ".gz":  # not seekable by line: the whole file, in one job
        with gzip.open(path, "rb") as z:
            yield from z
        return
    with path.open("rb") as f:
        f.seek(start)
        left = end - start
        for line in f:
            left -= len(line)
            yield line
            if left <= 0:
                return


@dataclass(frozen=True, slots=True)
class _Job:
    """One worker's share: a byte range of the file and how to read it."""

    path: str
    start: int
    end: int
    first_line: int
    fmt: str
    window_s: int
    endpoint_namespace: str
    principal_namespace: str


def _work(job: _Job) -> tuple[Usage, ReadStats, list[Problem]]:
    usage, stats = Usage(window_s=job.window_s), ReadStats()
    resolver = Resolver(
        endpoint_namespace=job.endpoint_namespace, principal_namespace=job.principal_namespace
    )
    read = read_access_log(
        _lines(Path(job.path), job.start, job.end),
        fmt=job.fmt,
        path=job.path,
        resolver=resolver,
        stats=stats,
        first_line=job.first_line,
    )
    problems = list(usage.add_all(read))
    return usage, stats, problems


def aggregate_file(
    path: str | Path,
    *,
    fmt: Format | str = Format.AUTO,
    window_s: int = 3600,
    resolver: Resolver | None = None,
    jobs: int = 0,
) -> tuple[Usage, ReadStats, list[Problem]]:
    """Aggregate one plain-text log file with ``jobs`` processes (0: one per core)."""
    path = Path(path)
    resolver = resolver or Resolver()
    jobs = jobs or os.cpu_count() or 1
    size = path.stat().st_size

    def job(start: int, end: int, first_line: int) -> _Job:
        return _Job(
            str(path),
            start,
            end,
            first_line,
            Format(fmt).value,
            window_s,
            resolver.endpoint_namespace,
            resolver.principal_namespace,
        )

    if jobs == 1 or path.suffix == ".gz" or size == 0 or size < MIN_PARALLEL_BYTES:
        return _work(job(0, size, 1))
    parts = _ranges(path, jobs)
    with ProcessPoolExecutor(len(parts), mp_context=get_context("spawn")) as pool:
        results = list(pool.map(_work, [job(*part) for part in parts]))
    usage, stats, problems = Usage(window_s=window_s), ReadStats(), []
    for part_usage, part_stats, part_problems in results:
        merge_usage(usage, part_usage)
        stats.add(part_stats)
        problems.extend(part_problems)
    return usage, stats, problems
