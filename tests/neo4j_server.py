"""A real Neo4j 5.26 for the test suite, started in-process by Neo4j's own test harness.

``tests/neo4j_server/`` is a small Maven module (one launcher class on
``org.neo4j.test:neo4j-harness``). On first use the session fixture builds it (offline when
the local Maven repository ``~/.m2`` already holds everything, else from Maven Central) and
writes the resolved class path to ``target/classpath.txt``; later starts are a plain
``java -cp ...`` with no Maven at all. One server per test session, Bolt only, on a free
loopback port, auth disabled; tests wipe the graph between them (:func:`wipe`).

``NEO4J_URI`` set in the environment means "use that server instead" (it must be a
throwaway: the tests wipe it). Without Java or Maven the Neo4j tests skip, saying why,
except under ``CI=true``, where a Neo4j that cannot start fails the run instead.
"""

from __future__ import annotations

import fcntl
import functools
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import neo4j
import pytest

__all__ = ["neo4j_uri", "start_server", "wipe"]

MODULE = Path(__file__).parent / "neo4j_server"
TARGET = MODULE / "target"
CLASSPATH = TARGET / "classpath.txt"
MAIN_CLASS = "lineage.testserver.Neo4jTestServer"
_BUILD_TIMEOUT = 900  # a first resolve from an empty ~/.m2 downloads ~150 MB
_START_TIMEOUT = 120


def _ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _unavailable(reason: str) -> None:
    """Skip locally; fail in CI, where every Neo4j test must run."""
    if _ci():
        pytest.fail(f"Neo4j test server unavailable in CI: {reason}", pytrace=False)
    pytest.skip(f"Neo4j test server unavailable: {reason}")


def _sources() -> list[Path]:
    return [MODULE / "pom.xml", *sorted((MODULE / "src").rglob("*.java"))]


def _up_to_date() -> bool:
    if not CLASSPATH.exists():
        return False
    built = CLASSPATH.stat().st_mtime
    return all(p.stat().st_mtime <= built for p in _sources())


def build() -> None:
    """Compile the launcher and write its class path (a no-op when nothing changed).

    Tries Maven offline first (the usual case once ``~/.m2`` is warm), then online. A file
    lock serialises concurrent builds of the same checkout.
    """
    TARGET.mkdir(exist_ok=True)
    with (TARGET / ".build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _up_to_date():
            return
        mvn = shutil.which("mvn")
        if mvn is None:
            raise RuntimeError("Maven (mvn) not found on PATH")
        goals = [
            "-q", "-B", "package", "dependency:build-classpath",
            f"-Dmdep.outputFile={CLASSPATH}",
        ]  # fmt: skip
        errors = ""
        for offline in (["-o"], []):
            done = subprocess.run(
                [mvn, *offline, *goals], check=False, cwd=MODULE, capture_output=True, text=True,
                timeout=_BUILD_TIMEOUT,
            )  # fmt: skip
            if done.returncode == 0 and CLASSPATH.exists():
                os.utime(CLASSPATH)
                return
            errors = (done.stdout + done.stderr)[-3000:]
        raise RuntimeError(f"building {MODULE} failed:\n{errors}")


class Server:
    """A running launcher process; :meth:`stop` sends SIGTERM and waits for a clean exit."""

    def __init__(self, proc: subprocess.Popen[str], uri: str, workdir: Path, log: Path) -> None:
        self.proc, self.uri, self.workdir, self.log = proc, uri, workdir, log

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self.proc.stdin:
            self.proc.stdin.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _drain(stream: IO[str], sink: Path) -> None:
    with sink.open("a") as out:
        for line in stream:
            out.write(line)


def start_server(
    *, pagecache: str = "128m", heap: str = "768m", checkpoint_seconds: int = 900
) -> Server:
    """Start the launcher and wait until its Bolt connector answers."""
    build()
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("java not found on PATH")
    workdir = Path(tempfile.mkdtemp(prefix="lineage-neo4j-"))
    log = workdir / "launcher.log"
    classpath = f"{TARGET / 'classes'}{os.pathsep}{CLASSPATH.read_text().strip()}"
    cmd = [
        java, f"-Xmx{heap}", "-XX:+UseSerialGC",
        f"-Dlineage.checkpoint.seconds={checkpoint_seconds}",
        "-cp", classpath, MAIN_CLASS, str(workdir / "db"), pagecache,
    ]  # fmt: skip
    # stdin stays open: the launcher exits by itself when this process goes away.
    proc = subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log.open("w"), text=True
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + _START_TIMEOUT
    uri = ""
    while not uri:
        line = proc.stdout.readline()
        if not line:
            proc.wait(10)
            raise RuntimeError(
                f"Neo4j launcher exited ({proc.returncode}) before printing its Bolt URI:\n"
                + log.read_text()[-3000:]
            )
        if line.startswith("BOLT "):
            uri = line.split(None, 1)[1].strip().rstrip("/")
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("Neo4j launcher did not start in time")
    threading.Thread(target=_drain, args=(proc.stdout, log), daemon=True).start()
    server = Server(proc, uri, workdir, log)
    try:
        _wait_for_bolt(uri)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_for_bolt(uri: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    with neo4j.GraphDatabase.driver(uri) as driver:
        while True:
            try:
                driver.verify_connectivity()
                return
            except neo4j.exceptions.DriverError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)


WIPE_CHUNK = """
MATCH (n)
WHERE NOT (n:LineageMeta AND n.key = 'schema')
WITH n LIMIT 10000
DETACH DELETE n
RETURN count(*) AS deleted"""


def wipe(uri: str) -> None:
    """Delete every node but the schema marker: assets, events, findings, audit entries.

    Constraints and indexes stay (they are per server, created once per session).
    """
    driver = _driver(uri)
    while True:
        records, _, _ = driver.execute_query(WIPE_CHUNK)
        if not records or records[0]["deleted"] == 0:
            return


@functools.cache
def _driver(uri: str) -> neo4j.Driver:
    """One driver per server for the session's wipes (closed with the process)."""
    from lineage.settings import Settings
    from lineage.store.neo4j import _auth

    return neo4j.GraphDatabase.driver(uri, auth=_auth(Settings.from_env()))


@pytest.fixture(scope="session")
def neo4j_uri() -> Iterator[str]:
    """The Bolt URI of a throwaway Neo4j 5 for this session (see the module doc)."""
    external = os.environ.get("NEO4J_URI")
    if external:
        yield external
        return
    if shutil.which("java") is None or shutil.which("mvn") is None:
        _unavailable("java and mvn are needed (Debian: openjdk-17-jdk-headless maven)")
    try:
        server = start_server()
    except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
        _unavailable(str(exc))
        raise  # unreachable: _unavailable raises
    try:
        yield server.uri
    finally:
        server.stop()
