"""The path an artefact is known by in ids: stable wherever the ingest is run from.

A notebook ingested from three working directories must be one Job. Its id uses the path
relative to the repository it lives in (the nearest folder holding ``.git``), else relative to
the folder the ingest was pointed at (the ingest root); ``repo`` (a declared repository name)
prefixes it, so two checkouts of one repository meet too.

>>> from pathlib import Path
>>> artefact_ref(Path("/no/such/repo/nb/train.ipynb"), Path("/no/such/repo"))
'nb/train.ipynb'
>>> artefact_ref(Path("/no/such/repo/nb/train.ipynb"), Path("/no/such/repo"), repo="acme/ml")
'acme/ml/nb/train.ipynb'
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["artefact_ref", "repository_root"]


def repository_root(path: Path) -> Path | None:
    """The nearest folder above ``path`` holding ``.git`` (a folder or a worktree file)."""
    for folder in path.resolve().parents:
        if (folder / ".git").exists():
            return folder
    return None


def artefact_ref(path: Path, root: Path, *, repo: str | None = None) -> str:
    """``path`` relative to its repository, else to ``root``; prefixed with ``repo``."""
    resolved = path.resolve()
    base = repository_root(resolved) or root.resolve()
    try:
        ref = resolved.relative_to(base).as_posix()
    except ValueError:
        ref = resolved.as_posix()
    return f"{repo.strip('/')}/{ref}" if repo else ref
