"""Focal points: each unit's digital-transformation lead, its history, and the plan's
focal-point indicator (GOV-09 in the shipped plan).

`GET /focal-points` lists every unit that must name one; `GET /focal-points/{unit}`
shows one unit's focal point with its whole history and, to those who may change it,
a form posting to `POST /focal-points/{unit}`. JSON twins: `GET /api/focal-points`
and `GET /api/focal-points/{unit}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dxplan import policy
from dxplan.domain.account import User
from dxplan.domain.unit import Unit, UnitKinds
from dxplan.reporting import focal_points as focal
from dxplan.reporting.focal_points import Coverage, Entry
from dxplan.reporting.platform import WITH_FOCAL_POINT
from dxplan.store import focal_points as focal_store
from dxplan.store.focal_points import FocalPoint
from dxplan.web.auth import ApiUser, PageUser
from dxplan.web.dates import dial
from dxplan.web.deps import RendererDep, WorkspaceDep
from dxplan.web.pages.account import CheckedForm
from dxplan.web.permissions import require
from dxplan.web.responses import refusals
from dxplan.workspace import Workspace

router = APIRouter(tags=["focal points"])


@dataclass(frozen=True)
class Registry:
    """The units that must name a focal point, each one's current record, and the coverage."""

    units: list[Unit]
    current: dict[str, FocalPoint]
    since: dict[str, datetime | None]
    coverage: Coverage
    kinds: UnitKinds  # the organisation's declared kinds, for their names
    indicators: list[str]  # the plan's indicators over the focal-point measure


def _registry(workspace: Workspace) -> Registry:
    plan, organisation = workspace.plan(), workspace.organisation()
    if plan is None or organisation is None:
        raise HTTPException(503, "The store holds no plan yet: run `dxplan init`.")
    units = focal.units(plan, organisation)
    with workspace.engine.connect() as conn:
        records = focal_store.history(conn)
    by_unit: dict[str, list[FocalPoint]] = {}
    for record in records:
        by_unit.setdefault(record.unit, []).append(record)
    current = {code: history[-1] for code, history in by_unit.items()}
    since = {code: focal.since(history) for code, history in by_unit.items()}
    coverage = focal.coverage(units, current)
    indicators = [i.code for i in plan.indicators if WITH_FOCAL_POINT in i.measures]
    return Registry(units, current, since, coverage, organisation.kinds, indicators)


def _unit(workspace: Workspace, code: str) -> tuple[Unit, list[FocalPoint]]:
    """The unit (404 unless it must name a focal point) and its history, oldest first."""
    unit = next((u for u in _registry(workspace).units if u.code == code), None)
    if unit is None:
        raise HTTPException(404, f"{code} is not a unit that names a focal point.")
    with workspace.engine.connect() as conn:
        return unit, focal_store.history(conn, code)


def _page(
    request: Request,
    renderer: RendererDep,
    user: User,
    unit: Unit,
    history: list[FocalPoint],
    *,
    given: dict[str, str] | None = None,
    problems: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    current = history[-1] if history else None
    if given is None:
        given = {f: (getattr(current, f) or "") if current else "" for f in focal.FIELDS}
    context = {
        "unit": unit,
        "current": current if current is not None and current.named else None,
        "since": focal.since(history),
        "history": list(reversed(history)),
        "may_set": focal.may_set(user, unit.code),
        "given": given,
        "problems": problems or {},
        "saved": request.query_params.get("saved") == "1",
        "when": renderer.dates(request),
        "dial": dial,
    }
    return renderer.render(request, "focal_point.html", context, status_code=status_code)


@router.get("/focal-points", response_class=HTMLResponse, include_in_schema=False)
def focal_points_page(
    request: Request, workspace: WorkspaceDep, renderer: RendererDep, user: PageUser
) -> HTMLResponse:
    require(user, policy.Action.FOCAL_POINT_READ, policy.ORGANISATION)
    context = {
        "registry": _registry(workspace),
        "when": renderer.dates(request),
        "dial": dial,
    }
    return renderer.render(request, "focal_points.html", context)


@router.get("/focal-points/{unit}", response_class=HTMLResponse, include_in_schema=False)
def focal_point_page(
    unit: str, request: Request, workspace: WorkspaceDep, renderer: RendererDep, user: PageUser
) -> HTMLResponse:
    require(user, policy.Action.FOCAL_POINT_READ, policy.UnitRef(unit))
    found, history = _unit(workspace, unit)
    return _page(request, renderer, user, found, history)


@router.post("/focal-points/{unit}", response_class=HTMLResponse, include_in_schema=False)
def focal_point_submit(
    unit: str,
    request: Request,
    workspace: WorkspaceDep,
    renderer: RendererDep,
    user: PageUser,
    form: CheckedForm,
) -> Response:
    require(user, policy.Action.FOCAL_POINT_SET, policy.UnitRef(unit))
    found, history = _unit(workspace, unit)
    given = {f: str(form.get(f, "")) for f in focal.FIELDS}
    entry, problems = focal.check(given, remove=form.get("remove") == "1")
    if problems:
        gettext = renderer.formatter(request).gettext
        shown = {f: gettext(message) for f, message in problems.items()}
        return _page(
            request, renderer, user, found, history, given=given, problems=shown, status_code=422
        )
    _save(workspace, unit, entry, user)
    return RedirectResponse(f"/focal-points/{unit}?saved=1", status_code=303)


def _save(workspace: Workspace, unit: str, entry: Entry, user: User) -> None:
    """Record and recompute the focal-point figures in one transaction."""
    with workspace.writing() as conn:
        service = workspace.reporting(conn)
        focal.save(
            conn,
            service.plan,
            service.organisation,
            unit,
            entry,
            actor=user.username,
            at=service.now(),
        )


def _record_json(record: FocalPoint) -> dict[str, Any]:
    return {
        "name": record.name,
        "title": record.title,
        "phone": record.phone,
        "email": record.email,
        "recorded_at": record.recorded_at.isoformat(),
        "recorded_by": record.recorded_by,
    }


@router.get(
    "/api/focal-points",
    summary="Each unit's current focal point",
    responses=refusals(401, 403),
)
def focal_points_json(workspace: WorkspaceDep, user: ApiUser) -> dict[str, Any]:
    """Every unit that must name a focal point, its current one (or null), and the coverage."""
    require(user, policy.Action.FOCAL_POINT_READ, policy.ORGANISATION)
    registry = _registry(workspace)
    return {
        "with_focal_point": registry.coverage.named,
        "units_total": registry.coverage.total,
        "share": registry.coverage.share,
        "units": [
            {
                "unit": u.code,
                "kind": u.kind,
                "name": u.name,
                "focal_point": _record_json(registry.current[u.code])
                if u.code in registry.current and registry.current[u.code].named
                else None,
            }
            for u in registry.units
        ],
    }


@router.get(
    "/api/focal-points/{unit}",
    summary="A unit's focal point and its history",
    responses=refusals(401, 403, 404),
)
def focal_point_json(unit: str, workspace: WorkspaceDep, user: ApiUser) -> dict[str, Any]:
    """The unit's current focal point (null if none) and every record, oldest first."""
    require(user, policy.Action.FOCAL_POINT_READ, policy.UnitRef(unit))
    found, history = _unit(workspace, unit)
    current = history[-1] if history and history[-1].named else None
    return {
        "unit": found.code,
        "name": found.name,
        "focal_point": _record_json(current) if current else None,
        "history": [_record_json(r) for r in history],
    }
