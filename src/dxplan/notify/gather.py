"""Who is told, and every item there is to tell, as of a day.

Items come from producers kept in a registry (`PRODUCERS`, filled by `@producer`):
reports due, late or missing and returned (the reporting platform's own rules, the
late-reports page's), tasks overdue or due soon (the tasks service), indicators
that turned off track since the last run (the dashboard's evaluation against the
statuses the last run recorded) and the weekly city summary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from sqlalchemy import Connection

from dxplan import policy
from dxplan.domain.account import Role
from dxplan.domain.indicator import Indicator
from dxplan.domain.names import LocalizedText
from dxplan.domain.organisation import Organisation
from dxplan.domain.plan import Plan
from dxplan.domain.submission import Status as ReportStatus
from dxplan.evaluate.dashboard import Board
from dxplan.evaluate.status import Status
from dxplan.notify import digest
from dxplan.notify.digest import Item, Recipient
from dxplan.reporting.completeness import Standing, late_and_missing
from dxplan.store import focal_points as focal_store
from dxplan.store import notifications as notify_store
from dxplan.store import submissions as submission_store
from dxplan.store import users as user_store
from dxplan.tasks.service import Tasks, TaskView

OFF: Final = frozenset({Status.OFF_TRACK.value, Status.NOT_ACHIEVED.value})
FOCAL_POINT: Final = frozenset({"focal_point"})
ON_TRACK: Final = frozenset({Status.ON_TRACK.value, Status.ACHIEVED.value})


@dataclass
class Scene:
    """What producers read: the store, the plan, the day, the board, the last statuses."""

    conn: Connection
    plan: Plan
    organisation: Organisation
    today: date
    remind_days: int
    board: Board | None
    last_statuses: dict[tuple[str, str, str], str]
    last_summary: dict[str, Any] = field(default_factory=dict)  # the last summary's data

    def unit_name(self, code: str) -> dict[str, str | None]:
        if code in self.organisation:
            return _text(self.organisation[code].names)
        return {"en": code}


def _text(text: LocalizedText) -> dict[str, str | None]:
    return {"vi": text.vi, "en": text.en, "bn": text.bn}


def _day(value: date) -> dict[str, str]:
    return {"date": value.isoformat()}


Producer = Callable[[Scene], Iterator[Item]]
PRODUCERS: dict[str, Producer] = {}


def producer(name: str) -> Callable[[Producer], Producer]:
    """Register a producer of items."""

    def register(function: Producer) -> Producer:
        PRODUCERS[name] = function
        return function

    return register


def items(scene: Scene) -> list[Item]:
    """Every item of every producer."""
    return [item for make in PRODUCERS.values() for item in make(scene)]


_STANDING: Final = {Standing.MISSING: digest.REPORT_MISSING, Standing.DUE_SOON: digest.REPORT_DUE}


@producer("reports")
def _reports(scene: Scene) -> Iterator[Item]:
    """Reports past due and never submitted, and those due within `remind_days`. A report
    already in, even late, owes nothing more."""
    rows = late_and_missing(
        scene.conn, scene.plan, scene.organisation, scene.today, soon_days=scene.remind_days
    )
    for row in rows:
        kind = _STANDING.get(row.status)
        if kind is None:
            continue
        yield Item(
            kind.code,
            f"{kind.code}:{row.dataset.code}/{row.unit.code}/{row.period}",
            row.unit.code,
            {
                "unit_name": scene.unit_name(row.unit.code),
                "dataset": _text(row.dataset.names),
                "period": str(row.period),
                "due": _day(row.due),
                "days": row.days,
                "path": row.path,
            },
        )


@producer("returned")
def _returned(scene: Scene) -> Iterator[Item]:
    """Reports the coordinator returned, once per return (the report's version)."""
    datasets = {d.code: d for d in scene.plan.datasets}
    for report in submission_store.find(scene.conn, statuses=[ReportStatus.RETURNED]):
        dataset = datasets.get(report.dataset)
        if dataset is None:
            continue
        kind = digest.REPORT_RETURNED
        yield Item(
            kind.code,
            f"{kind.code}:{report.key}#{report.version}",
            report.unit,
            {
                "unit_name": scene.unit_name(report.unit),
                "dataset": _text(dataset.names),
                "period": report.period,
                "comment": report.review_comment or "",
                "path": f"/reports/{report.key}",
            },
        )


def _task_item(scene: Scene, kind: digest.ItemKind, task: TaskView, key: str) -> Item:
    return Item(
        kind.code,
        key,
        task.unit_code,
        {
            "unit_name": scene.unit_name(task.unit_code),
            "task": _text(task.title),
            "code": task.code,
            "due": _day(task.due),
            "progress": task.progress,
        },
    )


@producer("tasks")
def _tasks(scene: Scene) -> Iterator[Item]:
    """Tasks past due and not done (told once), and those due within `remind_days`
    (told once per due date: a new date is a new reminder), to the lead unit."""
    tasks = Tasks(scene.conn, scene.plan, scene.organisation)
    overdue = tasks.overdue(None, scene.today)
    for task in overdue:
        kind = digest.TASK_OVERDUE
        yield _task_item(scene, kind, task, f"{kind.code}:{task.code}")
    late = {t.code for t in overdue}
    for task in tasks.due_within(None, scene.remind_days, scene.today):
        if task.code not in late:
            kind = digest.TASK_DUE
            yield _task_item(scene, kind, task, f"{kind.code}:{task.code}@{task.due.isoformat()}")


def current_statuses(board: Board | None) -> dict[tuple[str, str, str], str]:
    """{(unit, indicator, period): status} of every evaluation on the board."""
    if board is None:
        return {}
    return {(e.unit, e.indicator.code, str(e.period)): e.status.value for e in board.evaluations}


def _public(indicator: Indicator) -> bool:
    """Whether a reminder may name the indicator: mail and webhooks leave the system, so
    only what a reader who has not signed in may read (a confidential one never)."""
    return policy.sees_figure(None, indicator)


@producer("off_track")
def _off_track(scene: Scene) -> Iterator[Item]:
    """Indicators off track (or not achieved) now that were not at the last run; the
    first run only records what it sees."""
    if scene.board is None:
        return
    kind = digest.OFF_TRACK
    for e in scene.board.evaluations:
        if not _public(e.indicator):
            continue
        key = (e.unit, e.indicator.code, str(e.period))
        before = scene.last_statuses.get(key)
        if before is None or before in OFF or e.status.value not in OFF:
            continue
        yield Item(
            kind.code,
            f"{kind.code}:{e.indicator.code}/{e.unit}/{e.period}@{scene.today.isoformat()}",
            e.unit,
            {
                "unit_name": scene.unit_name(e.unit),
                "indicator": _text(e.indicator.names),
                "code": e.indicator.code,
                "period": str(e.period),
                "before": {"status": before},
                "after": {"status": e.status.value},
            },
        )


@producer("city_summary")
def _city_summary(scene: Scene) -> Iterator[Item]:
    """The week's city summary (one item a week, told on request): how many of the
    city's indicators have each status, and each whose status changed since the last
    summary (the statuses it recorded)."""
    if scene.board is None:
        return
    board, kind = scene.board, digest.CITY_SUMMARY
    year, week, _ = scene.today.isocalendar()
    root = board.root
    counts = {status.value: n for status, n in board.statuses().items()}
    now = {e.indicator.code: e.status.value for e in board.city() if _public(e.indicator)}
    before: dict[str, str] = scene.last_summary.get("city_statuses", {})
    details = [
        {
            "indicator": _text(e.indicator.names),
            "code": e.indicator.code,
            "before": {"status": before[e.indicator.code]},
            "after": {"status": e.status.value},
        }
        for e in board.city()
        if _public(e.indicator) and before.get(e.indicator.code, e.status.value) != e.status.value
    ]
    overall = board.score(root).overall
    yield Item(
        kind.code,
        f"{kind.code}:{year}-W{week:02d}",
        root,
        {
            "unit_name": scene.unit_name(root),
            "period": str(board.period),
            "overall": round(overall, 1) if overall is not None else "—",
            "on_track": sum(counts.get(s, 0) for s in ON_TRACK),
            "at_risk": counts.get(Status.AT_RISK.value, 0),
            "off_track": sum(counts.get(s, 0) for s in OFF),
            "changes": len(details),
            "details": details,
            "city_statuses": now,
        },
    )


# -- recipients -----------------------------------------------------------------------------
def recipients(conn: Connection, plan: Plan, organisation: Organisation) -> list[Recipient]:
    """Reporters of their units, coordinators for the whole city, anyone else for what
    they subscribed to, and focal points of their unit; a person who is several of
    these is one recipient, with their account's name and language."""
    default = plan.languages[0]
    found: list[Recipient] = []
    for user in user_store.list_all(conn):
        if not user.active:
            continue
        key = user_key(user.username, user.email)
        language = user.language if user.language in plan.languages else default
        units: frozenset[str] | None
        if user.role is Role.REPORTER:
            units = frozenset(user.units)
        elif user.role is Role.COORDINATOR:
            units = None
        else:
            units = frozenset()  # admins and viewers: only what they subscribe to
        found.append(
            Recipient(
                key, user.display_name, user.email, language, units, frozenset({user.role.value})
            )
        )
    for unit, focal in focal_store.current(conn).items():
        if not focal.named or unit not in organisation:
            continue
        key = focal.email.lower() if focal.email else f"focal:{unit}"
        found.append(
            Recipient(
                key,
                focal.name or unit,
                focal.email,
                default,
                frozenset({unit}),
                FOCAL_POINT,
            )
        )
    return digest.merge(found)


def user_key(username: str, email: str | None) -> str:
    """The recipient key of an account: its e-mail address, else `user:NAME`."""
    return email.lower() if email else f"user:{username}"


def preferences(conn: Connection) -> dict[str, dict[str, str]]:
    return notify_store.preferences(conn)
