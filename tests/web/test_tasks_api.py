"""The tasks API over HTTP, role by role, on SQLite and PostgreSQL.

The shipped plan's tasks as of 8 November 2025, before anyone reports progress, counted
by hand from src/dxplan/plans/cantho-2025.yaml: 18 tasks run in 2025; 10 of them were
due before 8 November (T-GOV-01, -02, -03, -04, -06, -09, -10, T-ECO-03, T-SOC-02,
-03), so they are overdue, the other 8 not started. The Department of Science and
Technology (92-SKHCN) leads T-GOV-01, T-GOV-02, T-GOV-05, T-SOC-01 and T-OVR-01 and
supports T-GOV-04, T-GOV-08 and T-GOV-10: 8 tasks, 4 of them overdue (T-GOV-01, -02,
-04, -10).

Roles × actions covered here (R = reporter of 92-SKHCN, R' = reporter of Phường Cái
Khế, C = coordinator, V = viewer, A = anonymous): list and read 200 (R, R', C, V) / 401
(A); progress on T-GOV-01 200 (R) / 403 (R', C, V) / 401 (A); register a breakthrough
task 201 (R) / 409 for a second one / 403 (C, V); submit 200 (R) / 403 (V);
approve and return 200 (C) / 403 (R, V); evidence download 200 (R, R', C, V) / 401 (A).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, Final

import pytest
from fastapi.testclient import TestClient

from dxplan.domain.account import Role
from dxplan.settings import Settings
from dxplan.store import tokens as token_store
from dxplan.store import users as user_store
from dxplan.web import create_app
from dxplan.workspace import Workspace

AS_OF: Final = date(2025, 11, 8)
AGENCY: Final = "92-SKHCN"
PASSWORD: Final = "tasks api password 2025"
# a real one-page PDF (`%PDF` … `%%EOF`), small enough to read
PDF: Final = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
EXECUTABLE: Final = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200  # a Windows program


@pytest.fixture
def http(
    make_settings: Callable[..., Settings], database_url: str
) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    """The app as of 8 November 2025 and a bearer token per role."""
    settings = make_settings(database_url=database_url, as_of=AS_OF, max_evidence_bytes=4096)
    people = {
        "reporter": (Role.REPORTER, [AGENCY]),
        "other": (Role.REPORTER, ["31120"]),
        "coordinator": (Role.COORDINATOR, []),
        "viewer": (Role.VIEWER, []),
    }
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    with Workspace(settings) as workspace:
        workspace.initialise(actor="test")
        with workspace.writing() as conn:
            for name, (role, units) in people.items():
                user = user_store.add(
                    conn, name, role=role, password=PASSWORD, units=units, actor="test"
                )
                secret, _ = token_store.create(conn, name, [], "test", user_id=user.id)
                headers[name] = {"Authorization": f"Bearer {secret}"}
    with TestClient(create_app(settings)) as client:
        yield client, headers


def _codes(rows: list[dict[str, Any]]) -> list[str]:
    return [r["code"] for r in rows]


def test_the_list_holds_the_contract_then_the_details_late_first(http: Any) -> None:
    client, who = http
    rows = client.get("/api/tasks?year=2025", headers=who["viewer"]).json()
    assert len(rows) == 18
    statuses = [r["status"] for r in rows]
    assert statuses == ["overdue"] * 10 + ["not_started"] * 8  # late first
    first = rows[0]
    contract = ("code", "title", "unit_code", "kind", "due", "status", "progress")
    assert list(first)[:7] == list(contract)
    gov02 = next(r for r in rows if r["code"] == "T-GOV-02")
    assert gov02["unit_code"] == AGENCY and gov02["due"] == "2025-06-30"
    assert gov02["title"].startswith("Nâng cấp nền tảng")  # the plan's first language
    assert gov02["supporting"] == ["92-VPUB"] and gov02["indicators"] == ["GOV-02"]
    assert gov02["progress"] == 0 and gov02["evidence"] == []
    breakthrough = next(r for r in rows if r["code"] == "T-OVR-01")
    assert breakthrough["kind"] == "breakthrough"


def test_a_units_tasks_are_those_it_leads_or_supports(http: Any) -> None:
    client, who = http
    rows = client.get(f"/api/tasks?year=2025&unit={AGENCY}", headers=who["other"]).json()
    assert sorted(_codes(rows)) == [
        "T-GOV-01",
        "T-GOV-02",
        "T-GOV-04",
        "T-GOV-05",
        "T-GOV-08",
        "T-GOV-10",
        "T-OVR-01",
        "T-SOC-01",
    ]
    assert [r["code"] for r in rows if r["status"] == "overdue"] == [
        "T-GOV-02",  # due 30 June
        "T-GOV-04",  # 30 June
        "T-GOV-01",  # 30 September
        "T-GOV-10",  # 31 October
    ]
    assert client.get("/api/tasks?year=2024", headers=who["viewer"]).json() == []
    assert client.get("/api/tasks?unit=NOPE", headers=who["viewer"]).status_code == 404
    assert client.get("/api/tasks").status_code == 401


def test_progress_as_json_then_with_evidence(http: Any) -> None:
    client, who = http
    url = "/api/tasks/T-GOV-01/progress"
    body = {"percent": 60, "progress": "in_progress", "note": "Đã lắp đặt màn hình"}
    saved = client.post(url, json=body, headers=who["reporter"])
    assert saved.status_code == 200, saved.text
    assert saved.json()["progress"] == 60
    assert saved.json()["status"] == "overdue"  # due 30 September and not done
    form = {"percent": "100", "progress": "done", "note": "Nghiệm thu"}
    files = {"files": ("biên bản nghiệm thu.pdf", PDF, "application/pdf")}
    done = client.post(url, data=form, files=files, headers=who["reporter"])
    assert done.status_code == 200, done.text
    task = done.json()
    assert (task["status"], task["progress"], task["note"]) == ("done", 100, "Nghiệm thu")
    assert [h["percent"] for h in task["history"]] == [100, 60]  # newest first
    [evidence] = task["evidence"]
    assert evidence["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert evidence["size"] == len(PDF) and evidence["media_type"] == "application/pdf"
    assert task["history"][0]["evidence"] == [evidence["id"]]
    for role in ("reporter", "other", "coordinator", "viewer"):
        download = client.get(evidence["url"], headers=who[role])
        assert download.status_code == 200, role
        assert download.content == PDF
        assert download.headers["content-disposition"].startswith("attachment;")
        assert download.headers["x-content-type-options"] == "nosniff"
    assert client.get(evidence["url"]).status_code == 401
    missing = client.get("/api/tasks/T-GOV-01/evidence/999", headers=who["viewer"])
    assert missing.status_code == 404


def _history(client: TestClient, who: dict[str, dict[str, str]], code: str) -> list[Any]:
    found: list[Any] = client.get(f"/api/tasks/{code}", headers=who["viewer"]).json()["history"]
    return found


@pytest.mark.parametrize(
    ("role", "status"),
    [("other", 403), ("coordinator", 403), ("viewer", 403), ("anonymous", 401)],
)
def test_only_the_lead_units_reporters_report_progress(http: Any, role: str, status: int) -> None:
    client, who = http
    body = {"percent": 10, "progress": "in_progress"}
    refused = client.post("/api/tasks/T-GOV-01/progress", json=body, headers=who[role])
    assert refused.status_code == status, refused.text
    assert _history(client, who, "T-GOV-01") == []


@pytest.mark.parametrize(
    ("body", "files", "field"),
    [
        ({"percent": "140", "progress": "in_progress"}, None, "percent"),
        ({"percent": "50", "progress": "done"}, None, "percent"),
        ({"percent": "50", "progress": "finished"}, None, "progress"),
        ({"percent": "50", "progress": "in_progress"}, ("setup.pdf", EXECUTABLE), "files[1]"),
        ({"percent": "50", "progress": "in_progress"}, ("big.pdf", PDF + b" " * 5000), "files[1]"),
    ],
    ids=["above 100", "done below 100", "unknown progress", "disguised", "too big"],
)
def test_bad_progress_is_refused_naming_the_field_and_nothing_is_stored(
    http: Any, body: dict[str, str], files: tuple[str, bytes] | None, field: str
) -> None:
    client, who = http
    sent = {"files": (files[0], files[1], "application/pdf")} if files else None
    answer = client.post(
        "/api/tasks/T-GOV-01/progress", data=body, files=sent, headers=who["reporter"]
    )
    assert answer.status_code == 422, answer.text
    assert field in answer.json()["detail"]
    task = client.get("/api/tasks/T-GOV-01", headers=who["viewer"]).json()
    assert task["history"] == [] and task["evidence"] == []


def test_a_breakthrough_task_from_registration_to_progress(http: Any) -> None:
    client, who = http
    body = {
        "unit": AGENCY,
        "title": "Số hoá 100% hồ sơ cấp phép",
        "description": "Toàn bộ hồ sơ lưu trữ từ 2015",
        "expected_result": "Kho dữ liệu số",
        "due": "2025-12-20",
        "indicators": ["GOV-05"],
    }
    for role in ("coordinator", "viewer"):
        assert (
            client.post("/api/tasks/breakthrough", json=body, headers=who[role]).status_code == 403
        )
    other = client.post("/api/tasks/breakthrough", json=body, headers=who["other"])
    assert other.status_code == 403  # not its unit
    made = client.post("/api/tasks/breakthrough", json=body, headers=who["reporter"])
    assert made.status_code == 201, made.text
    task = made.json()
    code = task["code"]
    assert (code, task["kind"], task["approval"]) == (f"BT-2025-{AGENCY}", "breakthrough", "draft")
    again = client.post("/api/tasks/breakthrough", json=body, headers=who["reporter"])
    assert again.status_code == 409
    bad = client.post(
        "/api/tasks/breakthrough", json=body | {"due": "2026-01-10"}, headers=who["other"]
    )
    assert bad.status_code == 403  # refused for the unit before the due date is looked at

    progress = {"percent": 10, "progress": "in_progress"}
    early = client.post(f"/api/tasks/{code}/progress", json=progress, headers=who["reporter"])
    assert early.status_code == 409  # worked on once approved

    def act(action: str, role: str, **extra: Any) -> Any:
        return client.post(f"/api/tasks/{code}/{action}", json=extra or None, headers=who[role])

    assert act("submit", "viewer").status_code == 403
    assert act("submit", "reporter").json()["approval"] == "submitted"
    assert act("approve", "reporter").status_code == 403
    assert act("approve", "viewer").status_code == 403
    assert act("return", "coordinator").status_code == 422  # a return needs a comment
    returned = act("return", "coordinator", comment="Nêu rõ chỉ tiêu đo")
    assert returned.json()["approval"] == "returned"
    assert returned.json()["review_comment"] == "Nêu rõ chỉ tiêu đo"
    assert act("approve", "coordinator").status_code == 409  # returned, not submitted
    assert act("submit", "reporter").status_code == 200
    approved = act("approve", "coordinator").json()
    assert approved["approval"] == "approved"
    assert act("frobnicate", "coordinator").status_code == 404

    stale = progress | {"version": approved["version"] - 1}
    conflict = client.post(f"/api/tasks/{code}/progress", json=stale, headers=who["reporter"])
    assert conflict.status_code == 409
    fresh = progress | {"version": approved["version"]}
    done = client.post(f"/api/tasks/{code}/progress", json=fresh, headers=who["reporter"])
    assert done.status_code == 200, done.text
    listed = client.get(f"/api/tasks?unit={AGENCY}", headers=who["viewer"]).json()
    assert {r["code"]: r["progress"] for r in listed}[code] == 10


def test_an_evidence_id_beyond_the_stores_integers_is_not_found(http: Any) -> None:
    """2**63 and above name no evidence file: 404, not the driver's overflow (a 500)."""
    client, who = http
    for evidence_id in (2**63, 10**22):
        url = f"/api/tasks/T-GOV-01/evidence/{evidence_id}"
        missing = client.get(url, headers=who["viewer"])
        assert missing.status_code == 404, missing.text
        assert str(evidence_id) in missing.json()["detail"]


@pytest.mark.parametrize("year", [-1, 0, 99999, 10**30])
def test_a_breakthrough_year_out_of_range_is_refused_naming_the_field(http: Any, year: int) -> None:
    client, who = http
    body = {"unit": AGENCY, "title": "Số hoá hồ sơ", "due": "2025-12-20", "year": year}
    refused = client.post("/api/tasks/breakthrough", json=body, headers=who["reporter"])
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"][0]["loc"] == ["body", "year"]
    rows = client.get(f"/api/tasks?year=2025&unit={AGENCY}", headers=who["viewer"]).json()
    assert f"BT-2025-{AGENCY}" not in _codes(rows)  # nothing stored
