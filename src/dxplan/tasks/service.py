"""Tasks as people work on them: list, read, report progress, register breakthrough tasks.

One place decides who may do what (`dxplan.policy`: TASK_READ, TASK_UPDATE,
TASK_APPROVE, each asked about the task's lead unit), checks what is given, writes
the store and the audit log. Every call runs inside the caller's transaction, and
checks everything before writing anything: an error changes nothing.

The CLI passes `user=None`: it acts on the data folder with its owner's full rights
(as `dxplan focal-points set` does); every other caller passes the signed-in user.
"""

from __future__ import annotations

import builtins
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import Connection

from dxplan import policy
from dxplan.domain.account import User
from dxplan.domain.names import LocalizedText
from dxplan.domain.organisation import Organisation
from dxplan.domain.period import Period
from dxplan.domain.plan import Plan
from dxplan.domain.submission import Action as Workflow
from dxplan.domain.submission import Status, TransitionError, next_status
from dxplan.domain.task import (
    BREAKTHROUGH_PREFIX,
    UNIT_TASK_PREFIX,
    PlanTask,
    Progress,
    TaskKind,
    TaskStatus,
    breakthrough_code,
    progress_problems,
    status_of,
)
from dxplan.reporting.focal_points import units as registry_units
from dxplan.reporting.report import ReportingError
from dxplan.store import tasks as store
from dxplan.store.tasks import Breakthrough, Evidence, ProgressEntry, UnitTask
from dxplan.tasks.evidence import EvidenceRefused, clean_name, kind_of
from dxplan.tasks.spreadsheet import CellError, Identity, Line, Row, TaskSheetError

if TYPE_CHECKING:
    from dxplan.workspace import Workspace

__all__ = [
    "Conflict",
    "Evidence",
    "Forbidden",
    "Invalid",
    "NotFound",
    "ProgressEntry",
    "TaskError",
    "TaskView",
    "Tasks",
    "Upload",
]

DEFAULT_MAX_EVIDENCE_BYTES: Final = 20 * 1024 * 1024
MAX_FILES: Final = 10  # evidence files in one progress report
MAX_NOTE: Final = 4000  # characters of a note, a description, an expected result
MAX_TITLE: Final = 300
CLI: Final = "cli"  # the actor the CLI's writes are recorded under


class TaskError(ReportingError):
    """A request the tasks service refuses; `status` is the HTTP status it maps to."""

    status = 400


class NotFound(TaskError):
    status = 404


class Forbidden(TaskError):
    status = 403


class Conflict(TaskError):
    status = 409


@dataclass
class Invalid(TaskError):
    """Input that does not pass the checks, as (field, message) pairs: nothing was stored."""

    problems: list[tuple[str, str]] = field(default_factory=list)
    status = 422

    def __str__(self) -> str:
        return "; ".join(f"{name}: {message}" for name, message in self.problems)

    @property
    def messages(self) -> list[str]:
        return [f"{name}: {message}" for name, message in self.problems]


@dataclass(frozen=True)
class Upload:
    """An evidence file as received: its name, content and the type the sender declared
    (never trusted: the content decides)."""

    filename: str
    data: bytes
    declared_type: str | None = None


@dataclass(frozen=True)
class TaskView:
    """A task as its reader sees it: the plan's or a unit's breakthrough task, with its
    current progress as of a day."""

    code: str
    title: LocalizedText
    description: LocalizedText | str | None
    unit_code: str
    supporting: tuple[str, ...]
    kind: TaskKind
    year: int
    start: date | None
    due: date
    status: TaskStatus
    progress: int
    pillar: str | None
    indicators: tuple[str, ...]
    note: str | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None
    evidence: tuple[Evidence, ...] = ()
    approval: Status | None = None  # breakthrough tasks only
    review_comment: str | None = None
    expected_result: str | None = None
    version: int = 0
    reported: Progress = Progress.NOT_STARTED  # what the unit last said
    language: str = "vi"  # the plan's first language

    @property
    def late(self) -> bool:
        return self.status is TaskStatus.OVERDUE

    def contract_json(self) -> dict[str, Any]:
        """The CLI's contract: exactly these keys."""
        return {
            "code": self.code,
            "title": self.title.get(self.language),
            "unit_code": self.unit_code,
            "kind": self.kind.value,
            "due": self.due.isoformat(),
            "status": self.status.value,
            "progress": self.progress,
        }


def _text(value: str | None, name: str, limit: int, *, required: bool = False) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise Invalid([(name, "is required")])
        return None
    if len(text) > limit:
        raise Invalid([(name, f"{len(text)} characters, at most {limit}")])
    if any(ord(c) < 32 and c not in "\n\r\t" for c in text):
        raise Invalid([(name, "holds a control character")])
    return text


class Tasks:
    """The tasks service over one connection (and transaction)."""

    def __init__(
        self,
        conn: Connection,
        plan: Plan,
        organisation: Organisation,
        *,
        now: datetime | None = None,
        max_evidence_bytes: int = DEFAULT_MAX_EVIDENCE_BYTES,
        actor: str = CLI,
    ) -> None:
        """`now`: the instant actions are stamped with (default: the real time);
        `actor`: the name writes without a user (the CLI's) are recorded under."""
        self.conn = conn
        self.actor = actor
        self.plan = plan
        self.organisation = organisation
        self._fixed_now = now
        self.max_evidence_bytes = max_evidence_bytes

    @classmethod
    def of(cls, workspace: Workspace, conn: Connection) -> Tasks:
        """The service of a `dxplan.workspace.Workspace` over `conn`, at its `as_of` day."""
        plan, organisation = workspace.plan(conn), workspace.organisation(conn)
        if plan is None or organisation is None:
            raise RuntimeError("the store is empty: run `dxplan init` first")
        settings = workspace.settings
        now = settings.now(plan.calendar.zone) if settings.as_of is not None else None
        return cls(
            conn, plan, organisation, now=now, max_evidence_bytes=settings.max_evidence_bytes
        )

    def now(self) -> datetime:
        return (self._fixed_now or datetime.now(UTC)).astimezone(UTC)

    @property
    def today(self) -> date:
        """The day statuses are judged on by default: the plan's today (or DXPLAN_AS_OF)."""
        return self.plan.calendar.today(self.now())

    # -- permissions ---------------------------------------------------------------------
    @staticmethod
    def _can(user: User | None, action: policy.Action, unit: str) -> bool:
        return user is None or policy.can(user, action, policy.UnitRef(unit))

    def _readable(self, user: User | None, unit: str) -> bool:
        return self._can(user, policy.Action.TASK_READ, unit)

    def _require(self, user: User | None, action: policy.Action, unit: str, what: str) -> None:
        if not self._can(user, action, unit):
            who = "anonymous" if user is None else user.username
            raise Forbidden(f"{who} may not {what} of {unit}")

    # -- views ---------------------------------------------------------------------------
    def _plan_year(self, year: int) -> Period:
        """The plan's year `year` (calendar, or fiscal ending in that year)."""
        return Period(year, year_start=self.plan.calendar.year_start)

    def _year(self, day: date) -> int:
        return self.plan.calendar.year_of(day).year

    def _progress(
        self,
        due: date,
        current: ProgressEntry | None,
        files: list[Evidence],
        as_of: date,
        since: tuple[datetime | None, str | None] = (None, None),
    ) -> dict[str, Any]:
        """What every kind of task shows of its progress: the newest report, else
        nothing reported yet (`since`: when and by whom the task was written down)."""
        reported = current.progress if current is not None else Progress.NOT_STARTED
        return {
            "due": due,
            "status": status_of(reported, due, as_of),
            "progress": current.percent if current is not None else 0,
            "note": current.note if current is not None else None,
            "updated_at": current.recorded_at if current is not None else since[0],
            "updated_by": current.recorded_by if current is not None else since[1],
            "evidence": tuple(files),
            "reported": reported,
            "language": self.plan.language,
        }

    def _titled(self, text: str) -> LocalizedText:
        """A unit's own text (one language) as the plan's texts are held."""
        return LocalizedText(**dict.fromkeys(self.plan.languages, text))

    def _plan_view(
        self, task: PlanTask, current: ProgressEntry | None, files: list[Evidence], as_of: date
    ) -> TaskView:
        return TaskView(
            code=task.code,
            title=task.name,
            description=None,
            unit_code=task.lead,
            supporting=tuple(task.supporting),
            kind=task.kind,
            year=self._year(task.due),
            start=task.start,
            pillar=self.plan.pillar_of(task),
            indicators=tuple(task.indicators),
            **self._progress(task.due, current, files, as_of),
        )

    def _breakthrough_view(
        self, task: Breakthrough, current: ProgressEntry | None, files: list[Evidence], as_of: date
    ) -> TaskView:
        pillar = next((i.pillar for i in self.plan.indicators if i.code in task.indicators), None)
        return TaskView(
            code=task.code,
            title=self._titled(task.title),
            description=task.description,
            unit_code=task.unit,
            supporting=(),
            kind=TaskKind.BREAKTHROUGH,
            year=task.year,
            start=None,
            pillar=pillar,
            indicators=task.indicators,
            approval=task.status,
            review_comment=task.review_comment,
            expected_result=task.expected_result,
            version=task.version,
            **self._progress(task.due, current, files, as_of, (task.updated_at, task.updated_by)),
        )

    def _unit_view(
        self, task: UnitTask, current: ProgressEntry | None, files: list[Evidence], as_of: date
    ) -> TaskView:
        return TaskView(
            code=task.code,
            title=self._titled(task.title),
            description=None,
            unit_code=task.unit,
            supporting=(),
            kind=TaskKind.TASK,
            year=task.year,
            start=None,
            pillar=None,
            indicators=(),
            **self._progress(task.due, current, files, as_of, (task.created_at, task.created_by)),
        )

    def _views(
        self,
        plan_tasks: list[PlanTask],
        breakthroughs: list[Breakthrough],
        as_of: date,
        own: list[UnitTask] | None = None,
    ) -> list[TaskView]:
        own = own or []
        codes = (
            [t.code for t in plan_tasks] + [b.code for b in breakthroughs] + [u.code for u in own]
        )
        current = store.current(self.conn, codes) if codes else {}
        files = store.evidence_of(self.conn, codes) if codes else {}
        views = [
            self._plan_view(t, current.get(t.code), files.get(t.code, []), as_of)
            for t in plan_tasks
        ]
        views += [
            self._breakthrough_view(b, current.get(b.code), files.get(b.code, []), as_of)
            for b in breakthroughs
        ]
        views += [
            self._unit_view(u, current.get(u.code), files.get(u.code, []), as_of) for u in own
        ]
        return views

    # -- reading -------------------------------------------------------------------------
    def list(
        self,
        user: User | None,
        year: int,
        unit: str | None = None,
        as_of: date | None = None,
    ) -> list[TaskView]:
        """The year's tasks `user` may read: the plan's tasks running during the year
        (led or supported by `unit` when given), then units' breakthrough tasks, by due
        date. A unit the organisation lacks is NotFound."""
        if unit is not None and unit not in self.organisation:
            raise NotFound(f"no unit is coded {unit!r}")
        day = as_of or self.today
        year_period = self._plan_year(year)
        first, last = year_period.first_day, year_period.last_day
        chosen = [
            t
            for t in self.plan.tasks
            if t.active_in(first, last)
            and (unit is None or unit in t.units())
            and self._readable(user, t.lead)
        ]
        breakthroughs = [
            b
            for b in store.breakthroughs(
                self.conn, year=year, units=None if unit is None else [unit]
            )
            if self._readable(user, b.unit)
        ]
        own = [
            u
            for u in store.unit_tasks_of(
                self.conn, year=year, units=None if unit is None else [unit]
            )
            if self._readable(user, u.unit)
        ]
        views = self._views(chosen, breakthroughs, day, own)
        order = {u.code: i for i, u in enumerate(self.organisation)}
        return sorted(views, key=lambda v: (v.due, order.get(v.unit_code, len(order)), v.code))

    def _find(self, code: str) -> PlanTask | Breakthrough | UnitTask:
        found: PlanTask | Breakthrough | UnitTask | None = self.plan.task(code)
        if found is None and code.startswith(BREAKTHROUGH_PREFIX):
            found = store.breakthrough(self.conn, code)
        if found is None and code.startswith(UNIT_TASK_PREFIX):
            found = store.unit_task(self.conn, code)
        if found is None:
            raise NotFound(f"no task is coded {code!r}")
        return found

    @staticmethod
    def _lead(task: PlanTask | Breakthrough | UnitTask) -> str:
        return task.lead if isinstance(task, PlanTask) else task.unit

    def _readable_task(self, user: User | None, code: str) -> PlanTask | Breakthrough | UnitTask:
        task = self._find(code)
        if not self._readable(user, self._lead(task)):
            raise NotFound(f"no task is coded {code!r}")  # as for reports: not even its code
        return task

    def get(self, user: User | None, code: str, as_of: date | None = None) -> TaskView:
        task = self._readable_task(user, code)
        plan_tasks = [task] if isinstance(task, PlanTask) else []
        breakthroughs = [task] if isinstance(task, Breakthrough) else []
        own = [task] if isinstance(task, UnitTask) else []
        return self._views(plan_tasks, breakthroughs, as_of or self.today, own)[0]

    def history(self, user: User | None, code: str) -> builtins.list[ProgressEntry]:
        """Every progress report of the task, newest first."""
        self._readable_task(user, code)
        return store.history(self.conn, code)

    def evidence_file(
        self, user: User | None, code: str, evidence_id: int
    ) -> tuple[Evidence, bytes]:
        """An evidence file with its content, for those who may read the task."""
        self._readable_task(user, code)
        # an id beyond the store's 64-bit integers names no file (the driver would fail)
        in_range = 0 < evidence_id < 2**63
        found = store.evidence_file(self.conn, code, evidence_id) if in_range else None
        if found is None:
            raise NotFound(f"task {code} has no evidence file {evidence_id}")
        return found

    def overdue(self, user: User | None, as_of: date | None = None) -> builtins.list[TaskView]:
        """Tasks of the year of `as_of` past their due date and not done, oldest due first."""
        day = as_of or self.today
        return [v for v in self.list(user, self._year(day), as_of=day) if v.late]

    def due_within(
        self, user: User | None, days: int, as_of: date | None = None
    ) -> builtins.list[TaskView]:
        """Tasks not done and due from `as_of` to `days` days after it."""
        day = as_of or self.today
        until = day + timedelta(days=days)
        years = sorted({self._year(day), self._year(until)})
        return [
            v
            for year in years
            for v in self.list(user, year, as_of=day)
            if v.status is not TaskStatus.DONE and day <= v.due <= until
        ]

    def must_register(self) -> builtins.list[str]:
        """Units that choose a breakthrough task each year: those that name a focal point
        (agencies, communes and wards), else every unit but the root, in tree order."""
        named = registry_units(self.plan, self.organisation)
        if named:
            return [u.code for u in named]
        return [u.code for u in self.organisation if u.parent is not None]

    def units_without_breakthrough(self, user: User | None, year: int) -> builtins.list[str]:
        """Units with no breakthrough task approved or awaiting approval for `year`."""
        if user is not None and not policy.can(
            user, policy.Action.REPORTS_LATE_READ, policy.ORGANISATION
        ):
            raise Forbidden(f"{user.username} may not list every unit's breakthrough tasks")
        chosen = {
            b.unit
            for b in store.breakthroughs(self.conn, year=year)
            if b.status in (Status.SUBMITTED, Status.APPROVED)
        }
        return [u for u in self.must_register() if u not in chosen]

    # -- progress ------------------------------------------------------------------------
    def update_progress(
        self,
        user: User | None,
        code: str,
        *,
        percent: int,
        progress: Progress | str,
        note: str | None = None,
        files: builtins.list[Upload] | None = None,
        read_version: int | None = None,
    ) -> TaskView:
        """Record the lead unit's progress on a task with its evidence files; all or nothing.

        `read_version`: for a breakthrough task, the version the writer read (a lost
        update is refused).
        """
        task = self._readable_task(user, code)
        unit = self._lead(task)
        self._require(user, policy.Action.TASK_UPDATE, unit, "report progress on the tasks")
        try:
            state = Progress(progress)
        except ValueError:
            raise Invalid(
                [("progress", f"{progress!r} is not one of {', '.join(p.value for p in Progress)}")]
            ) from None
        problems = progress_problems(percent, state)
        if problems:
            raise Invalid(problems)
        text = _text(note, "note", MAX_NOTE)
        if isinstance(task, Breakthrough):
            if task.status is not Status.APPROVED:
                raise Conflict(
                    f"{code} is {task.status.value}: progress is reported once it is approved"
                )
            if read_version is not None and read_version != task.version:
                raise Conflict(
                    f"{code} was changed by {task.updated_by} (now version {task.version}); "
                    "reload it"
                )
        uploads: builtins.list[Upload] = files or []
        if len(uploads) > MAX_FILES:
            raise Invalid([("files", f"{len(uploads)} files, at most {MAX_FILES} at once")])
        checked = []
        for position, upload in enumerate(uploads, 1):
            try:
                kind = kind_of(upload.filename, upload.data, self.max_evidence_bytes)
                checked.append((clean_name(upload.filename), kind.media_type, upload.data))
            except EvidenceRefused as error:
                raise Invalid([(f"files[{position}]", str(error))]) from None
        at, actor = self.now(), self.actor if user is None else user.username
        ids = [
            store.add_evidence(
                self.conn,
                task=code,
                filename=name,
                media_type=media_type,
                content=data,
                sha256=hashlib.sha256(data).hexdigest(),
                at=at,
                actor=actor,
            ).id
            for name, media_type, data in checked
        ]
        store.add_progress(
            self.conn,
            task=code,
            unit=unit,
            percent=percent,
            progress=state,
            note=text,
            evidence=ids,
            at=at,
            actor=actor,
        )
        return self.get(user, code)

    # -- breakthrough tasks --------------------------------------------------------------
    def register_breakthrough(
        self,
        user: User | None,
        unit: str,
        year: int,
        *,
        title: str,
        description: str | None = None,
        expected_result: str | None = None,
        due: date,
        indicators: builtins.list[str] | None = None,
    ) -> TaskView:
        """Register `unit`'s breakthrough task of `year` as a draft; Conflict when the unit
        has one already (revise that one instead)."""
        if unit not in self.organisation:
            raise NotFound(f"no unit is coded {unit!r}")
        self._require(user, policy.Action.TASK_UPDATE, unit, "register the breakthrough task")
        if unit not in self.must_register():
            raise Invalid([("unit", f"{unit} does not choose a breakthrough task")])
        code = breakthrough_code(unit, year)
        existing = store.breakthrough(self.conn, code)
        if existing is not None:
            raise Conflict(
                f"{unit} already has a breakthrough task for {year} ({code}, "
                f"{existing.status.value}): change that one instead"
            )
        new = self._checked(
            Breakthrough(code, unit, year, title, description, expected_result, due, ()),
            indicators or [],
            user,
        )
        try:
            stored = store.write_breakthrough(
                self.conn, new, read_version=0, action="breakthrough.register"
            )
        except store.Duplicate as error:
            raise Conflict(str(error)) from None
        return self.get(user, stored.code)

    def revise_breakthrough(
        self,
        user: User | None,
        code: str,
        *,
        title: str,
        description: str | None = None,
        expected_result: str | None = None,
        due: date,
        indicators: builtins.list[str] | None = None,
        read_version: int | None = None,
    ) -> TaskView:
        """Change a draft or returned breakthrough task (it stays or becomes a draft)."""
        task = self._breakthrough(user, code)
        self._require(user, policy.Action.TASK_UPDATE, task.unit, "change the breakthrough task")
        if task.status not in (Status.DRAFT, Status.RETURNED):  # the report workflow's SAVE
            raise Conflict(  # would reopen an approved or submitted one as a draft
                f"{code} is {task.status.value}: only a draft or returned one is changed"
            )
        changed = task.changed(
            title=title, description=description, expected_result=expected_result, due=due
        )
        return self._move(
            user, self._checked(changed, indicators or [], user), Workflow.SAVE, read_version
        )

    def _checked(
        self, task: Breakthrough, indicators: builtins.list[str], user: User | None
    ) -> Breakthrough:
        problems: builtins.list[tuple[str, str]] = []
        fields: dict[str, str | None] = {}
        for name, value, limit, required in (
            ("title", task.title, MAX_TITLE, True),
            ("description", task.description, MAX_NOTE, False),
            ("expected_result", task.expected_result, MAX_NOTE, False),
        ):
            try:
                fields[name] = _text(value, name, limit, required=required)
            except Invalid as error:
                problems += error.problems
        known = {i.code for i in self.plan.indicators}
        for position, code in enumerate(indicators):
            if code not in known:
                problems.append((f"indicators[{position}]", f"unknown indicator {code!r}"))
        year = self._plan_year(task.year)
        if not year.first_day <= task.due <= year.last_day:
            problems.append(("due", f"{task.due.isoformat()} is not a day of {task.year}"))
        if problems:
            raise Invalid(problems)
        return task.changed(
            title=fields["title"],
            description=fields["description"],
            expected_result=fields["expected_result"],
            indicators=tuple(indicators),
            updated_at=self.now(),
            updated_by=self.actor if user is None else user.username,
        )

    def _breakthrough(self, user: User | None, code: str) -> Breakthrough:
        task = self._readable_task(user, code)
        if not isinstance(task, Breakthrough):
            raise NotFound(f"{code} is not a unit's breakthrough task")
        return task

    def _move(
        self, user: User | None, task: Breakthrough, action: Workflow, read_version: int | None
    ) -> TaskView:
        stored = store.breakthrough(self.conn, task.code)
        assert stored is not None
        try:
            status = next_status(stored.status, action)
        except TransitionError as error:
            raise Conflict(str(error).replace("a report", "a breakthrough task")) from None
        if read_version is not None and read_version != stored.version:
            raise Conflict(
                f"{task.code} was changed by {stored.updated_by} (now version "
                f"{stored.version}); reload it"
            )
        new = task.changed(
            status=status,
            updated_at=self.now(),
            updated_by=self.actor if user is None else user.username,
        )
        try:
            store.write_breakthrough(
                self.conn, new, read_version=stored.version, action=f"breakthrough.{action.value}"
            )
        except store.StaleVersion as error:
            raise Conflict(f"{error}; reload it") from None
        return self.get(user, task.code)

    def submit_breakthrough(
        self, user: User | None, code: str, *, read_version: int | None = None
    ) -> TaskView:
        task = self._breakthrough(user, code)
        self._require(user, policy.Action.TASK_UPDATE, task.unit, "submit the breakthrough task")
        return self._move(user, task.changed(review_comment=None), Workflow.SUBMIT, read_version)

    def approve_breakthrough(
        self, user: User | None, code: str, *, read_version: int | None = None
    ) -> TaskView:
        task = self._breakthrough(user, code)
        self._require(user, policy.Action.TASK_APPROVE, task.unit, "approve the breakthrough task")
        return self._move(user, task, Workflow.APPROVE, read_version)

    def return_breakthrough(
        self, user: User | None, code: str, comment: str, *, read_version: int | None = None
    ) -> TaskView:
        task = self._breakthrough(user, code)
        self._require(user, policy.Action.TASK_APPROVE, task.unit, "return the breakthrough task")
        text = _text(comment, "comment", MAX_NOTE, required=True)
        return self._move(user, task.changed(review_comment=text), Workflow.RETURN, read_version)

    # -- the unit's detailed task list (Excel) ------------------------------------------
    def reported_by(self, user: User | None, unit: str, year: int) -> builtins.list[TaskView]:
        """The tasks `unit` reports progress on in `year`: the plan's tasks it leads, its
        approved breakthrough task and its own detailed tasks."""
        return [
            v
            for v in self.list(user, year, unit)
            if v.unit_code == unit and v.approval in (None, Status.APPROVED)
        ]

    def template_lines(self, user: User | None, unit: str, year: int) -> builtins.list[Line]:
        """The prefilled lines of `unit`'s task list template (its current progress)."""
        self._require(user, policy.Action.TASK_UPDATE, unit, "fill in the task list")
        return [
            Line(v.code, v.title.get(v.language), v.due, v.progress, v.reported, v.note)
            for v in self.reported_by(user, unit, year)
        ]

    def import_rows(
        self, user: User | None, identity: Identity, rows: builtins.list[Row]
    ) -> ImportResult:
        """Store the rows of an uploaded task list: a progress report per listed task whose
        progress, status or note changed, a new own task (and its progress) per new row.
        Checks everything first; TaskSheetError names the cells, and nothing is stored."""
        unit, year = identity.unit, identity.year
        if unit not in self.organisation:
            raise NotFound(f"no unit is coded {unit!r}")
        self._require(user, policy.Action.TASK_UPDATE, unit, "report progress on the tasks")
        current = {v.code: v for v in self.reported_by(user, unit, year)}
        gone = [
            CellError(identity.sheet, r.row, 1, "code", f"{r.code} is no task of {unit} any more")
            for r in rows
            if r.code is not None and r.code not in current
        ]
        if gone:
            raise TaskSheetError(
                "Some tasks of the template are no longer the unit's: make a new template.",
                [],
                gone,
            )
        result = ImportResult()
        at, actor = self.now(), self.actor if user is None else user.username
        for row in rows:
            if row.code is None:
                assert row.title is not None and row.due is not None
                task = store.add_unit_task(
                    self.conn,
                    unit=unit,
                    year=year,
                    title=row.title,
                    due=row.due,
                    at=at,
                    actor=actor,
                )
                code = task.code
                result.added.append(code)
            else:
                code = row.code
                view = current[code]
                if (view.progress, view.reported, view.note) == (
                    row.percent,
                    row.progress,
                    row.note,
                ):
                    result.unchanged.append(code)
                    continue
                result.updated.append(code)
            store.add_progress(
                self.conn,
                task=code,
                unit=unit,
                percent=row.percent,
                progress=row.progress,
                note=row.note,
                evidence=[],
                at=at,
                actor=actor,
            )
        return result


@dataclass
class ImportResult:
    """What an imported task list changed."""

    updated: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
