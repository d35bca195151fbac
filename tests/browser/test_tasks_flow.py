"""Breakthrough tasks in a real browser: a ward registers its task, the city approves
it, the ward reports progress with a PDF, the city sees the progress and the file.

Drives Debian's chromium with Playwright against the real app served by uvicorn over
a fresh SQLite workspace (`conftest.py`). The evidence is a real PDF that chromium
itself prints. A second test loads the demo's tasks (`dxplan.demo.tasks`, as `make
demo` does) and saves the coordinator's view of the tasks page as
`artifacts/tasks-page.png`, the picture in the guide (docs/images/tasks-page.png is a
copy of it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Final

import pytest
from playwright.sync_api import Browser, Page, expect

from dxplan.demo.tasks import load_tasks
from dxplan.domain.account import Role
from dxplan.settings import Settings
from dxplan.store import users as user_store
from dxplan.web.local import serve_locally as serve
from dxplan.workspace import Workspace
from tests.browser.conftest import ARTIFACTS, require_chromium

PASSWORD: Final = "mật-khẩu-đủ-dài"
WARD: Final = "31135"  # Phường Ninh Kiều
CODE: Final = f"BT-2025-{WARD}"
AS_OF: Final = date(2025, 11, 8)

pytestmark = pytest.mark.browser


def _workspace(folder: Path, *, demo: bool) -> Settings:
    settings = Settings(
        data_dir=folder / "data",
        database_url=f"sqlite:///{folder / 'store.sqlite3'}",
        as_of=AS_OF,
    )
    with Workspace(settings) as workspace:
        workspace.initialise(actor="test")
        with workspace.engine.begin() as conn:
            for name, role, units in (
                ("ninhkieu", Role.REPORTER, [WARD]),
                ("dieuphoi", Role.COORDINATOR, []),
            ):
                user_store.add(conn, name, role=role, password=PASSWORD, units=units, actor="t")
        if demo:
            load_tasks(workspace, as_of=AS_OF)
    return settings


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    require_chromium()
    with serve(_workspace(tmp_path, demo=False)) as url:
        yield url


def _sign_in(page: Page, base: str, username: str, target: str) -> None:
    page.goto(f"{base}{target}")
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(f"{base}{target}")


def _printed_pdf(page: Page, folder: Path) -> Path:
    """A real one-page PDF: chromium prints a small page."""
    page.set_content("<h1>Biên bản nghiệm thu</h1><p>Phường Ninh Kiều, 2025</p>")
    path = folder / "bien-ban-nghiem-thu.pdf"
    path.write_bytes(page.pdf(format="A4"))
    return path


def test_ward_reports_progress_with_a_pdf_and_the_city_sees_it(
    server: str, chromium: Browser, tmp_path: Path
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    reporter = chromium.new_context(viewport={"width": 390, "height": 844})  # a phone
    coordinator = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        ward, city = reporter.new_page(), coordinator.new_page()
        pdf = _printed_pdf(ward, tmp_path)
        assert pdf.read_bytes().startswith(b"%PDF")

        # the ward registers its breakthrough task from the tasks page, then submits it
        _sign_in(ward, server, "ninhkieu", "/tasks")
        ward.get_by_role("link", name="Đăng ký ngay").click()
        ward.get_by_label("Tên nhiệm vụ").fill("Số hóa sổ hộ tịch của phường")
        ward.get_by_label("Kết quả dự kiến").fill("100% sổ hộ tịch được số hóa")
        ward.get_by_label("Hạn hoàn thành").fill("2025-12-15")
        ward.get_by_label("Chỉ tiêu phục vụ (mã)").fill("GOV-05")
        ward.get_by_role("button", name="Đăng ký (bản nháp)").click()
        expect(ward).to_have_url(f"{server}/tasks/{CODE}")
        ward.get_by_role("button", name="Gửi duyệt").click()
        expect(ward.locator('[data-approval="submitted"]')).to_be_visible()

        # the city finds it waiting for approval and approves it
        _sign_in(city, server, "dieuphoi", "/tasks")
        pending = city.locator('[data-section="pending"]')
        expect(pending.locator(f'tr[data-task="{CODE}"]')).to_be_visible()
        missing = city.locator('[data-section="missing"] li[data-unit]')
        assert city.locator(f'[data-section="missing"] li[data-unit="{WARD}"]').count() == 0
        assert missing.count() > 0  # the other units have none yet
        pending.get_by_role("link", name=re.compile(CODE)).click()
        city.get_by_role("button", name="Phê duyệt").click()
        expect(city.locator('[data-approval="approved"]')).to_be_visible()

        # the ward reports 60% with the PDF as evidence
        ward.goto(f"{server}/tasks/{CODE}")
        ward.get_by_label("Tỷ lệ hoàn thành (%)").fill("60")
        ward.locator("#progress").select_option("in_progress")
        ward.get_by_label("Ghi chú").fill("Đã số hóa 3 trên 5 quyển sổ")
        ward.get_by_label("Tệp minh chứng").set_input_files(str(pdf))
        ward.get_by_role("button", name="Lưu tiến độ").click()
        expect(ward.get_by_role("status")).to_contain_text("Đã ghi nhận tiến độ")

        # the city sees the progress, the note and the file, and downloads the very PDF
        city.goto(f"{server}/tasks?year=2025&unit={WARD}")
        row = city.locator(f'tr[data-task="{CODE}"]')
        expect(row.locator("progress")).to_have_attribute("value", "60")
        expect(row).to_contain_text("60%")
        row.get_by_role("link", name=re.compile(CODE)).click()
        expect(city.locator("table.history")).to_contain_text("Đã số hóa 3 trên 5 quyển sổ")
        with city.expect_download() as download:
            city.locator("ul.evidence a").first.click()
        saved = tmp_path / "downloaded.pdf"
        download.value.save_as(saved)
        assert download.value.suggested_filename == pdf.name
        assert saved.read_bytes() == pdf.read_bytes()
        city.screenshot(path=str(ARTIFACTS / "task-page.png"), full_page=True)
    finally:
        reporter.close()
        coordinator.close()


def test_the_tasks_page_on_the_demos_tasks(chromium: Browser, tmp_path: Path) -> None:
    """The coordinator's tasks page on the demo's tasks, as a picture for the guide."""
    require_chromium()
    ARTIFACTS.mkdir(exist_ok=True)
    with serve(_workspace(tmp_path, demo=True)) as base:
        context = chromium.new_context(viewport={"width": 1280, "height": 1600})
        try:
            page = context.new_page()
            _sign_in(page, base, "dieuphoi", "/tasks")
            overdue = int(page.locator('[data-count="overdue"] .figure').inner_text())
            assert overdue == page.locator('tbody tr[data-status="overdue"]').count() - (
                page.locator('[data-section="pending"] tr[data-status="overdue"]').count()
            )
            assert page.locator('[data-section="missing"] li[data-unit]').count() > 0
            page.screenshot(path=str(ARTIFACTS / "tasks-page.png"), full_page=False)
        finally:
            context.close()
    assert (ARTIFACTS / "tasks-page.png").stat().st_size > 10_000
