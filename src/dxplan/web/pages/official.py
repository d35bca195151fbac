"""The official periodic report of a unit and period: its page, its files, its notes.

`GET /official-reports/{unit}/{period}` shows what the report holds and links to its
files; its JSON twin is `GET /api/official-reports/{unit}/{period}`.
`GET /official-reports/{unit}/{period}/{format}` downloads the DOCX, the PDF or the
XLSX annex (`?lang=vi|en|bn`, `?as_of=` the report's date); the coordinator writes the
difficulties and next tasks with `POST /official-reports/{unit}/{period}/notes`, kept
with their history. Readers: the policy's `official_report.read`; the indicators
shown are those `figure.read` lets the reader see.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dxplan import policy
from dxplan.domain.account import User
from dxplan.official.formats import FORMATS, ReportFormat, file_name, render
from dxplan.official.gather import gather, parse_period
from dxplan.official.pdf import ConversionError, Converter
from dxplan.official.report import BadDay, OfficialReport, OfficialReportError, report_json
from dxplan.official.wording import Wording
from dxplan.store import report_notes
from dxplan.web.auth import ApiUser, PageUser
from dxplan.web.deps import RendererDep, WorkspaceDep
from dxplan.web.pages.account import CheckedForm
from dxplan.web.permissions import require
from dxplan.web.responses import refusals
from dxplan.workspace import Workspace

router = APIRouter(tags=["official reports"])


@functools.cache
def _converter(soffice: str, timeout: float, parallel: int) -> Converter:
    """One converter per configuration, made on first use: its slots hold for the process."""
    return Converter(soffice, timeout, parallel)


AsOf = Annotated[str | None, Query(description="The report's date, YYYY-MM-DD.")]


def _day(workspace: Workspace, as_of: str | None) -> date:
    if not as_of:
        return workspace.as_of()
    try:
        return date.fromisoformat(as_of)
    except ValueError:
        raise HTTPException(400, f"as_of {as_of!r} is not a day such as 2025-11-08") from None


def _report(
    workspace: Workspace, user: User, unit: str, period: str, as_of: str | None
) -> OfficialReport:
    """The report as `user` may read it: 404 for a unit or period that does not exist."""
    plan = workspace.plan()
    if plan is None:
        raise HTTPException(503, "The store holds no plan yet: run `dxplan init`.")
    hidden = {i.code for i in plan.indicators if not policy.sees_figure(user, i)}
    try:
        wanted = parse_period(period, plan.calendar)
        return gather(
            workspace, period=wanted, unit=unit, as_of=_day(workspace, as_of), hidden=hidden
        )
    except BadDay as error:
        raise HTTPException(400, str(error)) from None
    except OfficialReportError as error:
        raise HTTPException(404, str(error)) from None


def _page(
    request: Request,
    renderer: RendererDep,
    workspace: Workspace,
    user: User,
    report: OfficialReport,
    *,
    given: dict[str, str] | None = None,
    problem: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with workspace.engine.connect() as conn:
        history = report_notes.history(conn, report.unit.code, report.period)
    current = history[0] if history else None
    if given is None:
        given = {
            "difficulties": current.difficulties if current else "",
            "next_tasks": current.next_tasks if current else "",
        }
    language = renderer.language(request)
    query = {"as_of": request.query_params["as_of"]} if request.query_params.get("as_of") else {}
    context: dict[str, Any] = {
        "report": report,
        "words": Wording(language),
        "formats": list(ReportFormat),
        "base": f"/official-reports/{report.unit.code}/{report.period}",
        "query": query,
        "history": history,
        "may_write": policy.can(
            user, policy.Action.OFFICIAL_REPORT_NOTES, policy.UnitRef(report.unit.code)
        ),
        "given": given,
        "problem": problem,
        "saved": request.query_params.get("saved") == "1",
        "max_chars": report_notes.MAX_CHARS,
        "when": renderer.dates(request),
    }
    return renderer.render(request, "official_report.html", context, status_code=status_code)


@router.get(
    "/official-reports/{unit}/{period}", response_class=HTMLResponse, include_in_schema=False
)
def official_report_page(
    unit: str,
    period: str,
    request: Request,
    workspace: WorkspaceDep,
    renderer: RendererDep,
    user: PageUser,
    as_of: AsOf = None,
) -> HTMLResponse:
    require(user, policy.Action.OFFICIAL_REPORT_READ, policy.UnitRef(unit))
    report = _report(workspace, user, unit, period, as_of)
    return _page(request, renderer, workspace, user, report)


@router.get(
    "/api/official-reports/{unit}/{period}",
    summary="An official report's content: figures, units behind, late reports, notes",
    responses=refusals(401, 403, 404),
)
def official_report_json(
    unit: str, period: str, workspace: WorkspaceDep, user: ApiUser, as_of: AsOf = None
) -> dict[str, Any]:
    """What the DOCX, PDF and XLSX of `/official-reports/{unit}/{period}` print, as JSON.

    `indicators` are the objects of `dxplan evaluate --format json` for the unit (every
    indicator of the plan the reader may see), each with `year_before` and `behind`
    (the units furthest from the target); `missing` lists those without a figure.
    """
    require(user, policy.Action.OFFICIAL_REPORT_READ, policy.UnitRef(unit))
    return report_json(_report(workspace, user, unit, period, as_of))


@router.get("/official-reports/{unit}/{period}/{fmt}", include_in_schema=False)
async def official_report_file(
    unit: str,
    period: str,
    fmt: ReportFormat,
    request: Request,
    workspace: WorkspaceDep,
    renderer: RendererDep,
    user: PageUser,
    as_of: AsOf = None,
) -> Response:
    require(user, policy.Action.OFFICIAL_REPORT_READ, policy.UnitRef(unit))
    language = renderer.language(request)
    settings = workspace.settings
    converter = _converter(settings.soffice, settings.pdf_timeout, settings.pdf_parallel)

    def make() -> tuple[OfficialReport, bytes]:
        report = _report(workspace, user, unit, period, as_of)
        return report, render(report, fmt, language, converter)

    try:
        report, content = await run_in_threadpool(make)
    except ConversionError as error:
        raise HTTPException(503, str(error)) from None
    return Response(
        content,
        media_type=FORMATS[fmt].media_type,
        headers={"Content-Disposition": f'attachment; filename="{file_name(report, fmt)}"'},
    )


@router.post(
    "/official-reports/{unit}/{period}/notes", response_class=HTMLResponse, include_in_schema=False
)
def official_report_notes(
    unit: str,
    period: str,
    request: Request,
    workspace: WorkspaceDep,
    renderer: RendererDep,
    user: PageUser,
    form: CheckedForm,
) -> Response:
    require(user, policy.Action.OFFICIAL_REPORT_NOTES, policy.UnitRef(unit))
    report = _report(workspace, user, unit, period, None)
    given = {f: str(form.get(f, "")) for f in ("difficulties", "next_tasks")}
    try:
        with workspace.writing() as conn:
            report_notes.save(
                conn,
                report.unit.code,
                report.period,
                difficulties=given["difficulties"],
                next_tasks=given["next_tasks"],
                actor=user.username,
            )
    except report_notes.NotesError as error:
        gettext = renderer.formatter(request).gettext
        problem = (
            gettext("Each section takes at most {limit} characters; nothing was saved.")
            if isinstance(error, report_notes.TooLong)
            else gettext(
                "The text holds a control character that a document cannot hold; nothing was saved."
            )
        )
        return _page(
            request,
            renderer,
            workspace,
            user,
            report,
            given=given,
            problem=problem.format(limit=report_notes.MAX_CHARS),
            status_code=422,
        )
    return RedirectResponse(f"/official-reports/{report.unit.code}/{report.period}?saved=1", 303)
