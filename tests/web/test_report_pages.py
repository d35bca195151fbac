"""The report pages over HTTP, role by role, on SQLite and PostgreSQL.

Roles × actions covered here (R = reporter of the unit, R2 = a second reporter of the
same unit, R' = reporter of another unit, C = coordinator, V = viewer, S = the agency
reporting per commune):
list own (R, S) / not others' (R') / queue (C) / approved only (V);
form read R 200, R' 404, V 200 read-only; save R 303 (Vietnamese numbers), without
CSRF 403, unreadable number 422, numerator above denominator 422, stale version 409 (R2);
save V 403; submit R 303, with warnings 422 until explained; approve C 303;
return C 422 without comment, 303 with one; a correction shows the replaced values;
Excel template download (R), upload round trip, corrupt file 422, another period's
template 422, values failing the checks 422 with cells, per-commune form and save (S).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from openpyxl import load_workbook

from dxplan.domain.account import Role
from dxplan.settings import Settings
from dxplan.store import users as user_store
from dxplan.web import create_app
from dxplan.workspace import Workspace

PASSWORD = "mật-khẩu-đủ-dài"
COMMUNE = "31135"  # Phường Ninh Kiều
OTHER = "31120"  # Phường Cái Khế
FORM = "/reports/past-results/{unit}/{period}"
API = "/api/submissions/past-results/{unit}/{period}"
VALID = f"v.past_results_valid.{COMMUNE}"
DIGITIZED = f"v.past_results_digitized.{COMMUNE}"
DIGITIZED_NAME = "Số kết quả giải quyết thủ tục còn hiệu lực đã được số hóa"
SHEET = "Báo cáo"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Client = Callable[[str], TestClient]


@pytest.fixture
def settings(make_settings: Callable[..., Settings], database_url: str) -> Settings:
    """The test database, with 8 November 2025 as today (2025Q3 was due 10 October)."""
    return make_settings(database_url=database_url, as_of=date(2025, 11, 8))


@pytest.fixture
def signed_in(workspace: Workspace) -> Iterator[Client]:
    """A browser per person, signed in through the form: signed_in("reporter")."""
    people = {
        "reporter": (Role.REPORTER, [COMMUNE]),
        "reporter2": (Role.REPORTER, [COMMUNE]),
        "other": (Role.REPORTER, [OTHER]),
        "skhcn": (Role.REPORTER, ["92-SKHCN"]),
        "coordinator": (Role.COORDINATOR, []),
        "viewer": (Role.VIEWER, []),
    }
    with ExitStack() as stack:
        clients: dict[str, TestClient] = {}

        def client(name: str) -> TestClient:
            if name not in clients:  # an account on first use: Argon2 hashes take time
                role, units = people[name]
                with workspace.engine.begin() as conn:
                    user_store.add(
                        conn, name, role=role, password=PASSWORD, units=units, actor="test"
                    )
                app = create_app(workspace.settings)
                http = stack.enter_context(TestClient(app, follow_redirects=False))
                form = {
                    "username": name,
                    "password": PASSWORD,
                    "csrf_token": _csrf(http.get("/sign-in")),
                    "next": "/reports",
                }
                assert http.post("/sign-in", data=form).status_code == 303
                clients[name] = http
            return clients[name]

        yield client


def _csrf(page: Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def _version(page: Response) -> str:
    found = re.search(r'name="version" value="(\d+)"', page.text)
    assert found, page.text
    return found.group(1)


def _post(
    http: TestClient,
    action: str,
    values: dict[str, str] | None = None,
    *,
    period: str = "2025Q3",
    page: Response | None = None,
    **extra: str,
) -> Response:
    """Post the form of COMMUNE's report as read on `page` (fetched now by default)."""
    url = FORM.format(unit=COMMUNE, period=period)
    page = page or http.get(url)
    assert page.status_code in (200, 409, 422), page.text
    form = {"csrf_token": _csrf(page), "version": _version(page), "action": action}
    response: Response = http.post(url, data={**form, **(values or {}), **extra})
    return response


def _stored(http: TestClient, period: str = "2025Q3") -> dict[str, Any]:
    response = http.get(API.format(unit=COMMUNE, period=period))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _value(page: Response, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page.text)
    assert found, f"no input {name}"
    return found.group(1)


# -- the work list ---------------------------------------------------------------------


def test_reporter_lists_its_own_reports_only(signed_in: Client) -> None:
    http = signed_in("reporter")
    page = http.get("/reports")
    assert page.status_code == 200
    assert f'data-report="past-results/{COMMUNE}/2025Q3"' in page.text
    assert f"/{OTHER}/" not in page.text
    assert "Báo cáo cần nhập" in page.text and "Trễ hạn" in page.text
    rows = http.get("/api/reports").json()  # the page's JSON twin: the same rows
    assert {r["unit"] for r in rows} == {COMMUNE}
    by_period = {r["period"]: r for r in rows}
    assert list(by_period)[:2] == ["2025Q4", "2025Q3"]  # current first, then the past six
    assert len(rows) == 7
    assert by_period["2025Q3"] == {
        "section": "mine",
        "dataset": "past-results",
        "unit": COMMUNE,
        "period": "2025Q3",
        "status": "empty",
        "due": "2025-10-10",
        "late": True,
        "version": 0,
    }
    assert by_period["2025Q4"]["late"] is False
    filtered = http.get("/api/reports", params={"period": "2025Q2"}).json()
    assert [r["period"] for r in filtered] == ["2025Q2"]
    assert http.get("/reports", params={"period": "soon"}).status_code == 200


def test_another_units_report_is_not_found(signed_in: Client) -> None:
    http = signed_in("other")
    assert http.get(FORM.format(unit=COMMUNE, period="2025Q3")).status_code == 404
    assert COMMUNE not in http.get("/reports").text
    page = http.get(FORM.format(unit=OTHER, period="2025Q3"))
    forged = {"csrf_token": _csrf(page), "version": "0", "action": "save", VALID: "5"}
    refused = http.post(FORM.format(unit=COMMUNE, period="2025Q3"), data=forged)
    assert refused.status_code == 404
    assert "Không tìm thấy báo cáo" in refused.text
    assert _stored(signed_in("reporter"))["status"] == "empty"


def test_signed_out_readers_go_to_the_sign_in_page(workspace: Workspace) -> None:
    with TestClient(create_app(workspace.settings), follow_redirects=False) as http:
        response = http.get(FORM.format(unit=COMMUNE, period="2025Q3"))
        assert response.status_code == 303
        assert response.headers["location"].startswith("/sign-in?next=/reports/")


# -- the form --------------------------------------------------------------------------


def test_form_is_accessible_and_vietnamese(signed_in: Client) -> None:
    page = signed_in("reporter").get(FORM.format(unit=COMMUNE, period="2025Q3"))
    assert page.status_code == 200
    assert '<html lang="vi">' in page.text
    assert "<fieldset" in page.text and "<legend>" in page.text
    assert f'<label for="f-past_results_digitized-{COMMUNE}">{DIGITIZED_NAME}' in page.text
    assert page.text.count('inputmode="decimal"') == 2
    assert "Lưu nháp" in page.text and "Gửi duyệt" in page.text
    assert "Phê duyệt" not in page.text  # a reporter does not approve


def test_save_reads_vietnamese_numbers(signed_in: Client) -> None:
    http = signed_in("reporter")
    saved = _post(http, "save", {VALID: "1.234", DIGITIZED: "1.000,0"})
    assert saved.status_code == 303
    assert saved.headers["location"] == FORM.format(unit=COMMUNE, period="2025Q3")
    stored = _stored(http)
    assert stored["status"] == "draft"
    assert stored["values"] == {"past_results_valid": 1234, "past_results_digitized": 1000}
    page = http.get(saved.headers["location"])
    assert "Đã lưu nháp." in page.text  # the flash message, once
    assert _value(page, VALID) == "1.234"  # shown back in the reader's format
    assert "Đã lưu nháp." not in http.get(saved.headers["location"]).text


def test_a_post_without_the_csrf_token_is_refused(signed_in: Client) -> None:
    http = signed_in("reporter")
    form = {"version": "0", "action": "save", VALID: "10", DIGITIZED: "5"}
    url = FORM.format(unit=COMMUNE, period="2025Q3")
    assert http.post(url, data=form).status_code == 403
    assert http.post(url, data={**form, "csrf_token": "forged"}).status_code == 403
    assert _stored(http)["status"] == "empty"


def test_an_unreadable_number_is_shown_at_its_cell(signed_in: Client) -> None:
    http = signed_in("reporter")
    page = _post(http, "save", {VALID: "1.234", DIGITIZED: "1.5"})  # Vietnamese: 1,5
    assert page.status_code == 422
    cell = f"f-past_results_digitized-{COMMUNE}"
    assert f'<a href="#{cell}">' in page.text  # listed at the top, linked to the field
    assert f'aria-describedby="{cell}-e1" aria-invalid="true"' in page.text
    assert _value(page, DIGITIZED) == "1.5" and _value(page, VALID) == "1.234"
    assert _stored(http)["status"] == "empty"


def test_numerator_above_denominator_names_the_measure(signed_in: Client) -> None:
    http = signed_in("reporter")
    page = _post(http, "save", {VALID: "1.000", DIGITIZED: "1.200"})
    assert page.status_code == 422
    assert f"{DIGITIZED_NAME} (1200) không được lớn hơn" in page.text
    assert _value(page, DIGITIZED) == "1.200"  # the typed values are kept
    assert _stored(http)["status"] == "empty"


def test_two_people_saving_the_same_version(signed_in: Client) -> None:
    first, second = signed_in("reporter"), signed_in("reporter2")
    url = FORM.format(unit=COMMUNE, period="2025Q3")
    read_first, read_second = first.get(url), second.get(url)
    assert (
        _post(first, "save", {VALID: "400", DIGITIZED: "300"}, page=read_first).status_code == 303
    )
    late = _post(second, "save", {VALID: "500", DIGITIZED: "310"}, page=read_second)
    assert late.status_code == 409
    assert "Người khác đã thay đổi báo cáo này" in late.text
    assert "the report was changed by reporter" in late.text  # the service's own words
    assert _value(late, VALID) == "500" and _value(late, DIGITIZED) == "310"  # nothing lost
    assert "Đang lưu: 400" in late.text  # next to what the other person stored
    assert _stored(first)["values"] == {"past_results_valid": 400, "past_results_digitized": 300}
    # the page now carries the current version: sending again after checking succeeds
    again = _post(second, "save", {VALID: "500", DIGITIZED: "310"}, page=late)
    assert again.status_code == 303
    assert _stored(first)["values"]["past_results_valid"] == 500


def test_viewer_never_sees_a_draft(signed_in: Client) -> None:
    """A viewer reads approved reports only: a draft's page, template and form are 404."""
    _post(signed_in("reporter"), "save", {VALID: "10", DIGITIZED: "5"})
    http = signed_in("viewer")
    url = FORM.format(unit=COMMUNE, period="2025Q3")
    assert http.get(url).status_code == 404
    assert "10" not in http.get(url).text.replace("2025", "")
    assert http.get(url + "/template.xlsx").status_code == 404
    assert http.get(API.format(unit=COMMUNE, period="2025Q3")).status_code == 404
    csrf = _csrf(http.get("/reports"))
    refused = http.post(url, data={"csrf_token": csrf, "action": "save", VALID: "99"})
    assert refused.status_code == 404
    assert _stored(signed_in("reporter"))["status"] == "draft"


def test_viewer_reads_an_approved_report_but_cannot_post(signed_in: Client) -> None:
    assert _post(signed_in("reporter"), "submit", {VALID: "10", DIGITIZED: "5"}).status_code == 303
    assert _post(signed_in("coordinator"), "approve").status_code == 303
    http = signed_in("viewer")
    page = http.get(FORM.format(unit=COMMUNE, period="2025Q3"))
    assert page.status_code == 200
    assert "readonly" in page.text and 'value="save"' not in page.text
    for action in ("save", "submit", "approve"):
        refused = _post(http, action, {VALID: "99", DIGITIZED: "1"})
        assert refused.status_code == 403, action
        assert "Không được phép" in refused.text
    assert _stored(http)["values"] == {"past_results_valid": 10, "past_results_digitized": 5}
    assert _stored(http)["status"] == "approved"


def test_submit_approve_through_the_forms(signed_in: Client) -> None:
    reporter, coordinator = signed_in("reporter"), signed_in("coordinator")
    submitted = _post(reporter, "submit", {VALID: "400", DIGITIZED: "310"})
    assert submitted.status_code == 303
    assert _stored(reporter)["status"] == "submitted"
    queue = coordinator.get("/reports")
    assert 'data-section="waiting"' in queue.text
    assert f'data-report="past-results/{COMMUNE}/2025Q3"' in queue.text
    rows = coordinator.get("/api/reports").json()
    assert [(r["section"], r["unit"]) for r in rows] == [("waiting", COMMUNE)]
    page = coordinator.get(FORM.format(unit=COMMUNE, period="2025Q3"))
    assert 'value="approve"' in page.text and 'value="save"' not in page.text
    approved = _post(coordinator, "approve", page=page)
    assert approved.status_code == 303
    assert _stored(reporter)["status"] == "approved"
    after = coordinator.get(approved.headers["location"])
    assert "Đã phê duyệt báo cáo" in after.text
    history = after.text[after.text.index('id="history-heading"') :]
    for who in ("reporter", "coordinator"):
        assert f"<td>{who}</td>" in history
    # a viewer reads approved reports in its list
    viewer = signed_in("viewer").get("/api/reports").json()
    assert [(r["section"], r["status"]) for r in viewer] == [("approved", "approved")]


def test_return_needs_a_comment(signed_in: Client) -> None:
    reporter, coordinator = signed_in("reporter"), signed_in("coordinator")
    _post(reporter, "submit", {VALID: "400", DIGITIZED: "310"})
    page = coordinator.get(FORM.format(unit=COMMUNE, period="2025Q3"))
    refused = _post(coordinator, "return", page=page)
    assert refused.status_code == 422
    assert "cần ghi ý kiến nêu rõ nội dung cần sửa" in refused.text
    done = _post(coordinator, "return", page=page, comment="Kiểm tra lại số đã số hóa")
    assert done.status_code == 303
    back = reporter.get(FORM.format(unit=COMMUNE, period="2025Q3"))
    assert "Kiểm tra lại số đã số hóa" in back.text and "Bị trả lại" in back.text


def test_warnings_need_a_comment_and_corrections_keep_the_old_values(
    signed_in: Client,
) -> None:
    reporter, coordinator = signed_in("reporter"), signed_in("coordinator")
    _post(reporter, "submit", {VALID: "400", DIGITIZED: "300"}, period="2025Q2")
    _post(coordinator, "approve", period="2025Q2")
    # a figure ten times last quarter's: a warning, passed once explained
    warned = _post(reporter, "submit", {VALID: "4.000", DIGITIZED: "3.000"})
    assert warned.status_code == 422
    assert "chênh lệch so với kỳ trước" in warned.text
    assert re.search(r'<textarea id="comment"[^>]* required', warned.text)
    assert _stored(reporter)["status"] == "empty"  # nothing stored, not even the draft
    explained = _post(
        reporter, "submit", {VALID: "4.000", DIGITIZED: "3.000"}, comment="Sáp nhập phường"
    )
    assert explained.status_code == 303
    _post(coordinator, "approve")
    # a correction of the approved report, approved again
    corrected = _post(
        reporter, "submit", {VALID: "4.000", DIGITIZED: "3.100"}, comment="Điều chỉnh số liệu"
    )
    assert corrected.status_code == 303
    assert _post(coordinator, "approve").status_code == 303
    page = reporter.get(FORM.format(unit=COMMUNE, period="2025Q3"))
    replaced = page.text[page.text.index("Số liệu đã phê duyệt trước đây") :]
    assert "3.000" in replaced and "3.100" not in replaced
    assert "Sáp nhập phường" in page.text  # the submission's comment, in the history


# -- Excel -----------------------------------------------------------------------------


def _template(http: TestClient, period: str = "2025Q3") -> bytes:
    response = http.get(FORM.format(unit=COMMUNE, period=period) + "/template.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    assert f"past-results_{COMMUNE}_{period}.xlsx" in response.headers["content-disposition"]
    content: bytes = response.content
    return content


def _filled(data: bytes, cells: dict[str, Any]) -> bytes:
    book = load_workbook(io.BytesIO(data))
    for reference, value in cells.items():
        book[SHEET][reference] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(http: TestClient, data: bytes, period: str = "2025Q3") -> Response:
    url = FORM.format(unit=COMMUNE, period=period)
    page = http.get(url)
    form = {"csrf_token": _csrf(page), "version": _version(page)}
    files = {"file": ("bao-cao.xlsx", data, XLSX)}
    response: Response = http.post(url + "/upload", data=form, files=files)
    return response


def test_excel_round_trip(signed_in: Client) -> None:
    http = signed_in("reporter")
    data = _filled(_template(http), {"C10": 400, "D10": 310})
    uploaded = _upload(http, data)
    assert uploaded.status_code == 303
    assert uploaded.headers["location"] == FORM.format(unit=COMMUNE, period="2025Q3")
    assert "Đã đọc tệp và lưu nháp." in http.get(uploaded.headers["location"]).text
    stored = _stored(http)
    assert stored["status"] == "draft"
    assert stored["values"] == {"past_results_valid": 400, "past_results_digitized": 310}


def test_a_corrupt_upload_is_listed_and_nothing_stored(signed_in: Client) -> None:
    http = signed_in("reporter")
    refused = _upload(http, b"PK\x03\x04 this is not a workbook")
    assert refused.status_code == 422
    assert 'id="upload-problems"' in refused.text
    assert "Chưa có gì được lưu." in refused.text
    assert _stored(http)["status"] == "empty"


def test_another_periods_template_is_refused(signed_in: Client) -> None:
    http = signed_in("reporter")
    data = _filled(_template(http, "2025Q2"), {"C10": 400, "D10": 310})
    refused = _upload(http, data, period="2025Q3")
    assert refused.status_code == 422
    assert "2025Q2" in refused.text and "2025Q3" in refused.text
    assert _stored(http)["status"] == "empty"


def test_uploaded_values_failing_the_checks_name_their_cells(signed_in: Client) -> None:
    http = signed_in("reporter")
    refused = _upload(http, _filled(_template(http), {"C10": 100, "D10": 120}))
    assert refused.status_code == 422
    assert f"{SHEET}!D10: " in refused.text
    assert _stored(http)["status"] == "empty"


def test_viewer_cannot_upload(signed_in: Client) -> None:
    data = _filled(_template(signed_in("reporter")), {"C10": 400, "D10": 310})
    viewer = signed_in("viewer")
    url = FORM.format(unit=COMMUNE, period="2025Q3")
    form = {"csrf_token": _csrf(viewer.get("/reports"))}
    files = {"file": ("bao-cao.xlsx", data, XLSX)}
    assert viewer.post(url + "/upload", data=form, files=files).status_code == 404
    assert _stored(signed_in("reporter"))["status"] == "empty"


# -- a data set per commune ------------------------------------------------------------


def test_per_commune_form_has_a_row_per_commune(signed_in: Client) -> None:
    http = signed_in("skhcn")
    url = "/reports/digital-society-communes/92-SKHCN/2025-10"
    page = http.get(url)
    assert page.status_code == 200
    assert page.text.count('<th scope="row"') == 103
    assert f'aria-labelledby="col-households row-{COMMUNE}"' in page.text
    form = {
        "csrf_token": _csrf(page),
        "version": _version(page),
        "action": "save",
        f"v.households.{COMMUNE}": "12.500",
        f"v.households_with_fibre.{COMMUNE}": "13.000",
    }
    refused = http.post(url, data=form)
    assert refused.status_code == 422
    assert "Phường Ninh Kiều: " in refused.text  # which row the error is in
    form[f"v.households_with_fibre.{COMMUNE}"] = "11.000"
    assert http.post(url, data=form).status_code == 303
    stored = http.get("/api/submissions/digital-society-communes/92-SKHCN/2025-10").json()
    assert stored["values"]["households"] == {COMMUNE: 12500}
    assert stored["values"]["households_with_fibre"] == {COMMUNE: 11000}
