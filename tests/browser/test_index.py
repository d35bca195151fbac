"""The index pages in a real browser: the ranking, a click to a province, its scorecard.

The small example of tests/evaluate/test_index.py (tests/web/test_index_pages.py has
its figures): P1 0.650, P2 0.625, P4 0.570, P3 0.530; top 2.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from dxplan.domain.period import Period
from dxplan.domain.value import MeasureValue
from dxplan.settings import Settings
from dxplan.store import values as value_store
from dxplan.web.local import serve_locally as serve
from dxplan.workspace import Workspace
from tests.browser.conftest import require_chromium
from tests.web.test_index_pages import FIGURES, PLAN

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    folder: Path = tmp_path_factory.mktemp("browser-index")
    settings = Settings(data_dir=folder, plan_file=PLAN, as_of=date(2026, 1, 20))
    with Workspace(settings) as workspace:
        workspace.initialise(actor="test")
        values = [
            MeasureValue(measure, unit, Period.parse(period), float(value), source="reported")
            for period, measures in FIGURES.items()
            for measure, units in measures.items()
            for unit, value in units.items()
        ]
        with workspace.writing() as conn:
            value_store.record(conn, values, actor="test")
    with serve(settings) as url:
        yield url


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    yield context.new_page()
    context.close()


def test_from_the_ranking_to_a_provinces_scorecard(page: Page, base: str) -> None:
    page.goto(f"{base}/", wait_until="networkidle")
    page.get_by_role("link", name="Index", exact=True).click()
    rows = page.locator("table.index-ranking tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text("Province One")
    expect(rows.nth(0)).to_contain_text("0.650")
    expect(rows.nth(0).locator("td.movement")).to_contain_text("▲")
    expect(rows.nth(1).locator("td.movement")).to_contain_text("▼")
    expect(page.locator("tr.in-top")).to_have_count(2)
    page.get_by_role("link", name="Province Four").click()
    expect(page.locator("h1")).to_have_text("Province Four")
    components = page.locator("table.components tbody tr")
    expect(components).to_have_count(3)
    expect(components.nth(0)).to_have_attribute("data-indicator", "AA-02")
    expect(page.locator("tr[data-indicator='AA-01'] td.to-top")).to_have_text(
        "not reachable by this component alone"
    )
    page.get_by_role("link", name="Timeliness").click()
    expect(page.locator("table.timeliness tbody tr")).to_have_count(4)
