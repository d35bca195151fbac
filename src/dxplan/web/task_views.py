"""Tasks as the pages and the API show them: the tasks service over a read or a write,
a task in the reader's language (name, dates, status with its icon), its JSON, and the
tasks the dashboard's unit and alerts pages add for a signed-in reader.

Used by web/pages/tasks.py (the list), web/pages/task.py (one task), web/api/tasks.py
and the dashboard's pages (web/pages/units.py, web/pages/alerts.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, Final
from urllib.parse import urlencode

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse

from dxplan import policy
from dxplan.domain.organisation import Organisation
from dxplan.domain.plan import Plan
from dxplan.domain.task import TaskKind, TaskStatus
from dxplan.i18n import Formatter
from dxplan.tasks.service import Tasks, TaskView
from dxplan.web.dashboard import Scope
from dxplan.web.dates import Dates
from dxplan.web.rendering import Renderer
from dxplan.workspace import Workspace


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
