"""Plugins: every built-in loads; a broken one is listed as disabled with the reason."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from lineage.plugins import BUILTIN, available, check, load


def test_every_builtin_plugin_loads() -> None:
    found = list(available())
    assert {(p.group, p.name) for p in found} >= {
        (group, name) for group, names in BUILTIN.items() for name in names
    }
    assert all(p.enabled for p in found if p.origin == "builtin"), [
        p for p in found if not p.enabled
    ]
    assert callable(load(BUILTIN["ingestors"]["sql"]))


def test_a_missing_module_or_attribute_is_disabled_with_the_reason() -> None:
    gone = check("ingestors", "x", "no_such_package.mod:facts", "acme-plugins")
    assert not gone.enabled and "no_such_package" in gone.reason
    typo = check("ingestors", "y", "ingest.sql:no_such_function", "acme-plugins")
    assert not typo.enabled and "no_such_function" in typo.reason


def test_cli_lists_plugins_as_json() -> None:
    lineage = str(Path(sys.executable).with_name("lineage"))
    out = subprocess.run([lineage, "plugins", "--json"], capture_output=True, text=True, check=True)
    names = {(p["group"], p["name"]) for p in json.loads(out.stdout)}
    assert ("stores", "neo4j") in names and ("ingestors", "notebook") in names
