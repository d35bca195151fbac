"""`dxplan focal-points list|set` on SQLite and PostgreSQL, on the demo's day."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from typer.testing import CliRunner

from dxplan.cli import app as cli_app
from dxplan.domain.period import Period
from dxplan.reporting import platform
from dxplan.settings import Settings
from dxplan.store import focal_points as focal_store
from dxplan.store import values as value_store
from dxplan.workspace import Workspace

WARD = "31135"


@pytest.fixture
def settings(make_settings: Callable[..., Settings], database_url: str) -> Settings:
    return make_settings(database_url=database_url, as_of=date(2025, 11, 8))


@pytest.fixture
def run(workspace: Workspace) -> Callable[..., Any]:
    """Run `dxplan ARGS...` against the test workspace."""
    env = {
        "DXPLAN_DATABASE_URL": workspace.settings.database,
        "DXPLAN_DATA_DIR": str(workspace.settings.data_dir),
        "DXPLAN_AS_OF": "2025-11-08",
    }

    def invoke(*args: str) -> Any:
        return CliRunner().invoke(cli_app, list(args), env=env, catch_exceptions=False)

    return invoke


def _with_focal_point(workspace: Workspace) -> float | None:
    with workspace.engine.connect() as conn:
        found = value_store.latest(
            conn, measures=[platform.WITH_FOCAL_POINT], units=["92"], periods=[Period(2025)]
        )
    return found[0].value if found else None


def test_help_explains_every_option(run: Callable[..., Any]) -> None:
    listing = run("focal-points", "list", "--help").stdout
    assert "--format" in listing and "csv" in listing
    setting = run("focal-points", "set", "--help").stdout
    for option in ("--name", "--title", "--phone", "--email", "--remove", "UNIT"):
        assert option in setting
    helped = run("focal-points", "--help").stdout
    assert "units_with_focal_point" in helped
    assert "GOV-09" not in helped  # the plan's own code, not one written in the code


def test_set_then_list(run: Callable[..., Any], workspace: Workspace) -> None:
    args = [
        *("focal-points", "set", WARD),
        *("--name", "Nguyễn Văn An", "--title", "Chủ tịch UBND phường"),
        *("--phone", "0292 3820 123", "--email", "an.nv@cantho.gov.vn"),
    ]
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert "Nguyễn Văn An" in result.stdout
    assert _with_focal_point(workspace) == 1.0  # GOV-09 moved at once
    assert "unchanged" in run(*args).stdout  # the same again records nothing

    rows = list(csv.DictReader(io.StringIO(run("focal-points", "list", "--format", "csv").stdout)))
    assert len(rows) == 123
    mine = next(r for r in rows if r["unit_code"] == WARD)
    assert (mine["name"], mine["phone"], mine["kind"]) == ("Nguyễn Văn An", "0292 3820 123", "ward")
    assert mine["recorded_at"].startswith("2025-11-08")
    assert sum(1 for r in rows if r["name"]) == 1
    table = run("focal-points", "list")
    assert table.exit_code == 0 and "1 of 123 units" in table.stdout


def test_remove_keeps_the_history(run: Callable[..., Any], workspace: Workspace) -> None:
    run("focal-points", "set", WARD, "--name", "Nguyễn Văn An")
    removed = run("focal-points", "set", WARD, "--remove")
    assert removed.exit_code == 0 and "no focal point" in removed.stdout
    with workspace.engine.connect() as conn:
        assert [r.name for r in focal_store.history(conn, WARD)] == ["Nguyễn Văn An", None]
    assert _with_focal_point(workspace) == 0.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--phone", "0292 3820 123"], "--name"),
        (["--name", "An", "--phone", "call me"], "--phone"),
        (["--name", "An", "--email", "an@cantho"], "--email"),
        (["--name", "x" * 201], "200 characters"),
    ],
)
def test_bad_input_stores_nothing(
    run: Callable[..., Any], workspace: Workspace, args: list[str], message: str
) -> None:
    result = run("focal-points", "set", WARD, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    with workspace.engine.connect() as conn:
        assert focal_store.history(conn, WARD) == []


def test_a_unit_that_names_none_is_refused(run: Callable[..., Any]) -> None:
    for unit in ("92", "99999"):
        result = run("focal-points", "set", unit, "--name", "An")
        assert result.exit_code == 2 and "not a unit that names a focal point" in result.stderr
