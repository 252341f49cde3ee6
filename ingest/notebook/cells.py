"""IPython cell source to plain Python, keeping line numbers: magics and shell escapes.

A cell that parses as Python is used as is (so ``!`` inside a string is never touched).
Otherwise, line by line: ``!cmd`` and ``%magic`` become ``pass`` at the same indentation
(blocks stay valid), ``x = !cmd`` becomes ``x = None``, and ``obj?`` help lines vanish. Cell
magics decide the whole cell: ``%%sql`` is SQL, ``%%bash`` is shell, ``%%writefile x.py``,
``%%time`` and ``%%capture`` are Python, other languages are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["CellCode", "split_cell"]

_PY_CELL_MAGICS = {
    "time",
    "timeit",
    "capture",
    "prun",
    "writefile",
    "file",
    "debug",
    "python",
    "python3",
    "cache",
    "spark",
    "pyspark",
}
_SHELL_CELL_MAGICS = {"bash", "sh", "shell", "script", "system", "!"}
_SQL_CELL_MAGICS = {"sql", "sparksql", "bigquery", "snowflake", "read_sql", "duckdb"}
# IPython runs these without the ``%`` when automagic is on (the default)
_AUTOMAGICS = frozenset({"pip", "conda", "cd", "env", "set_env", "load_ext", "matplotlib"})
_ASSIGN_ESCAPE = re.compile(r"^(?P<indent>\s*)(?P<lhs>[\w.,\s\[\]()]+?)\s*=\s*[!%]")
_HELP = re.compile(r"^\s*(\?\??[\w.]+|[\w.]+\?\??)\s*$")
# a line magic names itself right after the ``%``; ``% (a, b)`` continues a ``"..." % (...)``
_MAGIC = re.compile(r"^%%?[A-Za-z_]")


@dataclass
class CellCode:
    """One cell split by language. ``python`` keeps the cell's line numbering."""

    python: str = ""
    shell: list[str] = field(default_factory=list)
    sql: list[tuple[str, str]] = field(default_factory=list)  # (connection arg, text)
    magics: list[str] = field(default_factory=list)
    writes_file: str = ""
    skipped_language: str = ""


def split_cell(source: str, *, parses: bool | None = None) -> CellCode:
    """Split an IPython cell. ``parses`` says the raw source is already known to be Python."""
    stripped = source.lstrip()
    if stripped.startswith("%%"):
        return _cell_magic(source)
    if parses:
        return CellCode(python=source)
    return _line_magics(source)


def _cell_magic(source: str) -> CellCode:
    first, _, body = source.lstrip().partition("\n")
    name, _, args = first[2:].strip().partition(" ")
    args = args.strip()
    cell = CellCode(magics=[name])
    if name in _SQL_CELL_MAGICS:
        connection = args.split()[0] if args and "://" in args.split()[0] else ""
        cell.sql.append((connection, body))
    elif name in _SHELL_CELL_MAGICS:
        if name == "script" and args and args.split()[0] not in ("bash", "sh", "zsh"):
            cell.skipped_language = args.split()[0]
        else:
            cell.shell.extend(line for line in body.splitlines() if line.strip())
    elif name in _PY_CELL_MAGICS:
        if name in ("writefile", "file"):
            target = args.replace("-a", "").strip()
            cell.writes_file = target
            if not target.endswith(".py"):
                cell.skipped_language = "text"
                return cell
        inner = _line_magics(body)
        inner.magics[:0] = cell.magics
        inner.writes_file = cell.writes_file
        # keep numbering: the magic line becomes an empty line
        inner.python = "\n" + inner.python
        return inner
    else:
        cell.skipped_language = name
    return cell


def _line_magics(source: str) -> CellCode:
    cell = CellCode()
    lines = source.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        # join backslash continuations of escapes, keeping the line count
        text = line.strip()
        extra = 0
        while text.endswith("\\") and text[:1] in "!%" and i + extra + 1 < len(lines):
            extra += 1
            text = text[:-1] + " " + lines[i + extra].strip()
        indent = line[: len(line) - len(line.lstrip())]
        if text.startswith("!"):
            cell.shell.append(text[1:].strip())
            out.append(indent + "pass")
        elif _MAGIC.match(text) or text.split(" ", 1)[0] in _AUTOMAGICS:
            name, _, rest = text.lstrip("%").partition(" ")
            cell.magics.append(name)
            if name in ("sql", "sparksql"):
                cell.sql.append(("", rest))
            elif name in ("pip", "conda", "sx", "system"):
                cell.shell.append(rest)
            out.append(indent + "pass")
        elif (m := _ASSIGN_ESCAPE.match(line)) and "==" not in line.split("=", 1)[0]:
            rest = line[m.end() - 1 :]
            if rest.startswith("!"):
                cell.shell.append(rest[1:].strip())
            else:
                cell.magics.append(rest[1:].split(" ", 1)[0])
            out.append(f"{m['indent']}{m['lhs'].strip()} = None")
        elif _HELP.match(line) and "?" in line:
            out.append(indent + "pass")
        else:
            out.append(line)
            i += 1
            continue
        out.extend([""] * extra)
        i += extra + 1
    cell.python = "\n".join(out)
    return cell
