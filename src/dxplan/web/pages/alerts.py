"""Alerts: the targets going wrong, reported values that jumped, and late reports.

`/alerts` and its JSON twin `/api/dashboard/alerts`. Targets and jumps come from the
board (`Board.alerts`); late and missing reports from the reporting platform's own
count (`late_and_missing`), as of the board's day, cached until a report changes.
Confidential data sets stay out for readers who have not signed in. A signed-in reader
also sees the tasks past their due date and not done (never cached: tasks are theirs).
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import APIRouter
from fastapi.responses import Response

from dxplan.domain.indicator import IndicatorKind
from dxplan.reporting.completeness import Standing, late_and_missing, reports_state
from dxplan.web.dashboard import DashboardDep, Scope
from dxplan.web.responses import refusals
from dxplan.web.task_views import overdue_tasks

router = APIRouter(tags=["dashboard"])

LATE_SHOWN: Final = 25  # the longest overdue; the full list is on /reports/late


def _late(scope: Scope) -> dict[str, Any]:
    board = scope.board
    with scope.workspace.engine.connect() as conn:
        found = late_and_missing(conn, board.plan, board.organisation, board.as_of)
    found = [r for r in found if not any(scope.hides_measure(m) for m in r.dataset.measures)]
    overdue = [r for r in found if r.status is not Standing.DUE_SOON]
    overdue.sort(key=lambda r: (-r.days, r.unit.code))
    return {
        "counts": {s.value: sum(1 for r in found if r.status is s) for s in Standing},
        "rows": [
            r.as_json()
            | {
                "unit_name": scope.fmt.name(r.unit.names),
                "unit_url": scope.link(f"/units/{r.unit.code}"),
                "dataset_name": scope.fmt.name(r.dataset.names),
                "due_text": scope.day(r.due),
            }
            for r in overdue[:LATE_SHOWN]
        ],
        "more": max(0, len(overdue) - LATE_SHOWN),
        "url": "/reports/late",
    }


def alerts(scope: Scope) -> dict[str, Any]:
    """Off-track, not achieved and at-risk targets of the city, then jumps, then late reports."""
    board, fmt = scope.board, scope.fmt
    found = board.alerts()
    targets = []
    for alert in found:
        e = board.get(alert.indicator, alert.unit) if alert.indicator else None
        if alert.kind != "jump" and e is not None and scope.visible(e.indicator):
            targets.append(scope.tile(e) | {"gap_text": fmt.value(e.gap, e.indicator.kind)})
    jumps = []
    for alert in found:
        measure = alert.detail.get("measure")
        if alert.kind != "jump" or measure is None or scope.hides_measure(measure):
            continue
        change = float(alert.detail["change"]) * 100
        jumps.append(
            {
                "unit": scope.unit(alert.unit),
                "period": alert.period,
                "measure": measure,
                "measure_name": fmt.name(scope.plan.measure(measure).names),
                "before": alert.detail["before"],
                "after": alert.detail["after"],
                "before_text": fmt.number(alert.detail["before"]),
                "after_text": fmt.number(alert.detail["after"]),
                "change": change / 100,
                "change_text": ("+" if change > 0 else "−")
                + fmt.value(abs(change), IndicatorKind.RATIO),
            }
        )
    return {**scope.header(), "targets": targets, "jumps": jumps, "late": _late(scope)}


def reports_now(scope: Scope) -> tuple[int, int]:
    """The reports' marker: the view is cached with the board *and* the reports, since a
    submission moves a report off the late list without changing any figure."""
    with scope.workspace.engine.connect() as conn:
        return reports_state(conn)


@router.get("/alerts", include_in_schema=False)
def alerts_page(dashboard: DashboardDep) -> Response:
    return dashboard.page(
        "dashboard_alerts.html", alerts, "/api/dashboard/alerts", reports_now, overdue_tasks
    )


@router.get(
    "/api/dashboard/alerts",
    summary="Targets going wrong, jumps, late reports",
    responses=refusals(401),
)
def alerts_json(dashboard: DashboardDep) -> Response:
    return dashboard.json(alerts, reports_now, overdue_tasks)
