"""Every Cypher statement of the project, discovered (shared by the lint and the plan test).

Statements are discovered, not registered: any upper-case module-level constant (a string,
or a dict of strings) in ``lineage`` or ``queries`` whose text starts with a Cypher clause.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

__all__ = ["PARAM", "STATEMENTS"]

_CLAUSE = re.compile(r"^\s*(MATCH|OPTIONAL MATCH|UNWIND|MERGE|CREATE|WITH|RETURN|CALL)\b")
PARAM = re.compile(r"\$(\w+)")


def _statements() -> dict[str, str]:
    found: dict[str, str] = {}
    for package_name in ("lineage", "queries"):
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            if ".api" in info.name or ".cli" in info.name:
                continue
            try:
                module = importlib.import_module(info.name)
            except ImportError:
                continue
            for name, value in vars(module).items():
                if not name.isupper() or name.startswith("ALL_"):
                    continue
                items = value.items() if isinstance(value, dict) else [("", value)]
                for key, text in items:
                    if isinstance(text, str) and _CLAUSE.match(text):
                        found[f"{info.name}.{name}{f'[{key}]' if key else ''}"] = text
    return dict(sorted(found.items()))


STATEMENTS = _statements()
