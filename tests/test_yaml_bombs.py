"""A "billion laughs" YAML file is refused at once by every command that reads YAML (issue
14, point 8): ``policy validate`` and ``ingest declared`` hung on it (the composed aliases
are cheap, the walk over them is exponential), and a label policy went the same way."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lineage.errors import ConfigError
from lineage.sensitivity.policy import load_policy


def _declared_bomb(levels: int = 10) -> str:
    """Valid sections, each endpoint's description an alias of ten of the previous."""
    lol = ", ".join(['"lol"'] * 10)
    lines = [
        "endpoints:",
        '  - id: "endpoint:https://api.example.com:a0"',
        f"    serves: &a0 [{lol}]",
    ]
    for i in range(1, levels):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f'  - id: "endpoint:https://api.example.com:a{i}"')
        lines.append(f"    description: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def _bomb(levels: int = 12) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + f"\nid: laughs\ndescription: *a{levels - 1}\n"


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    code = "from lineage.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, "--store", str(tmp_path / "store"), *args],
        capture_output=True,
        text=True,
        timeout=120,  # before the fix: hours (10**12 nodes to walk)
        check=False,
    )


@pytest.mark.parametrize(
    ("command", "text"),
    [(("policy", "validate"), _bomb()), (("ingest", "declared"), _declared_bomb())],
    ids=["policy-validate", "ingest-declared"],
)
def test_yaml_bombs_are_refused_quickly(
    tmp_path: Path, command: tuple[str, str], text: str
) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(text)
    result = _cli(tmp_path, *command, str(bomb))
    assert result.returncode != 0, result.stdout[-500:]
    said = result.stdout + result.stderr
    assert "bomb.yaml" in said and "refused" in said, said[-800:]


def test_a_label_policy_bomb_is_a_config_error(tmp_path: Path) -> None:
    bomb = tmp_path / "labels.yaml"
    bomb.write_text(_bomb())
    with pytest.raises(ConfigError, match="refused"):
        load_policy(bomb)
