"""The tasks API: the /tasks page's rows, one task, progress, breakthrough tasks, evidence.

`GET /api/tasks?year=&unit=`; `GET /api/tasks/{code}`; `POST /api/tasks/{code}/progress`
(JSON, or multipart with evidence files); `POST /api/tasks/breakthrough`;
`POST /api/tasks/{code}/submit|approve|return`; `GET /api/tasks/{code}/evidence/{id}`.
The same bearer tokens and roles as reports: a reporter acts on its own units' tasks, a
coordinator approves or returns breakthrough tasks, a viewer reads. Invisible tasks are
404, forbidden actions 403 (asked before the body is read), bad input 422 naming the
field, a task changed meanwhile or in the wrong state 409.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from dxplan import policy
from dxplan.domain.task import Progress
from dxplan.tasks.service import TaskView
from dxplan.web.auth import ApiUser
from dxplan.web.deps import WorkspaceDep
from dxplan.web.pages.task import (
    WORKFLOW,
    act,
    allowed,
    evidence_response,
    percent_of,
    readable,
    uploads,
)
from dxplan.web.permissions import require
from dxplan.web.responses import refusals
from dxplan.web.task_views import default_year, late_first, reading, task_json, writing

router = APIRouter(prefix="/api", tags=["tasks"])

MULTIPART: Final = "multipart/form-data"
FORM: Final = "application/x-www-form-urlencoded"


class EvidenceOut(BaseModel):
    id: int | str
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_at: str
    uploaded_by: str | None
    url: str


class TaskOut(BaseModel):
    code: str
    title: str = Field(description="In the plan's first language")
    unit_code: str = Field(description="The lead unit")
    kind: str = Field(description="task or breakthrough")
    due: str = Field(description="YYYY-MM-DD")
    status: str = Field(description="not_started, in_progress, done or overdue")
    progress: int = Field(description="0 to 100")
    year: int
    pillar: str | None
    supporting: list[str]
    start: str | None
    indicators: list[str]
    note: str | None
    updated_at: str | None
    updated_by: str | None
    approval: str | None = Field(
        description="Breakthrough tasks: draft, submitted, approved or returned"
    )
    review_comment: str | None
    expected_result: str | None
    version: int = Field(description="Send it back with a progress update: a newer one is 409")
    url: str
    evidence: list[EvidenceOut]


class HistoryOut(BaseModel):
    percent: int
    progress: str
    note: str | None
    recorded_at: str
    recorded_by: str | None
    evidence: list[int | str]


class TaskDetailOut(TaskOut):
    history: list[HistoryOut]


class ProgressIn(BaseModel):
    percent: int = Field(description="0 to 100; a done task is at 100")
    progress: Progress
    note: str | None = Field(default=None, max_length=4000)
    version: int | None = Field(default=None, description="The version you read")


class BreakthroughIn(BaseModel):
    unit: str = Field(description="One of your units")
    year: int | None = Field(
        default=None, ge=1900, le=2999, description="Default: the current year"
    )
    title: str = Field(min_length=1, max_length=500)
    description: str | None = Field(default=None, max_length=4000)
    expected_result: str | None = Field(default=None, max_length=4000)
    due: date
    indicators: list[str] = Field(default_factory=list)


class ReturnIn(BaseModel):
    comment: str = Field(min_length=1, max_length=4000)


def _out(task: TaskView) -> TaskOut:
    return TaskOut.model_validate(task_json(task))


def _detail(workspace: WorkspaceDep, user: Any, task: TaskView) -> TaskDetailOut:
    with reading(workspace) as tasks:
        history = tasks.history(user, task.code)
    return TaskDetailOut.model_validate(
        task_json(task)
        | {
            "history": [
                {
                    "percent": h.percent,
                    "progress": Progress(h.progress).value,
                    "note": h.note,
                    "recorded_at": h.recorded_at.isoformat(),
                    "recorded_by": h.recorded_by,
                    "evidence": list(h.evidence),
                }
                for h in history
            ]
        }
    )


@router.get(
    "/tasks", summary="The year's tasks (the /tasks page)", responses=refusals(401, 403, 404, 422)
)
def tasks_json(
    workspace: WorkspaceDep,
    user: ApiUser,
    year: Annotated[
        int | None, Query(ge=1900, le=2999, description="Default: the current year")
    ] = None,
    unit: Annotated[str | None, Query(description="Tasks this unit leads or supports")] = None,
) -> list[TaskOut]:
    """The plan's tasks and the units' breakthrough tasks of the year, late first."""
    require(user, policy.Action.TASK_READ, policy.ORGANISATION)
    with reading(workspace) as tasks:
        found = tasks.list(user, default_year(workspace, year), unit=unit or None)
    return [_out(t) for t in sorted(found, key=late_first)]


@router.get(
    "/tasks/{code}", summary="A task, its history and evidence", responses=refusals(401, 404)
)
def task_json_one(code: str, workspace: WorkspaceDep, user: ApiUser) -> TaskDetailOut:
    return _detail(workspace, user, readable(workspace, user, code))


def _updater(code: str, workspace: WorkspaceDep, user: ApiUser) -> TaskView:
    return allowed(workspace, user, code, policy.Action.TASK_UPDATE)


PROGRESS_BODY: Final = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": ProgressIn.model_json_schema()},
            MULTIPART: {
                "schema": {
                    "type": "object",
                    "required": ["percent", "progress"],
                    "properties": {
                        "percent": {"type": "integer", "minimum": 0, "maximum": 100},
                        "progress": {"type": "string", "enum": [p.value for p in Progress]},
                        "note": {"type": "string"},
                        "version": {"type": "integer"},
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                        },
                    },
                }
            },
        },
    }
}


@router.post(
    "/tasks/{code}/progress",
    summary="Report progress, with evidence files",
    responses=refusals(401, 403, 404, 409, 422),
    openapi_extra=PROGRESS_BODY,
)
async def task_progress(
    code: str,
    request: Request,
    workspace: WorkspaceDep,
    user: ApiUser,
    task: Annotated[TaskView, Depends(_updater)],
) -> TaskDetailOut:
    """A progress update (percent, progress, note) as JSON, or as multipart/form-data with
    `files`: PDF, DOCX, XLSX, PNG or JPEG. All of it is stored, or nothing."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    form = None
    if kind in (MULTIPART, FORM):  # a form without files comes URL-encoded
        form = await request.form()
        raw: dict[str, Any] = {
            k: str(form.get(k)) for k in ("percent", "progress", "note", "version") if form.get(k)
        }
        if "percent" in raw:
            raw["percent"] = percent_of(raw["percent"])
    else:
        try:
            raw = json.loads(await request.body() or b"null")
        except ValueError:
            raise HTTPException(422, "The body is not JSON.") from None
    try:
        given = ProgressIn.model_validate(raw)
    except ValidationError as error:
        problems = [
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in error.errors()
        ]
        raise HTTPException(422, "; ".join(problems)) from None

    def store() -> TaskDetailOut:
        with writing(workspace) as tasks:
            done = tasks.update_progress(
                user,
                task.code,
                percent=given.percent,
                progress=given.progress,
                note=given.note,
                files=uploads(form) if form is not None else [],
                read_version=given.version,
            )
        return _detail(workspace, user, done)

    return await run_in_threadpool(store)


def _registrant(user: ApiUser) -> None:
    """403 unless the user reports for some unit (asked before the body is read)."""
    if not any(policy.can(user, policy.Action.TASK_UPDATE, policy.UnitRef(u)) for u in user.units):
        require(user, policy.Action.TASK_UPDATE, policy.UnitRef(""))


@router.post(
    "/tasks/breakthrough",
    summary="Register a unit's breakthrough task (a draft)",
    responses=refusals(401, 403, 404, 409, 422),
    dependencies=[Depends(_registrant)],
    status_code=201,
)
def register_breakthrough(body: BreakthroughIn, workspace: WorkspaceDep, user: ApiUser) -> TaskOut:
    """Your unit's breakthrough task for the year; one per unit and year."""
    require(user, policy.Action.TASK_UPDATE, policy.UnitRef(body.unit))
    with writing(workspace) as tasks:
        task = tasks.register_breakthrough(
            user,
            body.unit,
            default_year(workspace, body.year),
            title=body.title,
            description=body.description,
            expected_result=body.expected_result,
            due=body.due,
            indicators=body.indicators,
        )
    return _out(task)


def _workflow(action: str, code: str, workspace: WorkspaceDep, user: ApiUser) -> TaskView:
    if action not in WORKFLOW:
        raise HTTPException(404, f"no action {action!r}: submit, approve or return")
    return allowed(workspace, user, code, WORKFLOW[action][0])


@router.post(
    "/tasks/{code}/{action}",
    summary="Submit, approve or return a breakthrough task",
    responses=refusals(401, 403, 404, 409, 422),
)
def task_workflow(
    code: str,
    action: str,
    workspace: WorkspaceDep,
    user: ApiUser,
    task: Annotated[TaskView, Depends(_workflow)],
    body: ReturnIn | None = None,
) -> TaskOut:
    """`submit` (the unit), `approve` or `return` with a comment (the coordinator)."""
    if action == "return" and body is None:
        raise HTTPException(422, "comment: a returned task needs a comment")
    with writing(workspace) as tasks:
        done = act(tasks, user, task.code, action, body.comment if body is not None else "")
    return _out(done)


@router.get(
    "/tasks/{code}/evidence/{evidence_id}",
    summary="An evidence file (an attachment)",
    responses=refusals(401, 404) | {200: {"content": {"application/octet-stream": {}}}},
    response_class=Response,
)
def task_evidence(code: str, evidence_id: int, workspace: WorkspaceDep, user: ApiUser) -> Response:
    return evidence_response(workspace, user, code, evidence_id)
