"""Load policies from YAML, with errors that name the file, the line and the snippet.

A file holds one policy (a mapping), a list of policies, or ``{policies: [...]}``. YAML is
composed to nodes first, so every pydantic error is mapped back to the line of the key or
value it is about; duplicate keys (which YAML loaders silently merge) are errors too.

>>> load_text("id: x\\ndescription: d\\nseverity: high\\nmatch: {kind: nope}\\n")
Traceback (most recent call last):
...
lineage.errors.ParseError: <policy>:4: match: Input tag 'nope' found using 'kind' ...
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]
from pydantic import ValidationError

from lineage.boundedyaml import LimitError, bounded_loader
from lineage.errors import ParseError
from lineage.policy.spec import Policy

__all__ = [
    "configured_policies",
    "load_dir",
    "load_file",
    "load_paths",
    "load_text",
    "starter_policies",
]


def _line(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line - 1].strip() if 0 < line <= len(lines) else ""


def _error(text: str, path: str, node: yaml.Node | None, message: str) -> ParseError:
    line = node.start_mark.line + 1 if node is not None else None
    column = node.start_mark.column + 1 if node is not None else None
    snippet = _line(text, line) if line else ""
    return ParseError(message, path=path, line=line, column=column, snippet=snippet)


def _check_duplicates(node: yaml.Node, text: str, path: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, yaml.Node] = {}
        for key, value in node.value:
            name = str(key.value)
            if name in seen:
                first = seen[name].start_mark.line + 1
                raise _error(text, path, key, f"duplicate key {name!r} (first at line {first})")
            seen[name] = key
            _check_duplicates(value, text, path)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_duplicates(item, text, path)


def _locate(node: yaml.Node, loc: Sequence[Any]) -> tuple[yaml.Node, str]:
    """The deepest node along a pydantic error location, and the location as the file
    spells it (union tags, which are not in the file, are skipped)."""
    shown: list[str] = []
    for i, part in enumerate(loc):
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key, value in node.value:
                if key.value == part:
                    # an unknown or misspelt key is reported at the key itself
                    node = value if i < len(loc) - 1 else key
                    shown.append(part)
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            node = node.value[part]
            shown.append(str(part))
    return node, ".".join(shown)


def _policy_nodes(root: yaml.Node, text: str, path: str) -> list[yaml.Node]:
    if isinstance(root, yaml.SequenceNode):
        return list(root.value)
    if isinstance(root, yaml.MappingNode):
        keys = {k.value: v for k, v in root.value}
        if set(keys) == {"policies"}:
            inner = keys["policies"]
            if not isinstance(inner, yaml.SequenceNode):
                raise _error(text, path, inner, "`policies` must be a list of policies")
            return list(inner.value)
        return [root]
    raise _error(text, path, root, "expected a policy (a mapping) or a list of policies")


def load_text(text: str, path: str = "<policy>") -> list[Policy]:
    """Parse and validate the policies in ``text``. Raises :class:`ParseError` on the first
    problem, naming ``path`` and the line."""
    loader = bounded_loader(text)  # a YAML bomb is refused while composed, never walked
    try:
        try:
            root = loader.get_single_node()
        except LimitError as exc:
            raise ParseError(f"refused: {exc}", path=path) from None
        if root is None:
            return []
        _check_duplicates(root, text, path)
        policies: list[Policy] = []
        ids: dict[str, int] = {}
        for node in _policy_nodes(root, text, path):
            data = loader.construct_document(node)
            if not isinstance(data, dict):
                raise _error(text, path, node, "a policy must be a mapping")
            try:
                policy = Policy.model_validate(data)
            except ValidationError as exc:
                err = exc.errors()[0]
                loc = tuple(err["loc"])
                if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
                    loc += (str(err.get("ctx", {}).get("discriminator", "")).strip("'"),)
                at, where = _locate(node, loc)
                if err["type"] == "missing":  # the key is not in the file: name it
                    where = ".".join(filter(None, (where, str(loc[-1]))))
                raise _error(text, path, at, f"{where or '<policy>'}: {err['msg']}") from None
            line = node.start_mark.line + 1
            for i, response in enumerate(policy.responses):
                if response.target is not None and response.target not in policy.roles:
                    target, _ = _locate(node, ("responses", i, "target"))
                    raise _error(
                        text,
                        path,
                        target,
                        f"responses.{i}.target: {response.target!r} is not a role of "
                        f"{policy.match.kind} (one of {', '.join(policy.roles)})",
                    )
            if policy.id in ids:
                raise _error(
                    text, path, node, f"duplicate policy id {policy.id!r} (line {ids[policy.id]})"
                )
            ids[policy.id] = line
            policies.append(policy.model_copy(update={"source": f"{path}:{line}"}))
        return policies
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ParseError(
            f"invalid YAML: {exc.problem or exc.context}",
            path=path,
            line=line,
            column=mark.column + 1 if mark else None,
            snippet=_line(text, line) if line else "",
        ) from None
    finally:
        loader.dispose()


def load_file(path: str | Path) -> list[Policy]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ParseError(f"cannot read: {exc.strerror}", path=str(path)) from None
    return load_text(text, str(path))


def load_dir(folder: str | Path) -> list[Policy]:
    """Every ``*.yaml``/``*.yml`` file in a folder, sorted by name; policy ids are unique."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ParseError("not a folder of policies", path=str(folder))
    files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    return _unique(p for f in files for p in load_file(f))


def load_paths(paths: Iterable[str | Path]) -> list[Policy]:
    """Files and folders, in order; policy ids must be unique across all of them."""
    out: list[Policy] = []
    for p in paths:
        out.extend(load_dir(p) if Path(p).is_dir() else load_file(p))
    return _unique(out)


def _unique(policies: Iterable[Policy]) -> list[Policy]:
    seen: dict[str, Policy] = {}
    for p in policies:
        if p.id in seen:
            raise ParseError(
                f"policy id {p.id!r} is also defined at {seen[p.id].source}", path=p.source
            )
        seen[p.id] = p
    return list(seen.values())


def starter_policies() -> list[Policy]:
    """The starter library shipped with the project (``lineage/policy/starter``)."""
    folder = resources.files("lineage.policy") / "starter"
    out: list[Policy] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            out.extend(load_text(entry.read_text(encoding="utf-8"), f"starter/{entry.name}"))
    return _unique(out)


def configured_policies(setting: str | None) -> list[Policy]:
    """Policies named by the ``policies`` setting (``LINEAGE_POLICIES``): unset means the
    starter library, ``off`` means none, otherwise comma-separated files and folders."""
    if setting is None or not setting.strip():
        return starter_policies()
    if setting.strip().lower() in ("off", "none", "false", "0"):
        return []
    return load_paths(p.strip() for p in setting.split(",") if p.strip())
