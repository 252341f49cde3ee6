"""Model-artefact scanning throughput (MB/s) on generated files up to 1 GB.

    .venv/bin/python -m bench.model_scan [--sizes 10 100 1000] [--repeats 3]

Files are generated into a temp folder (and deleted): safetensors (JSON header + tensor
bytes), a PyTorch zip checkpoint (``archive/data.pkl`` + one stored tensor entry, the layout
``torch.save`` writes), a raw pickle holding one large bytes object (legacy ``.pkl``), and a
float32 ``.npy``. Each is scanned with :func:`ingest.model_scan.scan_artefact` (format
detection, picklescan or header checks, sha256). The baseline, measured in the same run, is
sha256 of the file alone: every scan hashes the whole file, so that is its floor. Files are
freshly written, so reads come from the page cache: these are CPU figures, not disk ones.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import shutil
import statistics
import struct
import tempfile
import time
import zipfile
from pathlib import Path

from ingest.model_scan import scan_artefact

_BLOCK = 8 * 1024 * 1024


def _fill(out, size: int) -> None:  # type: ignore[no-untyped-def]
    block = os.urandom(_BLOCK)
    left = size
    while left > 0:
        out.write(block[: min(left, _BLOCK)])
        left -= _BLOCK


def make_safetensors(path: Path, size: int) -> None:
    header = json.dumps(
        {"w": {"dtype": "F32", "shape": [size // 4], "data_offsets": [0, size // 4 * 4]}}
    ).encode()
    with path.open("wb") as out:
        out.write(struct.pack("<Q", len(header)) + header)
        _fill(out, size // 4 * 4)


def make_torch_zip(path: Path, size: int) -> None:
    meta = pickle.dumps({"w": ("storage", "0", "cpu", size // 4)}, protocol=2)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", meta)
        with z.open("archive/data/0", "w", force_zip64=True) as entry:
            _fill(entry, size)
        z.writestr("archive/version", "3\n")


def make_pickle(path: Path, size: int) -> None:
    with path.open("wb") as out:
        out.write(b"\x80\x04\x8e" + struct.pack("<Q", size))  # PROTO 4, BINBYTES8
        _fill(out, size)
        out.write(b".")


def make_npy(path: Path, size: int) -> None:
    count = size // 4
    header = f"{{'descr': '<f4', 'fortran_order': False, 'shape': ({count},), }}".encode()
    header += b" " * (63 - len(header) % 64) + b"\n"
    with path.open("wb") as out:
        out.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header)
        _fill(out, count * 4)


MAKERS = {
    "safetensors": ("model.safetensors", make_safetensors),
    "pytorch zip": ("model.pt", make_torch_zip),
    "raw pickle": ("model.pkl", make_pickle),
    "numpy": ("model.npy", make_npy),
}


def _sha256(path: Path) -> None:
    with path.open("rb") as f:
        hashlib.file_digest(f, "sha256")


def _timed(fn, path: Path, repeats: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn(path)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000], help="MB")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="lineage-bench-scan-"))
    print(f"load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| format | size MB | verdict | scan s | scan MB/s | sha256-only MB/s | scan/sha256 |")
    print("|---|---:|---|---:|---:|---:|---:|")
    try:
        for mb in args.sizes:
            for label, (name, make) in MAKERS.items():
                path = root / name
                make(path, mb * 1_000_000)
                real_mb = path.stat().st_size / 1e6
                verdict = scan_artefact(path).verdict
                scan_s = _timed(scan_artefact, path, args.repeats)
                hash_s = _timed(_sha256, path, args.repeats)
                print(
                    f"| {label} | {real_mb:,.0f} | {verdict} | {scan_s:.2f} |"
                    f" {real_mb / scan_s:,.0f} | {real_mb / hash_s:,.0f} |"
                    f" {hash_s / scan_s:.2f} |",
                    flush=True,
                )
                path.unlink()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
