"""Opening a store whose server is still loading its data waits, saying how far the load has
got, instead of failing (issue 14, point 5).

A large store takes its server a while to load, and until it has, every command is answered
``LOADING``. The server here is the real embedded one, started over a real store with
redis' own ``key-load-delay`` setting, so that loading its 20,000 keys takes seconds and the
``LOADING`` answers are real. Two ways in: as a guest while another process owns the store,
and as the new owner adopting a server left running by an owner that died.
"""

from __future__ import annotations

import fcntl
import logging
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lineage.model import Kind, Node
from lineage.store import open_store
from lineage.store._server import _binaries, _socket_path

FILLER = 20_000  # keys to load, at KEY_DELAY_US each
KEY_DELAY_US = 200


def _filled_store(root: Path) -> None:
    """A store holding a dataset and enough keys that a slowed load takes seconds."""
    store = open_store(str(root))
    try:
        store.upsert_nodes([Node("dataset:pg:orders", Kind.DATASET, "orders", "pg")], seen="t")
        client = store._server.client  # type: ignore[attr-defined]
        pipe = client.pipeline(transaction=False)
        for i in range(FILLER):
            pipe.set(f"filler:{i}", "x")
        pipe.execute()
    finally:
        store.close()  # the last user: the server stops


def _slow_server(root: Path) -> subprocess.Popen[bytes]:
    """The store's server as ``open_store`` runs it, but loading one key per 200 us and
    answering ``LOADING`` while it does."""
    server, module = _binaries()
    args = [
        str(server), "--port", "0",
        "--unixsocket", str(_socket_path(root)), "--unixsocketperm", "700",
        "--dir", str(root / "data"), "--appendonly", "yes", "--save", "",
        "--logfile", str(root / "falkordb.log"), "--pidfile", str(root / "falkordb.pid"),
        "--loadmodule", str(module),
        "--key-load-delay", str(KEY_DELAY_US),
        "--loading-process-events-interval-bytes", "1024",
    ]  # fmt: skip
    return subprocess.Popen(
        args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "store"
    _filled_store(root)
    yield root


def _wait_for_socket(root: Path, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while not _socket_path(root).exists():
        assert proc.poll() is None, (root / "falkordb.log").read_text()
        assert time.monotonic() < deadline
        time.sleep(0.01)


@pytest.mark.parametrize("how", ["guest", "adopting owner"])
def test_opening_a_store_that_is_still_loading_waits_and_says_how_far(
    root: Path, how: str, caplog: pytest.LogCaptureFixture
) -> None:
    held = None
    if how == "guest":  # another process owns the store (a `lineage serve` starting)
        held = os.open(root / "owner.lock", os.O_RDWR)
        fcntl.flock(held, fcntl.LOCK_EX)
    proc = _slow_server(root)
    try:
        _wait_for_socket(root, proc)
        with caplog.at_level(logging.WARNING, logger="lineage.store._server"):
            store = open_store(str(root))
        try:
            node = store.get_node("dataset:pg:orders")
            assert node is not None and node.name == "orders"
            # The loading server was waited for, not killed and replaced by a fresh one
            # (which would have to load everything again).
            assert store._server.pid == proc.pid and proc.poll() is None  # type: ignore[attr-defined]
        finally:
            store.close()
        said = [r.getMessage() for r in caplog.records]
        assert any("loading the store:" in m and "%" in m for m in said), said
    finally:
        if held is not None:
            os.close(held)
        if proc.poll() is None:
            proc.terminate()
        proc.wait(timeout=30)
