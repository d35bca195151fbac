"""Tasks as stored: progress reports (append-only), evidence files, breakthrough tasks.

A progress report is a new row, never an update: the newest row of a task is its
current progress and the rows before it are its history. Evidence files keep their
content in the store with its SHA-256 (decision 0018). Breakthrough tasks are one row
per unit and year, changed under a version check like reports. Every write is also in
the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from dxplan.domain.submission import Status
from dxplan.domain.task import Progress
from dxplan.store import audit
from dxplan.store.tables import breakthrough_tasks, task_evidence, task_progress, unit_tasks


class StaleVersion(Exception):
    """The breakthrough task changed since the writer read it."""

    def __init__(self, current: int) -> None:
        super().__init__(f"the breakthrough task changed meanwhile (now version {current})")
        self.current = current


class Duplicate(Exception):
    """The unit already has a breakthrough task for the year."""


@dataclass(frozen=True)
class Evidence:
    """An evidence file as readers see it listed (its content is read on its own)."""

    id: int
    task_code: str
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    uploaded_by: str


@dataclass(frozen=True)
class ProgressEntry:
    """One progress report: what the unit said, when, with which evidence files."""

    id: int
    task_code: str
    unit: str
    percent: int
    progress: Progress
    note: str | None
    evidence: tuple[int, ...]
    recorded_at: datetime
    recorded_by: str


@dataclass(frozen=True)
class Breakthrough:
    """A unit's breakthrough task of a year, with its approval status."""

    code: str
    unit: str
    year: int
    title: str
    description: str | None
    expected_result: str | None
    due: date
    indicators: tuple[str, ...]
    status: Status = Status.DRAFT
    version: int = 0
    review_comment: str | None = None
    created_at: datetime | None = None
    created_by: str | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None

    def state(self) -> dict[str, Any]:
        """A JSON-ready picture for the audit log."""
        return {
            "unit": self.unit,
            "year": self.year,
            "title": self.title,
            "description": self.description,
            "expected_result": self.expected_result,
            "due": self.due.isoformat(),
            "indicators": list(self.indicators),
            "status": self.status.value,
            "version": self.version,
            "review_comment": self.review_comment,
        }

    def changed(self, **changes: Any) -> Breakthrough:
        return replace(self, **changes)


# -- progress -----------------------------------------------------------------------------


def _entry(row: Any) -> ProgressEntry:
    m = row._mapping
    return ProgressEntry(
        id=m["id"],
        task_code=m["task_code"],
        unit=m["unit_code"],
        percent=m["percent"],
        progress=Progress(m["progress"]),
        note=m["note"],
        evidence=tuple(m["evidence"] or ()),
        recorded_at=m["recorded_at"],
        recorded_by=m["recorded_by"],
    )


def history(conn: Connection, task: str) -> list[ProgressEntry]:
    """Every progress report of `task`, newest first."""
    rows = conn.execute(
        select(task_progress)
        .where(task_progress.c.task_code == task)
        .order_by(task_progress.c.id.desc())
    )
    return [_entry(r) for r in rows]


def current(conn: Connection, tasks: Iterable[str] | None = None) -> dict[str, ProgressEntry]:
    """The newest progress report of each task (of `tasks`, or every one)."""
    newest = select(func.max(task_progress.c.id)).group_by(task_progress.c.task_code)
    if tasks is not None:
        newest = newest.where(task_progress.c.task_code.in_(list(tasks)))
    rows = conn.execute(select(task_progress).where(task_progress.c.id.in_(newest)))
    return {e.task_code: e for e in map(_entry, rows)}


def add_progress(
    conn: Connection,
    *,
    task: str,
    unit: str,
    percent: int,
    progress: Progress,
    note: str | None,
    evidence: Iterable[int],
    at: datetime,
    actor: str,
) -> ProgressEntry:
    """Record a progress report (and its audit entry)."""
    before = current(conn, [task]).get(task)
    ids = list(evidence)
    new_id = conn.execute(
        insert(task_progress)
        .values(
            task_code=task,
            unit_code=unit,
            percent=percent,
            progress=progress.value,
            note=note,
            evidence=ids,
            recorded_at=at,
            recorded_by=actor,
        )
        .returning(task_progress.c.id)
    ).scalar_one()
    entry = ProgressEntry(new_id, task, unit, percent, progress, note, tuple(ids), at, actor)
    audit.append(
        conn,
        actor=actor,
        action="task.progress",
        entity="task",
        key=task,
        before=None if before is None else _progress_state(before),
        after=_progress_state(entry),
    )
    return entry


def _progress_state(entry: ProgressEntry) -> dict[str, Any]:
    return {
        "percent": entry.percent,
        "progress": entry.progress.value,
        "note": entry.note,
        "evidence": list(entry.evidence),
        "unit": entry.unit,
    }


# -- evidence -----------------------------------------------------------------------------

_LISTED = [c for c in task_evidence.c if c.name != "content"]


def _evidence(row: Any) -> Evidence:
    return Evidence(**{k: v for k, v in row._mapping.items() if k != "content"})


def add_evidence(
    conn: Connection,
    *,
    task: str,
    filename: str,
    media_type: str,
    content: bytes,
    sha256: str,
    at: datetime,
    actor: str,
) -> Evidence:
    """Store an evidence file of `task` (and its audit entry, without the content)."""
    new_id = conn.execute(
        insert(task_evidence)
        .values(
            task_code=task,
            filename=filename,
            media_type=media_type,
            size=len(content),
            sha256=sha256,
            content=content,
            uploaded_at=at,
            uploaded_by=actor,
        )
        .returning(task_evidence.c.id)
    ).scalar_one()
    stored = Evidence(new_id, task, filename, media_type, len(content), sha256, at, actor)
    audit.append(
        conn,
        actor=actor,
        action="task.evidence",
        entity="task",
        key=task,
        after={
            "evidence": new_id,
            "filename": filename,
            "media_type": media_type,
            "size": len(content),
            "sha256": sha256,
        },
    )
    return stored


def evidence_of(conn: Connection, tasks: Iterable[str]) -> dict[str, list[Evidence]]:
    """The evidence files of each of `tasks`, oldest first (without their content)."""
    rows = conn.execute(
        select(*_LISTED)
        .where(task_evidence.c.task_code.in_(list(tasks)))
        .order_by(task_evidence.c.id)
    )
    found: dict[str, list[Evidence]] = {}
    for row in rows:
        item = _evidence(row)
        found.setdefault(item.task_code, []).append(item)
    return found


def evidence_file(conn: Connection, task: str, evidence_id: int) -> tuple[Evidence, bytes] | None:
    """An evidence file of `task` with its content, or None."""
    row = conn.execute(
        select(task_evidence).where(
            task_evidence.c.id == evidence_id, task_evidence.c.task_code == task
        )
    ).first()
    if row is None:
        return None
    return _evidence(row), bytes(row.content)


# -- breakthrough tasks -------------------------------------------------------------------


def _breakthrough(row: Any) -> Breakthrough:
    m = row._mapping
    return Breakthrough(
        code=m["code"],
        unit=m["unit_code"],
        year=m["year"],
        title=m["title"],
        description=m["description"],
        expected_result=m["expected_result"],
        due=date.fromisoformat(m["due"]),
        indicators=tuple(m["indicators"] or ()),
        status=Status(m["status"]),
        version=m["version"],
        review_comment=m["review_comment"],
        created_at=m["created_at"],
        created_by=m["created_by"],
        updated_at=m["updated_at"],
        updated_by=m["updated_by"],
    )


def breakthrough(conn: Connection, code: str) -> Breakthrough | None:
    row = conn.execute(select(breakthrough_tasks).where(breakthrough_tasks.c.code == code)).first()
    return None if row is None else _breakthrough(row)


def breakthroughs(
    conn: Connection, *, year: int | None = None, units: Iterable[str] | None = None
) -> list[Breakthrough]:
    """Breakthrough tasks (of a year, of some units), by unit."""
    query = select(breakthrough_tasks).order_by(breakthrough_tasks.c.year, breakthrough_tasks.c.id)
    if year is not None:
        query = query.where(breakthrough_tasks.c.year == year)
    if units is not None:
        query = query.where(breakthrough_tasks.c.unit_code.in_(list(units)))
    return [_breakthrough(r) for r in conn.execute(query)]


def _row(task: Breakthrough) -> dict[str, Any]:
    return {
        "code": task.code,
        "unit_code": task.unit,
        "year": task.year,
        "title": task.title,
        "description": task.description,
        "expected_result": task.expected_result,
        "due": task.due.isoformat(),
        "indicators": list(task.indicators),
        "status": task.status.value,
        "review_comment": task.review_comment,
        "updated_at": task.updated_at,
        "updated_by": task.updated_by,
    }


def write_breakthrough(
    conn: Connection, new: Breakthrough, *, read_version: int, action: str
) -> Breakthrough:
    """Store `new` as version read_version + 1 (0: a new task); StaleVersion or Duplicate
    otherwise. `action` names the change in the audit log (`breakthrough.submit`)."""
    row = _row(new) | {"version": read_version + 1}
    before = None
    if read_version == 0:
        row |= {"created_at": new.updated_at, "created_by": new.updated_by}
        try:
            with conn.begin_nested():  # a concurrent registration hits the unique keys
                conn.execute(insert(breakthrough_tasks).values(**row))
        except IntegrityError:
            raise Duplicate(f"{new.unit} already has a breakthrough task for {new.year}") from None
        stored = new.changed(version=1, created_at=new.updated_at, created_by=new.updated_by)
    else:
        before = breakthrough(conn, new.code)
        done = conn.execute(
            update(breakthrough_tasks)
            .where(
                breakthrough_tasks.c.code == new.code,
                breakthrough_tasks.c.version == read_version,
            )
            .values(**row)
        )
        if done.rowcount != 1:
            found = before.version if before is not None else 0
            raise StaleVersion(found)
        stored = new.changed(version=read_version + 1)
    audit.append(
        conn,
        actor=new.updated_by or "system",
        action=action,
        entity="breakthrough_task",
        key=new.code,
        before=None if before is None else before.state(),
        after=stored.state(),
    )
    return stored


# -- units' own detailed tasks ------------------------------------------------------------


@dataclass(frozen=True)
class UnitTask:
    """A task of a unit's own detailed plan (not in the plan file)."""

    code: str
    unit: str
    year: int
    title: str
    due: date
    created_at: datetime
    created_by: str


def _unit_task(row: Any) -> UnitTask:
    m = row._mapping
    return UnitTask(
        m["code"],
        m["unit_code"],
        m["year"],
        m["title"],
        date.fromisoformat(m["due"]),
        m["created_at"],
        m["created_by"],
    )


def unit_task(conn: Connection, code: str) -> UnitTask | None:
    row = conn.execute(select(unit_tasks).where(unit_tasks.c.code == code)).first()
    return None if row is None else _unit_task(row)


def unit_tasks_of(
    conn: Connection, *, year: int | None = None, units: Iterable[str] | None = None
) -> list[UnitTask]:
    query = select(unit_tasks).order_by(unit_tasks.c.id)
    if year is not None:
        query = query.where(unit_tasks.c.year == year)
    if units is not None:
        query = query.where(unit_tasks.c.unit_code.in_(list(units)))
    return [_unit_task(r) for r in conn.execute(query)]


def add_unit_task(
    conn: Connection, *, unit: str, year: int, title: str, due: date, at: datetime, actor: str
) -> UnitTask:
    """A new task of `unit`'s detailed plan, coded U-<unit>-<n> (n counts the unit's)."""
    count = conn.execute(
        select(func.count()).select_from(unit_tasks).where(unit_tasks.c.unit_code == unit)
    ).scalar_one()
    code = f"U-{unit}-{count + 1:02d}"
    conn.execute(
        insert(unit_tasks).values(
            code=code,
            unit_code=unit,
            year=year,
            title=title,
            due=due.isoformat(),
            created_at=at,
            created_by=actor,
        )
    )
    task = UnitTask(code, unit, year, title, due, at, actor)
    audit.append(
        conn,
        actor=actor,
        action="unit_task.add",
        entity="task",
        key=code,
        after={"unit": unit, "year": year, "title": title, "due": due.isoformat()},
    )
    return task
