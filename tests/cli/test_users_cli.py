"""`dxplan users password|role|enable|disable`: each ends the account's sessions and tokens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from dxplan.settings import Settings
from dxplan.store import sessions as session_store
from dxplan.store import tokens as token_store
from dxplan.store import users as user_store
from dxplan.workspace import Workspace

PASSWORD = "mật-khẩu-đủ-dài\n"
WARD, OTHER = "31135", "31120"


@pytest.fixture
def account(cli: Callable[..., Any]) -> Callable[[], tuple[int, int]]:
    """A reporter with one session and one personal token; returns a counter of both."""
    assert cli("init").exit_code == 0
    added = cli(
        "users",
        "add",
        "phuong",
        "--role",
        "reporter",
        "--unit",
        WARD,
        "--password-stdin",
        input=PASSWORD,
    )
    assert added.exit_code == 0, added.output
    with Workspace(Settings()) as workspace, workspace.engine.begin() as conn:
        user = user_store.get(conn, "phuong")
        assert user is not None
        session_store.start(conn, user.id, now=datetime.now(UTC))
        token_store.create(conn, "phone", [], actor="test", user_id=user.id)

    def live() -> tuple[int, int]:
        with Workspace(Settings()) as workspace, workspace.engine.connect() as conn:
            user = user_store.get(conn, "phuong")
            assert user is not None
            tokens = sum(t.active for t in token_store.list_all(conn))
            return session_store.count(conn, user.id), tokens

    assert live() == (1, 1)
    return live


def _user() -> Any:
    with Workspace(Settings()) as workspace, workspace.engine.connect() as conn:
        return user_store.get(conn, "phuong")


def test_password_change_ends_sessions_and_tokens(cli: Callable[..., Any], account: Any) -> None:
    result = cli("users", "password", "phuong", "--password-stdin", input="một-mật-khẩu-mới\n")
    assert result.exit_code == 0, result.output
    assert "1 session" in result.stdout and "1 token" in result.stdout
    assert account() == (0, 0)
    with Workspace(Settings()) as workspace, workspace.engine.begin() as conn:
        assert user_store.authenticate(conn, "phuong", "một-mật-khẩu-mới") is not None


def test_a_short_password_is_refused_and_changes_nothing(
    cli: Callable[..., Any], account: Any
) -> None:
    result = cli("users", "password", "phuong", "--password-stdin", input="short\n")
    assert result.exit_code == 2 and "at least 10 characters" in result.stderr
    assert account() == (1, 1)
    assert cli("users", "password", "phuong").exit_code == 2  # never from the arguments


def test_role_change_ends_sessions_and_tokens(cli: Callable[..., Any], account: Any) -> None:
    result = cli("users", "role", "phuong", "--role", "reporter", "--unit", WARD, "--unit", OTHER)
    assert result.exit_code == 0, result.output
    assert _user().units == (OTHER, WARD)
    assert account() == (0, 0)
    assert cli("users", "role", "phuong", "--role", "viewer").exit_code == 0
    assert (_user().role.value, _user().units) == ("viewer", ())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--role", "reporter"), "a reporter needs at least one --unit"),
        (("--role", "viewer", "--unit", WARD), "give --unit only to reporters"),
        (("--role", "reporter", "--unit", "99999"), "unknown unit(s): 99999"),
    ],
)
def test_a_bad_role_change_is_refused_and_changes_nothing(
    cli: Callable[..., Any], account: Any, args: tuple[str, ...], message: str
) -> None:
    result = cli("users", "role", "phuong", *args)
    assert result.exit_code == 2 and message in result.stderr
    assert account() == (1, 1)
    assert _user().units == (WARD,)


def test_unknown_users_are_a_clear_error(cli: Callable[..., Any], account: Any) -> None:
    for args in (
        ("password", "nobody", "--password-stdin"),
        ("role", "nobody", "--role", "viewer"),
        ("enable", "nobody"),
        ("disable", "nobody"),
    ):
        result = cli("users", *args, input="một-mật-khẩu-mới\n")
        assert result.exit_code == 2 and "no user is named 'nobody'" in result.stderr


def test_disable_then_enable(cli: Callable[..., Any], account: Any) -> None:
    assert cli("users", "disable", "phuong").exit_code == 0
    assert account() == (0, 0)
    assert _user().active is False
    enabled = cli("users", "enable", "phuong")
    assert enabled.exit_code == 0 and "enabled" in enabled.stdout
    assert _user().active is True
    assert account() == (0, 0)  # revoked tokens stay revoked: create new ones
