"""The reporting API: data sets, and each report's draft, submission, approval, return.

`GET /api/datasets`; `GET|PUT /api/submissions/{dataset}/{unit}/{period}`;
`POST .../submit`, `.../approve`, `.../return`. A personal bearer token acts with its
user's role and units. Invisible reports are 404, forbidden actions 403, values that
fail the checks 422 with every error, a report changed meanwhile 409.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from dxplan import policy
from dxplan.domain.account import User
from dxplan.domain.submission import Action
from dxplan.reporting.report import Invalid, Report, ReportingError
from dxplan.reporting.service import Reporting
from dxplan.web.auth import ApiUser
from dxplan.web.deps import WorkspaceDep
from dxplan.web.responses import REPORTING

router = APIRouter(prefix="/api", tags=["reports"], responses=REPORTING)


class DataSetOut(BaseModel):
    code: str
    names: dict[str, str]
    periodicity: str
    convention: str
    due_days: int
    values_for: str
    confidential: bool
    measures: list[str]
    reporting_units: list[str]


class SubmissionOut(BaseModel):
    dataset: str
    unit: str
    period: str
    status: str = Field(description="empty, draft, submitted, approved or returned")
    values: dict[str, Any] = Field(
        description="A number per measure; for a per-commune data set, {commune: number}."
    )
    version: int = Field(description="Send it back with a change to refuse lost updates.")
    due: str
    comment: str | None
    review_comment: str | None
    actions: list[str]


class SaveIn(BaseModel):
    values: dict[str, Any]
    version: int | None = Field(
        default=None, description="The version you read; a newer stored one gives 409."
    )


class SubmitIn(BaseModel):
    comment: str | None = Field(default=None, description="Needed when there are warnings.")
    version: int | None = None


class ApproveIn(BaseModel):
    version: int | None = None


class ReturnIn(BaseModel):
    comment: str
    version: int | None = None


def _out(report: Report, user: User) -> SubmissionOut:
    submission = report.submission
    return SubmissionOut(
        dataset=report.dataset.code,
        unit=report.unit,
        period=str(report.period),
        status=submission.status.value,
        values=report.values_json(),
        version=submission.version,
        due=report.dataset.due(report.period).isoformat(),
        comment=submission.comment,
        review_comment=submission.review_comment,
        actions=[a.value for a in policy.report_actions(user, report.ref)],
    )


def reporting_error(request: Request, error: Exception) -> JSONResponse:
    """A refused request as JSON: the reason, and each finding for 422."""
    assert isinstance(error, ReportingError)
    renderer = request.app.state.renderer
    gettext = renderer.formatter(request).gettext
    body: dict[str, Any] = {"detail": str(error)}
    if isinstance(error, Invalid):
        body["detail"] = gettext("The values do not pass the checks; nothing was stored.")
        body["errors"] = [f.as_json(gettext) for f in error.findings]
    return JSONResponse(body, status_code=error.status)


@router.get("/datasets", summary="Data sets you may see")
def datasets(workspace: WorkspaceDep, user: ApiUser) -> list[DataSetOut]:
    """Every data set of the plan that you may see, with who reports it."""
    with workspace.engine.connect() as conn:
        service = workspace.reporting(conn)
        return [
            DataSetOut(
                code=d.code,
                names=d.names.model_dump(),
                periodicity=d.periodicity,
                convention=d.convention.value,
                due_days=d.due_days,
                values_for=d.values_for.value,
                confidential=d.confidential,
                measures=d.measures,
                reporting_units=[u.code for u in d.reporting_units(service.organisation)],
            )
            for d in service.visible_datasets(user)
        ]


def _service(workspace: WorkspaceDep, conn: Any) -> Reporting:
    return workspace.reporting(conn)


@router.get("/submissions/{dataset}/{unit}/{period}", summary="A report")
def get_submission(
    dataset: str, unit: str, period: str, workspace: WorkspaceDep, user: ApiUser
) -> SubmissionOut:
    """A report's status, values and version (status `empty` before the first save)."""
    with workspace.engine.connect() as conn:
        return _out(_service(workspace, conn).open(user, dataset, unit, period), user)


@router.put("/submissions/{dataset}/{unit}/{period}", summary="Save a draft")
def put_submission(
    dataset: str, unit: str, period: str, body: SaveIn, workspace: WorkspaceDep, user: ApiUser
) -> SubmissionOut:
    """Save the values as a draft (they replace the draft's values)."""
    with workspace.writing() as conn:
        service = _service(workspace, conn)
        report = service.open(user, dataset, unit, period)
        service.require(user, Action.SAVE, report)  # a refusal before any value is read
        values = service.parse_values(report, body.values)
        return _out(service.save(user, report, values, read_version=body.version), user)


@router.post("/submissions/{dataset}/{unit}/{period}/submit", summary="Submit")
def submit(
    dataset: str,
    unit: str,
    period: str,
    workspace: WorkspaceDep,
    user: ApiUser,
    body: SubmitIn | None = None,
) -> SubmissionOut:
    """Submit the draft for approval: errors block it, warnings need a comment."""
    body = body or SubmitIn()
    with workspace.writing() as conn:
        service = _service(workspace, conn)
        report = service.open(user, dataset, unit, period)
        done = service.submit(user, report, comment=body.comment, read_version=body.version)
        return _out(done, user)


@router.post("/submissions/{dataset}/{unit}/{period}/approve", summary="Approve")
def approve(
    dataset: str,
    unit: str,
    period: str,
    workspace: WorkspaceDep,
    user: ApiUser,
    body: ApproveIn | None = None,
) -> SubmissionOut:
    """Approve a submitted report: its values become the unit's figures (coordinators)."""
    body = body or ApproveIn()
    with workspace.writing() as conn:
        service = _service(workspace, conn)
        report = service.open(user, dataset, unit, period)
        return _out(service.approve(user, report, read_version=body.version), user)


@router.post("/submissions/{dataset}/{unit}/{period}/return", summary="Return")
def return_report(
    dataset: str,
    unit: str,
    period: str,
    body: ReturnIn,
    workspace: WorkspaceDep,
    user: ApiUser,
) -> SubmissionOut:
    """Send a submitted report back to its reporter with a comment (coordinators)."""
    with workspace.writing() as conn:
        service = _service(workspace, conn)
        report = service.open(user, dataset, unit, period)
        done = service.return_(user, report, body.comment, read_version=body.version)
        return _out(done, user)
