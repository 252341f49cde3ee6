"""What a cell printed, as columns for the classifier.

A printed table is data laid out in columns, and the column classifier decides best with a
column's name and its values together: a Spark ``show()`` cuts values at 20 characters
(``sdunford0@amazona...`` is no longer an address Presidio knows, but it is the ``email``
column's value), and a ``first_name`` column of capitalised words is PERSON by its name.
So tables (Spark ``show()``, Markdown/pipe tables, pandas reprs) are cut into their columns;
what remains is one pool of lines, one value per line.

Lines that are numeric vectors (a printed embedding, tensor or array) are dropped: a run of
16 digits after ``0.`` is a float's fraction, not a card number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["FREE_TEXT", "columns"]

FREE_TEXT = "notebook_output"  # the column name of lines outside any table

_BORDER = re.compile(r"^\s*\+(?:-+\+)+\s*$")  # Spark show(): +---+-----+
_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_PIPE_RULE = re.compile(r"^\s*\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*\|?\s*$")  # |---|:--:|
_NUMBER = re.compile(r"^[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?$")
_FLOAT_MARK = re.compile(r"[.eE]")
_SPLIT = re.compile(r"[\s,;\[\]()]+")
_PANDAS_FOOTER = re.compile(r"^\[\d+ rows x \d+ columns\]$")
_MIN_ROWS = 2


def is_numeric_vector(line: str) -> bool:
    """Four or more numbers, mostly with a fraction or exponent, and nothing else but
    brackets, commas and words like ``array``/``tensor``: a vector, not values."""
    tokens = [t for t in _SPLIT.split(line) if t and t != "..."]
    numbers = [t for t in tokens if _NUMBER.match(t)]
    if len(numbers) < 4 or len(numbers) < len(tokens) - 2:
        return False
    return sum(bool(_FLOAT_MARK.search(t)) for t in numbers) * 2 > len(numbers)


def _pipe_cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return [cell.strip() for cell in inner.split("|")]


def _pipe_table(lines: list[str], at: int) -> tuple[int, list[tuple[str, list[str]]]] | None:
    """A Spark ``show()`` or Markdown table starting at ``lines[at]``: where it ends and
    its columns, or ``None``."""
    i = at
    while i < len(lines) and _BORDER.match(lines[i]):
        i += 1
    if i >= len(lines) or not _PIPE_ROW.match(lines[i]):
        return None
    header = _pipe_cells(lines[i])
    rows: list[list[str]] = []
    i += 1
    while i < len(lines) and (
        _BORDER.match(lines[i]) or _PIPE_RULE.match(lines[i]) or _PIPE_ROW.match(lines[i])
    ):
        if _PIPE_ROW.match(lines[i]) and not _PIPE_RULE.match(lines[i]):
            cells = _pipe_cells(lines[i])
            if len(cells) == len(header):
                rows.append(cells)
        i += 1
    if len(header) < 2 or len(rows) < _MIN_ROWS:
        return None
    return i, [(name, [row[c] for row in rows]) for c, name in enumerate(header)]


def _pandas_table(lines: list[str], at: int) -> tuple[int, list[tuple[str, list[str]]]] | None:
    """A pandas DataFrame repr starting at ``lines[at]``: a header of column names, then
    rows led by an index, each value right-aligned under the end of its column's name."""
    header = lines[at]
    names = [(m.group(), m.end()) for m in re.finditer(r"\S+", header)]
    if len(names) < 2 or not header.startswith(" "):
        return None
    first_start = header.index(names[0][0])
    rows: list[str] = []
    i = at + 1
    while i < len(lines) and lines[i].strip() and not _PANDAS_FOOTER.match(lines[i].strip()):
        line = lines[i]
        index = re.match(r"\S+", line)
        if index is None or index.end() > first_start or len(line) > len(header) + 2:
            break
        rows.append(line)
        i += 1
    if len(rows) < _MIN_ROWS:
        return None
    out = []
    start = first_start
    for name, end in names:
        values = [row[start:end].strip() for row in rows]
        if name != "...":
            out.append((name, values))
        start = end
    return i, out


def columns(text: str) -> Iterator[tuple[str, list[str]]]:
    """(column name, values) for each column of each printed table, then
    (:data:`FREE_TEXT`, the other non-empty lines that are not numeric vectors)."""
    lines = text.splitlines()
    free: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        found = None
        if _BORDER.match(line) or _PIPE_ROW.match(line):
            found = _pipe_table(lines, i)
        elif line.startswith(" ") and line.strip():
            found = _pandas_table(lines, i)
        if found is not None:
            i, table = found
            yield from table
            continue
        if line.strip() and not is_numeric_vector(line):
            free.append(line)
        i += 1
    if free:
        yield FREE_TEXT, free
