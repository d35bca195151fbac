"""The late and missing reports page and its JSON twin, on the demo's day (8 November 2025).

Coordinators and admins see it; reporters and viewers get 403; anonymous readers are
sent to sign in. The page and the twin show the same rows.
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
from dxplan.domain.period import Period
from dxplan.reporting import platform
from dxplan.reporting.service import Reporting
from dxplan.settings import Settings
from dxplan.store import focal_points as focal_store
from dxplan.store import users as user_store
from dxplan.store import values as value_store
from dxplan.store.submissions import StoredValues
from dxplan.web import create_app
from dxplan.workspace import Workspace

CANTHO_TZ = ZoneInfo("Asia/Ho_Chi_Minh")  # the shipped plan's time zone

PASSWORD: Final = "mật-khẩu-đủ-dài"
ON_TIME: Final = "31120"  # Phường Cái Khế
LATE: Final = "31135"  # Phường Ninh Kiều
ROW = re.compile(r'data-row="([^"]+)"')


@pytest.fixture
def settings(make_settings: Callable[..., Settings], database_url: str) -> Settings:
    return make_settings(database_url=database_url, as_of=date(2025, 11, 8))


@pytest.fixture
def people(workspace: Workspace) -> Iterator[Callable[[str | None], TestClient]]:
    """Two reports of 2025Q3 (due 10 October): one on time, one late; a focal point."""
    plan, organisation = workspace.plan(), workspace.organisation()
    assert plan is not None and organisation is not None
    with workspace.engine.begin() as conn:
        for name, role, units in (
            ("coordinator", Role.COORDINATOR, []),
            ("admin", Role.ADMIN, []),
            ("reporter", Role.REPORTER, [LATE]),
            ("viewer", Role.VIEWER, []),
        ):
            user_store.add(conn, name, role=role, password=PASSWORD, units=units, actor="test")
        for unit, day in ((ON_TIME, 9), (LATE, 16)):
            service = Reporting(
                conn, plan, organisation, now=datetime(2025, 10, day, 9, tzinfo=CANTHO_TZ)
            )
            user = User(1, "phuong", "Phường", Role.REPORTER, (unit,))
            report = service.open(user, "past-results", unit, "2025Q3")
            values: StoredValues = {
                "past_results_valid": {unit: 10.0},
                "past_results_digitized": {unit: 5.0},
            }
            service.submit(user, service.save(user, report, values))
        focal_store.record(
            conn,
            LATE,
            name="Lê Văn Tâm",
            title=None,
            phone="0292 3820 123",
            email="tam.lv@cantho.gov.vn",
            actor="test",
        )
    clients: list[TestClient] = []

    def client(name: str | None) -> TestClient:
        http = TestClient(create_app(workspace.settings), follow_redirects=False)
        http.__enter__()
        clients.append(http)
        if name is not None:
            page = http.get("/sign-in").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', page)
            assert token
            form = {"username": name, "password": PASSWORD, "csrf_token": token.group(1)}
            assert http.post("/sign-in", data=form).status_code == 303
        return http

    yield client
    for http in clients:
        http.__exit__(None, None, None)


def _rows(page: str) -> list[str]:
    return ROW.findall(page)


def test_coordinator_sees_late_and_missing_rows(people: Any) -> None:
    http = people("coordinator")
    page = http.get("/reports/late?lang=en")
    assert page.status_code == 200
    rows = _rows(page.text)
    assert f"past-results/{LATE}/2025Q3" in rows  # late by 6 days
    assert "past-results/31147/2025Q3" in rows  # never submitted
    assert f"past-results/{ON_TIME}/2025Q3" not in rows  # on time: not listed
    assert f'href="/reports/past-results/{LATE}/2025Q3"' in page.text
    assert "6 days late" in page.text
    # whom to call: the unit's focal point, with tel: and mailto: links
    assert 'href="tel:02923820123"' in page.text
    assert 'href="mailto:tam.lv@cantho.gov.vn"' in page.text
    assert 'href="/focal-points/31147"' in page.text  # a unit without one
    assert 'data-unit="total"' in page.text


def test_json_twin_has_the_same_rows(people: Any) -> None:
    http = people("admin")
    for query in ("", "?dataset=past-results&kind=ward", "?kind=agency&sort=-days"):
        page = http.get(f"/reports/late{query}")
        twin = http.get(f"/api/reports/late{query}")
        assert page.status_code == twin.status_code == 200
        body = twin.json()
        keys = [f"{r['dataset']}/{r['unit']}/{r['period']}" for r in body["rows"]]
        assert keys == _rows(page.text), query
        assert sum(body["counts"].values()) == len(keys)
    rows = http.get("/api/reports/late").json()["rows"]
    late = next(r for r in rows if (r["unit"], r["period"]) == (LATE, "2025Q3"))
    assert (late["status"], late["days_late"], late["due"]) == ("late", 6, "2025-10-10")
    assert late["focal_point"]["phone"] == "0292 3820 123"


def test_filters_narrow_the_rows(people: Any) -> None:
    http = people("coordinator")
    wards = http.get("/api/reports/late?dataset=past-results&kind=ward").json()
    assert wards["rows"] and {r["unit_kind"] for r in wards["rows"]} == {"ward"}
    assert {r["dataset"] for r in wards["rows"]} == {"past-results"}
    agencies = http.get("/api/reports/late?kind=agency").json()
    assert {r["unit_kind"] for r in agencies["rows"]} == {"agency"}
    ignored = http.get("/api/reports/late?dataset=nonsense&kind=planet&sort=x").json()
    assert len(ignored["rows"]) == len(http.get("/api/reports/late").json()["rows"])


def test_sort_links_reverse_the_order(people: Any) -> None:
    http = people("coordinator")
    page = http.get("/reports/late?sort=days").text
    assert "sort=-days" in page  # the active column's link reverses it
    ascending = http.get("/api/reports/late?sort=days").json()["rows"]
    descending = http.get("/api/reports/late?sort=-days").json()["rows"]
    days = [r["days_late"] if r["days_late"] is not None else r["days_left"] for r in ascending]
    assert days == sorted(days)
    assert descending[0]["days_late"] == max(d for d in days)


def test_totals_count_this_years_reports(people: Any) -> None:
    body = people("coordinator").get("/api/reports/late?dataset=past-results").json()
    assert body["year"] == 2025
    # 103 communes and wards × Q1-Q3 2025 expected; two reports in, one on time
    assert body["total"]["expected"] == 3 * 103
    assert (body["total"]["received"], body["total"]["on_time"]) == (2, 1)


@pytest.mark.parametrize("who", ["reporter", "viewer"])
def test_others_are_refused(people: Any, who: str) -> None:
    http = people(who)
    assert http.get("/reports/late").status_code == 403
    assert http.get("/api/reports/late").status_code == 403


def test_anonymous_readers_go_to_sign_in(people: Any) -> None:
    http = people(None)
    response = http.get("/reports/late")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/reports/late"
    assert http.get("/api/reports/late").status_code == 401


def test_page_totals_are_gov08s_stored_figures(people: Any, workspace: Workspace) -> None:
    plan, organisation = workspace.plan(), workspace.organisation()
    assert plan is not None and organisation is not None
    with workspace.engine.begin() as conn:
        platform.refresh(conn, plan, organisation, date(2025, 11, 8), ["reports"])
        stored = {
            v.measure: v.value
            for v in value_store.latest(
                conn,
                measures=[platform.ON_TIME, platform.EXPECTED],
                units=[organisation.root.code],
                periods=[Period(2025)],
            )
        }
    body = people("coordinator").get("/api/reports/late").json()
    assert (stored[platform.EXPECTED] or 0) > 100
    assert body["total"]["expected"] == stored[platform.EXPECTED]
    assert body["total"]["on_time"] == stored[platform.ON_TIME] == 1
    page = people("coordinator").get("/reports/late?lang=en").text
    expected = f"{body['total']['on_time']} of {body['total']['expected']:,} reports"
    assert expected in page
