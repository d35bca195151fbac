"""A plan whose year runs July to June, end to end: import, evaluation, pages, exports.

The shipped plan (its focal-point indicator renamed GOV-99) with `fiscal_year_start: 7`,
`period: FY2026` (July 2025 - June 2026) and `timezone: Asia/Dhaka`, as of 15 January
2026. Three dossiers are received
in each month from June to December 2025 at Phường Ninh Kiều (31135), all finished
on time: FY2026Q1 (July-September 2025) counts 9, FY2026S1 (July-December) 18, FY2025
(June 2025 is its last month) 3.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dxplan.domain.account import Role
from dxplan.domain.period import PeriodKind
from dxplan.exports.figures import indicator_rows, measure_rows
from dxplan.ingest.service import import_files
from dxplan.plans import DEFAULT_PLAN
from dxplan.settings import Settings
from dxplan.store import users as user_store
from dxplan.web import create_app
from dxplan.workspace import Workspace
from tests.ingest.conftest import HEADER

UNIT = "31135"
PASSWORD = "mật-khẩu-đủ-dài"
MONTHS = ("06", "07", "08", "09", "10", "11", "12")


def fiscal_plan(folder: Path) -> Path:
    """The shipped plan, its year running from July, in Dhaka's time."""
    text = (
        DEFAULT_PLAN.read_text("utf-8")
        .replace(
            'period: "2025"\n', 'period: "FY2026"\nfiscal_year_start: 7\ntimezone: Asia/Dhaka\n'
        )
        .replace("code: GOV-09", "code: GOV-99")  # pages name it from the plan
        .replace("indicators: [GOV-09]", "indicators: [GOV-99]")  # the task serving it
    )
    path = folder / "fiscal-plan.yaml"
    path.write_text(text, "utf-8")
    return path


@pytest.fixture
def settings(make_settings: Callable[..., Settings], database_url: str, tmp_path: Path) -> Settings:
    return make_settings(
        database_url=database_url, plan_file=fiscal_plan(tmp_path), as_of=date(2026, 1, 15)
    )


@pytest.fixture
def loaded(workspace: Workspace, tmp_path: Path) -> Workspace:
    rows = [
        f"D{month}{n},1.000001,{UNIT},online,2025-{month}-0{n}T10:00:00+06:00,"
        f"2025-{month}-20T10:00:00+06:00,2025-{month}-1{n}T10:00:00+06:00,finished,"
        "false,false,true,true,"
        for month in MONTHS
        for n in (1, 2, 3)
    ]
    path = tmp_path / "dossiers.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", "utf-8")
    result = import_files(workspace, "dossiers", [path])
    assert result.rejected == 0 and result.stored == len(rows)
    return workspace


def test_figures_are_counted_in_fiscal_periods(loaded: Workspace) -> None:
    plan = loaded.plan()
    assert plan is not None
    with loaded.engine.connect() as conn:
        rows = {(m, u, p): v for m, u, p, v in measure_rows(conn, plan)}
        readings = list(indicator_rows(conn, plan))
    received = {p: v for (m, u, p), v in rows.items() if m == "dossiers_received" and u == UNIT}
    assert received["FY2026Q1"] == "9"
    assert received["FY2026Q2"] == "9"
    assert received["FY2026S1"] == "18"
    assert received["FY2026"] == "18"
    assert received["FY2025"] == received["FY2025Q4"] == received["2025-06"] == "3"
    assert received["2025-07"] == "3"
    assert not [p for p in received if re.fullmatch(r"\d{4}(S\d|Q\d)?", p)]  # no calendar ids
    assert any(r[0] == "GOV-03" and r[1] == UNIT and r[2] == "FY2026Q1" for r in readings)


def test_the_board_evaluates_the_fiscal_year(loaded: Workspace) -> None:
    board = loaded.board()
    assert board is not None
    assert str(board.period) == "FY2026"
    found = {(e.indicator.code, e.unit): e for e in board.evaluations}
    gov03 = found[("GOV-03", UNIT)]
    assert gov03.value == pytest.approx(100.0)  # every dossier finished on time
    plan = loaded.plan()
    assert plan is not None
    with loaded.engine.connect() as conn:
        service = loaded.reporting(conn)
        quarterly = next(d for d in plan.datasets if d.period_kind is PeriodKind.QUARTER)
        # 15 January 2026 lies in FY2026Q3 (January-March 2026)
        assert str(service.current_period(quarterly)) in {"FY2026Q3", "FY2026Q4"}


def test_pages_and_exports_answer_on_fiscal_periods(loaded: Workspace) -> None:
    with TestClient(create_app(loaded.settings)) as http:
        for path in (
            "/",
            "/?period=FY2026Q1",
            "/?period=FY2026S2",
            "/?period=2025-08",
            "/indicators/GOV-03",
            "/indicators/GOV-03?period=FY2026Q2",
            "/indicators/GOV-03.csv",
            "/indicators/GOV-03/units?period=FY2026S1",
            "/pillars/GOV",
            "/rankings",
            "/alerts",
            f"/units/{UNIT}",
            "/api/dashboard/overview?period=FY2026Q1",
            "/api/plan",
        ):
            assert http.get(path).status_code == 200, path
        overview = http.get("/?lang=en").text
        assert 'value="FY2026Q3"' in overview or ">FY2026Q3<" in overview
        assert "2026Q3" not in overview.replace("FY2026Q3", "")  # no calendar quarter offered
        refused = http.get("/?period=2025Q1")
        assert refused.status_code == 400
        assert "FY2025Q1" in refused.text  # says how this plan writes periods
        csv = http.get("/indicators/GOV-03.csv").text
        assert f"GOV-03,{UNIT},Ninh Kieu Ward,FY2026,18,18,100," in csv  # English: ?lang=en


def test_reporting_pages_answer_for_a_coordinator(loaded: Workspace) -> None:
    with loaded.engine.begin() as conn:
        user_store.add(
            conn, "coord", role=Role.COORDINATOR, password=PASSWORD, units=[], actor="test"
        )
    with TestClient(create_app(loaded.settings), follow_redirects=False) as http:
        page = http.get("/sign-in")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        form = {"username": "coord", "password": PASSWORD, "csrf_token": token[1], "next": "/"}
        assert http.post("/sign-in", data=form).status_code == 303
        for path in ("/reports", "/reports/late", "/focal-points", "/api/reports/late"):
            assert http.get(path).status_code == 200, path
        late = http.get("/reports/late?lang=en").text
        assert "On time in FY2026" in late
        focal = http.get("/focal-points?lang=en").text
        assert "Units with a focal point (GOV-99)" in focal and "GOV-09" not in focal
        listed = http.get("/api/reports?period=FY2026Q2")
        assert listed.status_code == 200
        assert http.get("/api/reports?period=2025Q2").status_code == 422
