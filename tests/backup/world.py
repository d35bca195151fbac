"""A small demo-like store for backup and fault tests: every kind of record, in seconds.

Dossiers and a catalog (imported like any feed), accounts of each role, focal points,
and reports in each state: approved (figures published), returned, submitted, draft.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from dxplan.cli import app as cli_app
from dxplan.demo.load import load_demo
from dxplan.domain.account import Role
from dxplan.settings import Settings
from dxplan.store import focal_points as focal_store
from dxplan.store import users as user_store
from dxplan.workspace import Workspace
from tests.conftest import POSTGRES_URL, _postgres_available

PASSWORD = "correct horse battery"
WARDS = ("31135", "31120", "31147")  # Ninh Kiều, Cái Khế, Tân An
EXPORTS: tuple[tuple[str, ...], ...] = (
    ("measures", "export", "--format", "csv"),
    ("indicators", "export", "--format", "csv"),
    ("evaluate", "--period", "2025", "--format", "json", "--as-of", "2025-11-08"),
    ("users", "list"),
    ("focal-points", "list", "--format", "csv"),
)
DXPLAN = str(Path(sys.executable).with_name("dxplan"))


def build(settings: Settings, *, dossiers_per_year: int = 1000) -> None:
    """Initialise `settings`' store and fill it with one of every kind of record."""
    with Workspace(settings) as workspace:
        workspace.initialise(actor="test")
        load_demo(workspace, dossiers_per_year=dossiers_per_year)
        with workspace.engine.begin() as conn:
            coordinator = user_store.add(
                conn, "dieuphoi", role=Role.COORDINATOR, password=PASSWORD, units=[], actor="test"
            )
            user_store.add(
                conn, "lanhdao", role=Role.VIEWER, password=PASSWORD, units=[], actor="test"
            )
            reporters = [
                user_store.add(
                    conn,
                    f"ward-{code}",
                    role=Role.REPORTER,
                    password=PASSWORD,
                    units=[code],
                    actor="test",
                )
                for code in WARDS
            ]
            for index, code in enumerate(WARDS):
                focal_store.record(
                    conn,
                    code,
                    name=f"Nguyễn Văn {index}",
                    title="Phó Chủ tịch",
                    phone="0292 3821 000",
                    email=f"dx{index}@cantho.gov.vn",
                    actor="test",
                )
            reporting = workspace.reporting(conn)
            for index, (code, reporter) in enumerate(zip(WARDS, reporters, strict=True)):
                report = reporting.open(reporter, "past-results", code, "2025Q3")
                values = {
                    "past_results_valid": {code: 400.0 + index},
                    "past_results_digitized": {code: 300.0 + index},
                }
                report = reporting.save(reporter, report, values)
                if index == 2:
                    continue  # a draft
                report = reporting.submit(reporter, report)
                if index == 0:
                    reporting.approve(coordinator, report)
                else:
                    reporting.return_(coordinator, report, "Kiểm tra lại số liệu")


def exports(env: dict[str, str]) -> dict[str, str]:
    """Every export of the store `env` points at (DXPLAN_DATA_DIR, DXPLAN_DATABASE_URL)."""
    runner = CliRunner()
    found = {}
    for args in EXPORTS:
        result = runner.invoke(cli_app, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == 0, (args, result.output)
        found[" ".join(args)] = result.stdout
    return found


def environment(settings: Settings) -> dict[str, str]:
    """The DXPLAN_* variables naming `settings`' store (for CliRunner and subprocesses)."""
    env = {"DXPLAN_DATA_DIR": str(settings.data_dir)}
    env["DXPLAN_DATABASE_URL"] = settings.database
    return env


def run(env: dict[str, str], *args: str, **options: Any) -> subprocess.CompletedProcess[bytes]:
    """`dxplan ARGS` in a process of its own, on the store `env` names."""
    return subprocess.run(
        [DXPLAN, *args], env={**os.environ, **env}, capture_output=True, check=False, **options
    )


Exports = Callable[[dict[str, str]], dict[str, str]]


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A PostgreSQL URL on a fresh schema of the test server (dropped afterwards)."""
    reason = _postgres_available()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} is not reachable: {reason}")
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} is not reachable: {reason}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
