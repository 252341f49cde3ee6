"""Model artefacts -> Model node verdicts (and Problems for the unsafe ones).

``scan_model_facts`` scans files or folders with :func:`scan_artefact` (picklescan for
pickle-bearing formats, header checks for safetensors/Keras/HDF5; nothing is loaded or
executed) and yields a Model node per artefact with these props:

===========================  ===========================================================
``artefact_verdict``         safe | suspicious | unsafe | unknown | error
``artefact_format``          safetensors, pytorch, pickle, keras, hdf5, gguf, onnx, ...
``artefact_sha256``          file sha256; for a folder, sha256 of its file-hash manifest
``artefact_size``            bytes
``artefact_scanner``         ``picklescan``; ``artefact_scanner_version`` its version
``artefact_findings``        short texts such as ``pickle global posix.system (dangerous)``
``artefact_code_capable``    the format can run code when loaded (pickle, Keras, HDF5)
``artefact_path``            where it was scanned; ``artefact_scanned_at`` when
===========================  ===========================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from ingest.model_scan.scanner import SCANNER, ArtefactScan, FileScan, scan_artefact
from lineage import ids
from lineage.model import Fact, Kind, Node, Problem, Severity
from lineage.timeutil import now_iso

__all__ = [
    "SCANNER",
    "ArtefactScan",
    "FileScan",
    "artefact_props",
    "model_uid_for",
    "scan_artefact",
    "scan_model_facts",
]


def model_uid_for(path: str | Path) -> str:
    """The Model id of a local artefact: namespace ``file``, name its absolute path."""
    return ids.model_id("file", str(Path(path).resolve()))


def artefact_props(scan: ArtefactScan, scanned_at: str) -> dict[str, object]:
    return {
        "artefact_verdict": scan.verdict,
        "artefact_format": scan.format,
        "artefact_sha256": scan.sha256,
        "artefact_size": scan.size,
        "artefact_scanner": scan.scanner,
        "artefact_scanner_version": scan.scanner_version,
        "artefact_findings": scan.findings[:50],
        "artefact_code_capable": scan.code_capable,
        "artefact_path": scan.path,
        "artefact_scanned_at": scanned_at,
    }


def scan_model_facts(
    paths: Iterable[str | Path | tuple[str | Path, str]], *, scanned_at: str = ""
) -> Iterator[Fact]:
    """Scan each path (or ``(path, model uid)`` pair) and yield its Model node and Problems.

    A missing path is a Problem and no node. An unsafe artefact is also an error-level
    Problem, a suspicious one a warning, so ``lineage ingest`` output shows them.
    """
    scanned_at = scanned_at or now_iso()
    for item in paths:
        path, uid = item if isinstance(item, tuple) else (item, "")
        path = Path(path)
        if not path.exists():
            yield Problem(Severity.ERROR, "model artefact not found", str(path))
            continue
        scan = scan_artefact(path)
        uid = uid or model_uid_for(path)
        parsed = ids.parse(uid)
        if parsed.kind is not Kind.MODEL:
            yield Problem(Severity.ERROR, f"{uid} is not a model id", str(path))
            continue
        yield Node(
            uid,
            Kind.MODEL,
            parsed.name,
            parsed.namespace,
            artefact_props(scan, scanned_at),
            source_ref=str(path),
        )
        if scan.verdict in ("unsafe", "suspicious", "error"):
            severity = Severity.ERROR if scan.verdict == "unsafe" else Severity.WARNING
            what = "; ".join(scan.findings[:5]) or scan.verdict
            yield Problem(severity, f"model artefact is {scan.verdict}: {what}", str(path))
