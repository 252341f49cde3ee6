"""Memory of a process as the kernel reports it (``/proc/<pid>/status``), for benchmarks."""

from __future__ import annotations

from pathlib import Path

__all__ = ["status_mb"]


def status_mb(pid: int, field: str) -> float:
    """``VmRSS``, ``VmHWM`` (peak) ... in MiB; NaN when the process or field is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return float("nan")
    for line in lines:
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")
