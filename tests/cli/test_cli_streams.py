"""The CLI as a user pipes it: answers on stdout (whole ids, any width), diagnostics on
stderr, every input mistake one ``error:`` line with exit 2 and never a traceback.

Each command runs as a real ``lineage`` process on a store holding the demo estate.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lineage.demo import run_demo
from lineage.store import open_store

LINEAGE = str(Path(sys.executable).with_name("lineage"))
CHATBOT = "endpoint:embedchain:crm-assistant"
TICKETS = "dataset:zendesk://acme:tickets"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "store"
    store = open_store(folder)
    try:
        run_demo(store)
    finally:
        store.close()
    return folder


def lineage(store: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "80"}  # a narrow terminal must not cut what is piped
    env.pop("LINEAGE_DEBUG", None)
    return subprocess.run(  # noqa: PLW1510 - callers check the status
        [LINEAGE, "--store", str(store), *args],
        capture_output=True,
        input=stdin,
        env=env,
        timeout=120,
    )


ANSWERS = [
    (["stats"], "Dataset"),
    (["inventory"], "model:openai:gpt-4o-mini"),
    (["policy", "check", "--no-act"], "no-secrets-in-notebooks"),
    (["runtime", "findings"], "crm-assistant"),
    (["plugins"], "enabled"),
    (["why", CHATBOT, "PII:EMAIL_ADDRESS"], "crm_notes.csv#contact_email"),
    (["search", "tickets"], TICKETS),
    (["show", TICKETS], "HAS_COLUMN"),
    (["blast-radius", TICKETS], "support-bot"),
    (["paths", "--label", "PII"], "crm-assistant"),
]


@pytest.mark.parametrize(("args", "expect"), ANSWERS, ids=lambda a: " ".join(a[:2]))
def test_answers_go_to_stdout(demo: Path, args: list[str], expect: str) -> None:
    done = lineage(demo, *args)
    assert done.returncode == 0, done.stderr.decode()
    assert expect in done.stdout.decode()
    assert expect not in done.stderr.decode()


@pytest.mark.parametrize(("args", "expect"), ANSWERS, ids=lambda a: " ".join(a[:2]))
def test_every_answer_has_json(demo: Path, args: list[str], expect: str) -> None:
    done = lineage(demo, *args, "--json")
    assert done.returncode == 0, done.stderr.decode()
    assert expect in json.dumps(json.loads(done.stdout))


def test_piped_tables_keep_whole_finding_ids(demo: Path) -> None:
    """Finding ids are what `remediate` and `undo` take: an ellipsis makes them useless."""
    ids = [f["fingerprint"] for f in json.loads(lineage(demo, "policy", "check", "--no-act",
                                                        "--json").stdout)["findings"]]  # fmt: skip
    assert ids
    table = lineage(demo, "policy", "check", "--no-act").stdout.decode()
    assert "…" not in table
    for fingerprint in ids:
        assert fingerprint in table


def test_why_that_does_not_hold_is_an_answer(demo: Path) -> None:
    done = lineage(demo, "why", CHATBOT, "PHI")
    assert done.returncode == 0
    assert f"{CHATBOT} does not hold PHI" in done.stdout.decode()


def test_unknown_id_suggests_what_the_user_meant(demo: Path) -> None:
    bare = lineage(demo, "blast-radius", "tickets")
    wrong_ns = lineage(demo, "blast-radius", "dataset:zendesk:tickets")
    for done in (bare, wrong_ns):
        assert done.returncode == 2
        err = done.stderr.decode()
        assert "did you mean:" in err
        assert err.index(TICKETS) < err.index("column:")  # the dataset before columns
        assert "Traceback" not in err


# Every command that takes a path, with where the path goes.
PATH_COMMANDS = [
    ["ingest", "notebook", "{}"],
    ["ingest", "vector-config", "{}"],
    ["ingest", "sql", "-n", "postgres://db:5432", "{}"],
    ["ingest", "openlineage", "{}"],
    ["ingest", "declared", "{}"],
    ["ingest", "access-log", "{}"],
    ["scan-model", "{}"],
    ["policy", "validate", "{}"],
    ["policy", "check", "--no-act", "--policies", "{}"],
    ["parse-sql", "{}"],
    ["import", "{}"],
    ["restore", "--force", "{}"],
    ["scan", "{}", "--dataset", "dataset:file:x.csv"],
]


def _with(args: list[str], path: Path) -> list[str]:
    return [str(path) if a == "{}" else a for a in args]


@pytest.mark.parametrize("args", PATH_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_a_missing_path_is_one_line_and_exit_2(demo: Path, tmp_path: Path, args: list) -> None:
    missing = tmp_path / "nope.file"
    done = lineage(demo, *_with(args, missing))
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert err.strip() == f"error: {missing}: no such file or folder"
    assert done.stdout == b""


@pytest.mark.parametrize("kind", ["empty", "binary", "folder"])
@pytest.mark.parametrize("args", PATH_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_bad_inputs_never_show_a_traceback(
    demo: Path, tmp_path: Path, args: list, kind: str
) -> None:
    path = tmp_path / f"input.{kind}"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "binary":
        path.write_bytes(bytes(range(256)) * 8)
    else:
        path.mkdir()
    done = lineage(demo, *_with(args, path))
    err = done.stderr.decode()
    assert "Traceback" not in err
    assert done.returncode in (0, 1, 2)
    if done.returncode == 2:
        assert err.startswith("error: ") or "Usage:" in err


def test_blast_radius_lists_the_datasets_it_counts(demo: Path) -> None:
    """Issue 19.7: the header counted 4 datasets while the table showed none of them."""
    answer = json.loads(lineage(demo, "blast-radius", TICKETS, "--json").stdout)
    report = json.loads(lineage(demo, "report", "blast-radius", TICKETS, "-f", "json").stdout)
    datasets = [a["uid"] for a in answer["affected"] if a["kind"] == "Dataset"]
    assert TICKETS not in datasets
    assert len(datasets) == answer["by_kind"]["Dataset"] == report["summary"]["datasets"]
    table = lineage(demo, "blast-radius", TICKETS).stdout.decode()
    for uid in datasets:
        assert uid in table


def test_the_witness_path_follows_a_column_that_carries_the_label(demo: Path) -> None:
    """Evidence for "the support bot gets e-mail addresses" must run through e-mail, not
    through ``ticket_id`` (the column a breadth-first search happens to reach first)."""
    answer = json.loads(lineage(demo, "blast-radius", TICKETS, "--json").stdout)
    bot = next(r for r in answer["ranked"] if r["node"]["uid"].endswith(":support-bot"))
    assert "PII:EMAIL_ADDRESS" in bot["node"]["labels"]
    for node in bot["path"]["nodes"]:
        assert "PII:EMAIL_ADDRESS" in node["labels"], node["uid"]


def test_serve_on_a_busy_port_fails_at_once_and_opens_no_store(tmp_path: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        store = tmp_path / "store"
        done = lineage(store, "serve", "--port", str(port))
    assert done.returncode == 2
    assert done.stderr.decode().strip() == (
        f"error: cannot listen on 127.0.0.1:{port}: Address already in use"
    )
    assert not store.exists()


@pytest.mark.parametrize(("token", "says"), [("s3cret-token", "HTTP writes enabled"),
                                             (None, "HTTP writes refused")])  # fmt: skip
def test_serve_says_at_start_whether_writes_are_enabled(
    tmp_path: Path, token: str | None, says: str
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINEAGE_")}
    if token:
        env["LINEAGE_API_TOKEN"] = token
    proc = subprocess.Popen(
        [LINEAGE, "--store", str(tmp_path / "s"), "serve", "--port", "0"],
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        first = proc.stderr.readline().decode()  # type: ignore[union-attr]
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    assert says in first
    assert token is None or token not in first
