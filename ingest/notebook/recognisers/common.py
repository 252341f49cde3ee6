"""Handler factories shared by the recogniser tables: reads, writes, pass-through, assets.

Each factory returns a handler ``(Call) -> Val | None``; returning None lets the analysis
apply its generic rule (the result carries the provenance of everything passed in).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ingest.notebook.recognisers.registry import Call, Handler
from ingest.notebook.values import Val, union
from ingest.vector_config.naming import dataset_for_location, hf_dataset_uid, model_uid
from lineage import ids
from lineage.model import EdgeKind, Kind

__all__ = [
    "LOCATION_KWS",
    "PLACEHOLDER",
    "dataset_at",
    "flows",
    "hf_dataset",
    "hf_repo_like",
    "id_safe",
    "inputs_of",
    "is_model",
    "is_tooling",
    "model_node",
    "passthrough",
    "read_location",
    "returns_recv",
    "write_location",
]

LOCATION_KWS = (
    "path",
    "paths",
    "filepath_or_buffer",
    "path_or_buf",
    "source",
    "file",
    "uri",
    "io",
    "where",
    "fname",
    "filename",
    "data_dir",
    "dataset_path",
)
PLACEHOLDER = re.compile(r"\{[^{}]*\}")  # what the analysis could not fold in an f-string
# a notebook form's value left for the user (``PROJECT_ID = "[your-project-id]"``)
_FORM_VALUE = re.compile(r"\[(your[\w-]*)\]", re.I)


def id_safe(text: str) -> str:
    """A name built at run time as an id may hold it: ``x-{suffix}`` is ``x-<suffix>``."""
    return PLACEHOLDER.sub(lambda m: "<" + m.group(0)[1:-1] + ">", text)


_METHOD_OF_READ = re.compile(r"\.(?:read|scan|load)\w*\(\)\.")
_HF_REPO = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")
_FILE_EXT = re.compile(
    r"\.(csv|tsv|json|jsonl|parquet|txt|pdf|xlsx?|pkl|pickle|bin|pt|db|md)$", re.I
)


_TOOLING = re.compile(
    r"\.(py|jar|whl|sh|jinja|j2|js|css|ipynb|deb|rpm|exe|so|dll|dylib|msi|dmg|apk)$", re.I
)
_ARCHIVE = re.compile(r"\.(tar\.gz|tgz|tar\.bz2|tar\.xz|zip|7z)$", re.I)
# a software release: a version number, a platform or a build word in the archive's name
_RELEASE = re.compile(
    r"([-_.]v?\d+\.\d+|\{[^{}]*ver[^{}]*\}|linux|darwin|macos|windows|win(32|64)|x64|x86|"
    r"amd64|arm64|aarch64|release|install|setup|sdk|jdk|jre|bin|source|src|plugin)",
    re.I,
)


# a run's configuration fetched beside the code (``ds_config_zero_stage_1.json``, ``setup.cfg``)
_CONFIG = re.compile(r"(^|[_.-])(config|configs|conf)([_.-][\w.-]*)?\.(json|ya?ml|toml)$|"
                     r"\.(ini|cfg|conf)$", re.I)  # fmt: skip


def is_tooling(location: str) -> bool:
    """Code, libraries and packages fetched to run (a ``.jar``, a helper ``.py``, a release
    archive such as ``openjdk-17.0-linux-x64.tar.gz``, a run configuration such as
    ``ds_config_zero_stage_1.json``): not data the notebook reads. An archive named like data
    (``housing.tgz``, ``NewsAggregatorDataset.zip``) is data."""
    path = location.split("?", 1)[0].rstrip("/")
    if _TOOLING.search(path):
        return True
    name = path.rsplit("/", 1)[-1]
    if _CONFIG.search(name):
        return True
    return bool(_ARCHIVE.search(name)) and bool(_RELEASE.search(_ARCHIVE.sub("", name)))


def hf_repo_like(text: str) -> bool:
    """``org/name`` or a bare ``name``; not a file path or a URL."""
    return bool(_HF_REPO.match(text)) and not _FILE_EXT.search(text) and "://" not in text


def _relative_local(location: str) -> bool:
    text = location.strip()
    return bool(text) and "://" not in text and not text.startswith(("/", "~", "{"))


def dataset_at(call: Call, location: str, **props: Any) -> str | None:
    """Register a Dataset node for a path/URL text; return its uid (None if not a location)."""
    location = _FORM_VALUE.sub(r"{\1}", location)  # a value still to fill in: unresolved
    if getattr(call.ctx, "script", "") and _relative_local(location):
        return None  # a job script's working file, on the job's machine
    if is_tooling(location):
        return None  # code, packages and run configuration: not data
    where = dataset_for_location(location, getattr(call.ctx, "base_dir", ""))
    if where is None:
        return None
    namespace, name = where
    uid = ids.dataset_id(namespace, name)
    call.ctx.out.node(uid, **props)
    return uid


def copy_from_url(call: Call, url: str | None, local: str | None) -> Val | None:
    """A download: the URL is read and, when the local copy is named, written there (the
    copy carries the URL's data)."""
    source = dataset_at(call, url) if url and not is_tooling(url) else None
    if source is None:
        return None
    call.ctx.out.reads(source)
    target = dataset_at(call, local) if local else None
    if target is None:
        return Val(data=frozenset({source}))
    call.ctx.out.writes(target)
    call.ctx.flow_into([source], target)
    return Val(data=frozenset({target, source}))


def _location(call: Call, pos: int | None, kws: tuple[str, ...]) -> tuple[str | None, Val]:
    value = call.arg(pos, *kws)
    return value.text, value


def read_location(pos: int | None = 0, *kws: str, tag: str = "", fmt: str | None = None) -> Handler:
    """A read of a file/URL/object key given as argument ``pos`` or keyword ``kws``."""
    names = kws or LOCATION_KWS

    def handler(call: Call) -> Val | None:
        if _METHOD_OF_READ.search(call.qual):  # ``pd.read_csv(x).groupby("col")``: a method
            return None  # of what was read, its argument a column, not a location
        text, value = _location(call, pos, names)
        if text is None:
            carried = value.carried()
            return Val(tag=tag, data=carried) if carried else None
        uid = dataset_at(call, text, format=fmt or _fmt(text))
        if uid is None:
            return None
        call.ctx.out.reads(uid)
        return Val(tag=tag, data=frozenset({uid}))

    return handler


def write_location(
    pos: int | None = 0, *kws: str, data_pos: int | None = None, fmt: str | None = None
) -> Handler:
    """A write of the receiver (or argument ``data_pos``) to a location argument."""
    names = kws or LOCATION_KWS

    def handler(call: Call) -> Val | None:
        text, _ = _location(call, pos, names)
        if text is None:
            return None
        uid = dataset_at(call, text, format=fmt or _fmt(text))
        if uid is None:
            return None
        call.ctx.out.writes(uid)
        source = call.recv if data_pos is None else call.arg(data_pos)
        call.ctx.flow_into(source.carried() | call.ctx.loop_data, uid)
        return Val(data=frozenset({uid}))

    return handler


def _fmt(text: str) -> str | None:
    m = _FILE_EXT.search(text)
    return m.group(1).lower() if m else None


def passthrough(pos: int = 0, *kws: str) -> Handler:
    """The result is the argument itself (``prepare_model_for_kbit_training(model)``)."""

    def handler(call: Call) -> Val | None:
        value = call.arg(pos, *kws)
        return value if (value.asset or value.attrs) else None

    return handler


def returns_recv(call: Call) -> Val | None:
    """Methods that return their receiver (``model.to(device)``, ``.eval()``)."""
    return call.recv if (call.recv.asset or call.recv.attrs) else None


def model_node(
    call: Call, namespace: str, name: str, *, role: str = "", tag: str = "", **props: Any
) -> Val:
    """Register a Model node and return the value that *is* it."""
    uid = model_uid(namespace, name)
    call.ctx.out.node(uid, **props)
    value = Val(tag=tag or call.qual, asset=uid)
    return value.with_attrs(role=role) if role else value


def hf_dataset(call: Call, repo: str, **props: Any) -> str:
    uid = hf_dataset_uid(repo)
    call.ctx.out.node(uid, platform="huggingface", **props)
    call.ctx.out.reads(uid)
    return uid


def flows(call: Call, sources: Iterable[str], target: str, kind: EdgeKind | None = None) -> None:
    call.ctx.flow_into(sources, target, kind)


def is_model(value: Val) -> bool:
    return bool(value.asset) and ids.kind_of(value.asset) is Kind.MODEL


def inputs_of(call: Call, *skip: str) -> Val:
    """Provenance of the arguments (not the receiver), keywords in ``skip`` left out."""
    return union([*call.args, *(v for k, v in call.kwargs.items() if k not in skip)])
