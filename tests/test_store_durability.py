"""No acknowledged write is lost when the owner or the server is killed; reopen is clean."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from lineage import ids
from lineage.model import Kind, Node
from lineage.store import open_store

WRITER = textwrap.dedent(
    """
    import sys
    from lineage import ids
    from lineage.model import Kind, Node
    from lineage.store import open_store

    store = open_store(sys.argv[1])
    seen = "2026-01-01T00:00:00.000Z"
    for i in range(100_000):
        uid = ids.dataset_id("pg", f"s.t{i}")
        store.upsert_nodes([Node(uid, Kind.DATASET, f"s.t{i}", "pg")], seen=seen)
        print(i, flush=True)  # acknowledged: the store call has returned
    """
)


def _write_until_acked(path: Path, wanted: int) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    last = -1
    for line in proc.stdout:
        last = int(line)
        if last >= wanted:
            break
    return proc, last


def _acked_present(path: Path, last: int) -> None:
    store = open_store(path)
    try:
        present = {row["uid"] for row in store.query("MATCH (n:Dataset) RETURN n.uid AS uid")}
        missing = [i for i in range(last + 1) if ids.dataset_id("pg", f"s.t{i}") not in present]
        assert not missing, f"{len(missing)} acknowledged writes lost, e.g. {missing[:5]}"
    finally:
        store.close()


def test_kill_9_of_the_owner_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "store"
    proc, last = _write_until_acked(path, 300)
    proc.kill()  # SIGKILL mid-stream: the owner never closes
    proc.wait()
    _acked_present(path, last)  # the orphaned server is adopted


def test_kill_9_of_the_server_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "store"
    proc, last = _write_until_acked(path, 300)
    server_pid = int((path / "falkordb.pid").read_text())
    os.kill(server_pid, signal.SIGKILL)
    proc.kill()
    proc.wait()
    # Keep reading what the writer acknowledged after our snapshot: none can exist after
    # the server died, and everything up to `last` must come back from the append-only file.
    _acked_present(path, last)


def test_reopen_after_kill_9_of_both_with_stale_files(tmp_path: Path) -> None:
    path = tmp_path / "store"
    proc, last = _write_until_acked(path, 50)
    server_pid = int((path / "falkordb.pid").read_text())
    proc.kill()
    os.kill(server_pid, signal.SIGKILL)
    proc.wait()
    time.sleep(0.1)
    assert (path / "falkordb.pid").exists()  # stale pid file left behind
    (path / "falkordb.sock").touch(exist_ok=True)  # and, say, a stale socket path
    _acked_present(path, last)


def test_second_process_joins_as_guest_and_leaves_server_running(tmp_path: Path) -> None:
    path = tmp_path / "store"
    owner = open_store(path)
    try:
        owner.upsert_nodes(
            [Node(ids.dataset_id("pg", "s.a"), Kind.DATASET, "s.a", "pg")],
            seen="2026-01-01T00:00:00.000Z",
        )
        code = (
            "import sys; from lineage.store import open_store; s = open_store(sys.argv[1]);"
            "print(s.counts()['Dataset']); s.close()"
        )
        out = subprocess.run(
            [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == "1"
        assert owner.counts() == {"Dataset": 1}  # the guest's close did not stop our server
    finally:
        owner.close()


def test_close_stops_the_server_and_reopen_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "store"
    store = open_store(path)
    store.upsert_nodes(
        [Node(ids.dataset_id("pg", "s.a"), Kind.DATASET, "s.a", "pg")],
        seen="2026-01-01T00:00:00.000Z",
    )
    pid = int((path / "falkordb.pid").read_text())
    store.close()
    assert (
        not Path(f"/proc/{pid}").exists()
        or b"redis" not in Path(f"/proc/{pid}/cmdline").read_bytes()
    )
    again = open_store(path)
    try:
        assert again.counts() == {"Dataset": 1}
    finally:
        again.close()
