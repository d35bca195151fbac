"""The dashboard in a real browser, at the wall screen's size: tiles, languages, drill-down.

Served over the hand-checked figures of `tests/dashboard_values.py` as of 2025-11-08.
The overview's screenshot at 1920×1080 is saved as `artifacts/overview.png`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from dxplan.settings import Settings
from dxplan.web import assets
from dxplan.web.local import serve_locally as serve
from dxplan.workspace import Workspace
from tests.browser.conftest import ARTIFACTS, require_chromium
from tests.dashboard_values import AS_OF, record_dashboard_values

pytestmark = pytest.mark.browser
WALL: ViewportSize = {"width": 1920, "height": 1080}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    folder: Path = tmp_path_factory.mktemp("browser-dashboard")
    settings = Settings(data_dir=folder, as_of=AS_OF)
    with Workspace(settings) as workspace:
        workspace.initialise(actor="test")
        record_dashboard_values(workspace)
    with serve(settings) as url:
        yield url


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(viewport=WALL, locale="vi-VN")
    yield context.new_page()
    context.close()


def test_the_overview_shows_every_target_tile(page: Page, base: str) -> None:
    page.goto(f"{base}/?lang=vi", wait_until="networkidle")
    tiles = page.locator("li.tile")
    expect(tiles).to_have_count(26)  # SOC-08 (a confidential data set's) is not public
    expect(page.locator("li.tile:not([data-status='monitored'])")).to_have_count(23)
    for index in range(26):
        expect(tiles.nth(index)).to_be_visible()
    gov01 = page.locator("li.tile[data-indicator='GOV-01']")
    expect(gov01).to_contain_text("68,0%")
    expect(gov01).to_contain_text("Chậm tiến độ")
    # the wall screen shows every tile, or at most one more screen of them
    bottom = page.evaluate(
        "Math.max(...[...document.querySelectorAll('li.tile')]"
        ".map(t => t.getBoundingClientRect().bottom))"
    )
    assert bottom <= 2 * WALL["height"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "overview.png"))
    assert (ARTIFACTS / "overview.png").stat().st_size > 10_000


def test_the_language_switch(page: Page, base: str) -> None:
    page.goto(f"{base}/?lang=vi")
    expect(page.locator("h1")).to_have_text("Kế hoạch chuyển đổi số thành phố Cần Thơ năm 2025")
    page.get_by_role("link", name="English").click()
    expect(page.locator("h1")).to_have_text("Can Tho City digital transformation plan 2025")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("li.tile[data-indicator='GOV-01']")).to_contain_text("68.0%")
    page.goto(f"{base}/pillars/GOV")  # the choice is remembered
    expect(page.locator("h1")).to_have_text("Digital government")
    page.get_by_role("link", name="Tiếng Việt").click()
    expect(page.locator("li.tile[data-indicator='GOV-01']")).to_contain_text("68,0%")


def test_a_drill_down_from_pillar_to_indicator_to_unit(page: Page, base: str) -> None:
    page.goto(f"{base}/?lang=en")
    page.get_by_role("link", name="Digital government", exact=True).click()
    expect(page).to_have_url(f"{base}/pillars/GOV")
    page.locator("li.tile[data-indicator='GOV-01'] a").click()
    expect(page).to_have_url(f"{base}/indicators/GOV-01")
    expect(page.locator("h1")).to_contain_text("GOV-01")
    contributions = page.locator("table.contributions tbody tr")
    expect(contributions).to_have_count(2)
    expect(page.locator("table.contributions td.gap")).to_have_text("32.0")
    page.locator("table.by-unit").get_by_role("link", name="Department of Construction").click()
    expect(page).to_have_url(f"{base}/units/92-SXD")
    expect(page.locator("h1")).to_have_text("Department of Construction")
    expect(page.locator(".rank")).to_contain_text("1 / 2")


def test_the_by_unit_table_sorts_in_place(page: Page, base: str) -> None:
    if assets.vendor_url("htmx") is None:
        pytest.skip("run `make assets`: htmx swaps the table")
    page.goto(f"{base}/indicators/GOV-01?lang=en")
    rows = page.locator("table.by-unit tbody tr")
    expect(rows.first).to_have_attribute("data-unit", "92-STP")  # lowest value first
    page.locator("table.by-unit thead").get_by_role("link", name="Value").click()
    expect(rows.first).to_have_attribute("data-unit", "92-SXD")
    assert page.url == f"{base}/indicators/GOV-01?lang=en"  # swapped, not reloaded


def test_the_trend_is_a_chart_or_a_table(page: Page, base: str) -> None:
    page.goto(f"{base}/indicators/GOV-01?lang=en", wait_until="networkidle")
    if assets.vendor_url("echarts") is None:
        expect(page.locator("details.chart-table")).to_have_attribute("open", "")
    else:
        expect(page.locator("#trend-chart svg")).to_be_visible()
        expect(page.locator("#units-chart svg")).to_be_visible()
    expect(page.locator("#trend-chart")).to_have_attribute("role", "img")


def test_the_keyboard_reaches_the_first_tile(page: Page, base: str) -> None:
    page.goto(f"{base}/?lang=en")
    first = page.locator("li.tile a").first
    for _ in range(20):
        page.keyboard.press("Tab")
        if first.evaluate("link => link === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the first tile")
    outline = first.evaluate("link => getComputedStyle(link).outlineStyle")
    assert outline != "none"  # the focus is visible
