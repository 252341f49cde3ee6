"""Retries with the real driver, error mapping, auth and secrets of the Neo4j store.

The retry tests use the real ``neo4j`` driver against a local TCP listener that accepts and
hangs up (a network fault, not a Bolt server): the driver treats that as retryable and the
store's retry budget from settings decides how many attempts are made.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import neo4j
import pytest
from neo4j import exceptions as nx
from neo4j_driver_double import RecordingDriver

from lineage.errors import ConfigError, StoreError
from lineage.settings import Settings
from lineage.store import open_store
from lineage.store.neo4j import Neo4jStore, store_error

SECRET = "correct-horse-battery-staple"


def _server_error(code: str, message: str = "from the server") -> nx.Neo4jError:
    """The exception the driver raises for a server FAILURE with this code."""
    return nx.Neo4jError._hydrate_neo4j(code=code, message=message)


class HangUp:
    """Accepts TCP connections on loopback and closes them at once, counting them."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()


@pytest.fixture
def hang_up() -> Iterator[HangUp]:
    server = HangUp()
    yield server
    server.sock.close()


def test_a_transient_network_failure_is_retried_within_the_budget(hang_up: HangUp) -> None:
    settings = Settings(neo4j_password=SECRET, neo4j_retry_seconds=1.0)
    started = time.monotonic()
    with pytest.raises(StoreError) as caught:
        Neo4jStore(f"bolt://127.0.0.1:{hang_up.port}", settings=settings)
    elapsed = time.monotonic() - started
    assert hang_up.accepted >= 2, "the driver should have retried the transaction"
    assert 1.0 <= elapsed < 10
    assert "unreachable" in str(caught.value)
    assert isinstance(caught.value.__cause__, nx.ServiceUnavailable)
    assert SECRET not in str(caught.value)


def test_a_zero_budget_means_a_single_attempt(hang_up: HangUp) -> None:
    with pytest.raises(StoreError):
        Neo4jStore(
            f"bolt://127.0.0.1:{hang_up.port}",
            settings=Settings(neo4j_password=SECRET, neo4j_retry_seconds=0),
        )
    assert hang_up.accepted == 1


@pytest.mark.parametrize(
    ("code", "expected", "words"),
    [
        ("Neo.TransientError.Transaction.DeadlockDetected", StoreError, "transiently"),
        ("Neo.ClientError.Security.Unauthorized", StoreError, "refused user 'svc'"),
        ("Neo.ClientError.Statement.SyntaxError", StoreError, "refused the statement"),
        ("Neo.ClientError.Schema.ConstraintValidationFailed", StoreError, "ConstraintValidation"),
        ("Neo.DatabaseError.General.UnknownError", StoreError, "UnknownError"),
    ],
)
def test_server_errors_map_to_store_errors_with_their_code(
    code: str, expected: type[Exception], words: str
) -> None:
    err = store_error(_server_error(code), "neo4j://g:7687", writing=True, user="svc")
    assert type(err) is expected
    assert words in str(err) and "neo4j://g:7687" in str(err)
    assert "Nothing was committed" in str(err)


def test_driver_configuration_errors_are_config_errors() -> None:
    err = store_error(nx.ConfigurationError("bad TLS setting"), "bolt://g", writing=False)
    assert isinstance(err, ConfigError) and "Nothing was committed" not in str(err)


def test_a_failed_write_surfaces_as_store_error_and_the_store_stays_usable() -> None:
    driver = RecordingDriver()
    store = Neo4jStore("bolt://g:7687", settings=Settings(), driver=driver)  # type: ignore[arg-type]
    driver.failures.append(_server_error("Neo.TransientError.Transaction.DeadlockDetected"))
    with pytest.raises(StoreError, match="DeadlockDetected") as caught:
        store.set_props("dataset:s3://b:x", {"owner": "ml"})
    assert isinstance(caught.value.__cause__, nx.TransientError)
    store.set_props("dataset:s3://b:x", {"owner": "ml"})
    assert len(driver.writes) == 1


def test_ddl_races_with_another_replica_are_tolerated() -> None:
    driver = RecordingDriver(schema_version=None)
    driver.failures.append(
        _server_error("Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists")
    )
    Neo4jStore("bolt://g:7687", settings=Settings(), driver=driver)  # type: ignore[arg-type]
    assert driver.writes[-1].runs[0][1]["version"] >= 1  # went on to record the version


def test_other_ddl_failures_are_not_swallowed() -> None:
    driver = RecordingDriver(schema_version=None)
    driver.failures.append(_server_error("Neo.ClientError.Security.Forbidden"))
    with pytest.raises(StoreError, match="Forbidden"):
        Neo4jStore("bolt://g:7687", settings=Settings(), driver=driver)  # type: ignore[arg-type]


@pytest.mark.parametrize("uri", ["bolt://neo4j:secret@g:7687", "http://g:7474", "neo4j+s://user@g"])
def test_bad_uris_are_config_errors_that_do_not_echo_secrets(uri: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Neo4jStore(uri, settings=Settings(), driver=RecordingDriver())  # type: ignore[arg-type]
    assert "secret" not in str(caught.value)


def test_open_store_picks_neo4j_for_every_bolt_scheme(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINEAGE_NEO4J_RETRY_SECONDS", "0")
    for scheme in ("neo4j", "neo4j+s", "bolt", "bolt+s"):
        with pytest.raises(StoreError, match="unreachable"):
            open_store(f"{scheme}://127.0.0.1:1")


def test_auth_from_settings_basic_bearer_or_none(monkeypatch: pytest.MonkeyPatch) -> None:
    from lineage.store.neo4j import _auth

    basic = _auth(Settings(neo4j_password=SECRET))
    assert basic is not None and (basic.scheme, basic.principal) == ("basic", "neo4j")
    assert basic.credentials == SECRET
    bearer = _auth(Settings(neo4j_token="eyJ.token"))
    assert bearer is not None and bearer.scheme == "bearer"
    assert _auth(Settings()) is None
    with pytest.raises(ConfigError, match="not both"):
        _auth(Settings(neo4j_password=SECRET, neo4j_token="t"))


def test_settings_read_neo4j_env_and_keep_secrets_out_of_repr(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    secret_file = tmp_path / "pw"
    secret_file.write_text(SECRET + "\n")
    monkeypatch.setenv("LINEAGE_NEO4J_USER", "lineage_svc")
    monkeypatch.setenv("LINEAGE_NEO4J_PASSWORD_FILE", str(secret_file))
    monkeypatch.setenv("LINEAGE_NEO4J_DATABASE", "lineage")
    monkeypatch.setenv("LINEAGE_NEO4J_BATCH_ROWS", "500")
    settings = Settings.from_env()
    assert settings.neo4j_password is not None
    assert settings.neo4j_password.get_secret_value() == SECRET
    assert (settings.neo4j_user, settings.neo4j_database, settings.neo4j_batch_rows) == (
        "lineage_svc", "lineage", 500,
    )  # fmt: skip
    assert SECRET not in repr(settings) and SECRET not in str(settings)
    store = Neo4jStore("neo4j://g:7687", settings=settings, driver=RecordingDriver())  # type: ignore[arg-type]
    assert SECRET not in repr(store) and "lineage" in repr(store)
    assert store.batch_rows == 500


def test_the_real_driver_accepts_our_auth_objects() -> None:
    for auth in (neo4j.basic_auth("u", SECRET), neo4j.bearer_auth("tok")):
        driver = neo4j.GraphDatabase.driver("neo4j://127.0.0.1:1", auth=auth)
        assert SECRET not in repr(driver)
        driver.close()
