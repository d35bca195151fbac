"""Late and missing reports on /alerts follow the reports at once, not the figures.

Issue 9: the alerts view was cached with the board, which changes only when a figure
does. A late submission changes no figure (it is not on time, and it was already
expected), so the report stayed "missing" on /alerts until some figure moved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from dxplan.domain.account import Role, User
from dxplan.evaluate.dashboard import store_state
from dxplan.reporting.service import Reporting
from dxplan.settings import Settings
from dxplan.store.submissions import StoredValues
from dxplan.web import create_app
from dxplan.workspace import Workspace

CANTHO_TZ = ZoneInfo("Asia/Ho_Chi_Minh")  # the shipped plan's time zone

AS_OF: Final = date(2025, 11, 8)
UNIT: Final = "31135"  # Phường Ninh Kiều: its 2025Q3 past results were due on 10 October
NOW: Final = datetime(2025, 11, 8, 9, tzinfo=CANTHO_TZ)


@pytest.fixture
def settings(make_settings: Callable[..., Settings], database_url: str) -> Settings:
    return make_settings(database_url=database_url, as_of=AS_OF)


@pytest.fixture
def client(workspace: Workspace) -> Iterator[TestClient]:
    """The app over a store whose platform figures were computed (as `dxplan compute` does)."""
    plan, organisation = _plan_and_units(workspace)
    with workspace.engine.begin() as conn:
        Reporting(conn, plan, organisation, now=NOW).refresh()
    with TestClient(create_app(workspace.settings)) as http:
        yield http


def _late(client: TestClient, path: str = "/api/dashboard/alerts") -> dict[str, Any]:
    response = client.get(path, params={"as_of": "2025-11-08", "lang": "en"})
    assert response.status_code == 200, response.text
    late: dict[str, Any] = response.json()["late"]
    return late


def _submit_late(workspace: Workspace) -> None:
    """Ninh Kiều's reporter submits on 8 November, 29 days after the due day."""
    plan, organisation = _plan_and_units(workspace)
    with workspace.engine.begin() as conn:
        service = Reporting(conn, plan, organisation, now=NOW)
        user = User(1, "phuong", "Phường", Role.REPORTER, (UNIT,))
        report = service.open(user, "past-results", UNIT, "2025Q3")
        values: StoredValues = {
            "past_results_valid": {UNIT: 10.0},
            "past_results_digitized": {UNIT: 5.0},
        }
        service.submit(user, service.save(user, report, values))


def _plan_and_units(workspace: Workspace) -> tuple[Any, Any]:
    plan, organisation = workspace.plan(), workspace.organisation()
    assert plan is not None and organisation is not None
    return plan, organisation


def _figures(workspace: Workspace) -> int:
    with workspace.engine.connect() as conn:
        return store_state(conn)


def test_a_late_submission_shows_at_once(client: TestClient, workspace: Workspace) -> None:
    before = _late(client)
    assert before["counts"]["late"] == 0
    missing = before["counts"]["missing"]
    assert missing >= 103  # 103 communes and wards owe 2025Q3 past results, at least
    page = client.get("/alerts", params={"as_of": "2025-11-08"})  # the cached HTML too
    assert _badges(page.text)[:2] == [missing, 0]  # missing, late
    figures = _figures(workspace)

    _submit_late(workspace)

    assert _figures(workspace) == figures  # no figure changed: the board is the same
    after = _late(client)
    assert after["counts"]["missing"] == missing - 1
    assert after["counts"]["late"] == 1
    page = client.get("/alerts", params={"as_of": "2025-11-08"})
    assert _badges(page.text)[:2] == [missing - 1, 1]


def _badges(page: str) -> list[int]:
    """The counts at the top of the late reports' panel: missing, late, due soon."""
    start = page.index('id="late-heading"')
    return [int(n) for n in re.findall(r": (\d+)</span>", page[start : page.index("</p>", start)])]
