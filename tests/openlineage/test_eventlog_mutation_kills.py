"""lineage/eventlog.py edges no other test pinned, found by the mutants that survived it
(BENCHMARKS.md, "Mutation score of the core packages"). Expected values are literals or
read from the bytes the test itself wrote."""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import stat
import zlib
from pathlib import Path

import pytest

from lineage.errors import StoreError
from lineage.eventlog import FileEventLog, Skipped

EVENT = {"eventType": "COMPLETE", "n": 1}
UNREADABLE = "unreadable record (bad length, checksum or fields)"


def _v1_record(seq: int, key: str, body: bytes) -> bytes:
    """A record of the first format (module docstring): no RS, the CRC over the event only."""
    src = json.dumps("")
    return (
        f"{seq}\t{zlib.crc32(body)}\t{json.dumps(key)}\t2026-01-01T00:00:00Z\t{src}\t".encode()
        + body
    )


def _lines(folder: Path) -> list[bytes]:
    return (folder / "events.log").read_bytes().splitlines(keepends=True)


def test_a_nested_folder_is_created_and_every_file_is_private(tmp_path: Path) -> None:
    folder = tmp_path / "a" / "b"
    with FileEventLog(folder) as log:
        log.append([("k1", EVENT)])
        log.mark_applied([1])
        log.mark_progress(1, 1, 2)
    for name in ("events.log", "applied.log", "progress.log"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600, name
    assert (folder / "applied.log").read_bytes() == b"1-1\n"
    assert (folder / "progress.log").read_bytes() == b"1 1 2\n"


def test_progress_is_the_last_whole_line_for_that_seq(tmp_path: Path) -> None:
    with FileEventLog(tmp_path) as log:
        assert log.progress(5) is None  # no progress.log yet
        log.mark_progress(5, 10, 100)
        log.mark_progress(6, 1, 2)
        log.mark_progress(5, 20, 100)
        with (tmp_path / "progress.log").open("ab") as f:
            f.write(b"5 x 100\n5 30\n")  # damaged, then torn by a crash
        assert log.progress(5) == (20, 100)
        assert log.progress(6) == (1, 2)
        assert log.progress(7) is None


def test_received_and_source_are_logged_as_returned(tmp_path: Path) -> None:
    with FileEventLog(tmp_path) as log:
        (new,) = log.append([("k1", EVENT)], source="runs/a.json")
        assert new is not None
        assert new.source == "runs/a.json"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d.*", new.received)
    with FileEventLog(tmp_path) as reopened:
        (back,) = reopened.records()
        assert (back.seq, back.key, back.received, back.source) == (
            1,
            "k1",
            new.received,
            "runs/a.json",
        )


def test_a_short_write_is_completed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_write = os.write

    def short(fd: int, data: bytes) -> int:
        return real_write(fd, bytes(data[:7]))

    with FileEventLog(tmp_path) as log:
        monkeypatch.setattr(os, "write", short)
        log.append([("k1", EVENT), ("k2", {"n": 2})])
        monkeypatch.undo()
        assert [(r.seq, r.key, dict(r.event)) for r in log.records()] == [
            (1, "k1", EVENT),
            (2, "k2", {"n": 2}),
        ]


def test_a_failed_write_is_a_store_error_even_if_the_cut_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def no_cut(fd: int, length: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    with FileEventLog(tmp_path) as log:
        monkeypatch.setattr(os, "write", full)
        monkeypatch.setattr(os, "ftruncate", no_cut)
        with pytest.raises(StoreError, match=r"^event log write failed: No space left on device$"):
            log.append([("k1", EVENT)])
        monkeypatch.undo()
        assert log.append([("k1", EVENT)])[0] is not None  # the key was not kept


def test_a_record_with_a_non_numeric_length_is_skipped(tmp_path: Path) -> None:
    with FileEventLog(tmp_path) as log:
        log.append([("k1", EVENT), ("k2", {"n": 2})])
    first, second = _lines(tmp_path)
    seq, _, rest = first[1:].partition(b"\t")
    damaged = b"\x1e" + seq + b"\tx" + rest[rest.index(b"\t") :]
    (tmp_path / "events.log").write_bytes(damaged + second)
    with FileEventLog(tmp_path) as log:
        assert [r.key for r in log.records()] == ["k2"]
        assert log.skipped == [Skipped(0, len(damaged) - 1, UNREADABLE)]


def test_a_first_format_record_spliced_after_a_torn_one_is_kept(tmp_path: Path) -> None:
    with FileEventLog(tmp_path) as log:
        log.append([("k1", EVENT)])
    (first,) = _lines(tmp_path)
    torn = first[: first.index(b'"')]  # cut after the CRC's TAB, before the key
    (tmp_path / "events.log").write_bytes(torn + _v1_record(2, "k2", b'{"n":2}') + b"\n")
    with FileEventLog(tmp_path) as log:
        assert [(r.seq, r.key, dict(r.event)) for r in log.records()] == [(2, "k2", {"n": 2})]
        assert log.skipped == [
            Skipped(
                0,
                len(torn),
                "damaged bytes before record 2 (a torn record; the one after it is kept)",
            )
        ]


def test_unapplied_skips_every_other_seq(tmp_path: Path) -> None:
    with FileEventLog(tmp_path) as log:
        log.append([(f"k{i}", {"n": i}) for i in range(1, 21)])
        log.mark_applied(range(1, 21, 2))
        assert [r.seq for r in log.unapplied()] == list(range(2, 21, 2))


def test_an_incomplete_last_record_is_listed_as_skipped(tmp_path: Path) -> None:
    with FileEventLog(tmp_path) as log:
        log.append([("k1", EVENT)])
        (first,) = _lines(tmp_path)
        with (tmp_path / "events.log").open("ab") as f:
            f.write(b"\x1e2\t9")
        assert [r.key for r in log.records()] == ["k1"]
        assert log.skipped == [Skipped(len(first), 4, "incomplete last record")]


def test_a_torn_applied_line_is_never_extended(tmp_path: Path) -> None:
    with FileEventLog(tmp_path) as log:
        log.append([("k1", EVENT), ("k2", {"n": 2}), ("k3", {"n": 3})])
        (tmp_path / "applied.log").write_bytes(b"1-")  # a marker died mid-line
        log.mark_applied([2])
        assert (tmp_path / "applied.log").read_bytes() == b"1-\n2-2\n"
        assert [r.seq for r in log.unapplied()] == [1, 3]


def test_cutting_a_torn_tail_says_what_and_why(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with FileEventLog(tmp_path) as log:
        log.append([("k1", EVENT)])
    (first,) = _lines(tmp_path)
    with (tmp_path / "events.log").open("ab") as f:
        f.write(b"\x1e2\t9")
    with caplog.at_level(logging.WARNING, logger="lineage.eventlog"), FileEventLog(tmp_path):
        pass
    assert caplog.messages == [
        f"{tmp_path / 'events.log'}: cutting a torn last record of 4 bytes (a writer died "
        "mid-write; it was never acknowledged)"
    ]
    assert (tmp_path / "events.log").read_bytes() == first


def test_a_lone_record_separator_before_a_record_is_one_damaged_byte(tmp_path: Path) -> None:
    with FileEventLog(tmp_path) as log:
        log.append([("k1", EVENT)])
    (first,) = _lines(tmp_path)
    (tmp_path / "events.log").write_bytes(b"\x1e" + first)  # a writer died after its RS
    with FileEventLog(tmp_path) as log:
        assert [r.key for r in log.records()] == ["k1"]
        assert log.skipped == [
            Skipped(0, 1, "damaged bytes before record 1 (a torn record; the one after it is kept)")
        ]


def test_applied_marks_are_one_line_each(tmp_path: Path) -> None:
    with FileEventLog(tmp_path) as log:
        log.append([("k1", EVENT), ("k2", {"n": 2}), ("k3", {"n": 3})])
        log.mark_applied([1])
        log.mark_applied([3, 2])
        assert (tmp_path / "applied.log").read_bytes() == b"1-1\n2-3\n"


@pytest.mark.xfail(
    strict=True,
    reason="known: a first-format CRC does not cover the seq, so torn digits glued to the "
    "next record's seq cannot be told apart (read as record 123452; kept and replayed, see "
    "the test after this one); see BENCHMARKS.md",
)
def test_a_first_format_record_after_a_torn_one_ending_in_digits_is_kept(tmp_path: Path) -> None:
    # An older version died inside a record's CRC ("1\t12345"); the next record it wrote
    # follows on the same line. The module promises the readable record after a torn one.
    torn = b"1\t12345"
    (tmp_path / "events.log").write_bytes(torn + _v1_record(2, "k2", b'{"n":2}') + b"\n")
    with FileEventLog(tmp_path) as log:
        assert [(r.seq, r.key) for r in log.records()] == [(2, "k2")]
        assert log.skipped == [
            Skipped(0, 7, "damaged bytes before record 2 (a torn record; the one after it is kept)")
        ]


def test_a_first_format_record_read_with_glued_digits_is_still_replayed_and_never_reused(
    tmp_path: Path,
) -> None:
    # What the pinned defect above costs: a wrong number, never a lost event. The record is
    # kept and unapplied (replayed; applying is idempotent), its key still deduplicates, and
    # no later record is handed a number at or below the one it was read with.
    torn = b"1\t12345"
    (tmp_path / "events.log").write_bytes(torn + _v1_record(2, "k2", b'{"n":2}') + b"\n")
    with FileEventLog(tmp_path) as log:
        assert [(r.seq, r.key, dict(r.event)) for r in log.unapplied()] == [
            (123452, "k2", {"n": 2})
        ]
        assert log.append([("k2", {"n": 2})]) == [None]
        (fresh,) = log.append([("k3", {"n": 3})])
        assert fresh is not None and fresh.seq == 123453
        log.mark_applied([123452])
        assert [r.key for r in log.unapplied()] == ["k3"]
