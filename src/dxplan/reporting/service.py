"""Reporting as people do it: read, save, submit, approve and return reports.

One place decides who may do what, checks values, moves the workflow, writes the
audit log and, on approval, publishes the figures: the values become new versions in
the value store, their roll-ups follow, and the platform's own figures (reports on
time, focal points) are recomputed. Web forms, spreadsheets and the API all call this.
Every call runs inside the caller's transaction: an error changes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection

from dxplan import policy
from dxplan.domain.account import User
from dxplan.domain.dataset import DataSet, ValuesFor
from dxplan.domain.organisation import Organisation
from dxplan.domain.period import Period
from dxplan.domain.plan import Plan
from dxplan.domain.submission import Action, Status, TransitionError, next_status
from dxplan.domain.validation import Finding, Values, errors, validate, warnings
from dxplan.domain.value import MeasureValue
from dxplan.reporting import platform
from dxplan.reporting.report import (
    Conflict,
    Forbidden,
    Invalid,
    Listed,
    NotFound,
    Report,
)
from dxplan.store import audit, rollups
from dxplan.store import submissions as submission_store
from dxplan.store import values as value_store
from dxplan.store.audit import AuditEntry
from dxplan.store.submissions import StaleVersion, StoredValues, Submission

SOURCE = "reported"  # values of approved reports
ROLLUP_SOURCE = "reported-rollup"  # their sums over units and periods


class Reporting:
    """The reporting service over one connection (and transaction)."""

    def __init__(
        self,
        conn: Connection,
        plan: Plan,
        organisation: Organisation,
        now: datetime | None = None,
        *,
        deferred: bool = False,
    ) -> None:
        """`now`: the instant actions are stamped with (default: the real time).

        `deferred`: leave roll-ups and platform figures to one `refresh()` at the end
        (bulk loads); by default every submission and approval refreshes them.
        """
        self.conn = conn
        self.plan = plan
        self.organisation = organisation
        self._fixed_now = now
        self.deferred = deferred

    def now(self) -> datetime:
        """The instant of the current action (aware, UTC)."""
        return (self._fixed_now or datetime.now(UTC)).astimezone(UTC)

    @property
    def today(self) -> date:
        return self.plan.calendar.today(self.now())

    # -- finding a report -----------------------------------------------------------------
    def dataset(self, code: str) -> DataSet:
        found = self.plan.dataset(code)
        if found is None:
            raise NotFound(f"no data set is named {code!r}")
        return found

    def visible_datasets(self, user: User) -> list[DataSet]:
        """The data sets of which `user` may read some unit's approved reports."""
        return [
            d
            for d in self.plan.datasets
            if any(
                policy.can(
                    user, policy.Action.REPORT_READ, policy.ReportRef.of(d, u.code, Status.APPROVED)
                )
                for u in d.reporting_units(self.organisation)
            )
        ]

    def open(self, user: User, dataset_code: str, unit: str, period_text: str) -> Report:
        """The report, if `user` may read it: unknown or unreadable ones are NotFound."""
        dataset = self.dataset(dataset_code)
        if unit not in self.organisation or not dataset.reports(self.organisation, unit):
            raise NotFound(f"{unit} does not report {dataset.code}")
        if not any(
            policy.can(user, policy.Action.REPORT_READ, policy.ReportRef.of(dataset, unit, status))
            for status in Status
        ):
            raise NotFound(f"{unit} does not report {dataset.code}")
        try:
            period = self.plan.calendar.parse(period_text)
        except ValueError as error:
            raise NotFound(str(error)) from None
        if not dataset.accepts(period):
            raise NotFound(f"{dataset.code} is reported per {dataset.periodicity}, not {period}")
        submission = submission_store.get(self.conn, dataset.code, unit, str(period))
        if not policy.can(
            user, policy.Action.REPORT_READ, policy.ReportRef.of(dataset, unit, submission.status)
        ):  # a viewer reads approved reports only, not drafts on their way
            raise NotFound(f"the report of {unit} for {period} is not approved")
        return Report(
            dataset, unit, period, submission, dataset.value_units(self.organisation, unit)
        )

    # -- lists of reports -------------------------------------------------------------------
    def current_period(self, dataset: DataSet) -> Period:
        """The period of `dataset` whose days include today."""
        period = self.plan.calendar.period_of(dataset.period_kind, self.today)
        return period.next() if dataset.window(period)[1] < self.today else period

    def recent_periods(self, dataset: DataSet, count: int = 6) -> list[Period]:
        """The current period of `dataset` and the `count` before it, newest first."""
        periods = [self.current_period(dataset)]
        while len(periods) <= count:
            periods.append(periods[-1].previous())
        return periods

    def _listed(self, dataset: DataSet, submission: Submission) -> Listed:
        period = self.plan.calendar.parse(submission.period)
        due = dataset.due(period)
        late = not platform.on_time(submission, due, self.plan.calendar) and (
            platform.received(submission) or due < self.today
        )
        return Listed(dataset, submission.unit, period, submission, due, late)

    def own_reports(
        self,
        user: User,
        *,
        dataset: str | None = None,
        period: Period | None = None,
        count: int = 6,
    ) -> list[Listed]:
        """The reports `user` enters, per data set and own unit: the current period and the
        `count` before it (or only `period`), newest first. Unknown filters list nothing."""
        chosen = [
            d
            for d in self.plan.datasets
            if (dataset is None or d.code == dataset)
            and any(self._enters(user, d, u.code) for u in d.reporting_units(self.organisation))
        ]
        stored = {
            s.key: s
            for s in submission_store.find(
                self.conn, datasets=[d.code for d in chosen], units=user.units
            )
        }
        found: list[Listed] = []
        for each in chosen:
            if period is not None and not each.accepts(period):
                continue
            periods = [period] if period is not None else self.recent_periods(each, count)
            units = [u.code for u in each.reporting_units(self.organisation)]
            for unit in (u for u in units if self._enters(user, each, u)):
                for shown in periods:
                    empty = Submission(each.code, unit, str(shown))
                    found.append(self._listed(each, stored.get(empty.key, empty)))
        return found

    def stored_reports(
        self,
        user: User,
        statuses: list[Status],
        *,
        dataset: str | None = None,
        period: Period | None = None,
        newest_first: bool = False,
        limit: int = 500,
    ) -> list[Listed]:
        """Stored reports in `statuses` that `user` may see, at most `limit`: the longest
        unchanged first (a queue of work), or the newest period first."""
        datasets = {d.code: d for d in self.plan.datasets}
        chosen = [dataset] if dataset is not None else list(datasets)
        found = [
            self._listed(datasets[s.dataset], s)
            for s in submission_store.find(
                self.conn,
                datasets=chosen,
                periods=None if period is None else [str(period)],
                statuses=statuses,
            )
            if s.dataset in datasets
            and policy.can(
                user,
                policy.Action.REPORT_READ,
                policy.ReportRef.of(datasets[s.dataset], s.unit, s.status),
            )
        ]
        oldest = datetime.min.replace(tzinfo=UTC)
        found.sort(key=lambda r: (r.submission.updated_at or oldest).astimezone(UTC))
        if newest_first:
            found.sort(key=lambda r: r.period, reverse=True)
        return found[:limit]

    def audit_trail(self, report: Report) -> list[AuditEntry]:
        """Who did what to `report` and when, oldest first."""
        entries = audit.entries(self.conn, entity="report", key=report.submission.key)
        return entries[::-1]

    def replaced_values(self, report: Report) -> list[MeasureValue]:
        """Approved values of `report` that a later approval replaced (its corrections)."""
        if report.submission.approvals < 2:
            return []
        replaced: list[MeasureValue] = []
        for measure in report.dataset.measures:
            for unit in report.value_units:
                versions = value_store.history(
                    self.conn, measure, unit, report.period, self.plan.calendar
                )
                replaced.extend(v for v in versions[:-1] if v.source == SOURCE)
        return replaced

    # -- values -----------------------------------------------------------------------------
    def parse_values(self, report: Report, raw: Mapping[str, Any]) -> StoredValues:
        """API values (a number per measure, or an object per commune) → stored form."""
        findings: list[Finding] = []
        parsed: StoredValues = {}
        per_commune = report.dataset.values_for is ValuesFor.COMMUNES
        for measure, given in raw.items():
            if report.dataset.field(measure) is None:
                findings.append(Finding("unknown-measure", measure, ""))
                continue
            if per_commune:
                if not isinstance(given, Mapping):
                    findings.append(Finding("not-an-object", measure, report.unit))
                    continue
                items = list(given.items())
            else:
                items = [(report.value_units[0], given)]
            parsed[measure] = {}
            for unit, value in items:
                ok, number = _number(value)
                if ok:
                    parsed[measure][str(unit)] = number
                else:
                    findings.append(Finding("not-a-number", measure, unit, {"value": value}))
        if findings:
            raise Invalid(findings)
        return parsed

    def previous_values(self, report: Report) -> Values:
        """Last period's approved values, for the outlier warnings."""
        previous = report.period.previous()
        stored = value_store.latest(
            self.conn,
            measures=report.dataset.measures,
            units=report.value_units,
            periods=[previous],
            calendar=self.plan.calendar,
        )
        found: dict[str, dict[str, float | None]] = {}
        for value in stored:
            if value.source == SOURCE:
                found.setdefault(value.measure, {})[value.unit] = value.value
        return found

    def check(self, report: Report, values: Values, *, complete: bool) -> list[Finding]:
        return validate(
            report.dataset,
            values,
            report.value_units,
            previous=self.previous_values(report) if complete else None,
            complete=complete,
        )

    # -- actions ----------------------------------------------------------------------------
    def actions(self, user: User, report: Report) -> list[Action]:
        """What `user` may do to `report` now: allowed by its status and by the policy."""
        return policy.report_actions(user, report.ref)

    @staticmethod
    def _enters(user: User, dataset: DataSet, unit: str) -> bool:
        """Whether `user` enters `unit`'s reports of `dataset`."""
        return policy.can(
            user, policy.Action.REPORT_SAVE, policy.ReportRef.of(dataset, unit, Status.EMPTY)
        )

    def require(self, user: User, action: Action, report: Report) -> None:
        """Forbidden unless the policy lets `user` do `action` to `report`."""
        if not policy.can(user, policy.WORKFLOW[action], report.ref):
            raise Forbidden(f"{user.username} may not {action.value} the report of {report.unit}")

    def _write(
        self, user: User, report: Report, action: Action, changes: dict[str, Any], read: int | None
    ) -> Report:
        before = report.submission
        try:
            status = next_status(before.status, action)
        except TransitionError as error:
            raise Conflict(str(error)) from None
        if read is not None and read != before.version:
            raise Conflict(
                f"the report was changed by {before.updated_by} (now version {before.version}); "
                "reload it and enter your changes again"
            )
        new = before.changed(
            status=status, updated_at=self.now(), updated_by=user.username, **changes
        )
        try:
            stored = submission_store.write(self.conn, new, read_version=before.version)
        except StaleVersion as error:
            raise Conflict(f"{error}; reload it and enter your changes again") from None
        audit.append(
            self.conn,
            actor=user.username,
            action=f"report.{action.value}",
            entity="report",
            key=before.key,
            before=before.state() if before.version else None,
            after=stored.state(),
        )
        return Report(report.dataset, report.unit, report.period, stored, report.value_units)

    def save(
        self, user: User, report: Report, values: StoredValues, *, read_version: int | None = None
    ) -> Report:
        """Save a draft (a partial one is fine; every value given must be valid)."""
        self.require(user, Action.SAVE, report)
        problems = errors(self.check(report, values, complete=False))
        if problems:
            raise Invalid(problems)
        return self._write(user, report, Action.SAVE, {"values": values}, read_version)

    def submit(
        self,
        user: User,
        report: Report,
        *,
        comment: str | None = None,
        read_version: int | None = None,
    ) -> Report:
        """Submit for approval: errors block; warnings need a comment."""
        self.require(user, Action.SUBMIT, report)
        values = report.submission.values or {}
        findings = self.check(report, values, complete=True)
        comment = (comment or "").strip() or None
        blocking = errors(findings) + ([] if comment else warnings(findings))
        if blocking:
            raise Invalid(blocking)
        now = self.now()
        changes: dict[str, Any] = {"submitted_at": now, "comment": comment}
        if report.submission.first_submitted_at is None:
            changes["first_submitted_at"] = now
        done = self._write(user, report, Action.SUBMIT, changes, read_version)
        if not self.deferred:  # a first submission moves the reports received on time
            platform.refresh(self.conn, self.plan, self.organisation, self.today, ["reports"])
        return done

    def approve(self, user: User, report: Report, *, read_version: int | None = None) -> Report:
        """Approve: the values become the figures of the unit and period."""
        self.require(user, Action.APPROVE, report)
        changes = {
            "approved_at": self.now(),
            "approved_by": user.username,
            "approvals": report.submission.approvals + 1,
            "review_comment": None,
        }
        done = self._write(user, report, Action.APPROVE, changes, read_version)
        self._publish(done, user)
        return done

    def return_(
        self, user: User, report: Report, comment: str, *, read_version: int | None = None
    ) -> Report:
        """Send back to the reporter with a comment saying what to fix."""
        self.require(user, Action.RETURN, report)
        if not comment.strip():
            raise Invalid([Finding("comment-required", "", report.unit)])
        return self._write(
            user, report, Action.RETURN, {"review_comment": comment.strip()}, read_version
        )

    # -- publishing -------------------------------------------------------------------------
    def _publish(self, report: Report, user: User) -> None:
        dataset = report.dataset
        values = report.submission.values or {}
        rows: list[tuple[str, str, str, float | None]] = [
            (measure, unit, str(report.period), values.get(measure, {}).get(unit))
            for measure in dataset.measures
            for unit in report.value_units
        ]
        # only approved figures enter the store; an emptied value withdraws the figure
        value_store.sync(
            self.conn,
            rows,
            measures=dataset.measures,
            source=SOURCE,
            actor=user.username,
            withdraw_missing=False,
        )
        if not self.deferred:
            self.refresh_rollups(dataset)

    def refresh(self) -> int:
        """Recompute every roll-up of reported figures and every platform figure."""
        written = sum(self.refresh_rollups(d) for d in self.plan.datasets)
        return written + platform.refresh(self.conn, self.plan, self.organisation, self.today)

    def refresh_rollups(self, dataset: DataSet) -> int:
        """Recompute the roll-ups of a data set's measures from their approved values."""
        return rollups.refresh(
            self.conn,
            [self.plan.measure(code) for code in dataset.measures],
            self.organisation,
            self.plan.calendar,
            source=SOURCE,
            rolled_source=ROLLUP_SOURCE,
        )


def _may(user: User, action: policy.Action, dataset: DataSet, unit: str, status: Status) -> bool:
    return policy.can(user, action, policy.ReportRef.of(dataset, unit, status))


def _number(value: Any) -> tuple[bool, float | None]:
    """(True, the number) for a JSON number or null; booleans and text are not numbers."""
    if value is None:
        return True, None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False, None
    try:
        number = float(value)
    except OverflowError:
        # an integer beyond any double (JSON allows 400 digits): infinitely large for the
        # checks, which refuse it as out of range instead of failing here
        return True, math.inf if value > 0 else -math.inf
    if math.isnan(number):
        return False, None
    return True, number
