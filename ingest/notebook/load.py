"""Loading notebooks with nbformat (v3 and v4): validation problems are listed, not fatal.

Only a file that is not a notebook at all (not JSON, no cells, an nbformat major version
nbformat cannot read) is unusable; it becomes one error-level :class:`Problem` and no facts.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lineage.model import Problem, Severity

__all__ = ["MAX_NOTEBOOK_BYTES", "Cell", "LoadedNotebook", "load_notebook", "parse_notebook"]

MAX_NOTEBOOK_BYTES = 256 * 1024 * 1024
_SUPPORTED = (3, 4)


@dataclass(frozen=True, slots=True)
class Cell:
    index: int
    cell_type: str
    source: str
    outputs: tuple[dict[str, Any], ...] = ()


@dataclass
class LoadedNotebook:
    path: str
    nbformat: int = 0
    nbformat_minor: int = 0
    language: str = ""
    kernel: str = ""
    cells: list[Cell] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return not any(p.severity is Severity.ERROR for p in self.problems)


def load_notebook(path: str | Path, *, ref: str | None = None) -> LoadedNotebook:
    """Read and parse a notebook file; ``ref`` is the path used in ids (default: as given)."""
    path = Path(path)
    ref = ref or path.as_posix()
    try:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            return _unusable(ref, f"notebook is {size} bytes; the limit is {MAX_NOTEBOOK_BYTES}")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return _unusable(ref, f"cannot read notebook: {exc}")
    return parse_notebook(text, ref)


def parse_notebook(text: str, ref: str) -> LoadedNotebook:
    """Parse notebook JSON text. Never raises for bad input: problems say what was wrong."""
    import nbformat
    from nbformat.reader import NotJSONError

    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        return _unusable(
            ref,
            f"not valid JSON (truncated?): {exc.msg} at line {exc.lineno}",
            snippet=_around(text, exc.pos),
        )
    if not isinstance(raw, dict) or "nbformat" not in raw:
        return _unusable(ref, "not a notebook: no 'nbformat' field")
    major = raw.get("nbformat")
    if major not in _SUPPORTED:
        return _unusable(ref, f"unsupported nbformat version {major!r} (supported: 3, 4)")
    problems: list[Problem] = []
    try:
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            # from_dict + convert is what nbformat.reads does, without parsing the JSON twice
            nb = nbformat.convert(nbformat.from_dict(raw), 4)
    except (NotJSONError, ValueError, KeyError, TypeError, AttributeError) as exc:
        return _unusable(ref, f"nbformat could not read the notebook: {exc}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # missing cell ids etc.: not ours to fix
            nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        problems.append(
            Problem(Severity.WARNING, f"nbformat validation: {_first_line(exc.message)}", ref)
        )
    meta = nb.get("metadata", {})
    loaded = LoadedNotebook(
        path=ref,
        nbformat=int(major),
        nbformat_minor=int(raw.get("nbformat_minor") or 0),
        language=str((meta.get("language_info") or {}).get("name") or ""),
        kernel=str((meta.get("kernelspec") or {}).get("name") or ""),
        problems=problems,
    )
    for index, cell in enumerate(nb.get("cells", [])):
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(source)
        loaded.cells.append(
            Cell(
                index,
                str(cell.get("cell_type", "")),
                str(source),
                tuple(cell.get("outputs", ()) or ()),
            )
        )
    return loaded


def _unusable(ref: str, message: str, snippet: str = "") -> LoadedNotebook:
    return LoadedNotebook(path=ref, problems=[Problem(Severity.ERROR, message, ref, snippet)])


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:300] if text.strip() else "invalid"


def _around(text: str, pos: int) -> str:
    start = max(0, pos - 40)
    return text[start : pos + 40].replace("\n", " ")
