"""The official report on the web, over real HTTP (uvicorn on 127.0.0.1).

A coordinator writes the difficulties and next tasks, saves them twice (both kept,
the newest printed), downloads the DOCX and the PDF; a reporter gets its own ward's
report only; a unit or period that does not exist is a 404, a section too long a 422
that stores nothing, nobody signed in is sent to the sign-in page.
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import docx
import httpx
import pytest

from dxplan.domain.account import Role
from dxplan.domain.period import Period
from dxplan.settings import Settings
from dxplan.store import report_notes
from dxplan.store import users as user_store
from dxplan.web.local import serve_locally as serve
from dxplan.workspace import Workspace
from tests.dashboard_values import AS_OF, record_dashboard_values

PASSWORD = "official report 2025"
PAGE = "/official-reports/92/2025Q3"


@pytest.fixture
def site(
    make_settings: Callable[..., Settings], database_url: str
) -> Iterator[tuple[str, Workspace]]:
    settings = make_settings(database_url=database_url, as_of=AS_OF)
    with Workspace(settings) as workspace:
        workspace.initialise(actor="test")
        record_dashboard_values(workspace)
        with workspace.writing() as conn:
            for name, role, units in (
                ("coordinator", Role.COORDINATOR, []),
                ("reporter", Role.REPORTER, ["31135"]),
                ("viewer", Role.VIEWER, []),
            ):
                user_store.add(conn, name, role=role, password=PASSWORD, units=units, actor="t")
        with serve(settings) as base:
            yield base, workspace


def _csrf(http: httpx.Client, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', http.get(path).text)
    assert found, path
    return found.group(1)


@contextmanager
def _signed_in(base: str, name: str | None) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=120) as http:
        if name is not None:
            form = {"username": name, "password": PASSWORD, "csrf_token": _csrf(http, "/sign-in")}
            assert http.post("/sign-in", data=form).status_code == 303
        yield http


def _notes(http: httpx.Client, difficulties: str, next_tasks: str) -> httpx.Response:
    form = {"csrf_token": _csrf(http, PAGE), "difficulties": difficulties, "next_tasks": next_tasks}
    return http.post(f"{PAGE}/notes", data=form)


def _paragraphs(content: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(content)).paragraphs]


def test_the_coordinator_writes_the_notes_and_downloads(site: tuple[str, Workspace]) -> None:
    base, workspace = site
    with _signed_in(base, "coordinator") as http:
        dashboard = http.get("/units/92?period=2025Q3")
        assert f'href="{PAGE}"' in dashboard.text  # the unit's page links to its report
        page = http.get(PAGE)
        assert page.status_code == 200
        assert f'href="{PAGE}/docx?lang=vi"' in page.text
        assert _notes(http, "Thiếu kinh phí", "Kết nối").status_code == 303
        second = _notes(http, "Thiếu kinh phí\nChưa kết nối dữ liệu", "Hoàn thành kết nối")
        assert second.status_code == 303
        answer = http.get(f"{PAGE}/docx?lang=vi")
        assert answer.status_code == 200
        assert answer.headers["content-disposition"] == (
            'attachment; filename="bao-cao-92-2025Q3.docx"'
        )
        texts = _paragraphs(answer.content)
        difficulties = texts.index("III. KHÓ KHĂN, VƯỚNG MẮC")
        assert texts[difficulties + 1 : difficulties + 3] == [
            "Thiếu kinh phí",
            "Chưa kết nối dữ liệu",
        ]
        tasks = texts.index("IV. NHIỆM VỤ TRỌNG TÂM KỲ TỚI")
        assert texts[tasks + 1] == "Hoàn thành kết nối"
        english = _paragraphs(http.get(f"{PAGE}/docx?lang=en").content)
        assert "REPORT" in english and "III. DIFFICULTIES AND OBSTACLES" in english
        if shutil.which("soffice") is not None:
            pdf = http.get(f"{PAGE}/pdf")
            assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    with workspace.engine.connect() as conn:
        history = report_notes.history(conn, "92", Period.parse("2025Q3"))
    assert [n.next_tasks for n in history] == ["Hoàn thành kết nối", "Kết nối"]


def test_the_json_twin_is_the_evaluation(site: tuple[str, Workspace]) -> None:
    base, _ = site
    with _signed_in(base, "viewer") as http:
        answer = http.get(f"/api{PAGE}")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    rows = {row["indicator"]: row for row in body["indicators"]}
    assert rows["GOV-01"]["value"] == 66 and rows["GOV-01"]["status"] == "not_achieved"
    assert [b["unit_code"] for b in rows["GOV-01"]["behind"]] == ["92-STP", "92-SXD"]
    assert rows["GOV-03"]["value"] == 85 and rows["GOV-02"]["value"] is None
    assert len(body["missing"]) == 23 and body["notes"] is None


def test_notes_a_document_cannot_hold_store_nothing(site: tuple[str, Workspace]) -> None:
    base, workspace = site
    with _signed_in(base, "coordinator") as http:
        answer = _notes(http, "x" * (report_notes.MAX_CHARS + 1), "")
        assert answer.status_code == 422
        assert "20000" in answer.text or "20.000" in answer.text
        answer = _notes(http, "Thiếu\x0bkinh phí", "")  # a vertical tab: not in XML
        assert answer.status_code == 422
        assert "ký tự điều khiển" in answer.text
    with workspace.engine.connect() as conn:
        assert report_notes.history(conn, "92", Period.parse("2025Q3")) == []


@pytest.mark.parametrize(
    ("who", "path", "status"),
    [
        ("reporter", "/official-reports/31135/2025Q3/docx", 200),
        ("reporter", "/official-reports/92/2025Q3/docx", 403),
        ("viewer", "/official-reports/92/2025Q3/xlsx", 200),
        ("coordinator", "/official-reports/99999/2025Q3", 404),
        ("coordinator", "/official-reports/92/2025Q9", 404),
        ("coordinator", "/official-reports/92/2026Q1/docx", 404),
        ("coordinator", "/official-reports/92/2025Q3/odt", 422),
        ("coordinator", "/official-reports/92/2025Q3/docx?as_of=8/11/2025", 400),
        ("coordinator", "/api/official-reports/92/2025Q3?as_of=9999-12-31", 400),
        (None, "/official-reports/92/2025Q3/docx", 303),
    ],
)
def test_who_gets_what(
    site: tuple[str, Workspace], who: str | None, path: str, status: int
) -> None:
    base, _ = site
    with _signed_in(base, who) as http:
        answer: Any = http.get(path)
    assert answer.status_code == status, answer.text
    if status == 303:
        assert answer.headers["location"].startswith("/sign-in")
