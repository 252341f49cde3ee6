"""Several processes on one embedded store (issue 19, point 2): whoever opens it first owns
the server, the others join as guests, and the server stays up until the last one leaves.

Today's failure was the owner exiting and taking its guests' server with it; these tests
run real ``lineage`` commands and real processes, never a mock of the lock protocol.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from lineage.store import open_store

LINEAGE = str(Path(sys.executable).parent / "lineage")

_SCRIPTS = {
    f"load_{i}.sql": f"""
CREATE TABLE mart.report_{i} AS
SELECT c.id, c.email, o.total
FROM raw.customers c JOIN raw.orders_{i} o ON o.customer_id = c.id;
INSERT INTO mart.summary_{i} SELECT id, SUM(total) AS spend FROM mart.report_{i} GROUP BY id;
"""
    for i in range(5)
}
_QUERIES = (["stats"], ["search", "report"], ["inventory"])


def _server_gone(store: Path) -> bool:
    pid = int((store / "falkordb.pid").read_text()) if (store / "falkordb.pid").exists() else 0
    if not pid or not Path(f"/proc/{pid}").exists():
        return True
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    status = Path(f"/proc/{pid}/status").read_text()
    return b"redis-server" not in cmdline or "zombie" in status


def _graph(store: Path) -> tuple[set[str], set[tuple[str, str, str, str]], set[tuple[str, str]]]:
    s = open_store(store)
    try:
        nodes = list(s.iter_nodes())
        edges = {(e.src, e.rel.value, e.dst, e.key) for e in s.iter_edges()}
        labels = {(n.uid, label) for n in nodes for label in n.labels}
        return {n.uid for n in nodes}, edges, labels
    finally:
        s.close()


def test_eight_concurrent_commands_on_one_store_all_succeed(tmp_path: Path) -> None:
    """Five ingests and three queries started together, three times over: every command
    succeeds, the graph equals the one the same ingests build one after the other, and no
    server is left running once the last command has gone."""
    for name, text in _SCRIPTS.items():
        (tmp_path / name).write_text(text)
    env = {**os.environ, "LINEAGE_STORE": ""}
    ingests = [
        ["ingest", "sql", "-n", "postgres://db:5432", str(tmp_path / name)]
        for name in sorted(_SCRIPTS)
    ]

    sequential = tmp_path / "sequential"
    for args in ingests:
        subprocess.run([LINEAGE, "--store", str(sequential), *args], env=env, check=True,
                       capture_output=True)  # fmt: skip
    expected = _graph(sequential)
    assert len(expected[0]) > 10 and expected[1]

    for round_ in range(3):
        store = tmp_path / f"concurrent-{round_}"
        procs = [
            subprocess.Popen(
                [LINEAGE, "--store", str(store), *args],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for args in [*ingests, *_QUERIES]
        ]
        failures = []
        for proc in procs:
            _, err = proc.communicate(timeout=300)
            if proc.returncode != 0:
                failures.append((proc.args[3:], proc.returncode, err[-800:]))
        assert not failures, failures
        assert _server_gone(store), "the last command out left the server running"
        assert _graph(store) == expected


def test_an_owner_that_leaves_hands_the_server_to_its_guest(tmp_path: Path) -> None:
    """The owner closes while a guest (another process) is connected: the guest keeps
    reading and writing, and its own close then stops the server."""
    path = tmp_path / "store"
    owner = open_store(path)
    guest_code = (
        "import sys\n"
        "from lineage import ids\n"
        "from lineage.model import Kind, Node\n"
        "from lineage.store import open_store\n"
        "s = open_store(sys.argv[1])\n"
        "print('joined', flush=True)\n"
        "sys.stdin.readline()  # until the owner has gone\n"
        "uid = ids.dataset_id('pg', 's.after')\n"
        "s.upsert_nodes([Node(uid, Kind.DATASET, 's.after', 'pg')], seen='2026-01-01T00:00:00Z')\n"
        "print(sorted(s.counts().items()), flush=True)\n"
        "s.close()\n"
    )
    guest = subprocess.Popen(
        [sys.executable, "-c", guest_code, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert guest.stdout is not None and guest.stdin is not None
    assert guest.stdout.readline().strip() == "joined"
    owner.close()
    assert not _server_gone(path)  # handed over, not stopped
    guest.stdin.write("go\n")
    guest.stdin.flush()
    out, _ = guest.communicate(timeout=60)
    assert guest.returncode == 0
    assert "('Dataset', 1)" in out
    assert _server_gone(path)
    reopened = open_store(path)
    try:
        assert reopened.counts() == {"Dataset": 1}
    finally:
        reopened.close()
