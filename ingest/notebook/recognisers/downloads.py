"""Downloads in shell escapes: ``!wget URL -O path``, ``!curl -o path URL``, ``!curl URL > f``.

The URL is read and the file it lands in written, both by the notebook's job (later
``open("path")`` or a loader over its folder reads the same node): the job's READS and
WRITES record the download, as the corpus' hand-written facts do (a URL-to-copy flow is
listed there only now and then). ``!mv``/``!cp`` of a file already fetched or written
here writes the new path the same way; ``!aws s3 cp``/``!gsutil cp``/``!gcloud storage cp``
of a bucket's object to a local path is a download too.

Where the file lands follows each tool's own rules: wget saves under the URL's last path
segment (``-O``/``-P`` override), curl writes to standard output unless given ``-o``, ``-O``
(the remote name) or a redirect.
A call to a server on localhost is a request to a local service, not a download; packages
and code fetched to run (see :func:`is_tooling`) are no data.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from urllib.parse import unquote, urlsplit

from ingest.notebook.recognisers.common import is_tooling
from ingest.notebook.recognisers.registry import Context
from ingest.notebook.values import Val
from ingest.vector_config.naming import dataset_for_location
from lineage import ids

__all__ = ["kaggle_dataset", "shell_downloads"]

_URL = re.compile(r"^(?:https?|ftp|s3|gs)://\S+$")
_LOCAL_HOST = re.compile(r"^https?://(?:localhost|127\.0\.0\.1|0\.0\.0\.0)(?::\d+)?$")
_SEGMENTS = re.compile(r"&&|\|\||;|\|")
_SHELL_VAR = re.compile(r"\$(?:\{(\w+)\}|(\w+))")
_IPY_VAR = re.compile(r"\$\{(\w+)\}|\$(\w+)|\{(\w+)\}")
_WGET_OUT = ("-O", "--output-document")
_WGET_DIR = ("-P", "--directory-prefix")
_CURL_OUT = ("-o", "--output")
_CURL_REMOTE = ("-O", "--remote-name")
_CLOUD_COPIES = (("aws", "s3", "cp"), ("gcloud", "storage", "cp"), ("gsutil", "cp"))
_CURL_SENDS = frozenset(
    {"-d", "--data", "--data-raw", "--data-binary", "--data-urlencode", "--json", "-F", "--form"}
)


def shell_downloads(command: str, ctx: Context) -> None:
    """Record what each ``wget``/``curl`` in a shell command reads and writes."""
    command = _expand(command, ctx)
    for segment in _SEGMENTS.split(command):
        words = _words(segment)
        if words[:2] == ["git", "clone"]:
            _clone(ctx, [w for w in words[2:] if not w.startswith("-")])
            continue
        if words[:1] in (["mv"], ["cp"]):
            _copy(ctx, [w for w in words[1:] if not w.startswith("-")], move=words[0] == "mv")
            continue
        cloud = next((len(c) for c in _CLOUD_COPIES if tuple(words[: len(c)]) == c), 0)
        if cloud:
            _cloud_copy(ctx, [w for w in words[cloud:] if not w.startswith("-")])
            continue
        if words[:2] in (["kaggle", "datasets"], ["kaggle", "competitions"]):
            _kaggle_cli(ctx, words)
            continue
        tool = next((w for w in words if w in ("wget", "curl")), "")
        if not tool:
            continue
        words = words[words.index(tool) + 1 :]
        for url, local in _transfers(tool, words):
            _record(ctx, url, local)


def _expand(command: str, ctx: Context) -> str:
    """IPython expands ``$name``, ``${name}`` and ``{name}`` in ``!`` lines from the user's
    variables: the folded ones are filled in, the rest stay ``{name}`` templates."""

    def fill(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(2) or m.group(3)
        value = ctx.constant(name)
        return str(value) if value is not None else "{" + name + "}"

    return _IPY_VAR.sub(fill, command)


def _words(segment: str) -> list[str]:
    """Shell words, IPython's ``$name``/``${name}`` written as the ``{name}`` template."""
    segment = _SHELL_VAR.sub(lambda m: "{" + (m.group(1) or m.group(2)) + "}", segment)
    try:
        return shlex.split(segment, comments=False)
    except ValueError:  # an unbalanced quote: split on blanks, quotes dropped
        return [w.strip("'\"") for w in segment.split()]


def _clone(ctx: Context, args: list[str]) -> None:
    """``git clone URL [dir]``: the folder is noted with the repository it came from, but a
    clone is code as often as data, so nothing is read until a file is taken out of it
    (``!mv dir/path/resources .``)."""
    if not args or not _URL.match(args[0]):
        return
    url = args[0]
    folder = args[1] if len(args) > 1 else _remote_name(url).removesuffix(".git")
    where = dataset_for_location(url)
    landed = dataset_for_location(folder, ctx.base_dir) if folder else None
    if where is None or landed is None:
        return
    ctx.out.node(ids.dataset_id(*landed), cloned_from=ids.dataset_id(*where))


def _written(ctx: Context, local: str) -> str | None:
    """The dataset a file landing at ``local`` is (its uid), recorded as written."""
    landed = dataset_for_location(local, ctx.base_dir)
    if landed is None:
        return None
    target = ids.dataset_id(*landed)
    ctx.out.node(target)
    ctx.out.writes(target)
    return target


def _from_clone(ctx: Context, src: str) -> str:
    """The repository a path inside a cloned folder came from (its uid), else ""."""
    parts = src.rstrip("/").split("/")
    for i in range(len(parts) - 1, 0, -1):
        where = dataset_for_location("/".join(parts[:i]), ctx.base_dir)
        repo = ctx.out.node_props(ids.dataset_id(*where)).get("cloned_from") if where else None
        if repo:
            return str(repo)
    return ""


def _copy(ctx: Context, paths: list[str], *, move: bool) -> None:
    """``!mv a b`` / ``!cp a b`` of a file this notebook already fetched or wrote: ``b``
    (or ``b/a`` for a folder) is written; moved, ``a`` is gone (it held the same bytes in
    between), unless something was already made from it."""
    if len(paths) != 2:
        return
    src, dst = paths
    where = dataset_for_location(src, ctx.base_dir)
    source = ids.dataset_id(*where) if where else ""
    repo = _from_clone(ctx, src) if source else ""
    if repo:  # taken out of a clone: the repository is read
        ctx.out.node(repo, platform="git")
        ctx.out.reads(repo)
    elif not source or not ctx.out.has_node(source):
        return
    if dst.endswith("/") or not posixpath.splitext(dst)[1]:
        dst = posixpath.join(dst, posixpath.basename(src))
    if _written(ctx, dst) is None:
        return
    if move and not repo and not ctx.out.flows_from(source):
        ctx.out.discard(source)


def _cloud_copy(ctx: Context, paths: list[str]) -> None:
    """``!aws s3 cp s3://... local`` / ``!gsutil cp gs://... local``: an object store's
    object downloaded (a copy the other way is an upload of code or data not seen here)."""
    if len(paths) >= 2 and "://" in paths[-2] and "://" not in paths[-1]:
        _record(ctx, paths[-2], paths[-1])


def _option(words: list[str], names: tuple[str, ...]) -> str | None:
    """The value of the last of ``names`` given (``-O x``, ``-Ox``, ``--output-document=x``)."""
    found = None
    for i, word in enumerate(words):
        for name in names:
            if word == name and i + 1 < len(words):
                found = words[i + 1]
            elif name.startswith("--") and word.startswith(name + "="):
                found = word[len(name) + 1 :]
            elif not name.startswith("--") and word.startswith(name) and len(word) > len(name):
                found = word[len(name) :]
    return found


def _redirect(words: list[str]) -> str | None:
    for i, word in enumerate(words):
        if word in (">", ">>") and i + 1 < len(words):
            return words[i + 1]
        if word.startswith(">") and len(word.lstrip(">")) > 0:
            return word.lstrip(">")
    return None


def _remote_name(url: str) -> str:
    return unquote(posixpath.basename(urlsplit(url).path))


def _transfers(tool: str, words: list[str]) -> list[tuple[str, str | None]]:
    """(URL, local file or None) pairs, by the tool's rules."""
    urls = [w for w in words if _URL.match(w)]
    if tool == "wget":
        out = _option(words, _WGET_OUT)
        folder = _option(words, _WGET_DIR) or ""
        if out == "-":
            return [(u, None) for u in urls]
        if out:  # every URL is appended to the one file
            return [(u, out) for u in urls]
        return [(u, posixpath.join(folder, _remote_name(u)) or None) for u in urls]
    method = (_option(words, ("-X", "--request")) or "GET").upper()
    if method != "GET" or any(w.split("=", 1)[0] in _CURL_SENDS for w in words):
        return []  # a request that sends data (``-X POST``, ``-d``, ``--json``): an API call
    out = _option(words, _CURL_OUT) or _redirect(words)
    if out and out != "-":
        return [(u, out) for u in urls]
    remote = any(w in _CURL_REMOTE for w in words)
    return [(u, _remote_name(u) or None if remote else None) for u in urls]


def _record(ctx: Context, url: str, local: str | None) -> None:
    where = dataset_for_location(url)
    if where is None or _LOCAL_HOST.match(where[0]) or is_tooling(url):
        return
    source = ids.dataset_id(*where)
    ctx.out.node(source)
    ctx.out.reads(source)
    if not local or is_tooling(local) or local.startswith("/dev/"):
        return
    _written(ctx, local)


def kaggle_dataset(ctx: Context, ref: str, folder: str | None) -> Val:
    """A Kaggle dataset or competition (``owner/name`` or ``name``) read, and written into
    ``folder`` when one is named."""
    source = ids.dataset_id("kaggle", ref.strip("/"))
    ctx.out.node(source, platform="kaggle")
    ctx.out.reads(source)
    target = _written(ctx, folder) if folder else None
    return Val(data=frozenset({target, source} if target else {source}))


def _kaggle_cli(ctx: Context, words: list[str]) -> None:
    """``kaggle datasets download -d owner/name -p data`` / ``kaggle competitions download
    -c titanic``: the Kaggle CLI's own options."""
    if "download" not in words:
        return
    ref = _option(words, ("-d", "--dataset", "-c", "--competition"))
    if not ref and words[-1] != "download" and not words[-1].startswith("-"):
        ref = words[-1]  # the competition may be given positionally
    if ref:
        kaggle_dataset(ctx, ref, _option(words, ("-p", "--path")))
