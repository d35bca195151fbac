"""Late and missing reports and completeness per unit: GOV-08's rules, GOV-08's totals.

Reports are made through the reporting service at chosen instants (local time), on
SQLite and PostgreSQL. One test runs in a small world (the shipped plan with only its
quarterly `past-results` data set, the city and three wards), where every count is
known; another in the whole city, where the totals must equal GOV-08's stored figures.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Connection

from dxplan.domain.account import Role, User
from dxplan.domain.organisation import Organisation
from dxplan.domain.period import Period
from dxplan.domain.plan import Plan
from dxplan.reporting import platform
from dxplan.reporting.completeness import (
    Standing,
    completeness_by_unit,
    late_and_missing,
    sort_rows,
    this_year,
    total,
)
from dxplan.reporting.service import Reporting
from dxplan.store import values as value_store
from dxplan.store.submissions import StoredValues
from dxplan.workspace import Workspace

CANTHO_TZ = ZoneInfo("Asia/Ho_Chi_Minh")  # the shipped plan's time zone

CITY: Final = "92"
ON_TIME, LATE, MISSING = "31120", "31135", "31147"  # three wards
DATASET: Final = "past-results"  # quarterly, due 10 days after the quarter


def _at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=CANTHO_TZ)


def _reporter(units: tuple[str, ...]) -> User:
    return User(1, "phuong", "Phường", Role.REPORTER, units)


def _submit(
    conn: Connection, plan: Plan, organisation: Organisation, unit: str, period: str, at: datetime
) -> None:
    """Save and submit a valid report of `unit` at the instant `at`."""
    service = Reporting(conn, plan, organisation, now=at)
    user = _reporter((unit,))
    report = service.open(user, DATASET, unit, period)
    values: StoredValues = {
        "past_results_valid": {unit: 10.0},
        "past_results_digitized": {unit: 4.0},
    }
    report = service.save(user, report, values)
    service.submit(user, report)


def _stored(conn: Connection, unit: str, period: str) -> dict[str, float]:
    found = value_store.latest(
        conn,
        measures=[platform.ON_TIME, platform.EXPECTED],
        units=[unit],
        periods=[Period.parse(period)],
    )
    return {v.measure: v.value for v in found if v.value is not None}


@pytest.fixture
def small(workspace: Workspace) -> tuple[Plan, Organisation]:
    """The shipped plan with only `past-results`, reported by three wards of the city."""
    plan, organisation = workspace.plan(), workspace.organisation()
    assert plan is not None and organisation is not None
    dataset = plan.dataset(DATASET)
    assert dataset is not None
    units = [organisation[code] for code in (CITY, ON_TIME, LATE, MISSING)]
    return plan.model_copy(update={"datasets": [dataset]}), Organisation(units, organisation.kinds)


def test_one_on_time_one_late_one_missing(
    workspace: Workspace, small: tuple[Plan, Organisation]
) -> None:
    plan, organisation = small
    today = date(2024, 4, 20)  # 2024Q1 was due on 10 April; nothing else is owed yet
    with workspace.engine.begin() as conn:
        _submit(conn, plan, organisation, ON_TIME, "2024Q1", _at(date(2024, 4, 10), 23))
        _submit(conn, plan, organisation, LATE, "2024Q1", _at(date(2024, 4, 14)))
        Reporting(conn, plan, organisation, now=_at(today)).refresh()

        by_unit = {
            c.unit.code: (c.expected, c.received, c.on_time)
            for c in completeness_by_unit(conn, plan, organisation, today)
            if c.unit is not None
        }
        assert by_unit == {ON_TIME: (1, 1, 1), LATE: (1, 1, 0), MISSING: (1, 0, 0)}
        city = total(completeness_by_unit(conn, plan, organisation, today, year=2024))
        assert (city.expected, city.received, city.on_time) == (3, 2, 1)
        assert city.share == pytest.approx(100 / 3)
        # the same numbers GOV-08 stored for the city, for the month and the year
        for period in ("2024-03", "2024Q1", "2024"):
            stored = _stored(conn, CITY, period)
            assert stored == {platform.EXPECTED: 3.0, platform.ON_TIME: 1.0}, period

        rows = late_and_missing(conn, plan, organisation, today)
    assert [(r.unit.code, r.status, r.days) for r in rows] == [
        (LATE, Standing.LATE, 4),  # submitted on 14 April, due 10 April
        (MISSING, Standing.MISSING, 10),  # 10 days past due on 20 April
    ]
    late = next(r for r in rows if r.status is Standing.LATE)
    assert late.submitted_at is not None and late.path == f"/reports/{DATASET}/{LATE}/2024Q1"
    assert late.as_json()["days_late"] == 4 and late.as_json()["days_left"] is None


def test_due_soon_then_not_expected_before_the_due_date(
    workspace: Workspace, small: tuple[Plan, Organisation]
) -> None:
    plan, organisation = small
    today = date(2024, 4, 5)  # 2024Q1 is due in 5 days
    with workspace.engine.begin() as conn:
        _submit(conn, plan, organisation, ON_TIME, "2024Q1", _at(date(2024, 4, 2)))
        rows = late_and_missing(conn, plan, organisation, today)
        units = completeness_by_unit(conn, plan, organisation, today)
    assert sorted((r.unit.code, r.status, r.days) for r in rows) == [
        (LATE, Standing.DUE_SOON, 5),
        (MISSING, Standing.DUE_SOON, 5),
    ]
    assert rows[0].as_json()["days_left"] == 5
    # GOV-08's rule: a report not yet due counts once it is in, not before
    counts = {c.unit.code: c.expected for c in units if c.unit is not None}
    assert counts == {ON_TIME: 1, LATE: 0, MISSING: 0}


def test_a_resubmission_keeps_the_first_submissions_timeliness(
    workspace: Workspace, small: tuple[Plan, Organisation]
) -> None:
    """Lateness is the first submission's: returned and resubmitted later, it stays on time."""
    plan, organisation = small
    today = date(2024, 5, 1)
    with workspace.engine.begin() as conn:
        _submit(conn, plan, organisation, ON_TIME, "2024Q1", _at(date(2024, 4, 9)))
        coordinator = User(2, "dieuphoi", "Điều phối", Role.COORDINATOR, ())
        service = Reporting(conn, plan, organisation, now=_at(date(2024, 4, 12)))
        report = service.open(coordinator, DATASET, ON_TIME, "2024Q1")
        service.return_(coordinator, report, "Kiểm tra lại")
        _submit(conn, plan, organisation, ON_TIME, "2024Q1", _at(date(2024, 4, 20)))
        rows = late_and_missing(conn, plan, organisation, today)
    assert ON_TIME not in {r.unit.code for r in rows}


def test_filters_and_sorting(workspace: Workspace) -> None:
    plan, organisation = workspace.plan(), workspace.organisation()
    assert plan is not None and organisation is not None
    today = date(2025, 11, 8)
    with workspace.engine.connect() as conn:
        everything = late_and_missing(conn, plan, organisation, today)
        wards = late_and_missing(conn, plan, organisation, today, kinds=["ward"])
        one = late_and_missing(conn, plan, organisation, today, dataset="e-health")
    assert {r.unit.kind for r in wards} == {"ward"}
    assert {r.dataset.code for r in one} == {"e-health"} and {r.unit.code for r in one} == {
        "92-SYT"
    }
    assert len(wards) < len(everything)
    # nothing was ever submitted: every report past due is missing, none is late
    assert {r.status for r in everything} == {Standing.MISSING, Standing.DUE_SOON}
    assert all(r.due < today for r in everything if r.status is Standing.MISSING)
    assert all(0 <= r.days <= 7 for r in everything if r.status is Standing.DUE_SOON)
    by_days = sort_rows(everything, "-days")
    assert by_days[0].days == max(r.days for r in everything)
    assert sort_rows(everything, "no-such-column") == sort_rows(everything, "due")


def test_page_totals_equal_gov08_for_the_city(workspace: Workspace) -> None:
    """A few reports in the whole city: the year's totals are GOV-08's stored figures."""
    plan, organisation = workspace.plan(), workspace.organisation()
    assert plan is not None and organisation is not None
    today = date(2025, 11, 8)
    with workspace.engine.begin() as conn:
        _submit(conn, plan, organisation, ON_TIME, "2025Q3", _at(date(2025, 10, 3)))
        _submit(conn, plan, organisation, LATE, "2025Q3", _at(date(2025, 10, 20)))
        _submit(conn, plan, organisation, ON_TIME, "2025Q2", _at(date(2025, 7, 8)))
        Reporting(conn, plan, organisation, now=_at(today)).refresh()
        year = this_year(plan, today)
        units = completeness_by_unit(conn, plan, organisation, today, year=year)
        stored = _stored(conn, CITY, str(year))
    city = total(units)
    assert year == 2025
    assert city.on_time == 2 and city.received == 3
    assert stored == {platform.EXPECTED: float(city.expected), platform.ON_TIME: 2.0}
