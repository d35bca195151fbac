"""Focal-point pages: who may set which unit's, the checks, the history, GOV-09 at once.

Roles × actions (R = reporter of the unit, R' = reporter of another unit, C =
coordinator, A = admin, V = viewer, anonymous): read list and unit (everyone signed
in); set own unit 303 (R) / other unit 403 (R') / any unit 303 (C, A) / 403 (V);
anonymous → the sign-in page. The workspace's day is 8 November 2025 (`as_of`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, Final

import pytest
from fastapi.testclient import TestClient

from dxplan.domain.account import Role
from dxplan.domain.period import Period
from dxplan.reporting import platform
from dxplan.settings import Settings
from dxplan.store import focal_points as focal_store
from dxplan.store import users as user_store
from dxplan.store import values as value_store
from dxplan.web import create_app
from dxplan.workspace import Workspace

PASSWORD: Final = "mật-khẩu-đủ-dài"
WARD: Final = "31135"  # Phường Ninh Kiều
OTHER: Final = "31120"  # Phường Cái Khế
AGENCY: Final = "92-SKHCN"
GOOD: Final = {
    "name": "Nguyễn Thị Lan",
    "title": "Phó Chủ tịch UBND phường",
    "phone": "+84 (292) 3820-123",
    "email": "lan.nt@cantho.gov.vn",
}
PEOPLE: Final = {
    "reporter": (Role.REPORTER, [WARD]),
    "other": (Role.REPORTER, [OTHER]),
    "coordinator": (Role.COORDINATOR, []),
    "admin": (Role.ADMIN, []),
    "viewer": (Role.VIEWER, []),
}


@pytest.fixture
def settings(make_settings: Callable[..., Settings], database_url: str) -> Settings:
    """The test database, on the demo's day: new records count for November 2025."""
    return make_settings(database_url=database_url, as_of=date(2025, 11, 8))


@pytest.fixture
def people(workspace: Workspace) -> Iterator[Callable[[str | None], TestClient]]:
    """A client signed in as one of PEOPLE (None: anonymous)."""
    with workspace.engine.begin() as conn:
        for name, (role, units) in PEOPLE.items():
            user_store.add(conn, name, role=role, password=PASSWORD, units=units, actor="test")
    clients: list[TestClient] = []

    def client(name: str | None) -> TestClient:
        http = TestClient(create_app(workspace.settings), follow_redirects=False)
        http.__enter__()
        clients.append(http)
        if name is not None:
            form = {"username": name, "password": PASSWORD, "csrf_token": _csrf(http, "/sign-in")}
            assert http.post("/sign-in", data=form).status_code == 303
        return http

    yield client
    for http in clients:
        http.__exit__(None, None, None)


def _csrf(http: TestClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', http.get(path).text)
    assert found
    return found.group(1)


def _post(http: TestClient, unit: str, **fields: str) -> Any:
    form = {"csrf_token": _csrf(http, "/focal-points"), **fields}
    return http.post(f"/focal-points/{unit}", data=form)


def _gov09(workspace: Workspace) -> dict[str, float | None]:
    """GOV-09's numerator and denominator for the city in November 2025, as stored."""
    with workspace.engine.connect() as conn:
        found = value_store.latest(
            conn,
            measures=[platform.WITH_FOCAL_POINT, platform.UNITS_TOTAL],
            units=["92"],
            periods=[Period.parse("2025-11")],
        )
    return {v.measure: v.value for v in found}


def _history(workspace: Workspace, unit: str) -> list[focal_store.FocalPoint]:
    with workspace.engine.connect() as conn:
        return focal_store.history(conn, unit)


def test_anonymous_readers_go_to_sign_in(people: Any) -> None:
    http = people(None)
    for path in ("/focal-points", f"/focal-points/{WARD}"):
        response = http.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/sign-in?next=/focal-points")
    assert http.post(f"/focal-points/{WARD}", data=GOOD).status_code == 303
    assert http.get("/api/focal-points").status_code == 401


def test_reporter_sets_its_own_unit_and_gov09_moves_at_once(
    people: Any, workspace: Workspace
) -> None:
    assert _gov09(workspace).get(platform.WITH_FOCAL_POINT) in (None, 0.0)
    http = people("reporter")
    response = _post(http, WARD, **GOOD)
    assert response.status_code == 303
    assert response.headers["location"] == f"/focal-points/{WARD}?saved=1"
    gov09 = _gov09(workspace)
    assert gov09[platform.WITH_FOCAL_POINT] == 1.0
    assert gov09[platform.UNITS_TOTAL] == 123.0  # every commune, ward and agency
    page = http.get(response.headers["location"])
    assert page.status_code == 200
    assert GOOD["name"] in page.text
    assert 'href="tel:+842923820123"' in page.text
    assert f'href="mailto:{GOOD["email"]}"' in page.text
    [record] = _history(workspace, WARD)
    assert record.recorded_by == "reporter" and record.phone == GOOD["phone"]


@pytest.mark.parametrize(("who", "unit"), [("other", WARD), ("reporter", OTHER), ("viewer", WARD)])
def test_others_may_not_set_it(people: Any, workspace: Workspace, who: str, unit: str) -> None:
    http = people(who)
    assert _post(http, unit, **GOOD).status_code == 403
    assert _history(workspace, unit) == []
    assert 'name="phone"' not in http.get(f"/focal-points/{unit}").text  # no form shown


@pytest.mark.parametrize("who", ["coordinator", "admin"])
def test_coordinators_and_admins_set_any_unit(people: Any, workspace: Workspace, who: str) -> None:
    http = people(who)
    for unit in (WARD, AGENCY):
        assert _post(http, unit, **GOOD).status_code == 303
        assert _history(workspace, unit)[-1].recorded_by == who
    assert _gov09(workspace)[platform.WITH_FOCAL_POINT] == 2.0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone", "12345"),  # too short
        ("phone", "0292 382 0123 ext. 4"),  # letters
        ("phone", "1" * 21),  # too long
        ("email", "lan.nt@cantho"),  # no top-level domain
        ("email", "lan nt@cantho.gov.vn"),  # a space
        ("email", "lan.nt.cantho.gov.vn"),  # no @
        ("title", "x" * 201),  # above 200 characters
    ],
)
def test_bad_fields_are_shown_in_place_and_nothing_is_stored(
    people: Any, workspace: Workspace, field: str, value: str
) -> None:
    response = _post(people("reporter"), WARD, **{**GOOD, field: value})
    assert response.status_code == 422
    assert f'data-error="{field}"' in response.text
    assert f'id="{field}-error"' in response.text and 'aria-invalid="true"' in response.text
    assert value.replace(" ", "") in response.text.replace(" ", "")  # what was typed stays
    assert _history(workspace, WARD) == []
    assert _gov09(workspace).get(platform.WITH_FOCAL_POINT) in (None, 0.0)


def test_the_errors_are_in_the_readers_language(people: Any) -> None:
    http = people("reporter")
    http.get("/focal-points?lang=vi")
    response = _post(http, WARD, **{**GOOD, "name": " ", "email": "không-phải-email"})
    assert response.status_code == 422
    assert 'data-error="name"' in response.text and 'data-error="email"' in response.text
    assert "Nhập họ tên" in response.text


def test_a_change_and_a_removal_keep_the_history(people: Any, workspace: Workspace) -> None:
    http = people("coordinator")
    _post(http, WARD, **GOOD)
    _post(http, WARD, **{**GOOD, "name": "Trần Văn Minh", "phone": "0907 123 456"})
    assert _gov09(workspace)[platform.WITH_FOCAL_POINT] == 1.0
    assert _post(http, WARD, name="", remove="1").status_code == 303
    history = _history(workspace, WARD)
    assert [r.name for r in history] == [GOOD["name"], "Trần Văn Minh", None]
    assert _gov09(workspace)[platform.WITH_FOCAL_POINT] == 0.0
    page = http.get(f"/focal-points/{WARD}").text
    assert GOOD["name"] in page and "Trần Văn Minh" in page
    assert page.count("data-record=") == 3
    twin = http.get(f"/api/focal-points/{WARD}").json()
    assert twin["focal_point"] is None
    assert [r["name"] for r in twin["history"]] == [GOOD["name"], "Trần Văn Minh", None]


def test_the_list_highlights_units_without_one(people: Any) -> None:
    http = people("viewer")  # everyone signed in may read who to call
    _post(people("coordinator"), WARD, **GOOD)
    page = http.get("/focal-points?lang=en")
    assert page.status_code == 200
    assert page.text.count("data-unit=") == 123
    assert page.text.count('class="row-missing"') == 122
    assert re.search(rf'data-unit="{WARD}" class=""', page.text)
    assert 'data-count="coverage">1 of 123 units' in page.text.replace("\n", "")
    twin = http.get("/api/focal-points").json()
    assert (twin["with_focal_point"], twin["units_total"]) == (1, 123)
    named = [u for u in twin["units"] if u["focal_point"]]
    assert [(u["unit"], u["focal_point"]["name"]) for u in named] == [(WARD, GOOD["name"])]


def test_unknown_units_and_forged_forms_are_refused(people: Any, workspace: Workspace) -> None:
    http = people("coordinator")
    assert http.get("/focal-points/99999").status_code == 404
    assert http.get("/focal-points/92").status_code == 404  # the city names none
    assert http.get("/api/focal-points/99999").status_code == 404
    assert http.post(f"/focal-points/{WARD}", data=GOOD).status_code == 403  # no CSRF token
    assert _history(workspace, WARD) == []
