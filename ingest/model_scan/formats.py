"""Model file formats, told apart by their bytes, and the header-only checks of the safe ones.

Nothing here deserialises a model: safetensors is checked by reading its JSON header and
bounds, Keras archives by reading ``config.json`` as text, HDF5 by a byte search for the
layer class names in the stored model config. Pickle-bearing formats go to picklescan
(see :mod:`.scanner`).
"""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path
from typing import IO

__all__ = [
    "CODE_CAPABLE",
    "PICKLE_FORMATS",
    "detect_format",
    "hdf5_findings",
    "keras_findings",
    "safetensors_findings",
]

# Formats whose loaders can run code from the file (the reason to prefer safetensors).
PICKLE_FORMATS = frozenset({"pickle", "pytorch", "pytorch-legacy", "numpy", "npz", "zip"})
CODE_CAPABLE = PICKLE_FORMATS | {"keras", "hdf5"}

_MAX_HEADER = 100 * 1024 * 1024  # safetensors' own limit on the JSON header
_MAX_CONFIG = 64 * 1024 * 1024
_SAFETENSORS_DTYPES = frozenset(
    [
        "BOOL",
        "U8",
        "I8",
        "F8_E5M2",
        "F8_E4M3",
        "F8_E8M0",
        "F4",
        "F6_E2M3",
        "F6_E3M2",
        "I16",
        "U16",
        "F16",
        "BF16",
        "I32",
        "U32",
        "F32",
        "F64",
        "I64",
        "U64",
        "C64",
    ]
)
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_EXT = {
    ".safetensors": "safetensors",
    ".gguf": "gguf",
    ".onnx": "onnx",
    ".pkl": "pickle",
    ".pickle": "pickle",
    ".joblib": "pickle",
    ".dat": "pickle",
    ".npy": "numpy",
    ".npz": "npz",
    ".pt": "pytorch",
    ".pth": "pytorch",
    ".bin": "pytorch",
    ".ckpt": "pytorch",
    ".keras": "keras",
    ".h5": "hdf5",
    ".hdf5": "hdf5",
    ".tflite": "tflite",
    ".pb": "tensorflow",
}


def detect_format(path: Path, head: bytes) -> str:
    """The format of a file from its first bytes, the extension breaking ties."""
    ext = _EXT.get(path.suffix.lower(), "")
    if head.startswith(b"GGUF"):
        return "gguf"
    if head.startswith(_HDF5_MAGIC):
        return "hdf5"
    if head.startswith(b"\x93NUMPY"):
        return "numpy"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        if ext in ("keras", "npz"):
            return ext
        return "pytorch" if ext == "pytorch" else "zip"
    if len(head) >= 9 and head[8:9] == b"{":
        (size,) = struct.unpack("<Q", head[:8])
        if 2 <= size <= _MAX_HEADER:
            return "safetensors"
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return "pytorch-legacy" if ext == "pytorch" else "pickle"
    return ext or "unknown"


def safetensors_findings(f: IO[bytes], size: int) -> list[str]:
    """Problems with a safetensors header (it holds no code, but a bad header is suspect)."""
    raw = f.read(8)
    if len(raw) < 8:
        return ["safetensors: truncated header length"]
    (length,) = struct.unpack("<Q", raw)
    if length > _MAX_HEADER or 8 + length > size:
        return ["safetensors: header length beyond the file"]
    try:
        header = json.loads(f.read(length))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return ["safetensors: header is not JSON"]
    if not isinstance(header, dict):
        return ["safetensors: header is not an object"]
    body = size - 8 - length
    findings: list[str] = []
    for name, info in header.items():
        if name == "__metadata__":
            if not isinstance(info, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in info.items()
            ):
                findings.append("safetensors: __metadata__ must map strings to strings")
            continue
        if not isinstance(info, dict) or info.get("dtype") not in _SAFETENSORS_DTYPES:
            findings.append("safetensors: tensor with an unknown dtype")
            continue
        offsets = info.get("data_offsets")
        if (
            not isinstance(offsets, list)
            or len(offsets) != 2
            or not all(isinstance(o, int) for o in offsets)
            or not 0 <= offsets[0] <= offsets[1] <= body
        ):
            findings.append("safetensors: tensor offsets outside the data")
    return findings[:20]


def _walk_layers(config: object, out: list[str]) -> None:
    if isinstance(config, dict):
        cls = config.get("class_name")
        if cls == "Lambda":
            out.append("keras: Lambda layer (serialised Python bytecode)")
        module = config.get("module")
        if isinstance(module, str) and cls and not module.startswith(("keras", "tensorflow")):
            out.append(f"keras: custom object {module}.{cls}")
        for value in config.values():
            _walk_layers(value, out)
    elif isinstance(config, list):
        for value in config:
            _walk_layers(value, out)


def keras_findings(path: Path) -> list[str]:
    """Lambda layers and non-Keras modules named in a ``.keras`` archive's config.json."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("config.json")
            if info.file_size > _MAX_CONFIG:
                return ["keras: config.json too large to check"]
            config = json.loads(archive.read(info))
    except KeyError:
        return ["keras: archive without config.json"]
    except (zipfile.BadZipFile, UnicodeDecodeError, json.JSONDecodeError):
        return ["keras: unreadable archive or config"]
    found: list[str] = []
    _walk_layers(config, found)
    return sorted(set(found))


def hdf5_findings(f: IO[bytes], chunk: int = 8 * 1024 * 1024) -> list[str]:
    """Legacy Keras HDF5: the model config is a JSON string attribute; search its bytes."""
    needles = {
        b'"class_name": "Lambda"': "keras: Lambda layer (serialised Python bytecode)",
        b'"class_name":"Lambda"': "keras: Lambda layer (serialised Python bytecode)",
    }
    keep = max(len(n) for n in needles)
    found: set[str] = set()
    tail = b""
    while block := f.read(chunk):
        window = tail + block
        for needle, finding in needles.items():
            if needle in window:
                found.add(finding)
        tail = window[-keep:]
    return sorted(found)
