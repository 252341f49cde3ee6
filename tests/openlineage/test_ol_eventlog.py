"""The durable event log: idempotency, torn tails, corruption, several writers, applied marks."""

from __future__ import annotations

import os
from pathlib import Path

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
