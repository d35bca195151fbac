"""Report entry pages: the work list, the form of one report, its Excel template.

`GET /reports` lists the reports a person works on (a reporter's own, a coordinator's
queue, a viewer's approved ones); `GET /api/reports` is its JSON twin, from the same
call. `GET|POST /reports/{dataset}/{unit}/{period}` shows and acts on one report (its
JSON twin is `/api/submissions/...`); `.../template.xlsx` and `.../upload` carry the
Excel round trip. Every decision is the reporting service's: these handlers read the
form, call it in one transaction and show what it answered.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated, Any, Final

from babel.numbers import NumberFormatError, parse_decimal
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import Connection
from starlette.datastructures import FormData, UploadFile

from dxplan import policy
from dxplan.domain.account import User
from dxplan.domain.dataset import ValuesFor
from dxplan.domain.period import Calendar, Period
from dxplan.domain.submission import Action, Status
from dxplan.domain.validation import Finding, Severity
from dxplan.i18n import decimal_text
from dxplan.reporting.report import (
    Conflict,
    Forbidden,
    Invalid,
    Listed,
    NotFound,
    Report,
    ReportingError,
)
from dxplan.reporting.service import Reporting
from dxplan.reporting.spreadsheet import (
    MAX_BYTES,
    SpreadsheetError,
    build_template,
    cell_problems,
    read_upload,
    template_filename,
)
from dxplan.web.auth import ApiUser, PageUser
from dxplan.web.deps import RendererDep, WorkspaceDep
from dxplan.web.pages.account import CheckedForm
from dxplan.web.rendering import Renderer
from dxplan.web.responses import refusals
from dxplan.workspace import Workspace

router = APIRouter(tags=["pages"], include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["reports"])

XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SECTIONS: Final = ("mine", "waiting", "returned", "approved")


# -- the work list ---------------------------------------------------------------------


def _work(
    service: Reporting, user: User, dataset: str | None, period: Period | None
) -> dict[str, list[Listed]]:
    """The sections of the work list `user` sees, each a list of reports (maybe empty)."""
    sections: dict[str, list[Listed]] = {}
    if any(
        policy.can(user, policy.Action.REPORT_SAVE, policy.ReportRef(u, False, Status.EMPTY))
        for u in user.units
    ):
        sections["mine"] = service.own_reports(user, dataset=dataset, period=period)
    if policy.can(user, policy.Action.REPORT_APPROVE, policy.ORGANISATION):
        for name, status in (("waiting", Status.SUBMITTED), ("returned", Status.RETURNED)):
            sections[name] = service.stored_reports(user, [status], dataset=dataset, period=period)
    elif policy.can(user, policy.Action.REPORT_READ, policy.ReportRef("", False, Status.APPROVED)):
        # reads other units' approved reports (a viewer)
        sections["approved"] = service.stored_reports(
            user, [Status.APPROVED], dataset=dataset, period=period, newest_first=True
        )
    return sections


def _filters(
    dataset: str | None, period: str | None, calendar: Calendar
) -> tuple[str | None, Period | None, bool]:
    """The list's filters as the service takes them; False when the period is unreadable."""
    try:
        parsed = calendar.parse(period) if period and period.strip() else None
    except ValueError:
        return dataset or None, None, False
    return dataset or None, parsed, True


@router.get("/reports", response_class=HTMLResponse)
def reports_page(
    request: Request,
    workspace: WorkspaceDep,
    renderer: RendererDep,
    user: PageUser,
    dataset: str | None = None,
    period: str | None = None,
) -> HTMLResponse:
    """The signed-in person's reports: to enter, to approve, or to read."""
    code, chosen, readable = _filters(dataset, period, workspace.calendar())
    with workspace.engine.connect() as conn:
        service = workspace.reporting(conn)
        sections = _work(service, user, code, chosen) if readable else {}
        datasets = service.visible_datasets(user)
    context = {
        "sections": sections,
        "datasets": datasets,
        "chosen_dataset": code or "",
        "chosen_period": (period or "").strip(),
        "bad_period": not readable,
        "organisation": service.organisation,
        "day": renderer.dates(request),
        "flash": request.session.pop("flash", None),
    }
    return renderer.render(request, "reports.html", context)


class ListedOut(BaseModel):
    section: str = Field(description="mine, waiting, returned or approved")
    dataset: str
    unit: str
    period: str
    status: str = Field(description="empty, draft, submitted, approved or returned")
    due: str
    late: bool
    version: int


@api_router.get(
    "/reports",
    summary="Your reports (the /reports page)",
    responses=refusals(401, 422),
)
def reports_json(
    workspace: WorkspaceDep,
    user: ApiUser,
    dataset: Annotated[str | None, Query(description="A data set's code")] = None,
    period: Annotated[str | None, Query(description="2025Q3, 2025-07, 2025...")] = None,
) -> list[ListedOut]:
    """The rows of the /reports page: your own reports (reporters), those waiting for
    approval and those returned (coordinators), approved ones (viewers)."""
    code, chosen, readable = _filters(dataset, period, workspace.calendar())
    if not readable:
        try:
            workspace.calendar().parse(period or "")
        except ValueError as error:
            raise HTTPException(422, str(error)) from None
    with workspace.engine.connect() as conn:
        sections = _work(workspace.reporting(conn), user, code, chosen)
    return [
        ListedOut(
            section=name,
            dataset=row.dataset.code,
            unit=row.unit,
            period=str(row.period),
            status=row.status.value,
            due=row.due.isoformat(),
            late=row.late,
            version=row.submission.version,
        )
        for name, rows in sections.items()
        for row in rows
    ]


# -- one report ------------------------------------------------------------------------


def _cell(measure: str, unit: str) -> str:
    """The input name of one value (also its id, after `f-`)."""
    return f"v.{measure}.{unit}"


def _shown(value: float | None, language: str) -> str:
    """A stored value as the reader types it: `1.234,5` in Vietnamese."""
    if value is None:
        return ""
    return decimal_text(value, "#,##0.##########", language)


def _parsed(text: str, language: str) -> float | str | None:
    """A typed value: its number, None when empty, the text itself when it is no number
    (the service then reports it as not-a-number)."""
    cleaned = "".join(text.split())
    if not cleaned:
        return None
    try:
        number = parse_decimal(cleaned, locale=language, strict=True)
    except (NumberFormatError, ValueError, ArithmeticError):
        return text.strip()
    return float(number) if number.is_finite() else text.strip()


def _typed(form: FormData, report: Report) -> dict[str, str]:
    """The texts typed in the form's cells, by input name."""
    names = (_cell(m, u) for m in report.dataset.measures for u in report.value_units)
    return {name: str(form.get(name) or "") for name in names}


def _raw(report: Report, typed: Mapping[str, str], language: str) -> dict[str, Any]:
    """Typed texts as the service's `parse_values` takes them (like the API's JSON);
    cells left empty are left out: a save replaces the draft's values."""
    per_commune = report.dataset.values_for is ValuesFor.COMMUNES
    raw: dict[str, Any] = {}
    for measure in report.dataset.measures:
        given = {
            unit: value
            for unit in report.value_units
            if (value := _parsed(typed.get(_cell(measure, unit), ""), language)) is not None
        }
        if per_commune:
            raw[measure] = given
        elif given:
            raw[measure] = given[report.value_units[0]]
    return raw


def _changes(report: Report, values: Mapping[str, Mapping[str, float | None]]) -> bool:
    """Whether `values` differ from the report's stored ones."""
    stored = report.submission.values or {}
    return any(
        values.get(m, {}).get(u) != stored.get(m, {}).get(u)
        for m in report.dataset.measures
        for u in report.value_units
    )


def _form_context(
    request: Request,
    renderer: Renderer,
    service: Reporting,
    user: User,
    report: Report,
    *,
    typed: Mapping[str, str] | None = None,
    findings: list[Finding] | None = None,
    version: int | None = None,
    comment: str = "",
    message: str | None = None,
    upload_problems: list[str] | None = None,
) -> dict[str, Any]:
    """Everything the form template shows of `report` for `user`."""
    language = renderer.language(request)
    gettext = renderer.formatter(request).gettext
    plan, organisation = service.plan, service.organisation

    def label(code: str) -> str:
        found = [m for m in plan.measures if m.code == code]
        return found[0].names.get(language) if found else code

    def unit_name(code: str) -> str:
        return organisation[code].names.get(language) if code in organisation else code

    stored = report.submission.values or {}
    previous = service.previous_values(report)
    fields = []
    for spec in report.dataset.fields:
        of = plan.measure(spec.measure).unit_of_measure
        fields.append(
            {
                "measure": spec.measure,
                "label": label(spec.measure),
                "unit_of_measure": of.get(language) if of is not None else "",
                "required": spec.required,
            }
        )
    cells: dict[str, dict[str, Any]] = {}
    for measure in report.dataset.measures:
        for unit in report.value_units:
            name = _cell(measure, unit)
            now = stored.get(measure, {}).get(unit)
            before = previous.get(measure, {}).get(unit)
            text = typed[name] if typed is not None else _shown(now, language)
            cells[name] = {
                "id": f"f-{measure}-{unit}",
                "text": text,
                "previous": _shown(before, language) if before is not None else "",
                # after a conflict: what the other person stored, where it differs
                "stored": _shown(now, language)
                if typed is not None and message and _shown(now, language) != text
                else None,
                "errors": [],
            }
    top: list[dict[str, Any]] = []
    comment_errors: list[str] = []
    for finding in findings or []:
        text = finding.message(gettext, label)
        warning = finding.severity is Severity.WARNING
        name = _cell(finding.measure, finding.unit)
        if name in cells:
            if len(report.value_units) > 1:
                text = f"{unit_name(finding.unit)}: {text}"
            cells[name]["errors"].append({"text": text, "warning": warning})
            top.append({"text": text, "target": cells[name]["id"], "warning": warning})
        else:
            comment_errors.append(text)
            top.append({"text": text, "target": "comment", "warning": warning})
    actions = [a.value for a in service.actions(user, report)]
    if "save" in actions and "submit" not in actions:
        actions.insert(actions.index("save") + 1, "submit")  # the form saves, then submits
    needs_comment = any(f.severity is Severity.WARNING for f in findings or [])
    replaced = [
        {
            "measure": label(v.measure),
            "unit": unit_name(v.unit),
            "value": _shown(v.value, language),
            "version": v.version,
            "at": v.recorded_at,
            "by": v.recorded_by,
        }
        for v in service.replaced_values(report)
    ]
    return {
        "report": report,
        "dataset_name": report.dataset.names.get(language),
        "unit_name": unit_name(report.unit),
        "per_row": len(report.value_units) > 1,
        "rows": [(u, unit_name(u)) for u in report.value_units],
        "fields": fields,
        "cells": cells,
        "cell": _cell,
        "top": top,
        "comment_errors": comment_errors,
        "needs_comment": needs_comment,
        "comment": comment,
        "actions": actions,
        "editable": "save" in actions,
        "version": report.submission.version if version is None else version,
        "due": report.dataset.due(report.period),
        "history": service.audit_trail(report),
        "replaced": replaced,
        "message": message,
        "upload_problems": upload_problems,
        "flash": request.session.pop("flash", None),
        "day": renderer.dates(request),
        "base": f"/reports/{report.dataset.code}/{report.unit}/{report.period}",
    }


def _refused(request: Request, renderer: Renderer, error: ReportingError) -> HTMLResponse:
    """A small page saying why a report cannot be shown or acted on (403, 404)."""
    return renderer.render(
        request,
        "reports_error.html",
        {"status": error.status, "detail": str(error)},
        status_code=error.status,
    )


@contextmanager
def _reading(workspace: Workspace) -> Iterator[tuple[Connection, Reporting]]:
    with workspace.engine.connect() as conn:
        yield conn, workspace.reporting(conn)


@router.get("/reports/{dataset}/{unit}/{period}", response_class=HTMLResponse)
def report_page(
    dataset: str,
    unit: str,
    period: str,
    request: Request,
    workspace: WorkspaceDep,
    renderer: RendererDep,
    user: PageUser,
) -> HTMLResponse:
    """The form of one report, with what the reader may do to it now."""
    with _reading(workspace) as (_conn, service):
        try:
            report = service.open(user, dataset, unit, period)
        except ReportingError as error:
            return _refused(request, renderer, error)
        context = _form_context(request, renderer, service, user, report)
    return renderer.render(request, "reports_form.html", context)


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def _(message: str) -> str:
    """Marks a message for the catalogs; it is translated when shown."""
    return message


_DONE: Final = {
    Action.SAVE: _("Draft saved."),
    Action.SUBMIT: _("Report submitted for approval."),
    Action.APPROVE: _("Report approved: its figures are published."),
    Action.RETURN: _("Report returned to its reporter."),
}
_CONFLICT: Final = _(
    "Someone else changed this report while you were working on it. Your entries are "
    "kept below: check them against the stored values and send them again."
)


def _act(
    service: Reporting,
    user: User,
    report: Report,
    action: Action,
    typed: Mapping[str, str],
    language: str,
    *,
    comment: str,
    version: int | None,
) -> None:
    """Carry out `action` on `report` through the service (a submit saves changes first)."""
    service.require(user, action, report)  # refused before any typed value is read
    if action is Action.SAVE:
        values = service.parse_values(report, _raw(report, typed, language))
        service.save(user, report, values, read_version=version)
    elif action is Action.SUBMIT:
        values = service.parse_values(report, _raw(report, typed, language))
        if _changes(report, values) or action not in service.actions(user, report):
            report = service.save(user, report, values, read_version=version)
            version = report.submission.version
        service.submit(user, report, comment=comment, read_version=version)
    elif action is Action.APPROVE:
        service.approve(user, report, read_version=version)
    else:
        service.return_(user, report, comment, read_version=version)


@router.post("/reports/{dataset}/{unit}/{period}", response_class=HTMLResponse)
def report_post(
    dataset: str,
    unit: str,
    period: str,
    request: Request,
    workspace: WorkspaceDep,
    renderer: RendererDep,
    user: PageUser,
    form: CheckedForm,
) -> Response:
    """Save, submit, approve or return; back to the form with a message, or its errors."""
    gettext = renderer.formatter(request).gettext
    language = renderer.language(request)
    try:
        action = Action(str(form.get("action", "")))
    except ValueError:
        action = Action.SAVE
    version = _int(form.get("version"))
    comment = str(form.get("comment") or "").strip()
    typed: dict[str, str] = {}
    try:
        with workspace.writing() as conn:
            service = workspace.reporting(conn)
            report = service.open(user, dataset, unit, period)
            typed = _typed(form, report)
            _act(service, user, report, action, typed, language, comment=comment, version=version)
    except (NotFound, Forbidden) as error:
        return _refused(request, renderer, error)
    except (Invalid, Conflict) as error:
        with _reading(workspace) as (_conn, service):
            report = service.open(user, dataset, unit, period)
            keep = typed if action in (Action.SAVE, Action.SUBMIT) else None
            if isinstance(error, Invalid):
                context = _form_context(
                    request,
                    renderer,
                    service,
                    user,
                    report,
                    typed=keep,
                    findings=error.findings,
                    version=version,
                    comment=comment,
                )
            else:
                context = _form_context(
                    request,
                    renderer,
                    service,
                    user,
                    report,
                    typed=keep,
                    comment=comment,
                    message=f"{gettext(_CONFLICT)} ({error})",
                )
        return renderer.render(request, "reports_form.html", context, status_code=error.status)
    request.session["flash"] = gettext(_DONE[action])
    return RedirectResponse(request.url.path, status_code=303)


@router.get("/reports/{dataset}/{unit}/{period}/template.xlsx")
def report_template(
    dataset: str,
    unit: str,
    period: str,
    request: Request,
    workspace: WorkspaceDep,
    renderer: RendererDep,
    user: PageUser,
) -> Response:
    """The report's Excel template, with its draft and last period's values."""
    with _reading(workspace) as (_conn, service):
        try:
            report = service.open(user, dataset, unit, period)
        except ReportingError as error:
            return _refused(request, renderer, error)
        data = build_template(
            report,
            service.plan,
            service.organisation,
            service.previous_values(report),
            renderer.language(request),
        )
    disposition = f'attachment; filename="{template_filename(report)}"'
    return Response(data, media_type=XLSX, headers={"Content-Disposition": disposition})


@router.post("/reports/{dataset}/{unit}/{period}/upload", response_class=HTMLResponse)
def report_upload(
    dataset: str,
    unit: str,
    period: str,
    request: Request,
    workspace: WorkspaceDep,
    renderer: RendererDep,
    user: PageUser,
    form: CheckedForm,
) -> Response:
    """Read a filled-in template into the draft; every problem listed, nothing stored."""
    gettext = renderer.formatter(request).gettext
    language = renderer.language(request)
    upload = form.get("file")
    data = upload.file.read(MAX_BYTES + 1) if isinstance(upload, UploadFile) else b""
    version = _int(form.get("version"))
    problems: list[str] = []
    try:
        with workspace.writing() as conn:
            service = workspace.reporting(conn)
            report = service.open(user, dataset, unit, period)
            service.require(user, Action.SAVE, report)  # refused before the file is read
            try:
                values = read_upload(data, report, gettext=gettext)
                service.save(user, report, values, read_version=version)
            except SpreadsheetError as error:
                problems = [error.message] + [f"{p.reference}: {p.message}" for p in error.problems]
                raise
            except Invalid as error:
                problems = [
                    gettext("The values do not pass the checks; nothing was stored."),
                    *(
                        f"{p.reference}: {p.message}"
                        for p in cell_problems(error.findings, report, language, gettext)
                    ),
                ]
                raise
    except (NotFound, Forbidden) as error:
        return _refused(request, renderer, error)
    except (SpreadsheetError, Invalid, Conflict) as error:
        with _reading(workspace) as (_conn, service):
            report = service.open(user, dataset, unit, period)
            context = _form_context(
                request,
                renderer,
                service,
                user,
                report,
                upload_problems=problems or None,
                message=f"{gettext(_CONFLICT)} ({error})" if isinstance(error, Conflict) else None,
            )
        return renderer.render(request, "reports_form.html", context, status_code=error.status)
    request.session["flash"] = gettext("The file was read and the draft saved.")
    return RedirectResponse(request.url.path.removesuffix("/upload"), status_code=303)
