"""A report and the refusals of the reporting service: what its callers hold and catch."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dxplan import policy
from dxplan.domain.dataset import DataSet, ValuesFor
from dxplan.domain.period import Period
from dxplan.domain.submission import Status
from dxplan.domain.validation import Finding
from dxplan.store.submissions import Submission


class ReportingError(Exception):
    """A request the reporting service refuses; `status` is the HTTP status it maps to."""

    status = 400


class NotFound(ReportingError):
    status = 404


class Forbidden(ReportingError):
    status = 403


class Conflict(ReportingError):
    status = 409


@dataclass
class Invalid(ReportingError):
    """Values that do not pass the checks: nothing was stored."""

    findings: list[Finding] = field(default_factory=list)
    status = 422

    def __str__(self) -> str:
        return "; ".join(f.message() for f in self.findings)


@dataclass(frozen=True)
class Report:
    """A report as its reader sees it: the data set, the units its values are for."""

    dataset: DataSet
    unit: str
    period: Period
    submission: Submission
    value_units: list[str]

    @property
    def status(self) -> Status:
        return self.submission.status

    @property
    def ref(self) -> policy.ReportRef:
        """The report as the policy sees it."""
        return policy.ReportRef.of(self.dataset, self.unit, self.status)

    def values_json(self) -> dict[str, Any]:
        """Values as the API shows them: a number per measure, or per commune."""
        stored = self.submission.values or {}
        shown: dict[str, Any] = {}
        for measure in self.dataset.measures:
            by_unit = stored.get(measure, {})
            if self.dataset.values_for is ValuesFor.COMMUNES:
                shown[measure] = {u: by_unit.get(u) for u in self.value_units if u in by_unit}
            else:
                shown[measure] = by_unit.get(self.value_units[0])
        return shown


@dataclass(frozen=True)
class Listed:
    """One line of a list of reports: which report, its state, when due, whether late."""

    dataset: DataSet
    unit: str
    period: Period
    submission: Submission
    due: date
    late: bool

    @property
    def status(self) -> Status:
        return self.submission.status
