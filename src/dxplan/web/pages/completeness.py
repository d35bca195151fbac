"""Late and missing reports: what the coordinator chases, with whom to call.

`GET /reports/late` (coordinators and admins) and its JSON twin `GET /api/reports/late`
list the same rows from the same call: missing and late reports, those due soon, and
each reporting unit's completeness this year (GOV-08's counting).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from dxplan import policy
from dxplan.domain.account import User
from dxplan.domain.dataset import DataSet
from dxplan.domain.period import Period, PeriodKind
from dxplan.domain.plan import Plan
from dxplan.domain.unit import UnitKind
from dxplan.reporting.completeness import (
    SORTS,
    Completeness,
    LateReport,
    Standing,
    completeness_by_unit,
    late_and_missing,
    reporting_kinds,
    sort_rows,
    this_year,
    total,
)
from dxplan.store import focal_points as focal_store
from dxplan.store.focal_points import FocalPoint
from dxplan.web.auth import ApiUser, PageUser
from dxplan.web.dates import dial
from dxplan.web.deps import RendererDep, WorkspaceDep
from dxplan.web.responses import refusals
from dxplan.workspace import Workspace

router = APIRouter(tags=["reports"])

DEFAULT_SORT = "status"


@dataclass(frozen=True)
class LateView:
    """Everything the page and its twin show, for the chosen filters and order."""

    today: date
    year: int
    datasets: list[DataSet]
    dataset: str | None
    kind: str | None
    kinds: list[UnitKind]  # the kinds that report: the filter's choices
    sort: str
    rows: list[LateReport]
    units: list[Completeness]
    total: Completeness
    focal_points: dict[str, FocalPoint]
    year_label: str = ""  # the year as the plan writes it: 2025, or FY2026 in a fiscal plan

    def count(self, status: str) -> int:
        """How many rows have this status (a Standing or its value)."""
        return sum(1 for r in self.rows if r.status == status)


def _allowed(user: User) -> None:
    """Coordinators and admins only: the page shows every unit's reports."""
    if not policy.can(user, policy.Action.REPORTS_LATE_READ, policy.ORGANISATION):
        raise HTTPException(403, "Only coordinators and administrators see late reports.")


def _late(workspace: Workspace, dataset: str | None, kind: str | None, sort: str) -> LateView:
    with workspace.engine.connect() as conn:
        service = workspace.reporting(conn)
        plan, organisation, today = service.plan, service.organisation, service.today
        chosen = dataset if plan.dataset(dataset or "") is not None else None
        choices = reporting_kinds(plan, organisation)
        unit_kind = next((k.code for k in choices if k.code == kind), None)
        kinds = [unit_kind] if unit_kind else []
        order = sort if sort.removeprefix("-") in SORTS else DEFAULT_SORT
        rows = late_and_missing(conn, plan, organisation, today, dataset=chosen, kinds=kinds)
        year = this_year(plan, today)
        units = completeness_by_unit(
            conn, plan, organisation, today, year=year, dataset=chosen, kinds=kinds
        )
        return LateView(
            today=today,
            year=year,
            datasets=plan.datasets,
            dataset=chosen,
            kind=unit_kind,
            kinds=choices,
            sort=order,
            rows=sort_rows(rows, order),
            units=units,
            total=total(units),
            focal_points=focal_store.current(conn),
            year_label=_label(plan, year),
        )


def _label(plan: Plan, year: int) -> str:
    """`2025`, or `FY2026` when the plan's year is a fiscal year."""
    return str(Period(year, PeriodKind.YEAR, 1, plan.fiscal_year_start))


@router.get("/reports/late", response_class=HTMLResponse, include_in_schema=False)
def late_page(
    request: Request,
    workspace: WorkspaceDep,
    renderer: RendererDep,
    user: PageUser,
    dataset: str | None = None,
    kind: str | None = None,
    sort: str = DEFAULT_SORT,
) -> HTMLResponse:
    _allowed(user)
    view = _late(workspace, dataset, kind, sort)
    language = renderer.language(request)
    kinds = [{"code": k.code, "name": k.names.get(language)} for k in view.kinds]
    context = {"view": view, "kinds": kinds, "when": renderer.dates(request), "dial": dial}
    return renderer.render(request, "late.html", context)


def _focal_json(found: FocalPoint | None) -> dict[str, Any] | None:
    if found is None or not found.named:
        return None
    return {"name": found.name, "title": found.title, "phone": found.phone, "email": found.email}


@router.get(
    "/api/reports/late",
    summary="Late, missing and soon-due reports",
    responses=refusals(401, 403),
)
def late_json(
    workspace: WorkspaceDep,
    user: ApiUser,
    dataset: str | None = None,
    kind: str | None = None,
    sort: str = DEFAULT_SORT,
) -> dict[str, Any]:
    """The late-reports page as JSON: the same rows, counts and per-unit completeness.

    Filters: `dataset` (a data-set code), `kind` (a kind of unit the plan declares, e.g.
    commune); `sort` names a column (status, dataset, unit, period, due, days, submitted),
    `-` before it reverses.
    """
    _allowed(user)
    view = _late(workspace, dataset, kind, sort)
    return {
        "today": view.today.isoformat(),
        "year": view.year,
        "counts": {s.value: view.count(s) for s in Standing},
        "share_on_time": view.total.share,
        "rows": [
            {**r.as_json(), "focal_point": _focal_json(view.focal_points.get(r.unit.code))}
            for r in view.rows
        ],
        "units": [u.as_json() for u in view.units],
        "total": view.total.as_json(),
    }
