"""The dashboard pages and their JSON twins, on figures checked by hand.

The figures and their statuses are in `tests/dashboard_values.py`: GOV-01 off track at
68 % (two agencies short by 21 and 11 points), GOV-03 on track at 85 %, SOC-02 at 80 %
with a jump of +75 % in Phường Ninh Kiều, as of 2025-11-08.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dxplan.plans import DEFAULT_PLAN
from dxplan.settings import Settings
from dxplan.web import assets, create_app
from dxplan.web.pages.indicators import CSV_HEADER
from dxplan.workspace import Workspace
from tests.dashboard_values import AS_OF, record_dashboard_values

PAGES = ("/", "/pillars/GOV", "/indicators/GOV-01", "/units/92-SXD", "/rankings", "/alerts")


def _app(folder: Path, plan_file: Path = DEFAULT_PLAN) -> Iterator[TestClient]:
    settings = Settings(data_dir=folder, as_of=AS_OF, plan_file=plan_file)
    with Workspace(settings) as workspace:
        workspace.initialise(actor="test")
        record_dashboard_values(workspace)
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from _app(tmp_path_factory.mktemp("dashboard"))


def _tile(page: str, code: str) -> str:
    """The HTML of one indicator's tile."""
    start = page.index(f'data-indicator="{code}"')
    return page[start : page.index("</li>", start)]


def _json(client: TestClient, path: str, **params: str) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_overview_shows_every_target_as_a_tile(client: TestClient) -> None:
    page = client.get("/", params={"lang": "vi"}).text
    codes = re.findall(r'<li class="tile [^"]*" data-indicator="([A-Z]+-\d+)"', page)
    # every indicator of the plan, once, but SOC-08 (from the confidential bank-accounts
    # data set): the wall screen is public
    assert len(codes) == 26 and len(set(codes)) == 26 and "SOC-08" not in codes
    statuses = re.findall(
        r'<li class="tile [^"]*" data-indicator="[^"]+" data-status="(\w+)"', page
    )
    assert statuses.count("monitored") == 3  # GOV-10, GOV-11, SOC-09: 23 targets besides
    gov01 = _tile(page, "GOV-01")
    assert "68,0%" in gov01 and "≥ 100%" in gov01 and "Chậm tiến độ" in gov01
    assert "→ 72% vào 31/12" in gov01  # an exact line: no interval
    assert "cần +16,0 điểm mỗi tháng" in gov01  # (100 − 68) / 2 months
    assert "<svg" in gov01  # the sparkline
    gov03 = _tile(page, "GOV-03")
    assert "85,0%" in gov03 and "Đúng tiến độ" in gov03
    assert "Theo dõi" in _tile(page, "GOV-10") and "90,0%" in _tile(page, "GOV-10")
    assert "Chưa có số liệu" in _tile(page, "ECO-01")
    assert "→ 72% [64–79%] vào 31/12" in _tile(page, "SOC-02")  # 71.8 in [64.2, 79.4]
    assert "8 thg 11, 2025" in page  # the as-of day, as Vietnamese write it


def test_english_numbers_and_words(client: TestClient) -> None:
    page = client.get("/", params={"lang": "en"}).text
    assert "<h1>Can Tho City digital transformation plan 2025</h1>" in page
    gov01 = _tile(page, "GOV-01")
    assert "68.0%" in gov01 and "Off track" in gov01 and "→ 72% by 12/31" in gov01
    assert "Nov 8, 2025" in page
    assert "68.0%" in _tile(client.get("/", params={"lang": "bn"}).text, "GOV-01")


def test_the_json_twin_holds_the_facts_of_the_page(client: TestClient) -> None:
    page = client.get("/", params={"lang": "en"}).text
    twin = _json(client, "/api/dashboard/overview", lang="en")
    assert twin["as_of"] == "2025-11-08" and twin["period"] == "2025"
    assert twin["targets"] == 23 and twin["indicators"] == 26  # SOC-08 is confidential
    tiles = {t["indicator"]: t for p in twin["pillars"] for t in p["tiles"]}
    assert tiles["GOV-01"]["status"] == "off_track"
    assert tiles["GOV-01"]["value"] == pytest.approx(68)
    assert tiles["GOV-01"]["required_monthly_pace"] == pytest.approx(16)
    assert tiles["GOV-03"]["status"] == "on_track"
    for code, tile in tiles.items():
        html = _tile(page, code)
        assert f'data-status="{tile["status"]}"' in html
        assert tile["value_text"] in html and tile["status_label"] in html
    counts = {c["status"]: c["count"] for c in twin["counts"]}
    assert counts["off_track"] == 2 and counts["on_track"] == 1 and counts["monitored"] == 3
    for status, count in counts.items():
        shown = re.search(rf'data-status="{status}"><span[^>]*>[^<]*</span> <strong>(\d+)', page)
        assert (int(shown[1]) if shown else 0) == count


def test_a_pillar_page(client: TestClient) -> None:
    page = client.get("/pillars/SOC", params={"lang": "en"}).text
    assert "<h1>Digital society</h1>" in page
    assert "SOC-02" in page and "GOV-01" not in page
    twin = _json(client, "/api/dashboard/pillars/SOC")
    assert [u["code"] for u in twin["units"]] == ["31135", "31120"]  # weakest first
    assert [u["score"] for u in twin["units"]] == pytest.approx([0.7, 0.9])


def test_the_indicator_page_shows_who_moves_the_number(client: TestClient) -> None:
    twin = _json(client, "/api/dashboard/indicators/GOV-01")
    rows = [(c["code"], c["points"]) for c in twin["contributions"]]
    assert rows == [("92-STP", pytest.approx(21)), ("92-SXD", pytest.approx(11))]
    assert twin["gap"] == pytest.approx(32)
    assert sum(points for _, points in rows) == pytest.approx(twin["gap"])
    assert twin["chart"]["values"][:10] == pytest.approx([50 + 2 * i for i in range(10)])
    assert twin["chart"]["target"] == 100 and twin["chart"]["projection"]["value"] == 72
    page = client.get("/indicators/GOV-01", params={"lang": "vi"}).text
    table = page[page.index('class="contributions"') :]
    assert table.index("92-STP") < table.index("92-SXD")
    assert '<td class="num gap">32,0</td>' in table
    assert "Tính từ danh mục thủ tục hành chính" in page  # the methodology from the plan
    assert 'id="trend-chart"' in page and 'role="img"' in page
    assert "/indicators/GOV-01.csv" in page


def test_the_by_unit_table_sorts_and_downloads(client: TestClient) -> None:
    fragment = client.get("/indicators/GOV-01/units", params={"sort": "-value"}).text
    assert "<html" not in fragment and fragment.lstrip().startswith('<div id="by-unit"')
    assert fragment.index("92-SXD") < fragment.index("92-STP")  # 81.7 % before 47.5 %
    ascending = client.get("/indicators/GOV-01/units", params={"sort": "value"}).text
    assert ascending.index("92-STP") < ascending.index("92-SXD")
    response = client.get("/indicators/GOV-01.csv", params={"lang": "vi"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="GOV-01-2025.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert tuple(rows[0]) == CSV_HEADER
    by_unit = {r["unit_code"]: r for r in rows}
    assert by_unit["92-SXD"]["unit_name"] == "Sở Xây dựng"
    assert (by_unit["92-SXD"]["numerator"], by_unit["92-SXD"]["denominator"]) == ("49", "60")
    assert float(by_unit["92-STP"]["value"]) == pytest.approx(47.5)
    assert by_unit["92-STP"]["status"] == "off_track"


def test_a_unit_page_has_its_scorecard_and_rank(client: TestClient) -> None:
    twin = _json(client, "/api/dashboard/units/92-SXD")
    assert twin["rank"]["position"] == 1 and twin["rank"]["of"] == 2
    assert twin["rank"]["group"] == "agencies"
    assert twin["score"] == pytest.approx(49 / 60)
    assert [t["indicator"] for p in twin["pillars"] for t in p["tiles"]] == ["GOV-01"]
    page = client.get("/units/31135", params={"lang": "en"}).text
    assert "<h1>Ninh Kieu Ward</h1>" in page  # the English name of the unit
    assert "<strong>2</strong> / 2" in page and "Communes and wards" in page
    assert "70.0%" in _tile(page, "SOC-02")


def test_rankings(client: TestClient) -> None:
    twin = _json(client, "/api/dashboard/rankings")
    groups = {g["group"]: g["rows"] for g in twin["groups"]}
    assert [(r["code"], r["rank"]) for r in groups["agencies"]] == [("92-SXD", 1), ("92-STP", 2)]
    assert [r["score"] for r in groups["communes"]] == pytest.approx([0.9, 0.7])
    page = client.get("/rankings", params={"lang": "vi"}).text
    assert 'id="communes"' in page and 'id="agencies"' in page and "90,0%" in page


def test_alerts(client: TestClient) -> None:
    twin = _json(client, "/api/dashboard/alerts")
    assert [(t["indicator"], t["status"]) for t in twin["targets"]] == [
        ("GOV-01", "off_track"),
        ("SOC-02", "off_track"),
    ]
    [jump] = twin["jumps"]
    assert jump["unit"]["code"] == "31135" and jump["measure"] == "households_with_fibre"
    assert (jump["before"], jump["after"]) == (400, 700)
    assert jump["change"] == pytest.approx(0.75)
    assert set(twin["late"]["counts"]) == {"missing", "late", "due_soon"}
    page = client.get("/alerts", params={"lang": "en"}).text
    assert 'data-indicator="GOV-01" data-status="off_track"' in page
    assert "+75.0%" in page and "/reports/late" in page


def test_a_period_and_a_day_can_be_chosen(client: TestClient) -> None:
    # the third quarter is over on 8 November: GOV-01 ended it at 66 %, short of 100 %
    q3 = _json(client, "/api/dashboard/overview", period="2025Q3")
    tiles = {t["indicator"]: t for p in q3["pillars"] for t in p["tiles"]}
    assert tiles["GOV-01"]["value"] == pytest.approx(66)
    assert tiles["GOV-01"]["status"] == "not_achieved"
    early = _json(client, "/api/dashboard/overview", as_of="2025-07-15")
    tiles = {t["indicator"]: t for p in early["pillars"] for t in p["tiles"]}
    assert tiles["GOV-01"]["value"] == pytest.approx(60)  # June, the last month ended
    page = client.get("/", params={"period": "2025Q3"}).text
    assert 'href="/indicators/GOV-01?period=2025Q3"' in page  # drill-downs keep the period
    sortable = client.get("/indicators/GOV-01", params={"period": "2025Q3"}).text
    assert 'href="/indicators/GOV-01?period=2025Q3&amp;sort=-value#by-unit"' in sortable
    assert 'hx-get="/indicators/GOV-01/units?period=2025Q3&amp;sort=-value"' in sortable


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/?period=2025Q9", 400),
        ("/?as_of=8/11/2025", 400),
        ("/indicators/GOV-01?period=soon", 400),
        ("/api/dashboard/overview?period=2025Q9", 400),
        ("/api/dashboard/alerts?as_of=yesterday", 400),
        ("/indicators/GOV-99", 404),
        ("/api/dashboard/indicators/GOV-99", 404),
        ("/indicators/GOV-99.csv", 404),
        ("/units/nowhere", 404),
        ("/pillars/XYZ", 404),
    ],
)
def test_bad_requests_are_explained(client: TestClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    if path.startswith("/api/") or path.endswith(".csv"):
        assert response.json()["detail"]
    elif status == 400:
        assert "2025Q3" in response.text and "<html" in response.text


def test_pages_are_light_and_compressed(client: TestClient) -> None:
    for path in PAGES:
        response = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert response.headers.get("content-encoding") == "gzip", path
        assert len(gzip.compress(response.content)) <= 300_000, path
    # the overview is read from the cached board: no script larger than the htmx poller
    assert "echarts" not in client.get("/").text


def test_vendor_files_are_cached_for_a_year(client: TestClient) -> None:
    url = assets.vendor_url("htmx")
    if url is None:
        pytest.skip("run `make assets` to install the front-end files from npm")
    assert url in client.get("/").text
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert client.get("/static/vendor/package.json").status_code == 404


def test_pages_render_without_the_vendor_files(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(assets, "VENDOR", tmp_path)
    assets._digest.cache_clear()
    try:
        page = client.get("/indicators/GOV-01")
        assert page.status_code == 200
        assert "/static/vendor/" not in page.text  # no script tag that would fail
        assert '<table class="by-unit">' in page.text  # the figures, as tables
    finally:
        assets._digest.cache_clear()


def test_confidential_indicators_are_for_signed_in_readers(tmp_path: Path) -> None:
    text = DEFAULT_PLAN.read_text("utf-8")
    start = text.index("  - code: GOV-03\n")
    at = text.index("confidential: false", start)
    secret = text[:at] + "confidential: true" + text[at + len("confidential: false") :]
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(secret, "utf-8")
    for client in _app(tmp_path / "data", plan_file):
        page = client.get("/").text
        assert 'data-indicator="GOV-01"' in page and 'data-indicator="GOV-03"' not in page
        twin = _json(client, "/api/dashboard/overview")
        assert "GOV-03" not in {t["indicator"] for p in twin["pillars"] for t in p["tiles"]}
        response = client.get("/indicators/GOV-03", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/sign-in?next=/indicators/GOV-03")
        assert client.get("/api/dashboard/indicators/GOV-03").status_code == 401
        assert client.get("/indicators/GOV-03.csv").status_code == 401
