"""The reporting flow in a real browser: a ward enters and submits, the city approves,
the dashboard moves.

Drives Debian's chromium (/usr/bin/chromium) with Playwright against the real app,
served by uvicorn on a free local port over a fresh SQLite workspace (`conftest.py`:
without chromium the tests are skipped, except under CI=true, where they fail).
Screenshots of the approval page and of the overview after approval go to `artifacts/`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from dxplan.domain.account import Role
from dxplan.settings import Settings
from dxplan.store import users as user_store
from dxplan.web.local import serve_locally as serve
from dxplan.workspace import Workspace
from tests.browser.conftest import ARTIFACTS, require_chromium

PASSWORD = "mật-khẩu-đủ-dài"
WARD = "31135"  # Phường Ninh Kiều
FORM = f"/reports/past-results/{WARD}/2025Q3"

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """The real app over a fresh workspace with a ward's officer and a coordinator."""
    require_chromium()
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'store.sqlite3'}",
        as_of=date(2025, 10, 5),  # the quarter's report is due on 10 October
    )
    with Workspace(settings) as workspace:
        workspace.initialise(actor="test")
        with workspace.engine.begin() as conn:
            for name, role, units in (
                ("ninhkieu", Role.REPORTER, [WARD]),
                ("dieuphoi", Role.COORDINATOR, []),
            ):
                user_store.add(conn, name, role=role, password=PASSWORD, units=units, actor="t")
    with serve(settings) as url:
        yield url


def _sign_in(page: Page, base: str, username: str, target: str) -> None:
    page.goto(f"{base}{target}")  # a page that needs a user leads to the sign-in form
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(f"{base}{target}")


def _gov05(page: Page, base: str) -> str:
    """The city's latest GOV-05 value as the overview shows it, without spaces."""
    page.goto(f"{base}/")
    shown = page.locator('[data-indicator="GOV-05"] :is(td.value, .tile-value)').first
    return "".join(shown.inner_text().split())


def test_ward_submits_coordinator_approves_dashboard_moves(server: str, chromium: Browser) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    reporter = chromium.new_context(viewport={"width": 390, "height": 844})  # a phone
    coordinator = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        ward, city = reporter.new_page(), coordinator.new_page()
        assert _gov05(city, server).startswith("—")  # nothing approved yet

        # the ward's officer finds the report in the list, fills the form, submits
        _sign_in(ward, server, "ninhkieu", "/reports")
        row = ward.locator(f'tr[data-report="past-results/{WARD}/2025Q3"]')
        expect(row).to_contain_text("Chưa nhập")
        row.get_by_role("link").click()
        expect(ward).to_have_url(f"{server}{FORM}")
        ward.get_by_label("Số kết quả giải quyết thủ tục còn hiệu lực", exact=False).first.fill(
            "1.200"
        )
        ward.get_by_label("Số kết quả giải quyết thủ tục còn hiệu lực đã được số hóa").fill("930")
        ward.get_by_role("button", name="Gửi duyệt").click()
        expect(ward.get_by_role("status")).to_contain_text("Đã gửi báo cáo để phê duyệt.")
        expect(ward.locator("#report-status")).to_contain_text("Chờ phê duyệt")

        # the coordinator finds it waiting, and approves it
        _sign_in(city, server, "dieuphoi", "/reports")
        waiting = city.locator('[data-section="waiting"]')
        waiting.locator(f'tr[data-report="past-results/{WARD}/2025Q3"]').get_by_role("link").click()
        expect(city).to_have_url(f"{server}{FORM}")
        expect(city.locator(f"#f-past_results_valid-{WARD}")).to_have_value("1.200")
        city.screenshot(path=str(ARTIFACTS / "approval-page.png"), full_page=True)
        city.get_by_role("button", name="Phê duyệt").click()
        expect(city.get_by_role("status")).to_contain_text("Đã phê duyệt báo cáo")
        expect(city.locator("#report-status")).to_contain_text("Đã phê duyệt")

        # 930 of 1 200 results digitized: 77.5 %, the city's only approved figure
        assert _gov05(city, server) == "77,5%"
        city.screenshot(path=str(ARTIFACTS / "overview-after-approval.png"), full_page=True)
    finally:
        reporter.close()
        coordinator.close()
