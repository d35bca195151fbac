"""The plan's tasks and the units' breakthrough tasks: the list, its Excel file, and the
form that registers a unit's breakthrough task.

`GET /tasks?year=&unit=&by=pillar|unit` lists the tasks of a year, late first, by
pillar or by lead unit; the coordinator's view adds the breakthrough tasks waiting for
approval and the units that have none. Its JSON twin is `GET /api/tasks` (web/api/
tasks.py), made of the same rows. `GET /tasks.xlsx` is the same list as a spreadsheet.
`GET|POST /tasks/breakthrough/new` registers a reporter's unit's breakthrough task.
Every decision is the tasks service's and the policy's: these handlers read the query
or the form, call the service and show what it answered. One task's page is
web/pages/task.py; what both show of a task is web/task_views.py.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from dxplan import policy
from dxplan.domain.account import User
from dxplan.domain.submission import Status
from dxplan.domain.task import TaskKind
from dxplan.exports.tasks import XLSX, TaskSheet, task_workbook
from dxplan.tasks.service import Invalid, TaskError, TaskView
from dxplan.web.auth import PageUser
from dxplan.web.deps import RendererDep, WorkspaceDep
from dxplan.web.pages.account import checked_form
from dxplan.web.permissions import require
from dxplan.web.rendering import Renderer
from dxplan.web.task_views import (
    KIND_LABELS,
    STATUS_LABELS,
    Shown,
    counts,
    default_year,
    late_first,
    reading,
    refused,
    registered,
    shown,
    writing,
)
from dxplan.workspace import Workspace

router = APIRouter(tags=["pages"], include_in_schema=False)

GROUPINGS: Final = ("pillar", "unit")


def _groups(tasks: list[TaskView], show: Shown, by: str) -> list[dict[str, Any]]:
    """The tasks by pillar (the plan's order) or by lead unit (the organisation's)."""
    keyed: dict[str | None, list[TaskView]] = {}
    for task in sorted(tasks, key=late_first):
        keyed.setdefault(task.pillar if by == "pillar" else task.unit_code, []).append(task)
    if by == "pillar":
        order: list[str | None] = [p.code for p in show.plan.pillars]
        label = show.pillar
    else:
        order = [u.code for u in show.organisation]

        def label(code: str | None) -> str:
            return show.unit(code or "")["name"]

    ordered = [k for k in order if k in keyed] + [k for k in keyed if k not in order]
    return [
        {"key": key or "", "label": label(key), "rows": [show.task(t) for t in keyed[key]]}
        for key in ordered
    ]


def _registrable(user: User, tasks: list[TaskView]) -> list[str]:
    """The user's units that may register a breakthrough task and have none in `tasks`."""
    having = {t.unit_code for t in tasks if registered(t)}
    return [
        u
        for u in user.units
        if u not in having and policy.can(user, policy.Action.TASK_UPDATE, policy.UnitRef(u))
    ]


Year = Annotated[
    int | None, Query(ge=1900, le=2999, description="The tasks' year (default: today's)")
]
UnitCode = Annotated[str | None, Query(description="Only the tasks this unit leads or supports")]


@router.get("/tasks", response_class=HTMLResponse)
def tasks_page(
    request: Request,
    workspace: WorkspaceDep,
    renderer: RendererDep,
    user: PageUser,
    year: Year = None,
    unit: UnitCode = None,
    by: str = "pillar",
) -> HTMLResponse:
    """The year's tasks, late first, by pillar or by unit; the coordinator's queue."""
    require(user, policy.Action.TASK_READ, policy.ORGANISATION)
    show = shown(request, renderer, workspace)
    chosen = default_year(workspace, year)
    by = by if by in GROUPINGS else "pillar"
    try:
        with reading(workspace) as tasks:
            found = tasks.list(user, chosen, unit=unit or None)
            everyone = found if not unit else tasks.list(user, chosen)
            oversees = policy.can(user, policy.Action.REPORTS_LATE_READ, policy.ORGANISATION)
            missing = tasks.units_without_breakthrough(user, chosen) if oversees else []
    except TaskError as error:  # an unknown unit
        return refused(request, renderer, HTTPException(error.status, str(error)))
    coordinator = policy.can(user, policy.Action.TASK_APPROVE, policy.ORGANISATION)
    pending = [
        show.task(t)
        for t in sorted(everyone, key=lambda t: t.code)
        if t.kind is TaskKind.BREAKTHROUGH and t.approval is Status.SUBMITTED
    ]
    query = urlencode([(k, v) for k, v in (("year", chosen), ("unit", unit or "")) if v])
    context = {
        "year": chosen,
        "years": sorted({chosen - 1, chosen, workspace.as_of().year}),
        "unit": unit or "",
        "unit_name": show.unit(unit)["name"] if unit else "",
        "by": by,
        "counts": counts(found, show),
        "total": len(found),
        "groups": _groups(found, show, by),
        "coordinator": coordinator,
        "oversees": oversees,
        "pending": pending,
        "missing": [show.unit(u) for u in missing],
        "registrable": [show.unit(u) for u in _registrable(user, everyone)],
        "query": query,
        "flash": request.session.pop("flash", None),
    }
    return renderer.render(request, "tasks.html", context)


@router.get("/tasks.xlsx")
def tasks_xlsx(
    request: Request,
    workspace: WorkspaceDep,
    renderer: RendererDep,
    user: PageUser,
    year: Year = None,
    unit: UnitCode = None,
) -> Response:
    """The list as an Excel workbook: percentages as numbers, days as dates."""
    require(user, policy.Action.TASK_READ, policy.ORGANISATION)
    show = shown(request, renderer, workspace)
    chosen = default_year(workspace, year)
    with reading(workspace) as tasks:
        found = tasks.list(user, chosen, unit=unit or None)
    gettext = show.fmt.gettext
    sheet = TaskSheet(
        title=gettext("Tasks %(year)s") % {"year": chosen},
        headers=[
            gettext("Code"),
            gettext("Task"),
            gettext("Kind"),
            gettext("Pillar"),
            gettext("Lead unit"),
            gettext("Supporting units"),
            gettext("Start"),
            gettext("Deadline"),
            gettext("Status"),
            gettext("Progress (%)"),
            gettext("Updated"),
            gettext("Note"),
        ],
        rows=[
            [
                t.code,
                show.text(t.title),
                gettext(KIND_LABELS[t.kind]),
                show.pillar(t.pillar) if t.pillar else "",
                show.unit(t.unit_code)["name"],
                ", ".join(show.unit(u)["name"] for u in t.supporting),
                t.start,
                t.due,
                gettext(STATUS_LABELS[t.status]),
                t.progress,
                t.updated_at.astimezone(show.dates.zone).replace(tzinfo=None)
                if t.updated_at
                else None,
                t.note or "",
            ]
            for t in sorted(found, key=late_first)
        ],
    )
    name = f"tasks-{chosen}" + (f"-{unit}" if unit else "") + ".xlsx"
    disposition = f'attachment; filename="{name}"'
    return Response(
        task_workbook(sheet), media_type=XLSX, headers={"Content-Disposition": disposition}
    )


# -- registering a breakthrough task ------------------------------------------------------

FIELDS: Final = ("title", "description", "expected_result", "due", "indicators")


def codes(text: str) -> list[str]:
    """Indicator codes typed with commas or spaces between them."""
    return [c for c in text.replace(",", " ").split() if c]


def _form_page(
    request: Request,
    renderer: Renderer,
    workspace: Workspace,
    user: User,
    *,
    given: dict[str, str],
    problems: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    show = shown(request, renderer, workspace)
    units = [
        u for u in user.units if policy.can(user, policy.Action.TASK_UPDATE, policy.UnitRef(u))
    ]
    context = {
        "units": [show.unit(u) for u in units],
        "given": given,
        "problems": problems or [],
        "indicators": [(i.code, show.fmt.name(i.names)) for i in show.plan.indicators],
        "year": default_year(workspace, None),
    }
    return renderer.render(request, "task_breakthrough.html", context, status_code=status_code)


def _may_register(user: User, unit: str | None) -> None:
    """403 unless the user may register a breakthrough task for `unit` (any of theirs)."""
    units = [unit] if unit else list(user.units)
    if not any(policy.can(user, policy.Action.TASK_UPDATE, policy.UnitRef(u)) for u in units):
        require(user, policy.Action.TASK_UPDATE, policy.UnitRef(unit or ""))


def _registrant(user: PageUser) -> User:
    _may_register(user, None)
    return user


async def _register_form(
    request: Request, _user: Annotated[User, Depends(_registrant)]
) -> FormData:
    """The registration form, read only once the policy allowed it."""
    return await checked_form(request)


@router.get("/tasks/breakthrough/new", response_class=HTMLResponse)
def breakthrough_form(
    request: Request,
    workspace: WorkspaceDep,
    renderer: RendererDep,
    user: PageUser,
    unit: str | None = None,
) -> HTMLResponse:
    """The form of a unit's breakthrough task for the year (a reporter's units)."""
    try:
        _may_register(user, unit)
    except HTTPException as error:
        return refused(request, renderer, error)
    given = dict.fromkeys(FIELDS, "") | {"unit": unit or (user.units[0] if user.units else "")}
    return _form_page(request, renderer, workspace, user, given=given)


@router.post("/tasks/breakthrough/new", response_class=HTMLResponse)
def breakthrough_register(
    request: Request,
    workspace: WorkspaceDep,
    renderer: RendererDep,
    user: PageUser,
    form: Annotated[FormData, Depends(_register_form)],
) -> Response:
    """Register the breakthrough task as a draft, then show it (or the form's errors)."""
    given = {f: str(form.get(f) or "").strip() for f in (*FIELDS, "unit")}
    gettext = renderer.formatter(request).gettext
    problems: list[str] = []
    due: date | None = None
    try:
        due = date.fromisoformat(given["due"])
    except ValueError:
        problems.append(gettext("Deadline: give a day such as 2025-12-31."))
    if not given["title"]:
        problems.append(gettext("Task title: this field is required."))
    if given["unit"] not in user.units:
        problems.append(gettext("Unit: choose one of your units."))
    if problems or due is None:
        return _form_page(
            request, renderer, workspace, user, given=given, problems=problems, status_code=422
        )
    indicators = codes(given["indicators"])
    try:
        with writing(workspace) as tasks:
            task = tasks.register_breakthrough(
                user,
                given["unit"],
                default_year(workspace, None),
                title=given["title"],
                description=given["description"] or None,
                expected_result=given["expected_result"] or None,
                due=due,
                indicators=indicators,
            )
    except TaskError as error:
        if error.status in (403, 404):
            raise HTTPException(error.status, str(error)) from None
        problems = error.messages if isinstance(error, Invalid) else [str(error)]
        return _form_page(
            request,
            renderer,
            workspace,
            user,
            given=given,
            problems=problems,
            status_code=error.status,
        )
    request.session["flash"] = gettext(
        "Breakthrough task registered as a draft: submit it for approval."
    )
    return RedirectResponse(f"/tasks/{task.code}", status_code=303)
