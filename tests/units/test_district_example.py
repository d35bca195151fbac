"""The shipped example outside Vietnam: Meherpur District, Bangladesh, from its units file.

Import, compute, evaluate and the main pages, on SQLite and PostgreSQL, with no code
that knows about Bangladesh: only the plan file and its units file.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from dxplan.demo.load import load_demo
from dxplan.demo.reports import load_reports
from dxplan.domain.period import Period
from dxplan.exports.figures import indicator_rows
from dxplan.ingest.service import compute
from dxplan.plans import shipped, shipped_plan
from dxplan.reporting.completeness import reporting_kinds
from dxplan.settings import Settings
from dxplan.store import focal_points as focal_store
from dxplan.store import users as user_store
from dxplan.workspace import Workspace

AS_OF = date(2025, 11, 8)
UNIONS = 18  # 5 in Meherpur Sadar, 9 in Gangni, 4 in Mujibnagar


@pytest.fixture
def settings(make_settings: Callable[..., Settings], database_url: str) -> Settings:
    return make_settings(
        database_url=database_url, plan_file=shipped_plan("meherpur-2025"), as_of=AS_OF
    )


def test_the_example_is_shipped():
    assert {"cantho-2025", "meherpur-2025"} <= set(shipped())
    with pytest.raises(ValueError, match="choose one of"):
        shipped_plan("nowhere")


def test_units_come_from_the_file_with_the_plans_kinds(workspace: Workspace):
    organisation = workspace.organisation()
    assert organisation is not None
    assert organisation.root.code == "MEH"
    assert organisation.root.names.bn == "মেহেরপুর জেলা"
    counts = {k: len(organisation.of_kind(k)) for k in organisation.kinds.codes}
    assert counts == {"district": 1, "upazila": 3, "union": UNIONS, "office": 6}
    assert [r.code for r in organisation.rankings] == ["unions", "upazilas", "offices"]
    plan = workspace.plan()
    assert plan is not None
    # the late-reports page filters on the kinds that report: the unions
    assert [k.code for k in reporting_kinds(plan, organisation)] == ["union"]


def test_import_compute_evaluate_and_pages(workspace: Workspace, client: Any):
    loaded = load_demo(workspace, dossiers_per_year=3000)
    assert loaded.procedures.rejected == 0 and loaded.dossiers.rejected == 0
    assert loaded.dossiers.stored == 6000
    reports = load_reports(workspace, as_of=AS_OF)
    # 18 unions report every quarter of Bangladesh's fiscal years (July to June) from
    # FY2024Q3 (January-March 2024); the quarters due by 8 November 2025 run to FY2026Q1
    # (July-September 2025, due 15 October): 7 quarters each
    assert reports.expected == UNIONS * 7
    assert compute(workspace).values_written >= 0
    with workspace.engine.connect() as conn:
        names = {u.username for u in user_store.list_all(conn)}
        mails = {f.email for f in focal_store.current(conn).values() if f.email}
    # the demo's accounts and addresses speak of the plan in force, not of Can Tho
    assert {"union-amdah", "union-amjhupi"} <= names  # Amdah Union, Amjhupi Union
    assert not any(n.startswith(("xa-", "phuong-")) for n in names)
    assert mails and all(m.endswith("@meherpurdistrict.example") for m in mails), mails

    fiscal_year = Period.parse("FY2026", year_start=7)  # July 2025 to June 2026
    assert (fiscal_year.first_day, fiscal_year.last_day) == (date(2025, 7, 1), date(2026, 6, 30))
    board = workspace.board(fiscal_year, AS_OF)
    assert board is not None
    city = {e.indicator.code: e for e in board.city()}
    assert set(city) == {"GOV-01", "GOV-02", "GOV-03", "GOV-04", "GOV-05", "SOC-01", "SOC-02"}
    for code in ("GOV-01", "GOV-02", "GOV-03", "GOV-04", "GOV-05", "SOC-01"):
        assert city[code].value is not None and 0 <= city[code].value <= 100, code
    # the district's figure of a reported sum is the sum over its unions
    unions = [board.get("SOC-02", u.code) for u in board.organisation.of_kind("union")]
    total = sum(e.numerator for e in unions if e is not None and e.numerator is not None)
    assert city["SOC-02"].numerator == pytest.approx(total)

    with workspace.engine.connect() as conn:
        plan_in_force = workspace.plan(conn)
        assert plan_in_force is not None
        exported = {(r[0], r[1], r[2]): r for r in indicator_rows(conn, plan_in_force)}
    # the export holds the district's and each union's figures (the whole stored year;
    # the dashboard judges as of its day)
    assert 0 < float(exported[("GOV-02", "MEH", "FY2026")][5]) <= 100
    assert ("GOV-02", "MEH-GNG-KAZ", "FY2026Q1") in exported
    assert ("SOC-02", "MEH-GNG-KAZ", "FY2026Q1") in exported  # a union's quarterly report
    assert not any(period == "2025" for (_, _, period) in exported)  # no calendar years
    plan = client.get("/api/plan").json()
    assert plan["organisation"] == {"units_file": "meherpur-units.csv"}
    overview = client.get("/api/overview").json()
    assert {line["indicator"] for line in overview["indicators"]} == set(city)
    rankings = client.get("/api/dashboard/rankings", params={"lang": "bn"}).json()
    groups = {g["group"]: g for g in rankings["groups"]}
    assert list(groups) == ["unions", "upazilas", "offices"]
    assert len(groups["unions"]["rows"]) == UNIONS
    assert groups["unions"]["label"] == "ইউনিয়ন পরিষদ"  # the name the plan gives it
    for path in ("/", "/rankings", "/pillars/GOV", "/indicators/GOV-02", "/units/MEH-GNG-KAZ"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert '<html lang="bn"' in page.text, path  # the plan's first language
    unit = client.get("/api/dashboard/units/MEH-GNG-KAZ").json()
    assert unit["unit"]["kind_label"] and unit["rank"]["group"] == "unions"
    assert client.get("/api/units", params={"kind": "upazila"}).json()[0]["code"] == "MEH-SDR"
