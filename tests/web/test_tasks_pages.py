"""The task pages over HTTP, for each role: the list, a task, progress with evidence,
breakthrough tasks, the Excel export, the unit and alerts pages.

As of 8 November 2025, before anyone reports (counted by hand from the shipped plan,
see test_tasks_api.py): 18 tasks in 2025, 10 overdue and 8 not started; 92-SKHCN's
own and supported tasks are 8, of which 4 are overdue. The roles: a reporter of
92-SKHCN, a reporter of Phường Cái Khế (31120), the coordinator, a viewer, and a
reader who has not signed in.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Final

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from dxplan.domain.account import Role
from dxplan.settings import Settings
from dxplan.store import users as user_store
from dxplan.web import create_app
from dxplan.workspace import Workspace
from tests.web.test_tasks_api import AGENCY, AS_OF, PDF

PASSWORD: Final = "tasks pages password 2025"
PEOPLE: Final = {
    "reporter": (Role.REPORTER, [AGENCY]),
    "other": (Role.REPORTER, ["31120"]),
    "coordinator": (Role.COORDINATOR, []),
    "viewer": (Role.VIEWER, []),
}
CSRF: Final = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """A signed-in reader's client and its CSRF token."""

    def __init__(self, client: TestClient, csrf: str) -> None:
        self.client = client
        self.csrf = csrf

    def post(self, url: str, form: dict[str, str], **extra: object) -> object:
        return self.client.post(url, data=form | {"csrf_token": self.csrf}, **extra)  # type: ignore[arg-type]


@pytest.fixture
def browsers(tmp_path: Path) -> Iterator[dict[str, Browser]]:
    settings = Settings(data_dir=tmp_path / "data", as_of=AS_OF)
    with Workspace(settings) as workspace:
        workspace.initialise(actor="test")
        with workspace.writing() as conn:
            for name, (role, units) in PEOPLE.items():
                user_store.add(conn, name, role=role, password=PASSWORD, units=units, actor="t")
    found: dict[str, Browser] = {}
    clients = []
    for name in ("anonymous", *PEOPLE):
        client = TestClient(create_app(settings), follow_redirects=False)
        client.__enter__()
        clients.append(client)
        token = CSRF.search(client.get("/sign-in").text)
        assert token is not None
        if name != "anonymous":
            form = {"username": name, "password": PASSWORD, "csrf_token": token.group(1)}
            assert client.post("/sign-in", data=form).status_code == 303
            token = CSRF.search(client.get("/tasks").text)
            assert token is not None
        found[name] = Browser(client, token.group(1))
    yield found
    for client in clients:
        client.__exit__(None, None, None)


def _count(html: str, status: str) -> int:
    found = re.search(rf'data-count="{status}">\s*<span class="figure">(\d+)</span>', html)
    assert found is not None, status
    return int(found.group(1))


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-task="([^"]+)"', html)


def test_the_list_for_each_role(browsers: dict[str, Browser]) -> None:
    anonymous = browsers["anonymous"].client.get("/tasks")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/sign-in")
    for role in PEOPLE:
        page = browsers[role].client.get("/tasks?year=2025")
        assert page.status_code == 200, role
        html = page.text
        assert (_count(html, "overdue"), _count(html, "not_started")) == (10, 8), role
        assert len(_rows(html)) == 18, role
        coordinator = role == "coordinator"
        assert ('data-section="pending"' in html) is coordinator, role
        assert ('data-section="missing"' in html) is coordinator, role
        # only a reporter is offered to register its unit's breakthrough task
        offers = "/tasks/breakthrough/new?unit=" in html
        assert offers is (role in ("reporter", "other")), role


def test_late_first_within_each_pillar_and_by_unit(browsers: dict[str, Browser]) -> None:
    html = browsers["viewer"].client.get("/tasks?year=2025&by=pillar").text
    groups = re.findall(r'data-group="([^"]*)"', html)
    # the plan's pillars in its order, then T-OVR-01, which serves the overall index OVR-01
    assert groups == ["GOV", "ECO", "SOC", "OVR"]
    governance = html.split('data-group="GOV"')[1].split("data-group=")[0]
    statuses = re.findall(r'<tr data-task="[^"]+" data-status="([a-z_]+)"', governance)
    assert statuses == sorted(statuses, key=lambda s: s != "overdue")
    mine = browsers["viewer"].client.get(f"/tasks?year=2025&unit={AGENCY}&by=unit").text
    assert len(_rows(mine)) == 8
    assert _count(mine, "overdue") == 4
    # by lead unit: 92-SKHCN leads five, the Department of Home Affairs two, a ward one
    leads = re.findall(r'data-group="([^"]*)"', mine)
    assert sorted(leads) == ["31231", AGENCY, "92-SNV"]
    assert len(_rows(mine.split(f'data-group="{AGENCY}"')[1].split("</section>")[0])) == 5
    assert browsers["viewer"].client.get("/tasks?unit=NOPE").status_code == 404


def test_a_task_page_offers_the_progress_form_to_the_lead_unit_only(
    browsers: dict[str, Browser],
) -> None:
    for role in PEOPLE:
        page = browsers[role].client.get("/tasks/T-GOV-01")
        assert page.status_code == 200, role
        assert "Trung tâm giám sát, điều hành thông minh" in page.text
        has_form = 'action="/tasks/T-GOV-01/progress"' in page.text
        who = re.search(r"class=\"who\">([^<]*)<", page.text)
        assert has_form is (role == "reporter"), (role, who and who.group(1))
    assert browsers["viewer"].client.get("/tasks/NOPE").status_code == 404


def _history(browsers: dict[str, Browser], code: str) -> list[dict[str, object]]:
    response = browsers["viewer"].client.get(f"/api/tasks/{code}")
    found: list[dict[str, object]] = response.json()["history"]
    return found


def test_progress_with_evidence_through_the_form(browsers: dict[str, Browser]) -> None:
    reporter = browsers["reporter"]
    files = {"files": ("biên bản.pdf", PDF, "application/pdf")}
    form = {"percent": "75", "progress": "in_progress", "note": "Đã chạy thử"}
    for role in ("other", "coordinator", "viewer"):
        refused = browsers[role].post("/tasks/T-GOV-01/progress", form, files=files)
        assert refused.status_code == 403, role  # type: ignore[attr-defined]
    assert _history(browsers, "T-GOV-01") == []
    bad = reporter.post("/tasks/T-GOV-01/progress", form | {"percent": "175"}, files=files)
    assert bad.status_code == 422  # type: ignore[attr-defined]
    assert "175" in bad.text and 'role="alert"' in bad.text  # type: ignore[attr-defined]
    assert _history(browsers, "T-GOV-01") == []
    saved = reporter.post("/tasks/T-GOV-01/progress", form, files=files)
    assert saved.status_code == 303  # type: ignore[attr-defined]
    page = browsers["coordinator"].client.get("/tasks/T-GOV-01").text
    assert "Đã chạy thử" in page and "biên bản.pdf" in page
    link = re.search(r'href="(/tasks/T-GOV-01/evidence/\d+)"', page)
    assert link is not None
    download = browsers["viewer"].client.get(link.group(1))
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment;")
    assert browsers["anonymous"].client.get(link.group(1)).status_code == 303
    [entry] = _history(browsers, "T-GOV-01")
    assert (entry["percent"], entry["progress"]) == (75, "in_progress")


@pytest.mark.parametrize("version", ["²", "9" * 5000], ids=["superscript", "5000 digits"])
def test_a_version_that_is_no_whole_number_is_ignored_not_a_500(
    browsers: dict[str, Browser], version: str
) -> None:
    """isdigit() accepts both, int() refuses both: the form's version is then not checked."""
    form = {"percent": "20", "progress": "in_progress", "version": version}
    saved = browsers["reporter"].post("/tasks/T-GOV-01/progress", form)
    assert saved.status_code == 303  # type: ignore[attr-defined]
    [entry] = _history(browsers, "T-GOV-01")
    assert (entry["percent"], entry["progress"]) == (20, "in_progress")


def test_an_evidence_id_beyond_the_stores_integers_is_not_found(
    browsers: dict[str, Browser],
) -> None:
    missing = browsers["viewer"].client.get(f"/tasks/T-GOV-01/evidence/{2**63}")
    assert missing.status_code == 404


def test_registering_and_approving_a_breakthrough_task(browsers: dict[str, Browser]) -> None:
    for role in ("coordinator", "viewer"):
        page = browsers[role].client.get("/tasks/breakthrough/new")
        assert page.status_code == 403, role
    html = browsers["coordinator"].client.get("/tasks").text
    missing = re.findall(r'<li data-unit="([^"]+)"', html)
    assert AGENCY in missing
    reporter = browsers["reporter"]
    assert reporter.client.get("/tasks/breakthrough/new").status_code == 200
    form = {"unit": AGENCY, "title": "", "due": "not a day", "indicators": "GOV-05"}
    bad = reporter.post("/tasks/breakthrough/new", form)
    assert bad.status_code == 422  # type: ignore[attr-defined]
    form = form | {"title": "Chuyển đổi số hồ sơ cấp phép", "due": "2025-12-20"}
    made = reporter.post("/tasks/breakthrough/new", form)
    assert made.status_code == 303  # type: ignore[attr-defined]
    code = f"BT-2025-{AGENCY}"
    assert made.headers["location"] == f"/tasks/{code}"  # type: ignore[attr-defined]
    again = reporter.post("/tasks/breakthrough/new", form)
    assert again.status_code == 409  # type: ignore[attr-defined]
    page = reporter.client.get(f"/tasks/{code}").text
    assert f'action="/tasks/{code}/submit"' in page
    assert f'action="/tasks/{code}/progress"' not in page  # a draft is not worked on yet
    assert reporter.post(f"/tasks/{code}/submit", {}).status_code == 303  # type: ignore[attr-defined]
    assert browsers["viewer"].post(f"/tasks/{code}/approve", {}).status_code == 403  # type: ignore[attr-defined]
    html = browsers["coordinator"].client.get("/tasks").text
    pending = html.split('data-section="pending"')[1].split("</section>")[0]
    assert _rows(pending) == [code]
    assert AGENCY not in re.findall(r'<li data-unit="([^"]+)"', html)  # it has one pending
    coordinator = browsers["coordinator"]
    page = coordinator.client.get(f"/tasks/{code}").text
    assert f'action="/tasks/{code}/approve"' in page and f'action="/tasks/{code}/return"' in page
    returned = coordinator.post(f"/tasks/{code}/return", {"comment": "Nêu rõ chỉ tiêu"})
    assert returned.status_code == 303  # type: ignore[attr-defined]
    page = reporter.client.get(f"/tasks/{code}").text
    assert "Nêu rõ chỉ tiêu" in page and f'action="/tasks/{code}/revise"' in page
    corrected = form | {"title": "Số hóa 100% hồ sơ cấp phép", "due": "2025-12-31"}
    bad = reporter.post(f"/tasks/{code}/revise", corrected | {"due": "2026-02-01"})
    assert bad.status_code == 422 and "due" in bad.text  # type: ignore[attr-defined]
    assert reporter.post(f"/tasks/{code}/revise", corrected).status_code == 303  # type: ignore[attr-defined]
    task = browsers["viewer"].client.get(f"/api/tasks/{code}").json()
    assert (task["title"], task["due"], task["approval"]) == (
        "Số hóa 100% hồ sơ cấp phép",
        "2025-12-31",
        "draft",
    )
    assert browsers["other"].post(f"/tasks/{code}/revise", corrected).status_code == 403  # type: ignore[attr-defined]
    assert reporter.post(f"/tasks/{code}/submit", {}).status_code == 303  # type: ignore[attr-defined]
    approved = coordinator.post(f"/tasks/{code}/approve", {})
    assert approved.status_code == 303  # type: ignore[attr-defined]
    page = reporter.client.get(f"/tasks/{code}").text
    assert 'data-approval="approved"' in page and f'action="/tasks/{code}/progress"' in page


def test_the_excel_export_has_numbers_and_dates(browsers: dict[str, Browser]) -> None:
    response = browsers["viewer"].client.get(f"/tasks.xlsx?year=2025&unit={AGENCY}")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        f'attachment; filename="tasks-2025-{AGENCY}.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == 8
    by_code = {r[0]: dict(zip(header, r, strict=True)) for r in body}
    gov02 = by_code["T-GOV-02"]
    due = next(v for k, v in gov02.items() if k == "Hạn hoàn thành")
    assert isinstance(due, datetime) and due.date() == date(2025, 6, 30)
    assert [r[9] for r in body] == [0] * 8  # the progress column: numbers
    assert browsers["anonymous"].client.get("/tasks.xlsx").status_code == 303


def test_unit_and_alerts_pages_show_tasks_to_signed_in_readers(
    browsers: dict[str, Browser],
) -> None:
    anonymous = browsers["anonymous"].client
    assert 'data-section="tasks"' not in anonymous.get(f"/units/{AGENCY}").text
    assert 'data-section="overdue-tasks"' not in anonymous.get("/alerts").text
    assert "overdue_tasks" not in anonymous.get("/api/dashboard/alerts").json()
    viewer = browsers["viewer"].client
    unit = viewer.get(f"/units/{AGENCY}").text
    section = unit.split('data-section="tasks"')[1]
    assert len(_rows(section)) == 8  # no breakthrough task yet: the plan's eight
    assert 'data-breakthrough="none"' in section
    alerts = viewer.get("/alerts").text
    overdue = alerts.split('data-section="overdue-tasks"')[1]
    assert len(_rows(overdue)) == 10
    twin = viewer.get("/api/dashboard/alerts").json()["overdue_tasks"]["rows"]
    assert [r["code"] for r in twin] == _rows(overdue)
    assert twin[0]["days_late"] == (AS_OF - date.fromisoformat(twin[0]["due"])).days
