"""The official report of a unit and period, gathered from the workspace.

The evaluations are the dashboard's board (`Workspace.board`, the same evaluation as
`dxplan evaluate`), the per-unit figures the readings of `dxplan indicators export`,
the late reports those of the late-reports page: nothing is computed anew here.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Final

from dxplan.domain.period import Calendar, Period
from dxplan.evaluate.reading import readings
from dxplan.official.report import BadDay, OfficialReport, OfficialReportError, build_report
from dxplan.reporting.completeness import Standing, late_and_missing
from dxplan.store import plans as plan_store
from dxplan.store import report_notes
from dxplan.store import values as value_store
from dxplan.workspace import Workspace

# periods end in 9998 (domain/period.py); reports due soon after a day are looked up too
LAST_DAY: Final = date(9998, 6, 30)


def parse_period(text: str, calendar: Calendar) -> Period:
    """The period of `text` in the plan's calendar (`FY2026Q1` for a July–June year); an
    OfficialReportError that says what a period looks like."""
    try:
        return calendar.parse(text)
    except ValueError as error:
        raise OfficialReportError(f"period: {error}") from None


def within(period: Period) -> list[Period]:
    """`period` and every shorter period inside it (a quarter: itself and its months)."""
    found = [period]
    for child in period.children():
        found.extend(within(child))
    return found


def gather(
    workspace: Workspace,
    *,
    period: Period,
    unit: str | None,
    as_of: date,
    hidden: Collection[str] = frozenset(),
) -> OfficialReport:
    """The report of `unit` (default: the plan's root) for `period` as of `as_of`.

    `hidden`: indicators the reader may not see (the policy's answer), left out.
    """
    if as_of > LAST_DAY:
        raise BadDay(f"as_of: {as_of.isoformat()} is past {LAST_DAY.isoformat()}, the last day")
    plan, organisation = workspace.plan(), workspace.organisation()
    if plan is None or organisation is None:
        raise OfficialReportError("the store holds no plan yet: run `dxplan init` first")
    code = unit if unit is not None else organisation.root.code
    if code not in organisation:
        raise OfficialReportError(
            f"unit: {code!r} is not a unit of the organisation (see `dxplan units list`)"
        )
    if period.first_day > as_of:
        raise OfficialReportError(
            f"period: {period} has not begun on {as_of.isoformat()}, the report's date"
        )
    board = workspace.board(period, as_of)
    a_year_before = Period(period.year - 1, period.kind, period.index) if period.year > 1 else None
    before = workspace.board(a_year_before, as_of) if a_year_before is not None else None
    assert board is not None
    measures = {m for i in plan.indicators for m in i.measures}
    with workspace.engine.connect() as conn:
        version = plan_store.latest(conn, plan.code)
        stored = value_store.latest(conn, measures=measures, periods=within(period))
        late = late_and_missing(conn, plan, organisation, as_of)
        notes = report_notes.current(conn, code, period)
        freshness = value_store.newest_recorded_at(conn)
    found = [r for i in plan.indicators for r in readings(i, stored)]
    return build_report(
        plan=plan,
        plan_version=version.version if version is not None else None,
        organisation=organisation,
        unit=code,
        period=period,
        as_of=as_of,
        evaluations=board.evaluations,
        year_before=before.evaluations if before is not None else [],
        late=[r for r in late if r.status is not Standing.DUE_SOON],
        readings=found,
        notes=notes,
        freshness=freshness,
        hidden=hidden,
    )
