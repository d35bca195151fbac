"""Late and missing reports, and how complete each unit's reporting is.

Everything here is counted with the platform's own rules (`platform.owed`, `expected`,
`received`, `on_time`): the totals of a year are GOV-08's figures for the city, never
a second count that could drift from them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import Connection

from dxplan.domain.dataset import DataSet
from dxplan.domain.organisation import Organisation
from dxplan.domain.period import Period
from dxplan.domain.plan import Plan
from dxplan.domain.unit import Unit, UnitKind
from dxplan.reporting.platform import Due, expected, horizon, on_time, owed, received
from dxplan.store import submissions as submission_store
from dxplan.store.submissions import Submission

DUE_SOON_DAYS: Final = 7  # reports due within this many days are listed as "due soon"


class Standing(StrEnum):
    """Why a report is listed."""

    MISSING = "missing"  # past its due date and never submitted
    LATE = "late"  # first submitted after its due date
    DUE_SOON = "due_soon"  # due within DUE_SOON_DAYS and not submitted yet


_RANK: Final = {Standing.MISSING: 0, Standing.LATE: 1, Standing.DUE_SOON: 2}


@dataclass(frozen=True)
class LateReport:
    """One listed report; `days`: days late (to today if missing) or, due soon, days left."""

    dataset: DataSet
    unit: Unit
    period: Period
    due: date
    status: Standing
    days: int
    submitted_at: datetime | None

    @property
    def path(self) -> str:
        """The report form's address."""
        return f"/reports/{self.dataset.code}/{self.unit.code}/{self.period}"

    def as_json(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset.code,
            "unit": self.unit.code,
            "unit_kind": self.unit.kind,
            "period": str(self.period),
            "due": self.due.isoformat(),
            "status": self.status.value,
            "days_late": self.days if self.status is not Standing.DUE_SOON else None,
            "days_left": self.days if self.status is Standing.DUE_SOON else None,
            "submitted_at": self.submitted_at.isoformat() if self.submitted_at else None,
            "url": self.path,
        }


@dataclass(frozen=True)
class Completeness:
    """Reports expected, received and on time: of one unit, or (`unit` None) of all."""

    unit: Unit | None
    expected: int = 0
    received: int = 0
    on_time: int = 0

    @property
    def share(self) -> float | None:
        """Share on time in percent (GOV-08's value); None when nothing is expected."""
        return 100.0 * self.on_time / self.expected if self.expected else None

    def as_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit.code if self.unit else None,
            "expected": self.expected,
            "received": self.received,
            "on_time": self.on_time,
            "share_on_time": self.share,
        }


def reporting_kinds(plan: Plan, organisation: Organisation) -> list[UnitKind]:
    """The declared kinds that have a unit owing some report: the page's unit filter."""
    reporting = {u.kind for d in plan.datasets for u in d.reporting_units(organisation)}
    return [k for k in organisation.kinds.kinds if k.code in reporting]


def this_year(plan: Plan, today: date) -> int:
    """The year the page's "share on time" is of: the last one dxplan tracks (the plan
    calendar's: 2026 for FY2026)."""
    return plan.calendar.year_of(horizon(plan, today)[1]).year


def _chosen(
    plan: Plan, organisation: Organisation, today: date, dataset: str | None, kinds: set[str]
) -> Iterator[tuple[Due, Unit]]:
    for due in owed(plan, organisation, today):
        unit = organisation[due.unit]
        if (dataset is None or due.dataset.code == dataset) and (not kinds or unit.kind in kinds):
            yield due, unit


def reports_state(conn: Connection) -> tuple[int, int]:
    """A marker that changes whenever any report does: a view of the late and missing
    reports built on another marker is out of date (figures may not have changed)."""
    return submission_store.state(conn)


def _submissions(conn: Connection, dataset: str | None) -> dict[str, Submission]:
    found = submission_store.find(conn, datasets=None if dataset is None else [dataset])
    return {s.key: s for s in found}


def late_and_missing(
    conn: Connection,
    plan: Plan,
    organisation: Organisation,
    today: date,
    *,
    dataset: str | None = None,
    kinds: Iterable[str] = (),
    soon_days: int = DUE_SOON_DAYS,
) -> list[LateReport]:
    """Missing and late reports whose due date has passed, then those due within
    `soon_days`, by due date.

    `dataset` and `kinds` narrow the list to one data set and to units of some kinds.
    """
    reports = _submissions(conn, dataset)
    calendar = plan.calendar
    soon = today + timedelta(days=soon_days)
    rows: list[LateReport] = []
    # owed as of the day after `soon`: also reports due soon whose period just ended
    for due, unit in _chosen(plan, organisation, soon + timedelta(days=1), dataset, set(kinds)):
        report = reports.get("/".join(due.key))
        first = report.first_submitted_at if report is not None else None
        if due.due < today and not received(report):
            status, days = Standing.MISSING, (today - due.due).days
        elif due.due < today and first is not None and not on_time(report, due.due, calendar):
            status, days = Standing.LATE, (calendar.today(first) - due.due).days
        elif today <= due.due <= soon and not received(report):
            status, days = Standing.DUE_SOON, (due.due - today).days
        else:
            continue
        rows.append(LateReport(due.dataset, unit, due.period, due.due, status, days, first))
    return sort_rows(rows, "due")


def completeness_by_unit(
    conn: Connection,
    plan: Plan,
    organisation: Organisation,
    today: date,
    *,
    year: int | None = None,
    dataset: str | None = None,
    kinds: Iterable[str] = (),
) -> list[Completeness]:
    """Per reporting unit (tree order): reports expected, received and on time so far.

    `year`: only reports whose period ends in that year (GOV-08 counts a report in the
    month its period ends). Units that report but owe nothing yet are listed with zeros.
    """
    reports = _submissions(conn, dataset)
    chosen = set(kinds)
    counts: dict[str, list[int]] = {
        unit.code: [0, 0, 0]
        for d in plan.datasets
        if dataset is None or d.code == dataset
        for unit in d.reporting_units(organisation)
        if not chosen or unit.kind in chosen
    }
    for due, unit in _chosen(plan, organisation, today, dataset, chosen):
        report = reports.get("/".join(due.key))
        ends = due.dataset.window(due.period)[1]
        if year is not None and plan.calendar.year_of(ends).year != year:
            continue
        if not expected(due, report, today):
            continue
        tally = counts[unit.code]
        tally[0] += 1
        tally[1] += received(report)
        tally[2] += on_time(report, due.due, plan.calendar)
    return [Completeness(unit, *counts[unit.code]) for unit in organisation if unit.code in counts]


def total(rows: Iterable[Completeness]) -> Completeness:
    """The sum over units."""
    expected_, received_, on_time_ = 0, 0, 0
    for row in rows:
        expected_ += row.expected
        received_ += row.received
        on_time_ += row.on_time
    return Completeness(None, expected_, received_, on_time_)


_SORTS: Final[dict[str, Callable[[LateReport], Any]]] = {
    "status": lambda r: (_RANK[r.status], r.due, r.unit.code),
    "dataset": lambda r: (r.dataset.code, r.period, r.unit.code),
    "unit": lambda r: (r.unit.code, r.due, r.dataset.code),
    "period": lambda r: (r.period, r.dataset.code, r.unit.code),
    "due": lambda r: (r.due, r.dataset.code, r.unit.code),
    "days": lambda r: (r.days, r.dataset.code, r.unit.code),
    "submitted": lambda r: (r.submitted_at is None, r.submitted_at, r.unit.code),
}
SORTS: Final = tuple(_SORTS)


def sort_rows(rows: Iterable[LateReport], sort: str) -> list[LateReport]:
    """Rows sorted by a column of SORTS; `-column` sorts it descending; unknown: by due date."""
    name = sort.removeprefix("-")
    key = _SORTS.get(name, _SORTS["due"])
    return sorted(rows, key=key, reverse=sort.startswith("-") and name in _SORTS)
