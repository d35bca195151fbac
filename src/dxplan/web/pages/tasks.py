"""The plan's tasks and the units' breakthrough tasks: the list, its Excel file, and the
form that registers a unit's breakthrough task.

`GET /tasks?year=&unit=&by=pillar|unit` lists the tasks of a year, late first, by
pillar or by lead unit; the coordinator's view adds the breakthrough tasks waiting for
approval and the units that have none. Its JSON twin is `GET /api/tasks` (web/api/
tasks.py), made of the same rows. `GET /tasks.xlsx` is the same list as a spreadsheet.
`GET|POST /tasks/breakthrough/new` registers a reporter's unit's breakthrough task.
Every decision is the tasks service's and the policy's: these handlers read the query
or the form, call the service and show what it answered. One task's page is
web/pages/task.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from dxplan import policy
from dxplan.domain.account import User
from dxplan.domain.organisation import Organisation
from dxplan.domain.plan import Plan
from dxplan.domain.submission import Status
from dxplan.domain.task import TaskKind, TaskStatus
from dxplan.exports.tasks import XLSX, TaskSheet, task_workbook
from dxplan.i18n import Formatter
from dxplan.tasks.service import Invalid, TaskError, Tasks, TaskView
from dxplan.web.auth import PageUser
from dxplan.web.dashboard import Scope
from dxplan.web.dates import Dates
from dxplan.web.deps import RendererDep, WorkspaceDep
from dxplan.web.pages.account import checked_form
from dxplan.web.permissions import require
from dxplan.web.rendering import Renderer
from dxplan.workspace import Workspace

router = APIRouter(tags=["pages"], include_in_schema=False)


def _(message: str) -> str:
    """Marks a message for the catalogs; it is translated when shown."""
    return message


# late first: the order of the list within each group and of the tallies
STATUS_ORDER: Final = (
    TaskStatus.OVERDUE,
    TaskStatus.IN_PROGRESS,
    TaskStatus.NOT_STARTED,
    TaskStatus.DONE,
)
# a shape for each status, so that colour is never the only sign
ICONS: Final = {
    TaskStatus.OVERDUE: "✖",
    TaskStatus.IN_PROGRESS: "◐",
    TaskStatus.NOT_STARTED: "○",
    TaskStatus.DONE: "✔",
}
STATUS_LABELS: Final = {
    TaskStatus.OVERDUE: _("Overdue"),
    TaskStatus.IN_PROGRESS: _("In progress"),
    TaskStatus.NOT_STARTED: _("Not yet started"),
    TaskStatus.DONE: _("Done"),
}
KIND_LABELS: Final = {TaskKind.TASK: _("Task"), TaskKind.BREAKTHROUGH: _("Breakthrough task")}
GROUPINGS: Final = ("pillar", "unit")


@contextmanager
def reading(workspace: Workspace) -> Iterator[Tasks]:
    """The tasks service over a read."""
    with workspace.engine.connect() as conn:
        yield Tasks.of(workspace, conn)


@contextmanager
def writing(workspace: Workspace) -> Iterator[Tasks]:
    """The tasks service in a write transaction: all of it is stored, or nothing."""
    with workspace.writing() as conn:
        yield Tasks.of(workspace, conn)


def registered(task: TaskView) -> bool:
    """A unit's own breakthrough task (a plan's breakthrough task has no approval)."""
    return task.kind is TaskKind.BREAKTHROUGH and task.approval is not None


def late_first(task: TaskView) -> tuple[int, date, str]:
    return (STATUS_ORDER.index(task.status), task.due, task.code)


def task_json(task: TaskView) -> dict[str, Any]:
    """A task as the API shows it: the CLI contract's fields, then the details."""
    return task.contract_json() | {
        "year": task.year,
        "pillar": task.pillar,
        "supporting": list(task.supporting),
        "start": task.start.isoformat() if task.start else None,
        "indicators": list(task.indicators),
        "note": task.note,
        "updated_at": task.updated_at.isoformat() if task.updated_at else None,
        "updated_by": task.updated_by,
        "approval": task.approval.value if task.approval is not None else None,
        "review_comment": task.review_comment,
        "expected_result": task.expected_result,
        "version": task.version,
        "url": f"/tasks/{task.code}",
        "evidence": [
            {
                "id": e.id,
                "filename": e.filename,
                "media_type": e.media_type,
                "size": e.size,
                "sha256": e.sha256,
                "uploaded_at": e.uploaded_at.isoformat(),
                "uploaded_by": e.uploaded_by,
                "url": f"/api/tasks/{task.code}/evidence/{e.id}",
            }
            for e in task.evidence
        ],
    }


@dataclass(frozen=True)
class Shown:
    """Tasks in the reader's language: names, dates, statuses with their icons."""

    fmt: Formatter
    dates: Dates
    plan: Plan
    organisation: Organisation

    def unit(self, code: str) -> dict[str, str]:
        name = self.fmt.name(self.organisation[code].names) if code in self.organisation else code
        return {"code": code, "name": name, "url": f"/units/{code}"}

    def pillar(self, code: str | None) -> str:
        found = [p for p in self.plan.pillars if p.code == code]
        return self.fmt.name(found[0].names) if found else self.fmt.gettext("Other tasks")

    def text(self, value: object) -> str:
        """A text of the task: in the reader's language when it has several."""
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        return self.fmt.name(value)  # type: ignore[arg-type]

    def task(self, task: TaskView) -> dict[str, Any]:
        """What a row and the task's page show of `task`."""
        gettext = self.fmt.gettext
        return {
            "code": task.code,
            "title": self.text(task.title),
            "kind": task.kind.value,
            "kind_label": gettext(KIND_LABELS[task.kind]),
            "status": task.status.value,
            "status_label": gettext(STATUS_LABELS[task.status]),
            "status_icon": ICONS[task.status],
            "progress": task.progress,
            "progress_text": f"{self.fmt.number(task.progress)}%",
            "due": task.due.isoformat(),
            "due_text": self.dates.day(task.due),
            "start_text": self.dates.day(task.start) if task.start else "",
            "lead": self.unit(task.unit_code),
            "supporting": [self.unit(u) for u in task.supporting],
            "pillar": task.pillar,
            "pillar_name": self.pillar(task.pillar),
            "indicators": list(task.indicators),
            "approval": task.approval.value if task.approval is not None else None,
            "note": task.note or "",  # the unit's latest word: why a task is late
            "url": f"/tasks/{task.code}",
        }


def shown(request: Request, renderer: Renderer, workspace: Workspace) -> Shown:
    plan, organisation = workspace.plan(), workspace.organisation()
    if plan is None or organisation is None:
        raise HTTPException(503, "The store holds no plan yet: run `dxplan init`.")
    return Shown(renderer.formatter(request), renderer.dates(request), plan, organisation)


def refused(request: Request, renderer: Renderer, error: HTTPException) -> HTMLResponse:
    """A small page saying why a task cannot be shown or acted on (403, 404)."""
    context = {"status": error.status_code, "detail": error.detail}
    return renderer.render(request, "tasks_error.html", context, status_code=error.status_code)


def default_year(workspace: Workspace, year: int | None) -> int:
    return year if year is not None else workspace.as_of().year


def counts(tasks: list[TaskView], show: Shown) -> list[dict[str, Any]]:
    """How many tasks have each status, late first (zeros included)."""
    return [
        {
            "status": s.value,
            "label": show.fmt.gettext(STATUS_LABELS[s]),
            "icon": ICONS[s],
            "count": sum(1 for t in tasks if t.status is s),
        }
        for s in STATUS_ORDER
    ]


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


# -- on the dashboard's pages: a unit's tasks, the overdue ones on /alerts ------------------


def _scope_shown(scope: Scope) -> Shown:
    dates = Dates(scope.fmt.language, scope.plan.calendar.zone)
    return Shown(scope.fmt, dates, scope.plan, scope.organisation)


def unit_tasks(scope: Scope, code: str) -> dict[str, Any]:
    """The unit's tasks of the board's year, late first, and its breakthrough task, for a
    reader who may read them (nothing for the wall screen)."""
    reader = scope.reader
    if reader is None or not policy.can(reader, policy.Action.TASK_READ, policy.UnitRef(code)):
        return {}
    year = scope.board.period.year_period().year
    with reading(scope.workspace) as tasks:
        found = sorted(tasks.list(reader, year, unit=code, as_of=scope.board.as_of), key=late_first)
    show = _scope_shown(scope)
    chosen = next((t for t in found if registered(t) and t.unit_code == code), None)
    return {
        "tasks": {
            "year": year,
            "counts": counts(found, show),
            "rows": [show.task(t) for t in found if t is not chosen],
            "breakthrough": show.task(chosen) if chosen is not None else None,
            "url": "/tasks?" + urlencode({"year": year, "unit": code}),
        }
    }


def overdue_tasks(scope: Scope) -> dict[str, Any]:
    """Tasks past their due date and not done as of the board's day, longest overdue
    first, for a reader who may read tasks."""
    reader = scope.reader
    if reader is None or not policy.can(reader, policy.Action.TASK_READ, policy.ORGANISATION):
        return {}
    with reading(scope.workspace) as tasks:
        found = tasks.overdue(reader, as_of=scope.board.as_of)
    show = _scope_shown(scope)
    rows = [
        show.task(t) | {"days_late": (scope.board.as_of - t.due).days}
        for t in sorted(found, key=lambda t: (t.due, t.code))
    ]
    return {"overdue_tasks": {"rows": rows, "url": "/tasks"}}
