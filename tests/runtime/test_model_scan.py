"""Model artefacts: malicious pickles are flagged, safetensors is not, and nothing runs.

Every malicious file is built here from bytes (a ``__reduce__`` class pickled, or opcodes
written by hand) and never unpickled. The payloads would create a marker file, so a scan
that executed anything would leave evidence; an audit hook also watches for any global
being resolved by an unpickler or any process being started while scanning.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import pickletools
import random
import struct
import sys
import zipfile
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingest.model_scan import model_uid_for, scan_artefact, scan_model_facts
from lineage.cli import app
from lineage.model import Edge, EdgeKind, Kind, Node, Problem, Rel, Severity
from lineage.pipeline import ingest
from lineage.store import Store
from queries.runtime import artefact_verdicts, refresh_runtime

_WATCHED = ("pickle.find_class", "os.system", "subprocess.Popen", "os.exec", "os.posix_spawn")
_EVENTS: list[str] = []
_ACTIVE = [False]


def _hook(event: str, _args: tuple[object, ...]) -> None:
    if _ACTIVE[0] and event.startswith(_WATCHED):
        _EVENTS.append(event)


sys.addaudithook(_hook)  # audit hooks cannot be removed; it only records while _ACTIVE


class _Payload:
    """Pickling this records a call to os.system; unpickling would run it. We only pickle."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (self.command,))


def _stack_global(module: str, name: str, arg: str) -> bytes:
    """Protocol-4 pickle calling module.name(arg), written opcode by opcode."""

    def s(text: str) -> bytes:
        raw = text.encode()
        return b"\x8c" + bytes([len(raw)]) + raw  # SHORT_BINUNICODE

    body = (
        s(module) + s(name) + b"\x93" + s(arg) + b"\x85" + b"R" + b"."
    )  # STACK_GLOBAL TUPLE1 REDUCE STOP
    return b"\x80\x04" + body


def _safetensors(tensors: dict[str, object], data: bytes) -> bytes:
    header = json.dumps(tensors).encode()
    return struct.pack("<Q", len(header)) + header + data


@pytest.fixture
def marker(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "PWNED"
    yield path
    assert not path.exists(), "a scanned payload was executed"


@pytest.fixture
def artefacts(tmp_path: Path, marker: Path) -> dict[str, Path]:
    cmd = f"touch {marker}"
    files: dict[str, bytes] = {
        "reduce.pkl": pickle.dumps({"weights": [0.1, 0.2], "hook": _Payload(cmd)}),
        "opcodes_v0.pkl": f"cos\nsystem\n(S'{cmd}'\ntR.".encode(),
        "stack_global.pkl": _stack_global("builtins", "exec", f"import os; os.system('{cmd}')"),
        "benign.pkl": pickle.dumps(OrderedDict(w=[1.0, 2.0])),
        "custom.pkl": b"\x80\x04" + b"\x8c\x07mylib.x\x94\x8c\x05Model\x94\x93\x94)\x81\x94.",
        "model.safetensors": _safetensors(
            {
                "w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
                "__metadata__": {"format": "pt"},
            },
            b"\0" * 16,
        ),
        "broken.safetensors": _safetensors(
            {"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 4096]}}, b"\0" * 16
        ),
    }
    out = {}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        out[name] = tmp_path / name
    torch_zip = tmp_path / "evil_torch.pt"
    with zipfile.ZipFile(torch_zip, "w") as z:
        z.writestr("archive/data.pkl", pickle.dumps(_Payload(cmd), protocol=2))
        z.writestr("archive/data/0", b"\0" * 64)
        z.writestr("archive/version", "3\n")
    out["evil_torch.pt"] = torch_zip
    npy = tmp_path / "objects.npy"
    header = b"{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
    header += b" " * (63 - len(header)) + b"\n"
    npy.write_bytes(
        b"\x93NUMPY\x01\x00"
        + struct.pack("<H", len(header))
        + header
        + pickle.dumps([_Payload(cmd)])
    )
    out["objects.npy"] = npy
    keras = tmp_path / "lambda.keras"
    config = {
        "module": "keras",
        "class_name": "Sequential",
        "config": {
            "layers": [
                {
                    "module": "keras.layers",
                    "class_name": "Lambda",
                    "config": {
                        "function": {"class_name": "__lambda__", "config": {"code": "4wEAAAAA"}}
                    },
                }
            ]
        },
    }
    with zipfile.ZipFile(keras, "w") as z:
        z.writestr("config.json", json.dumps(config))
        z.writestr("metadata.json", "{}")
    out["lambda.keras"] = keras
    h5 = tmp_path / "legacy.h5"
    model_config = json.dumps(
        {"class_name": "Sequential", "config": {"layers": [{"class_name": "Lambda"}]}}
    )
    h5.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 4000 + model_config.encode() + b"\0" * 100)
    out["legacy.h5"] = h5
    return out


def test_opcode_pickles_are_well_formed(artefacts: dict[str, Path]) -> None:
    for name in ("opcodes_v0.pkl", "stack_global.pkl", "custom.pkl"):
        pickletools.dis(artefacts[name].read_bytes(), out=io.StringIO())  # disassembles only


@pytest.mark.parametrize(
    ("name", "verdict", "finding"),
    [
        ("reduce.pkl", "unsafe", "pickle global posix.system (dangerous)"),
        ("opcodes_v0.pkl", "unsafe", "pickle global os.system (dangerous)"),
        ("stack_global.pkl", "unsafe", "pickle global builtins.exec (dangerous)"),
        ("evil_torch.pt", "unsafe", "pickle global posix.system (dangerous)"),
        ("objects.npy", "unsafe", "pickle global posix.system (dangerous)"),
        ("lambda.keras", "unsafe", "keras: Lambda layer (serialised Python bytecode)"),
        ("legacy.h5", "unsafe", "keras: Lambda layer (serialised Python bytecode)"),
        ("custom.pkl", "suspicious", "pickle global mylib.x.Model (not allow-listed)"),
        ("broken.safetensors", "suspicious", "safetensors: tensor offsets outside the data"),
        ("benign.pkl", "safe", None),
        ("model.safetensors", "safe", None),
    ],
)
def test_verdicts(artefacts: dict[str, Path], name: str, verdict: str, finding: str | None) -> None:
    _ACTIVE[0] = True
    try:
        scan = scan_artefact(artefacts[name])
    finally:
        _ACTIVE[0] = False
    assert scan.verdict == verdict, scan.findings
    if finding:
        assert finding in scan.findings
    else:
        assert scan.findings == []
    assert _EVENTS == []  # no unpickler resolved a global, no process was started
    assert scan.sha256 == __import__("hashlib").sha256(artefacts[name].read_bytes()).hexdigest()
    assert scan.scanner == "picklescan" and scan.scanner_version


def test_formats_and_code_capability(artefacts: dict[str, Path]) -> None:
    st = scan_artefact(artefacts["model.safetensors"])
    assert (st.format, st.code_capable) == ("safetensors", False)
    pt = scan_artefact(artefacts["evil_torch.pt"])
    assert (pt.format, pt.code_capable) == ("pytorch", True)


def test_scanning_never_deserialises(
    artefacts: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("the scanner tried to deserialise or execute")

    for target in ("pickle.load", "pickle.loads", "pickle._load", "pickle._loads", "os.system"):
        monkeypatch.setattr(target, refuse)
    monkeypatch.setattr("pickle.Unpickler", refuse)
    monkeypatch.setattr("pickle._Unpickler", refuse)
    monkeypatch.setattr("numpy.load", refuse)
    _ACTIVE[0] = True
    try:
        verdicts = {name: scan_artefact(path).verdict for name, path in artefacts.items()}
    finally:
        _ACTIVE[0] = False
    assert verdicts["reduce.pkl"] == "unsafe" and verdicts["model.safetensors"] == "safe"
    assert _EVENTS == []


def test_model_folder_is_one_artefact(tmp_path: Path, artefacts: dict[str, Path]) -> None:
    snap = tmp_path / "snapshot"
    snap.mkdir()
    (snap / "config.json").write_text("{}")
    (snap / "model.safetensors").write_bytes(artefacts["model.safetensors"].read_bytes())
    clean = scan_artefact(snap)
    assert (clean.verdict, clean.format, len(clean.files)) == ("safe", "safetensors", 1)
    (snap / "pytorch_model.bin").write_bytes(artefacts["evil_torch.pt"].read_bytes())
    dirty = scan_artefact(snap)
    assert dirty.verdict == "unsafe"
    assert "pytorch_model.bin: pickle global posix.system (dangerous)" in dirty.findings
    assert dirty.sha256 != clean.sha256


def test_unsafe_model_raises_the_serving_endpoints_risk(
    store: Store, artefacts: dict[str, Path]
) -> None:
    model = model_uid_for(artefacts["evil_torch.pt"])
    endpoint = "endpoint:https://api.acme.com:/v1/churn"
    facts = list(scan_model_facts([artefacts["evil_torch.pt"], artefacts["model.safetensors"]]))
    problems = [f for f in facts if isinstance(f, Problem)]
    assert [(p.severity, p.source_ref) for p in problems] == [
        (Severity.ERROR, str(artefacts["evil_torch.pt"]))
    ]
    serve = Edge(
        model, Rel.FLOWS_TO, endpoint, {"kind": EdgeKind.SERVE.value}, key="job:k8s:deploy"
    )
    ingest(
        store, [*facts, Node(endpoint, Kind.ENDPOINT, "/v1/churn", "https://api.acme.com"), serve]
    )
    node = store.get_node(model)
    assert node is not None
    assert node.props["artefact_verdict"] == "unsafe"
    assert node.props["artefact_format"] == "pytorch"
    assert node.props["artefact_scanner"] == "picklescan"
    assert len(node.props["artefact_sha256"]) == 64
    (worst, safe) = artefact_verdicts(store)
    assert (worst.model, worst.endpoints) == (model, (endpoint,))
    assert safe.verdict == "safe"
    findings = refresh_runtime(store)
    assert [(f.code, f.endpoint, f.severity) for f in findings] == [
        ("UNSAFE_MODEL_ARTEFACT", endpoint, "high")
    ]
    served = store.get_node(endpoint)
    assert served is not None
    assert served.props["runtime_anomaly_score"] == 1.0
    assert served.props["runtime_findings"] == ["UNSAFE_MODEL_ARTEFACT"]


def test_cli_scan_model_exit_codes(tmp_path: Path, artefacts: dict[str, Path]) -> None:
    runner = CliRunner()
    base = ["--store", str(tmp_path / "store")]
    ok = runner.invoke(app, [*base, "scan-model", str(artefacts["model.safetensors"]), "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["artefacts"][0]["verdict"] == "safe"
    bad = runner.invoke(app, [*base, "scan-model", str(artefacts["reduce.pkl"]), "--json"])
    assert bad.exit_code == 1
    assert json.loads(bad.stdout)["artefacts"][0]["verdict"] == "unsafe"
    lenient = runner.invoke(
        app, [*base, "scan-model", str(artefacts["reduce.pkl"]), "--fail-on", "never"]
    )
    assert lenient.exit_code == 0
    listed = runner.invoke(app, [*base, "runtime", "artefacts", "--json"])
    assert [v["verdict"] for v in json.loads(listed.stdout)] == ["unsafe", "safe"]


def test_models_found_by_ingestors_are_scanned_from_the_store(
    tmp_path: Path, artefacts: dict[str, Path]
) -> None:
    from lineage.store import open_store

    uid = "model:mlflow://tracking:5000:churn/3"
    store = open_store(tmp_path / "store")
    try:
        ingest(
            store,
            [
                Node(
                    uid,
                    Kind.MODEL,
                    "churn/3",
                    "mlflow://tracking:5000",
                    {"path": str(artefacts["evil_torch.pt"])},
                ),
                Node(
                    "model:huggingface:acme/remote",
                    Kind.MODEL,
                    "acme/remote",
                    "huggingface",
                    {"uri": "hf://acme/remote"},
                ),
            ],
        )
    finally:
        store.close()
    runner = CliRunner()
    out = runner.invoke(
        app, ["--store", str(tmp_path / "store"), "scan-model", "--from-store", "--json"]
    )
    assert out.exit_code == 1  # unsafe
    result = json.loads(out.stdout)
    assert [(a["model"], a["verdict"]) for a in result["artefacts"]] == [(uid, "unsafe")]
    (remote,) = [p for p in result["problems"] if p["source_ref"] == "hf://acme/remote"]
    assert "not scanned" in remote["message"]


def _torch_zip(path: Path, data_pkl: bytes) -> Path:
    """The layout torch.save writes: ``<name>/data.pkl`` and a version file in a zip."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", data_pkl)
        z.writestr("archive/version", "3\n")
    return path


def _noise(n: int) -> bytes:
    return random.Random(1405).randbytes(n)


@pytest.mark.parametrize(
    ("name", "make", "finding"),
    [
        # seeded: which parse error random bytes raise depends on the bytes (os.urandom made
        # this case fail now and then with UnicodeDecodeError)
        ("random.pkl", lambda good: _noise(4096), "pickle stream malformed (ValueError)"),
        ("half.pkl", lambda good: good[: len(good) // 2], "pickle stream malformed (ValueError)"),
        ("nostop.pkl", lambda good: good[:-1], "pickle stream malformed (ValueError)"),
        ("text.joblib", lambda good: b"hello, model", "pickle stream malformed (ValueError)"),
        ("random.pt", lambda good: _noise(4096), "neither a zip archive nor a pickle stream"),
        ("zeros.bin", lambda good: bytes(1000), "neither a zip archive nor a pickle stream"),
    ],
)
def test_random_or_truncated_pickles_are_suspicious_not_safe(
    tmp_path: Path, name: str, make, finding: str
) -> None:
    good = pickle.dumps(OrderedDict(weight=[0.5] * 64, name="linear"), protocol=4)
    path = tmp_path / name
    path.write_bytes(make(good))
    scan = scan_artefact(path)
    assert (scan.verdict, scan.findings) == ("suspicious", [finding])


def test_a_torch_zip_with_a_truncated_data_pickle_is_suspicious(tmp_path: Path) -> None:
    good = pickle.dumps(OrderedDict(weight=[0.5] * 64), protocol=2)
    whole = scan_artefact(_torch_zip(tmp_path / "whole.pt", good))
    assert (whole.verdict, whole.findings) == ("safe", [])
    cut = scan_artefact(_torch_zip(tmp_path / "cut.pt", good[:-7]))
    assert cut.verdict == "suspicious"
    assert cut.findings == ["archive/data.pkl: pickle stream malformed (ValueError)"]


def test_an_unreadable_archive_fails_closed(tmp_path: Path) -> None:
    """picklescan itself fails on a zip whose directory is gone: the verdict is error."""
    whole = _torch_zip(tmp_path / "whole.pt", pickle.dumps([1, 2, 3])).read_bytes()
    path = tmp_path / "torn.pt"
    path.write_bytes(whole[: len(whole) - 30])  # end-of-central-directory cut off
    scan = scan_artefact(path)
    assert scan.verdict == "error"
    assert scan.findings == ["picklescan failed: BadZipFile"]
