"""Who may do what to which: the one answer every page, API route, export and command asks.

`can(user, action, resource)` is the whole permission model. A rule per action, kept in
`RULES` (filled by the `@rule` decorator), decides from the user's role and units
(`domain/account.py`) and the resource: a figure, a report, a unit (focal points,
tasks) or the organisation as a whole (lists of every unit's reports, accounts,
tokens). `None` is a reader who has not signed in. Nothing else decides: the reporting
service, the dashboard, the exports and the CLI ask here, and a test walks every
role, action and route over HTTP against these answers (tests/web/test_policy_matrix.py).

Figures have a visibility (`Visibility`): public, or confidential, i.e. for signed-in
readers only. An indicator is confidential when the plan says so or when any of its
measures comes from a confidential data set (the plan derives it, `domain/plan.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, TypeVar

from dxplan.domain.account import Permission, User
from dxplan.domain.dataset import DataSet
from dxplan.domain.indicator import Indicator
from dxplan.domain.plan import Plan
from dxplan.domain.submission import Action as Workflow
from dxplan.domain.submission import Status, allowed_actions


class Action(StrEnum):
    """Everything a person can ask to do, named `noun.verb`."""

    FIGURE_READ = "figure.read"  # a figure of the dashboard, an export, the overview API
    REPORT_READ = "report.read"  # one report: its values, history, Excel template
    REPORT_SAVE = "report.save"
    REPORT_SUBMIT = "report.submit"
    REPORT_APPROVE = "report.approve"
    REPORT_RETURN = "report.return"
    REPORTS_LATE_READ = "reports.late.read"  # every unit's late and missing reports
    FOCAL_POINT_READ = "focal_point.read"
    FOCAL_POINT_SET = "focal_point.set"
    TASK_READ = "task.read"
    TASK_UPDATE = "task.update"  # progress of a unit's task, its breakthrough task
    TASK_APPROVE = "task.approve"  # approve or return a registered breakthrough task
    TOKEN_MANAGE = "token.manage"  # create, list and revoke API tokens
    USER_MANAGE = "user.manage"  # create, disable, change accounts
    FEED_WRITE = "feed.write"  # dossier, catalog batches, packets: source-system tokens only
    OFFICIAL_REPORT_READ = "official_report.read"  # a unit's periodic report (DOCX/PDF/XLSX)
    OFFICIAL_REPORT_NOTES = "official_report.notes"  # its difficulties and next tasks
    NOTIFY_CHOOSE = "notify.choose"  # one's own choice of reminders (opt-out, subscribe)


class Visibility(StrEnum):
    PUBLIC = "public"  # anyone, the wall screen included
    CONFIDENTIAL = "confidential"  # signed-in readers only


@dataclass(frozen=True)
class Figure:
    """A figure (an indicator's value for any unit and period) as a resource."""

    visibility: Visibility

    @classmethod
    def of(cls, indicator: Indicator) -> Figure:
        return cls(Visibility.CONFIDENTIAL if indicator.confidential else Visibility.PUBLIC)


@dataclass(frozen=True)
class ReportRef:
    """A report (data set × unit × period) as a resource: who reports it, its status."""

    unit: str
    confidential: bool
    status: Status

    @classmethod
    def of(cls, dataset: DataSet, unit: str, status: Status) -> ReportRef:
        return cls(unit, dataset.confidential, status)


@dataclass(frozen=True)
class UnitRef:
    """Something that belongs to one unit: its focal point, its tasks."""

    unit: str


@dataclass(frozen=True)
class Organisation:
    """The whole organisation: lists across every unit, accounts, tokens."""


ORGANISATION: Final = Organisation()
Resource = Figure | ReportRef | UnitRef | Organisation
Reader = User | None
Rule = Callable[[Reader, Resource], bool]
R = TypeVar("R", bound=Rule)

RULES: dict[Action, Rule] = {}


def rule(*actions: Action) -> Callable[[R], R]:
    """Register the function as the rule of `actions`."""

    def register(function: R) -> R:
        for action in actions:
            RULES[action] = function
        return function

    return register


def can(user: Reader, action: Action, resource: Resource) -> bool:
    """Whether `user` (None: not signed in) may do `action` to `resource`."""
    if user is not None and not user.active:
        return False
    return RULES[action](user, resource)


def _active(user: Reader) -> bool:
    return user is not None and user.active


@rule(Action.FIGURE_READ)
def _read_figure(user: Reader, resource: Resource) -> bool:
    assert isinstance(resource, Figure)
    return resource.visibility is Visibility.PUBLIC or _active(user)


@rule(Action.REPORT_READ)
def _read_report(user: Reader, resource: Resource) -> bool:
    """Coordinators and admins read every report; a reporter its own units' in any state;
    a viewer the approved reports of data sets that are not confidential."""
    assert isinstance(resource, ReportRef)
    if user is None:
        return False
    if user.can(Permission.READ_ALL) or user.reports_for(resource.unit):
        return True
    return (
        user.can(Permission.READ_PUBLIC)
        and not resource.confidential
        and resource.status is Status.APPROVED
    )


@rule(Action.REPORT_SAVE, Action.REPORT_SUBMIT)
def _enter_report(user: Reader, resource: Resource) -> bool:
    assert isinstance(resource, ReportRef)
    return user is not None and user.reports_for(resource.unit)


@rule(Action.REPORT_APPROVE, Action.REPORT_RETURN, Action.TASK_APPROVE)
def _approve(user: Reader, resource: Resource) -> bool:
    return user is not None and user.can(Permission.APPROVE)


@rule(Action.REPORTS_LATE_READ)
def _read_every_report(user: Reader, resource: Resource) -> bool:
    return user is not None and user.can(Permission.READ_ALL)


@rule(Action.FOCAL_POINT_READ, Action.TASK_READ)
def _read_internal(user: Reader, resource: Resource) -> bool:
    return _active(user)


@rule(Action.NOTIFY_CHOOSE)
def _choose_reminders(user: Reader, resource: Resource) -> bool:
    """Every signed-in person chooses which reminders they get, for themselves only
    (the resource is the organisation: a person's choices are never someone else's)."""
    return _active(user)


@rule(Action.FOCAL_POINT_SET)
def _set_focal_point(user: Reader, resource: Resource) -> bool:
    """A coordinator or admin sets any unit's focal point; a reporter its own units'."""
    assert isinstance(resource, UnitRef)
    if user is None:
        return False
    return user.can(Permission.MANAGE_FOCAL_POINTS) or user.reports_for(resource.unit)


@rule(Action.TASK_UPDATE)
def _update_task(user: Reader, resource: Resource) -> bool:
    assert isinstance(resource, UnitRef)
    return user is not None and user.reports_for(resource.unit)


@rule(Action.TOKEN_MANAGE, Action.USER_MANAGE)
def _manage_accounts(user: Reader, resource: Resource) -> bool:
    return user is not None and user.can(Permission.MANAGE_USERS)


@rule(Action.FEED_WRITE)
def _write_feed(user: Reader, resource: Resource) -> bool:
    # people never send dossier batches or packets (nor read packets' receipts): a source
    # system's scoped token does, a province's packets:write token naming its sender
    return False


@rule(Action.OFFICIAL_REPORT_READ)
def _read_official_report(user: Reader, resource: Resource) -> bool:
    """Coordinators, admins and viewers read any unit's official report; a reporter its
    own units'. Which indicators it shows is FIGURE_READ's answer."""
    assert isinstance(resource, UnitRef)
    if user is None:
        return False
    return (
        user.can(Permission.READ_ALL)
        or user.can(Permission.READ_PUBLIC)
        or user.reports_for(resource.unit)
    )


@rule(Action.OFFICIAL_REPORT_NOTES)
def _write_official_notes(user: Reader, resource: Resource) -> bool:
    """The coordinator (and an admin) writes the difficulties and next tasks."""
    return user is not None and user.can(Permission.APPROVE)


# -- what the surfaces ask most --------------------------------------------------------

WORKFLOW: Final = {
    Workflow.SAVE: Action.REPORT_SAVE,
    Workflow.SUBMIT: Action.REPORT_SUBMIT,
    Workflow.APPROVE: Action.REPORT_APPROVE,
    Workflow.RETURN: Action.REPORT_RETURN,
}


def report_actions(user: Reader, report: ReportRef) -> list[Workflow]:
    """What `user` may do to the report now: allowed by its status and by this policy."""
    return [a for a in allowed_actions(report.status) if can(user, WORKFLOW[a], report)]


def sees_figure(user: Reader, indicator: Indicator) -> bool:
    return can(user, Action.FIGURE_READ, Figure.of(indicator))


def clearance(user: Reader) -> frozenset[Visibility]:
    """The visibilities of the figures `user` may read (a cache key for shared views)."""
    return frozenset(v for v in Visibility if can(user, Action.FIGURE_READ, Figure(v)))


def visible_indicators(plan: Plan, user: Reader) -> list[Indicator]:
    return [i for i in plan.indicators if sees_figure(user, i)]


def hidden_measures(plan: Plan, user: Reader) -> frozenset[str]:
    """Measures `user` may not read as figures: those of a confidential data set or of
    an indicator they may not see."""
    secret = {m for d in plan.datasets if d.confidential for m in d.measures}
    secret |= {m for i in plan.indicators if i.confidential for m in i.measures}
    if can(user, Action.FIGURE_READ, Figure(Visibility.CONFIDENTIAL)):
        return frozenset()
    return frozenset(secret)
