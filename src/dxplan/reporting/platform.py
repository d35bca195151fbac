"""Figures dxplan keeps of itself: reports expected and on time (GOV-08), focal points
(GOV-09), and the number of communes and wards (the denominator of SOC-03 and SOC-07).

A report is *expected* once its due date has passed, or earlier if it already came in;
it is *on time* when it was first submitted on or before its due date (local time).
Both are counted in the month the report period ends, for the reporting unit, then
rolled up to the city and to quarters, halves and years like any other figure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final

from sqlalchemy import Connection

from dxplan.domain.computed import COMPUTED
from dxplan.domain.dataset import DataSet
from dxplan.domain.measure import SourceKind
from dxplan.domain.organisation import Organisation
from dxplan.domain.period import Calendar, Period, PeriodKind
from dxplan.domain.plan import Plan
from dxplan.reporting.rollup import Key, roll_up
from dxplan.store import focal_points as focal_store
from dxplan.store import submissions as submission_store
from dxplan.store import values as value_store
from dxplan.store.locks import lock_measures
from dxplan.store.submissions import Submission

SOURCE: Final = SourceKind.PLATFORM.value
ON_TIME, EXPECTED = "reports_on_time", "reports_expected"
WITH_FOCAL_POINT, UNITS_TOTAL = "units_with_focal_point", "units_total"
COMMUNES: Final = "communes_and_wards"
MEASURES: Final = COMPUTED.codes(SourceKind.PLATFORM)


@dataclass(frozen=True)
class Due:
    """One report a unit owes: its data set, period and last day to be on time."""

    dataset: DataSet
    unit: str
    period: Period
    due: date

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.dataset.code, self.unit, str(self.period))


def horizon(plan: Plan, today: date) -> tuple[date, date]:
    """The days dxplan tracks reports for: the plan's year and the one before, to today
    (years of the plan's calendar: July to June for a fiscal year starting in July)."""
    calendar = plan.calendar
    year = calendar.parse(plan.period) if plan.period else calendar.year_of(today)
    first = year.previous().first_day
    last = min(today, year.last_day)
    return first, last


def owed(plan: Plan, organisation: Organisation, today: date) -> Iterator[Due]:
    """Every report whose period ended within the horizon, in data-set order."""
    first, last = horizon(plan, today)
    for dataset in plan.datasets:
        # once per data set, not per period: every submission recounts all of them
        units = [unit.code for unit in dataset.reporting_units(organisation)]
        period = Period.of(dataset.period_kind, first, plan.fiscal_year_start)
        while (end := dataset.window(period)[1]) <= last:
            if end < today:
                due = dataset.due(period)
                for unit in units:
                    yield Due(dataset, unit, period, due)
            period = period.next()


def on_time(report: Submission | None, due: date, calendar: Calendar) -> bool:
    """Whether a report was first submitted by the end of its due day, on the plan's clock."""
    return (
        report is not None
        and report.first_submitted_at is not None
        and calendar.today(report.first_submitted_at) <= due
    )


def received(report: Submission | None) -> bool:
    return report is not None and report.first_submitted_at is not None


def expected(due: Due, report: Submission | None, today: date) -> bool:
    """Whether a report counts as expected so far: past its due date, or already in."""
    return due.due < today or received(report)


def _months(first: date, last: date, year_start: int) -> list[Period]:
    months, month = [], Period.of(PeriodKind.MONTH, first, year_start)
    while month.first_day <= last:
        months.append(month)
        month = month.next()
    return months


def _reports(
    conn: Connection, plan: Plan, organisation: Organisation, today: date
) -> dict[Key, float]:
    """Reports expected and on time, per reporting unit and month the report period ends."""
    base: dict[Key, float] = {}
    reports = {s.key: s for s in submission_store.find(conn)}
    for due in owed(plan, organisation, today):
        report = reports.get("/".join(due.key))
        if not expected(due, report, today):
            continue  # not due yet and not in: not expected so far
        month = Period.of(
            PeriodKind.MONTH, due.dataset.window(due.period)[1], plan.fiscal_year_start
        )
        timely = float(on_time(report, due.due, plan.calendar))
        for measure, count in ((EXPECTED, 1.0), (ON_TIME, timely)):
            key = (measure, due.unit, month)
            base[key] = base.get(key, 0.0) + count
    return base


def _focal_points(
    conn: Connection, plan: Plan, organisation: Organisation, today: date
) -> dict[Key, float]:
    """Per unit that must name one and month: 1 unit in all, 1 if it had one at month end."""
    base: dict[Key, float] = {}
    if plan.focal_points is None:
        return base
    owners = plan.focal_points.units(organisation)
    records = focal_store.history(conn)
    zone = plan.calendar.zone
    tomorrow = datetime.combine(today + timedelta(days=1), time(), zone)
    for month in _months(*horizon(plan, today), plan.fiscal_year_start):
        end = min(month.end_in(zone), tomorrow)
        latest = {r.unit: r for r in records if r.recorded_at < end}
        for unit in owners:
            base[(UNITS_TOTAL, unit.code, month)] = 1.0
            named = unit.code in latest and latest[unit.code].named
            base[(WITH_FOCAL_POINT, unit.code, month)] = float(named)
    return base


def _communes(
    conn: Connection, plan: Plan, organisation: Organisation, today: date
) -> dict[Key, float]:
    """1 per local unit (commune or ward: the `local` kinds) and month: the root counts them."""
    return {
        (COMMUNES, unit.code, month): 1.0
        for month in _months(*horizon(plan, today), plan.fiscal_year_start)
        for unit in organisation.local()
    }


Part = Callable[[Connection, Plan, Organisation, date], dict[Key, float]]

# how each part of the platform's figures is computed; which measures a part fills is
# the registry's (`domain/computed.py`), and a test checks that each part fills them
PARTS: Final[dict[str, Part]] = {
    "reports": _reports,
    "focal_points": _focal_points,
    "communes": _communes,
}


def refresh(
    conn: Connection,
    plan: Plan,
    organisation: Organisation,
    today: date,
    parts: Iterable[str] = tuple(PARTS),
) -> int:
    """Recompute platform figures as of `today` (all, or some `parts`); return versions written."""
    written = 0
    for part in parts:
        compute = PARTS[part]
        used = {m.code for m in plan.measures if m.source is SourceKind.PLATFORM}
        measures = [
            plan.measure(code) for code in COMPUTED.codes(SourceKind.PLATFORM, part) if code in used
        ]
        if not measures:
            continue  # a plan without these measures
        codes = [m.code for m in measures]
        # locked before counting: a recount running at the same time (another
        # submission) commits first and this one then counts its report as well
        lock_measures(conn, codes)
        # only the part's measures the plan has (it may count units with a focal point
        # without the units in total)
        base = {
            key: v for key, v in compute(conn, plan, organisation, today).items() if key[0] in codes
        }
        everything = {**base, **roll_up(base, measures, organisation)}
        written += value_store.sync(
            conn,
            [(m, u, str(p), v) for (m, u, p), v in everything.items()],
            measures=codes,
            source=SOURCE,
            actor="dxplan",
            withdraw_missing=True,
        )
    return written
