"""The index pages over HTTP on the small example of tests/evaluate/test_index.py.

Four provinces, top 2, as of 20 January 2026. The 2025 figures give the composites
worked by hand there: P1 0.650 (1st), P2 0.625 (2nd), P4 0.570 (3rd), P3 0.530 (4th).
In 2024 only AA-01 differed between them (60, 80, 40, 20 of 80; AA-02 and BB-01 the
same everywhere), ranking P2, P1, P3, P4: P1 went up one place, P2 down one, P4 up one,
P3 down one. The 2025 figures are due on 15 January 2026 (15 days after the year).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, update

from dxplan.domain.period import Period
from dxplan.domain.value import MeasureValue
from dxplan.settings import Settings
from dxplan.store import values as value_store
from dxplan.store.tables import measure_values
from dxplan.web import create_app
from dxplan.workspace import Workspace

PLAN = Path(__file__).parents[1] / "plans" / "files" / "index-small.yaml"
FIGURES = {
    "2025": {
        "aa1": {"P1": 80, "P2": 60, "P3": 40, "P4": 72},
        "aa2": {"P1": 50, "P2": 30, "P3": 70, "P4": 30},
        "bb1": {"P1": 5, "P2": 10, "P3": 2, "P4": 7.5},
    },
    "2024": {
        "aa1": {"P1": 60, "P2": 80, "P3": 40, "P4": 20},
        "aa2": {"P1": 50, "P2": 50, "P3": 50, "P4": 50},
        "bb1": {"P1": 5, "P2": 5, "P3": 5, "P4": 5},
    },
}


@pytest.fixture
def settings(make_settings: Callable[..., Settings], database_url: str) -> Settings:
    return make_settings(database_url=database_url, plan_file=PLAN, as_of=date(2026, 1, 20))


@pytest.fixture
def loaded(workspace: Workspace) -> Workspace:
    values = [
        MeasureValue(measure, unit, Period.parse(period), float(value), source="reported")
        for period, measures in FIGURES.items()
        for measure, units in measures.items()
        for unit, value in units.items()
    ]
    with workspace.writing() as conn:
        value_store.record(conn, values, actor="test")
    return workspace


@pytest.fixture
def http(loaded: Workspace) -> Iterator[TestClient]:
    with TestClient(create_app(loaded.settings)) as client:
        yield client


def test_the_ranking_with_movement(http: TestClient) -> None:
    body = http.get("/api/dashboard/index").json()
    rows = [
        (r["code"], r["rank"], round(r["composite"], 9), r["movement"]["places"])
        for r in body["rows"]
    ]
    assert rows == [
        ("P1", 1, 0.65, 1),
        ("P2", 2, 0.625, -1),
        ("P4", 3, 0.57, 1),
        ("P3", 4, 0.53, -1),
    ]
    assert body["index"]["threshold"] == pytest.approx(0.625)
    assert body["rows"][2]["pillars"] == pytest.approx({"AA": 0.45, "BB": 0.75})
    page = http.get("/index")
    assert page.status_code == 200
    assert "0.570" in page.text and "▲" in page.text and "▼" in page.text
    # scores are numbers of the reader's language, like the values beside them
    vietnamese = http.get("/index?lang=vi").text
    assert "0,570" in vietnamese and "0.570" not in vietnamese
    assert 'href="/api/dashboard/index"' in page.text


def test_a_scorecard_says_what_pulls_down_and_what_the_top_takes(http: TestClient) -> None:
    body = http.get("/api/dashboard/index/P4").json()
    assert (body["rank"], body["of"], body["in_top"]) == (4 - 1, 4, False)
    assert body["gap"] == pytest.approx(0.055)
    components = {c["indicator"]: c for c in body["components"]}
    # the order: points lost, largest first (0.3 on AA-02, 0.1 on BB-01, 0.03 on AA-01)
    assert [c["indicator"] for c in body["components"]] == ["AA-02", "BB-01", "AA-01"]
    assert components["AA-02"]["loss"] == pytest.approx(0.3)
    assert components["BB-01"]["to_top"]["raw_to"] == pytest.approx(8.875, abs=1e-6)
    assert components["BB-01"]["to_top"]["raw_to_text"] == "9"  # printed rounded up: enough
    assert components["AA-02"]["to_top"]["raw_to"] == pytest.approx(30 + 0.055 / 0.3 * 40, abs=1e-6)
    assert components["AA-01"]["to_top"]["reachable"] is False
    page = http.get("/index/P4")
    assert page.status_code == 200
    assert "not reachable by this component alone" in page.text
    assert "0.625: 0.055 more" in page.text  # the top's threshold and the gap to it
    assert "từ 0,625: còn thiếu 0,055" in http.get("/index/P4?lang=vi").text
    top = http.get("/api/dashboard/index/P1").json()
    assert top["in_top"] is True and all(c["to_top"] is None for c in top["components"])


def test_unknown_units_and_plans_without_an_index_answer_404(http: TestClient) -> None:
    assert http.get("/api/dashboard/index/XC").status_code == 404  # the country: not ranked
    assert http.get("/index/NOPE").status_code == 404


def test_timeliness(loaded: Workspace, http: TestClient) -> None:
    c = measure_values.c
    with loaded.writing() as conn:
        # P1's figures came on 10 January (on time), P2's on 20 January (5 days late),
        # P3 sent nothing for 2025, P4's came today (the test's real clock): late
        for unit, day in (("P1", 10), ("P2", 20)):
            conn.execute(
                update(measure_values)
                .where(c.unit_code == unit, c.period == "2025")
                .values(recorded_at=datetime(2026, 1, day, 3, tzinfo=UTC))
            )
        conn.execute(delete(measure_values).where(c.unit_code == "P3", c.period == "2025"))
    body = http.get("/api/dashboard/timeliness").json()
    cells = {u["code"]: u["cells"][0] for u in body["units"]}
    assert [p["period"] for p in body["periods"]] == ["2025"]
    assert body["periods"][0]["due"] == "2026-01-15"
    assert {u: c["status"] for u, c in cells.items()} == {
        "P1": "on_time",
        "P2": "late",
        "P3": "missing",
        "P4": "late",
    }
    assert cells["P2"]["days_late"] == 5
    assert body["counts"] == {"on_time": 1, "late": 2, "missing": 1, "not_due": 0}
    page = http.get("/timeliness")
    assert page.status_code == 200 and "not sent" in page.text
    late = page.text.split("Sent late:")[1].split("</p>")[0]
    assert "Province Two" in late and "Province Four" in late and "Province One" not in late
    assert "Province Three" in page.text.split("Not sent:")[1].split("</p>")[0]
    # P3 sent nothing for 2025: it scores 0 on every component and is last
    ranking = http.get("/api/dashboard/index").json()["rows"]
    assert ranking[-1]["code"] == "P3" and ranking[-1]["composite"] == 0
    assert ranking[-1]["sent_nothing"] is True


def test_the_pages_link_the_stylesheets_and_are_the_same_for_everyone(http: TestClient) -> None:
    for path in ("/index", "/index/P3", "/timeliness"):
        page = http.get(path)
        assert page.status_code == 200
        assert page.text.count('<link rel="stylesheet"') == 3, path


@pytest.mark.parametrize(
    "url", ["/index", "/api/dashboard/index", "/api/dashboard/index/P1", "/timeliness"]
)
def test_the_last_year_a_period_may_have_is_a_400_not_a_500(http: TestClient, url: str) -> None:
    """Year 9998's last day was found through the period after it (9999: out of range)."""
    for period in ("9998", "9998-12"):
        answer = http.get(f"{url}?period={period}")
        assert answer.status_code == 400, (period, answer.text[:200])
        assert f"{period} is outside this dashboard" in answer.text
