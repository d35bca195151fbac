"""One task's page: its details, its history, its evidence, and what the reader may do.

`GET /tasks/{code}` shows the task; the lead unit's reporters get a progress form
(`POST /tasks/{code}/progress`, multipart with evidence files), a breakthrough task
its workflow buttons (`POST /tasks/{code}/submit|approve|return`, the coordinator
approving or returning it). `GET /tasks/{code}/evidence/{id}` downloads an evidence
file. Each write asks the policy about the task's unit before the form is read: an
upload that would be refused is never read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Final
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from dxplan import policy
from dxplan.domain.account import User
from dxplan.domain.submission import Status
from dxplan.domain.task import Progress, TaskKind
from dxplan.tasks.service import Invalid, TaskError, Tasks, TaskView, Upload
from dxplan.web.auth import PageUser
from dxplan.web.deps import RendererDep, WorkspaceDep
from dxplan.web.pages.account import checked_form
from dxplan.web.pages.tasks import FIELDS, codes
from dxplan.web.rendering import Renderer
from dxplan.web.task_views import reading, refused, shown, writing
from dxplan.workspace import Workspace

router = APIRouter(tags=["pages"], include_in_schema=False)


def _(message: str) -> str:
    """Marks a message for the catalogs; it is translated when shown."""
    return message


WORKFLOW: Final = {
    "submit": (policy.Action.TASK_UPDATE, _("Breakthrough task submitted for approval.")),
    "approve": (policy.Action.TASK_APPROVE, _("Breakthrough task approved.")),
    "return": (policy.Action.TASK_APPROVE, _("Breakthrough task returned to its unit.")),
}
# the page also corrects a draft or returned breakthrough task (the API: not yet)
PAGE_WORKFLOW: Final = WORKFLOW | {
    "revise": (
        policy.Action.TASK_UPDATE,
        _("Breakthrough task saved as a draft: submit it again."),
    ),
}
PROGRESS_LABELS: Final = {
    Progress.NOT_STARTED: _("Not yet started"),
    Progress.IN_PROGRESS: _("In progress"),
    Progress.DONE: _("Done"),
}


def act(tasks: Tasks, user: User, code: str, action: str, comment: str) -> TaskView:
    """Submit, approve or return the breakthrough task `code` (`comment`: a return's)."""
    if action == "submit":
        return tasks.submit_breakthrough(user, code)
    if action == "approve":
        return tasks.approve_breakthrough(user, code)
    return tasks.return_breakthrough(user, code, comment)


def readable(workspace: Workspace, user: User, code: str) -> TaskView:
    """The task as `user` may read it: 404 when there is none or they may not read it."""
    try:
        with reading(workspace) as tasks:
            return tasks.get(user, code)
    except TaskError as error:
        raise HTTPException(error.status, str(error)) from None


def allowed(workspace: Workspace, user: User, code: str, action: policy.Action) -> TaskView:
    """The task, when `user` may do `action` to it; 404 or 403 otherwise (nothing read)."""
    task = readable(workspace, user, code)
    resource = policy.ORGANISATION if action is policy.Action.TASK_APPROVE else None
    if not policy.can(user, action, resource or policy.UnitRef(task.unit_code)):
        raise HTTPException(403, f"{user.username} may not {action.value} the task {code}.")
    return task


def _updater(code: str, workspace: WorkspaceDep, user: PageUser) -> TaskView:
    return allowed(workspace, user, code, policy.Action.TASK_UPDATE)


async def _update_form(request: Request, _task: Annotated[TaskView, Depends(_updater)]) -> FormData:
    """The progress form, read only once the policy allowed the update."""
    return await checked_form(request)


def _workflow(action: str, code: str, workspace: WorkspaceDep, user: PageUser) -> TaskView:
    if action not in PAGE_WORKFLOW:
        raise HTTPException(404, f"no action {action!r}: submit, approve or return")
    return allowed(workspace, user, code, PAGE_WORKFLOW[action][0])


async def _workflow_form(
    request: Request, _task: Annotated[TaskView, Depends(_workflow)]
) -> FormData:
    return await checked_form(request)


def may(user: User, task: TaskView) -> dict[str, bool]:
    """What the reader may do to the task now (the policy, then the task's state)."""
    unit = policy.UnitRef(task.unit_code)
    updates = policy.can(user, policy.Action.TASK_UPDATE, unit)
    reviews = policy.can(user, policy.Action.TASK_APPROVE, policy.ORGANISATION)
    breakthrough = task.kind is TaskKind.BREAKTHROUGH
    approval = task.approval
    return {
        # a breakthrough task is worked on once approved
        "update": updates and (not breakthrough or approval is Status.APPROVED),
        "submit": updates and breakthrough and approval in (Status.DRAFT, Status.RETURNED),
        "approve": reviews and breakthrough and approval is Status.SUBMITTED,
        "return": reviews and breakthrough and approval is Status.SUBMITTED,
    }


def _page(
    request: Request,
    renderer: Renderer,
    workspace: Workspace,
    user: User,
    task: TaskView,
    *,
    given: dict[str, str] | None = None,
    problems: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    show = shown(request, renderer, workspace)
    with reading(workspace) as tasks:
        history = tasks.history(user, task.code)  # newest first
    evidence = {e.id: e for e in task.evidence}
    gettext = show.fmt.gettext
    context: dict[str, Any] = {
        "task": task,
        "row": show.task(task),
        "description": show.text(task.description),
        "history": [
            {
                "percent": h.percent,
                "progress": gettext(PROGRESS_LABELS[Progress(h.progress)]),
                "note": h.note or "",
                "at": show.dates.moment(h.recorded_at),
                "by": h.recorded_by,
                "evidence": [evidence[i] for i in h.evidence if i in evidence],
            }
            for h in history
        ],
        "evidence": task.evidence,
        "may": may(user, task),
        "progress_choices": [(p.value, gettext(label)) for p, label in PROGRESS_LABELS.items()],
        "given": given
        or {"percent": str(task.progress), "progress": task.reported.value, "note": ""},
        "problems": problems or [],
        "moment": show.dates.moment,
        "max_evidence_bytes": workspace.settings.max_evidence_bytes,
        "draft": {
            "title": show.text(task.title),
            "description": show.text(task.description),
            "expected_result": task.expected_result or "",
            "due": task.due.isoformat(),
            "indicators": ", ".join(task.indicators),
        },
        "flash": request.session.pop("flash", None),
    }
    return renderer.render(request, "task.html", context, status_code=status_code)


@router.get("/tasks/{code}", response_class=HTMLResponse)
def task_page(
    code: str, request: Request, workspace: WorkspaceDep, renderer: RendererDep, user: PageUser
) -> HTMLResponse:
    """A task: details, history, evidence, and the forms the reader may use."""
    try:
        task = readable(workspace, user, code)
    except HTTPException as error:
        return refused(request, renderer, error)
    return _page(request, renderer, workspace, user, task)


def uploads(form: FormData, field: str = "files") -> list[Upload]:
    """The files of a form (empty file inputs left out)."""
    found = []
    for item in form.getlist(field):
        if isinstance(item, UploadFile) and item.filename:
            data = item.file.read()
            found.append(Upload(item.filename, data, item.content_type or ""))
    return found


def percent_of(text: str) -> int | str:
    """A typed percent: its whole number, or the text itself (the service names it)."""
    cleaned = text.strip().removesuffix("%").strip()
    try:
        return int(cleaned)
    except ValueError:
        return cleaned


def version_of(text: str) -> int | None:
    """The version a form was read at, or None (no check) when it is not a whole number."""
    try:
        return int(text) if text.isdigit() else None
    except ValueError:  # "²" is a digit to isdigit(), and int() refuses 5000 digits
        return None


@router.post("/tasks/{code}/progress", response_class=HTMLResponse)
def task_progress(
    code: str,
    request: Request,
    workspace: WorkspaceDep,
    renderer: RendererDep,
    user: PageUser,
    form: Annotated[FormData, Depends(_update_form)],
) -> Response:
    """Record a progress update with its evidence: all of it, or nothing and the errors."""
    gettext = renderer.formatter(request).gettext
    given = {f: str(form.get(f) or "").strip() for f in ("percent", "progress", "note", "version")}
    try:
        progress = Progress(given["progress"])
    except ValueError:
        progress = None
    version = version_of(given["version"])
    try:
        if progress is None:
            raise HTTPException(422, gettext("Progress: choose not started, in progress or done."))
        with writing(workspace) as tasks:
            tasks.update_progress(
                user,
                code,
                percent=percent_of(given["percent"]),  # type: ignore[arg-type]
                progress=progress,
                note=given["note"] or None,
                files=uploads(form),
                read_version=version,
            )
    except (TaskError, HTTPException) as error:
        status = error.status if isinstance(error, TaskError) else error.status_code
        if status in (403, 404):
            raise HTTPException(status, str(error)) from None
        task = readable(workspace, user, code)
        if isinstance(error, Invalid):
            problems = error.messages
        else:
            problems = [str(error) if isinstance(error, TaskError) else str(error.detail)]
        return _page(
            request,
            renderer,
            workspace,
            user,
            task,
            given=given,
            problems=[gettext("Nothing was stored."), *problems],
            status_code=status,
        )
    request.session["flash"] = gettext("Progress recorded.")
    return RedirectResponse(f"/tasks/{code}", status_code=303)


@router.post("/tasks/{code}/{action}", response_class=HTMLResponse)
def task_workflow(
    code: str,
    action: str,
    request: Request,
    workspace: WorkspaceDep,
    renderer: RendererDep,
    user: PageUser,
    form: Annotated[FormData, Depends(_workflow_form)],
) -> Response:
    """Submit, approve, return or correct a breakthrough task."""
    gettext = renderer.formatter(request).gettext
    try:
        with writing(workspace) as tasks:
            if action == "revise":
                _revise(tasks, user, code, form, gettext)
            else:
                act(tasks, user, code, action, str(form.get("comment") or ""))
    except TaskError as error:
        if error.status in (403, 404):
            raise HTTPException(error.status, str(error)) from None
        task = readable(workspace, user, code)
        problems = error.messages if isinstance(error, Invalid) else [str(error)]
        return _page(
            request, renderer, workspace, user, task, problems=problems, status_code=error.status
        )
    request.session["flash"] = gettext(PAGE_WORKFLOW[action][1])
    return RedirectResponse(f"/tasks/{code}", status_code=303)


def _revise(
    tasks: Tasks, user: User, code: str, form: FormData, gettext: Callable[[str], str]
) -> TaskView:
    """Correct a draft or returned breakthrough task from the form (it becomes a draft)."""
    given = {f: str(form.get(f) or "").strip() for f in FIELDS}
    try:
        due = date.fromisoformat(given["due"])
    except ValueError:
        raise Invalid([("due", gettext("Deadline: give a day such as 2025-12-31."))]) from None
    version = str(form.get("version") or "")
    return tasks.revise_breakthrough(
        user,
        code,
        title=given["title"],
        description=given["description"] or None,
        expected_result=given["expected_result"] or None,
        due=due,
        indicators=codes(given["indicators"]),
        read_version=version_of(version),
    )


def evidence_response(workspace: Workspace, user: User, code: str, evidence_id: int) -> Response:
    """An evidence file as a download, for those who may read the task."""
    try:
        with reading(workspace) as tasks:
            found, data = tasks.evidence_file(user, code, evidence_id)
    except TaskError as error:
        raise HTTPException(error.status, str(error)) from None
    ascii_name = found.filename.encode("ascii", "replace").decode().replace('"', "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(found.filename)}"
    return Response(
        data,
        media_type=found.media_type,
        headers={"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"},
    )


@router.get("/tasks/{code}/evidence/{evidence_id}")
def task_evidence(code: str, evidence_id: int, workspace: WorkspaceDep, user: PageUser) -> Response:
    """An evidence file of the task (attachment, never shown inline)."""
    return evidence_response(workspace, user, code, evidence_id)
