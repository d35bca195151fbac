"""A signed-in reader's request is a read: it never waits for the store's write lock.

At the deadline an approval or `dxplan compute` holds SQLite's write lock for a while;
readers must keep reading meanwhile. A session notes its last use once a minute and a
token likewise, so only those requests write; here the lock is held by another
connection and every other request must still answer at once.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dxplan.domain.account import Role
from dxplan.settings import Settings
from dxplan.store import tokens as token_store
from dxplan.store import users as user_store
from dxplan.web import create_app
from dxplan.workspace import Workspace

PASSWORD = "reads do not write 2025"


@pytest.fixture
def world(make_settings: Callable[..., Settings]) -> Iterator[tuple[Any, str, Settings]]:
    settings = make_settings()  # the embedded store: SQLite
    with Workspace(settings) as workspace:
        workspace.initialise(actor="test")
        with workspace.writing() as conn:
            user = user_store.add(
                conn, "dieuphoi", role=Role.COORDINATOR, password=PASSWORD, units=[], actor="t"
            )
            secret, _ = token_store.create(conn, "dieuphoi-token", [], "test", user_id=user.id)
    path = settings.database.removeprefix("sqlite:///")
    yield path, secret, settings


def _held(path: str) -> sqlite3.Connection:
    """Another connection holding the write lock (as a long approval would)."""
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_a_signed_in_page_view_reads_while_another_writes(world: tuple[Any, str, Settings]) -> None:
    path, _, settings = world
    with TestClient(create_app(settings), follow_redirects=False) as client:
        page = client.get("/sign-in")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf is not None
        form = {"username": "dieuphoi", "password": PASSWORD, "csrf_token": csrf.group(1)}
        assert client.post("/sign-in", data=form).status_code == 303
        lock = _held(path)
        try:
            assert client.get("/reports").status_code == 200
            assert client.get("/api/reports").status_code == 200
            assert client.get("/focal-points").status_code == 200
        finally:
            lock.execute("ROLLBACK")
            lock.close()


def test_a_token_used_again_within_the_minute_reads_only(world: tuple[Any, str, Settings]) -> None:
    path, secret, settings = world
    bearer = {"Authorization": f"Bearer {secret}"}
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/datasets", headers=bearer).status_code == 200  # notes its use
        lock = _held(path)
        try:
            assert client.get("/api/datasets", headers=bearer).status_code == 200
            assert client.get("/api/reports", headers=bearer).status_code == 200
        finally:
            lock.execute("ROLLBACK")
            lock.close()
