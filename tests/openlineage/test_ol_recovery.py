"""Recovery and durability tests that fail when the code path they cover is removed
(issue 14, point 9): the CLI applies what a crash left logged but unapplied, and the event
log is on stable storage (fsync'ed past the record) before ``append`` returns, also under
concurrent writers sharing one fsync (group commit)."""

from __future__ import annotations

import json
import os
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
from ol_events import as_json, run_events
from typer.testing import CliRunner

from ingest.openlineage import idempotency_key
from lineage.cli import app
from lineage.eventlog import FileEventLog
from lineage.store import open_store


def _named(event: dict[str, Any], job: str) -> dict[str, Any]:
    return {**event, "job": {**event["job"], "name": job}, "run": {"runId": str(uuid.uuid4())}}


def test_cli_ingest_applies_what_a_crash_left_logged(tmp_path: Path) -> None:
    store = tmp_path / "store"
    template = as_json(next(iter(run_events(1, 1, seed=71))))
    # Logged by a process that died before applying them; names no other event uses.
    orphans = [_named(template, f"logged_before_crash_{i}") for i in range(3)]
    with FileEventLog(store / "eventlog") as log:
        log.append([(idempotency_key(e), e) for e in orphans])
    new_file = tmp_path / "new.json"
    new_file.write_text(json.dumps(_named(template, "ingested_now")))

    result = CliRunner().invoke(
        app, ["--store", str(store), "ingest", "openlineage", str(new_file)]
    )
    assert result.exit_code == 0, result.output
    graph = open_store(store)
    try:
        for job in ["ingested_now", *(f"logged_before_crash_{i}" for i in range(3))]:
            assert graph.get_node(f"job:spark:{job}") is not None, job
    finally:
        graph.close()
    with FileEventLog(store / "eventlog") as log:
        assert list(log.unapplied()) == []


class _FsyncSpy:
    """Records, for every fsync/fdatasync of events.log, how many bytes it covered."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.synced = 0
        self.calls = 0
        self._lock = threading.Lock()
        self._real = {"fsync": os.fsync, "fdatasync": os.fdatasync}

    def wrap(self, name: str) -> Any:
        real = self._real[name]

        def spy(fd: int) -> None:
            st = os.fstat(fd)
            real(fd)
            if self.path.exists() and (st.st_ino, st.st_dev) == _ident(self.path):
                with self._lock:
                    self.calls += 1
                    self.synced = max(self.synced, st.st_size)

        return spy


def _ident(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_ino, st.st_dev


def test_append_returns_only_after_an_fsync_covering_the_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "eventlog"
    log = FileEventLog(folder)
    spy = _FsyncSpy(folder / "events.log")
    monkeypatch.setattr(os, "fsync", spy.wrap("fsync"))
    monkeypatch.setattr(os, "fdatasync", spy.wrap("fdatasync"))
    template = as_json(next(iter(run_events(1, 1, seed=72))))
    failures: list[str] = []

    def writer(n: int) -> None:
        for i in range(15):
            marker = f"durable_{n}_{i}"
            event = _named(template, marker)
            log.append([(idempotency_key(event), event)])
            synced = spy.synced  # what was on stable storage when append returned
            data = (folder / "events.log").read_bytes()
            end = data.find(marker.encode()) + len(marker)
            if end <= len(marker) - 1 or end > synced:
                failures.append(f"{marker}: ends at byte {end}, fsync'ed up to {synced}")

    try:
        threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        log.close()
    assert not failures, failures[:5]
    assert 0 < spy.calls <= 90  # group commit may share fsyncs, never skip them
