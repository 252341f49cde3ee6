"""The durable event log: idempotency, torn tails, corruption, several writers, applied marks."""

from __future__ import annotations

import logging
import os
import random
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from lineage.eventlog import FileEventLog


def _event(i: int) -> dict[str, object]:
    return {"eventType": "COMPLETE", "n": i, "text": "tab\there\nnewline"}


def test_append_is_idempotent_on_the_key(tmp_path: Path) -> None:
    with FileEventLog(tmp_path) as log:
        first = log.append([("k1", _event(1)), ("k2", _event(2)), ("k1", _event(3))])
        assert [r.seq if r else None for r in first] == [1, 2, None]
        again = log.append([("k2", _event(2)), ("k3", _event(3))])
        assert [r.seq if r else None for r in again] == [None, 3]
        assert [r.event["n"] for r in log.records()] == [1, 2, 3]
        assert log.count() == 3
    with FileEventLog(tmp_path) as reopened:  # keys survive a restart
        assert reopened.append([("k1", _event(1))]) == [None]
        assert next(iter(reopened.records())).event == _event(1)


def test_unapplied_is_what_was_logged_and_not_marked(tmp_path: Path) -> None:
    with FileEventLog(tmp_path) as log:
        log.append([(f"k{i}", _event(i)) for i in range(10)])
        log.mark_applied([1, 2, 3, 5])
    with FileEventLog(tmp_path) as log:
        assert [r.seq for r in log.unapplied()] == [4, 6, 7, 8, 9, 10]
        log.mark_applied(range(4, 11))
        assert list(log.unapplied()) == []


def test_a_torn_last_record_is_cut_and_never_seen(tmp_path: Path) -> None:
    with FileEventLog(tmp_path) as log:
        log.append([("a", _event(1)), ("b", _event(2))])
    path = tmp_path / "events.log"
    with path.open("ab") as f:  # a writer killed mid-write, before its fsync returned
        f.write(b'3\t123\t"c"\t2024-05-01T00:00:00.000Z\t""\t{"eventTy')
    with FileEventLog(tmp_path) as log:
        assert [r.key for r in log.records()] == ["a", "b"]
        assert path.read_bytes().endswith(b"\n")
        record = log.append([("c", _event(3))])[0]
        assert record is not None and record.seq == 3
        assert [r.key for r in log.records()] == ["a", "b", "c"]


def test_a_corrupted_record_is_skipped_not_fatal(tmp_path: Path) -> None:
    with FileEventLog(tmp_path) as log:
        log.append([("a", _event(1)), ("b", _event(2)), ("c", _event(3))])
    path = tmp_path / "events.log"
    lines = path.read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b'"n":2', b'"n":9')  # the CRC no longer matches
    path.write_bytes(b"\n".join(lines))
    with FileEventLog(tmp_path) as log:
        assert [r.key for r in log.records()] == ["a", "c"]


def test_two_writers_share_one_log(tmp_path: Path) -> None:
    """A CLI beside the server: each sees the other's records before appending."""
    with FileEventLog(tmp_path) as server, FileEventLog(tmp_path) as cli:
        server.append([("a", _event(1))])
        assert cli.append([("a", _event(1)), ("b", _event(2))])[0] is None
        record = server.append([("c", _event(3))])[0]
        assert record is not None and record.seq == 3
        assert server.append([("b", _event(2))]) == [None]
    with FileEventLog(tmp_path) as log:
        assert [(r.seq, r.key) for r in log.records()] == [(1, "a"), (2, "b"), (3, "c")]


def test_records_are_on_disk_when_append_returns(tmp_path: Path) -> None:
    with FileEventLog(tmp_path) as log:
        log.append([("a", _event(1))], source="events.ndjson")
        # Read through a fresh descriptor, as a restarted process would.
        fd = os.open(tmp_path / "events.log", os.O_RDONLY)
        try:
            data = os.read(fd, 1 << 16)
        finally:
            os.close(fd)
    assert data.count(b"\n") == 1 and b'"events.ndjson"' in data
    with FileEventLog(tmp_path) as log:
        assert next(iter(log.records())).source == "events.ndjson"


# -- several processes, one killed mid-write (issue 14, point 4) ---------------------------

_TORN_WRITER = """
import os, signal, sys
import lineage.eventlog as el

real_write = os.write

def write_half_then_die(fd, data):
    real_write(fd, data[: len(data) // 2])  # the kernel took half the batch...
    os.kill(os.getpid(), signal.SIGKILL)  # ...and the process died before the rest

log = el.FileEventLog(sys.argv[1])
el.os.write = write_half_then_die
log.append([(f"cli-{i}", {"n": i, "pad": "x" * 500}) for i in range(20)], source="cli.ndjson")
"""

_WRITER = """
import sys
from lineage.eventlog import FileEventLog

log = FileEventLog(sys.argv[1])
name, rounds, size = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
for r in range(rounds):
    batch = [(f"{name}-{r}-{i}", {"n": i, "pad": "y" * size}) for i in range(8)]
    log.append(batch)
    print(f"{name}-{r}", flush=True)  # acknowledged: append returned after its fsync
"""


def _python(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True
    )


def test_a_writer_killed_mid_write_never_costs_the_next_acknowledged_record(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The issue's sequence: serve has the log open, a CLI ingest dies mid-``write``, serve
    appends again. Serve's records must land whole, its offsets stay right, and a fresh
    reader sees every acknowledged record and nothing of the torn one."""
    serve = FileEventLog(tmp_path)
    serve.append([("serve-0", _event(0))])
    torn = _python(_TORN_WRITER, str(tmp_path))
    assert torn.wait(timeout=60) == -signal.SIGKILL
    size = (tmp_path / "events.log").stat().st_size
    assert not (tmp_path / "events.log").read_bytes().endswith(b"\n")  # really torn

    with caplog.at_level(logging.WARNING, logger="lineage.eventlog"):
        first = serve.append([("serve-1", _event(1))])[0]
    assert "torn last record" in caplog.text
    second = serve.append([("serve-2", _event(2))])[0]  # offsets still right
    assert first is not None and second is not None
    assert second.seq == first.seq + 1
    assert (tmp_path / "events.log").stat().st_size < size + 2000
    serve.close()

    with FileEventLog(tmp_path) as fresh:
        keys = [r.key for r in fresh.records()]
        # The CLI's whole lines (written, never acknowledged) may stay: applying them is
        # harmless and a re-run is deduplicated. Its torn record is gone.
        cli = [k for k in keys if k.startswith("cli-")]
        assert 0 < len(cli) < 20 and cli == [f"cli-{i}" for i in range(len(cli))]
        assert keys == ["serve-0", *cli, "serve-1", "serve-2"]
        assert [r.seq for r in fresh.records()] == list(range(1, len(keys) + 1))
        assert fresh.skipped == []
        assert fresh.count() == len(keys)
        assert fresh.append([("serve-1", _event(1))]) == [None]  # keys survive too


def test_concurrent_writers_with_one_killed_keep_every_acknowledged_record(
    tmp_path: Path,
) -> None:
    """Three processes append at once; one writing large batches is killed at a random
    moment, again and again. Every batch a survivor saw acknowledged is there, whole."""
    FileEventLog(tmp_path).close()
    acked: list[str] = []
    for round_ in range(3):
        survivors = [_python(_WRITER, str(tmp_path), f"w{round_}{k}", "25", "200") for k in (0, 1)]
        victim = _python(_WRITER, str(tmp_path), f"v{round_}", "1000", "400000")
        time.sleep(random.uniform(0.3, 1.0))
        victim.kill()
        victim.wait(timeout=30)
        for proc in survivors:
            out, _ = proc.communicate(timeout=120)
            assert proc.returncode == 0
            acked += out.split()
        if victim.stdout is not None:
            acked += victim.stdout.read().split()
            victim.stdout.close()
    with FileEventLog(tmp_path) as log:
        keys = [r.key for r in log.records()]
        assert len(log.skipped) <= 1  # at most the victim's torn tail, cut at the next append
        assert len(keys) == len(set(keys))
        batches = {k.rsplit("-", 1)[0] for k in keys}
        assert set(acked) <= batches
        for batch in acked:  # whole batches only
            assert sum(k.startswith(batch + "-") for k in keys) == 8
        seqs = [r.seq for r in log.records()]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


def test_a_torn_record_spliced_before_a_good_one_is_reported_and_the_good_one_kept(
    tmp_path: Path,
) -> None:
    """A log damaged by the old writer (a torn record with the next one glued to it, in both
    formats) still yields the glued record, and replay names what it skipped."""
    with FileEventLog(tmp_path) as log:
        log.append([("a", _event(1))])
    path = tmp_path / "events.log"
    good_v1 = b'2\t%d\t"b"\t2024-05-01T00:00:00.000Z\t""\t{"n":2}\n' % zlib.crc32(b'{"n":2}')
    before = path.stat().st_size
    torn = b'9\t123\t"torn"\t2024-05-01T00:00:00.000Z\t""\t{"eventTy'
    with path.open("ab") as f:
        f.write(torn + good_v1)
    data = path.read_bytes()
    with FileEventLog(tmp_path / "other") as donor:  # a current-format record to splice
        donor.append([("z", _event(0)), ("c", _event(3))])
        donor_line = (tmp_path / "other" / "events.log").read_bytes().split(b"\n")[1]
    cut = donor_line[: len(donor_line) // 3]
    path.write_bytes(data + cut + donor_line + b"\n")
    with FileEventLog(tmp_path) as log:
        assert [r.key for r in log.records()] == ["a", "b", "c"]
        skipped = [(s.offset, s.length) for s in log.skipped]
        assert skipped == [(before, len(torn)), (len(data), len(cut))]
        assert log.count() == 3
        record = log.append([("d", _event(4))])[0]
        assert record is not None and record.seq == 3  # max(1, 2, 2) + 1


def test_a_damaged_record_met_while_catching_up_is_reported_where_and_why(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Another writer's record damaged on disk: the open log names its offset, its length
    and the reason when it catches up, keeps the records around it, and moves on. The lost
    record's sequence number (already marked applied) is never reused: the next record
    would otherwise count as applied and never reach the graph."""
    server = FileEventLog(tmp_path)
    server.append([("a", _event(1))])
    server.mark_applied([1])
    with FileEventLog(tmp_path) as cli:
        cli.append([("b", _event(2))])
        cli.mark_applied([2])
    path = tmp_path / "events.log"
    data = path.read_bytes()
    first, second = data.split(b"\n")[:2]
    path.write_bytes(data.replace(b'"n":2', b'"n":9'))  # the CRC no longer matches
    with caplog.at_level(logging.WARNING, logger="lineage.eventlog"):
        record = server.append([("c", _event(3))])[0]
    server.close()
    offset = len(first) + 1
    assert [m for m in caplog.messages if "skipped" in m] == [
        f"event log: skipped {len(second)} bytes at offset {offset}: "
        "unreadable record (bad length, checksum or fields)"
    ]
    assert record is not None and record.seq == 3  # "b" still counts in the sequence
    with FileEventLog(tmp_path) as fresh:
        assert [r.key for r in fresh.records()] == ["a", "c"]
        assert [r.key for r in fresh.unapplied()] == ["c"]
