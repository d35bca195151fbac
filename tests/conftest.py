"""Fixtures shared by the suites: settings on a temporary folder, both databases, clients.

Every store test runs on SQLite and on PostgreSQL (`DXPLAN_TEST_POSTGRES_URL`, default
the local server's `test` database). Each PostgreSQL test gets a schema of its own,
dropped afterwards. Without a reachable server the PostgreSQL cases are skipped, except
under CI=true, where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from dxplan.cli import app as cli_app
from dxplan.settings import Settings
from dxplan.store import create_db_engine, migrate
from dxplan.web import create_app
from dxplan.workspace import Workspace

POSTGRES_URL = os.environ.get(
    "DXPLAN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
_postgres_error: str | None = None


def _postgres_available() -> str | None:
    """None when the server answers, else the reason it does not."""
    global _postgres_error
    if _postgres_error is None:
        engine = create_engine(POSTGRES_URL)
        try:
            with engine.connect() as conn:
                conn.execute(text("select 1"))
            _postgres_error = ""
        except OperationalError as error:
            _postgres_error = str(error.orig).strip() or "unreachable"
        finally:
            engine.dispose()
    return _postgres_error or None


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema (dropped after the test)."""
    reason = _postgres_available()
    if reason:
        message = f"PostgreSQL at {POSTGRES_URL} is not reachable: {reason}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated, empty store on each database."""
    engine = create_db_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings on a temporary data folder; keyword arguments override fields."""

    def make(**overrides: Any) -> Settings:
        overrides.setdefault("data_dir", tmp_path / "data")
        return Settings(**overrides)

    return make


@pytest.fixture
def settings(make_settings: Callable[..., Settings], database_url: str) -> Settings:
    """Settings whose store is the test database (SQLite or PostgreSQL)."""
    return make_settings(database_url=database_url)


@pytest.fixture
def workspace(settings: Settings) -> Iterator[Workspace]:
    """An initialised workspace: the shipped plan and units loaded."""
    with Workspace(settings) as ws:
        ws.initialise(actor="test")
        yield ws


@pytest.fixture
def client(workspace: Workspace) -> Iterator[TestClient]:
    """An HTTP client of a whole app over the initialised workspace."""
    with TestClient(create_app(workspace.settings)) as test_client:
        yield test_client


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """Run `dxplan ARGS...` in-process on a temporary data folder; returns the result."""
    monkeypatch.setenv("DXPLAN_DATA_DIR", str(tmp_path / "data"))
    for name in ("DXPLAN_DATABASE_URL", "DXPLAN_PLAN_FILE", "DXPLAN_AGENCIES_FILE"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> Any:
        return runner.invoke(cli_app, list(args), input=input, catch_exceptions=False)

    return run
