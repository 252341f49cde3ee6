"""Scan one model artefact (a file or a model folder) without loading or executing it.

The verdict is the worst over the files: ``unsafe`` (a code-executing global such as
``os.system``/``builtins.eval``, a Keras Lambda layer), ``suspicious`` (pickle globals
outside picklescan's allow-list, a malformed safetensors header, custom Keras objects),
``safe`` (nothing found), ``unknown`` (no scannable model file), ``error`` (unreadable).
Pickle-bearing files are disassembled by picklescan (``pickletools.genops``: opcodes are
read, never run); everything else is checked from headers by :mod:`.formats`.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import os
import pickletools
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ingest.model_scan.formats import (
    CODE_CAPABLE,
    PICKLE_FORMATS,
    detect_format,
    hdf5_findings,
    keras_findings,
    safetensors_findings,
)

__all__ = ["SCANNER", "ArtefactScan", "FileScan", "scan_artefact", "scanner_version"]

SCANNER = "picklescan"
_RANK = {"safe": 0, "unknown": 1, "suspicious": 2, "error": 3, "unsafe": 4}
_SKIP_SUFFIXES = {".json", ".txt", ".md", ".py", ".yaml", ".yml", ".model", ".tiktoken"}
_MAX_FILES = 10_000
_CHUNK = 8 * 1024 * 1024

logging.getLogger("picklescan").setLevel(logging.CRITICAL)  # we report findings ourselves


def scanner_version() -> str:
    return importlib.metadata.version(SCANNER)


@dataclass(frozen=True, slots=True)
class FileScan:
    """One file's result; ``findings`` are short texts, never file contents."""

    path: str
    format: str
    size: int
    sha256: str
    verdict: str
    findings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ArtefactScan:
    """A whole artefact: the worst verdict over its files, and a hash that names it."""

    path: str
    verdict: str
    format: str
    size: int
    sha256: str
    scanner: str
    scanner_version: str
    files: tuple[FileScan, ...] = field(default_factory=tuple)

    @property
    def findings(self) -> list[str]:
        many = len(self.files) > 1
        return [f"{Path(f.path).name}: {x}" if many else x for f in self.files for x in f.findings]

    @property
    def code_capable(self) -> bool:
        return any(f.format in CODE_CAPABLE for f in self.files)


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _first_stream(f: IO[bytes]) -> str | None:
    """Why the pickle stream at ``f`` is not whole (None: it parses to its STOP).

    Opcodes are read by ``pickletools.genops``, never executed. picklescan reports bytes
    it cannot parse as "not a pickle" and so, alone, "safe": a truncated or corrupt model
    file must fail closed instead (it may hide what a loader would still run).
    """
    try:
        for opcode, _arg, _pos in pickletools.genops(f):
            if opcode.name == "STOP":
                return None
    except Exception as exc:  # any parse failure: malformed
        return f"pickle stream malformed ({type(exc).__name__})"
    return "pickle stream truncated (no STOP)"


def _integrity(path: Path, fmt: str) -> list[str]:
    """Findings for pickle-bearing files whose pickles do not parse whole."""
    if fmt in ("pickle", "pytorch-legacy"):
        with path.open("rb") as f:
            problem = _first_stream(f)
        return [problem] if problem else []
    if fmt in ("pytorch", "zip"):
        if not zipfile.is_zipfile(path):
            return ["neither a zip archive nor a pickle stream"]
        out = []
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.endswith(".pkl"):
                    with archive.open(name) as member:
                        problem = _first_stream(member)
                    if problem:
                        out.append(f"{name}: {problem}")
        return out
    return []


def _pickle_scan(path: Path, fmt: str) -> tuple[str, list[str]]:
    from picklescan.scanner import SafetyLevel, scan_bytes

    with path.open("rb") as f:
        ext = ".npy" if fmt == "numpy" else ".pt" if fmt.startswith("pytorch") else path.suffix
        try:
            result = scan_bytes(f, str(path), ext.lower())
        except Exception as exc:
            return "error", [f"picklescan failed: {type(exc).__name__}"]
    dangerous = sorted(
        {f"{g.module}.{g.name}" for g in result.globals if g.safety is SafetyLevel.Dangerous}
    )
    unknown = sorted(
        {f"{g.module}.{g.name}" for g in result.globals if g.safety is SafetyLevel.Suspicious}
    )
    findings = [f"pickle global {g} (dangerous)" for g in dangerous]
    findings += [f"pickle global {g} (not allow-listed)" for g in unknown]
    if dangerous:
        return "unsafe", findings
    try:
        broken = _integrity(path, fmt)
    except Exception as exc:  # fail closed: what we cannot read is not safe
        return "error", [*findings, f"integrity check failed: {type(exc).__name__}"]
    if result.scan_err and not broken:
        broken = ["pickle stream malformed"]
    if unknown or broken:
        return "suspicious", findings + broken
    return "safe", findings


def scan_file(path: Path) -> FileScan:
    """Scan one file. Reads bytes only; nothing in the file is imported or called."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(16)
        fmt = detect_format(path, head)
        findings: list[str] = []
        verdict = "safe"
        if fmt in PICKLE_FORMATS:
            verdict, findings = _pickle_scan(path, fmt)
        elif fmt == "safetensors":
            with path.open("rb") as f:
                findings = safetensors_findings(f, size)
            verdict = "suspicious" if findings else "safe"
        elif fmt == "keras":
            findings = keras_findings(path)
        elif fmt == "hdf5":
            with path.open("rb") as f:
                findings = hdf5_findings(f, _CHUNK)
        elif fmt in ("gguf", "onnx", "tflite", "tensorflow"):
            verdict = "safe"  # data-only formats: no loader runs code from them
        else:
            verdict = "unknown"
        if fmt in ("keras", "hdf5") and findings:
            lambda_layer = any("Lambda" in x for x in findings)
            verdict = "unsafe" if lambda_layer else "suspicious"
        return FileScan(str(path), fmt, size, _sha256(path), verdict, tuple(findings[:50]))
    except OSError as exc:
        return FileScan(str(path), "unknown", 0, "", "error", (f"unreadable: {exc.strerror}",))


def _files(root: Path) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            p = Path(dirpath) / name
            if not name.startswith(".") and p.suffix.lower() not in _SKIP_SUFFIXES:
                out.append(p)
            if len(out) >= _MAX_FILES:
                return out
    return out


def scan_artefact(path: str | Path) -> ArtefactScan:
    """Scan a model file, or every model file of a folder (a Hugging Face snapshot, say).

    A folder's ``sha256`` hashes the sorted ``relative path  file sha256`` lines, so the
    same snapshot gets the same hash wherever it lives. Symlinks are followed (HF caches
    use them), but only regular files are read.
    """
    root = Path(path)
    if root.is_dir():
        scans = tuple(scan_file(p) for p in _files(root) if p.is_file())
        if not scans:
            verdict, fmt, digest = "unknown", "directory", ""
        else:
            verdict = max((s.verdict for s in scans), key=_RANK.__getitem__)
            formats = sorted({s.format for s in scans if s.format != "unknown"})
            fmt = "+".join(formats) or "unknown"
            lines = "".join(
                f"{Path(s.path).relative_to(root).as_posix()}  {s.sha256}\n" for s in scans
            )
            digest = hashlib.sha256(lines.encode()).hexdigest()
        size = sum(s.size for s in scans)
    else:
        one = scan_file(root)
        scans, verdict, fmt, size, digest = (one,), one.verdict, one.format, one.size, one.sha256
    return ArtefactScan(str(root), verdict, fmt, size, digest, SCANNER, scanner_version(), scans)
