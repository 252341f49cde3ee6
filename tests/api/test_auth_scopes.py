"""The scope decision itself, in process and with fixed expectations (the route tests run
``lineage serve`` in a subprocess, where a mutation of this module is never seen)."""

from __future__ import annotations

import pytest
from scoped_settings import READ, WRITE, scoped_settings

from lineage.api.auth import Refusal, Scope, bearer_token, granted_scopes, refusal


@pytest.mark.parametrize(
    ("write", "read", "token", "expected"),
    [
        (None, None, None, {Scope.READ}),  # reads open, no writes configured
        (None, None, "anything", {Scope.READ}),
        (WRITE, None, None, {Scope.READ}),
        (WRITE, None, WRITE, {Scope.READ, Scope.WRITE}),
        (WRITE, None, WRITE + "x", {Scope.READ}),
        (WRITE, READ, None, set()),  # a read token closes reads
        (WRITE, READ, READ, {Scope.READ}),
        (WRITE, READ, WRITE, {Scope.READ, Scope.WRITE}),
        (None, READ, READ, {Scope.READ}),
        (None, READ, "", set()),
    ],
)
def test_granted_scopes(
    write: str | None, read: str | None, token: str | None, expected: set[Scope]
) -> None:
    assert granted_scopes(scoped_settings(write, read), token) == expected


def test_writes_disabled_without_a_write_token_is_403_with_the_setting_named() -> None:
    assert refusal(scoped_settings(), Scope.WRITE, "anything") == Refusal(
        403, "writes are disabled: configure LINEAGE_API_TOKEN (or LINEAGE_API_TOKEN_FILE)"
    )
    assert refusal(scoped_settings(), Scope.READ, None) is None


def test_missing_scope_is_401_naming_the_scope() -> None:
    assert refusal(scoped_settings(WRITE), Scope.WRITE, READ) == Refusal(
        401, "a bearer token with write scope is required"
    )
    assert refusal(scoped_settings(WRITE, READ), Scope.READ, None) == Refusal(
        401, "a bearer token with read scope is required"
    )
    assert refusal(scoped_settings(WRITE, READ), Scope.READ, READ) is None
    assert refusal(scoped_settings(WRITE, READ), Scope.WRITE, WRITE) is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Bearer abc", "abc"),
        ("bearer  abc ", "abc"),
        ("Basic abc", None),
        ("Bearer ", None),
        ("", None),
        (None, None),
    ],
)
def test_bearer_token(header: str | None, expected: str | None) -> None:
    assert bearer_token(header) == expected
