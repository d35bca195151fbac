"""Notes of the official reports (difficulties, next tasks), kept with their history.

Rows are only ever added: saving again is a new row, the newest is what the report
prints, and every save is in the audit log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select

from dxplan.domain.period import Period
from dxplan.store import audit
from dxplan.store.tables import report_notes

MAX_CHARS = 20_000  # per section: a few pages of text, far below any body limit


class NotesError(ValueError):
    """Notes that cannot be stored as given: nothing is stored."""


class TooLong(NotesError):
    """A section longer than MAX_CHARS."""


class ControlCharacter(NotesError):
    """A character a document cannot hold (a control character other than a line break
    or a tab): a Word file would refuse it when the report is written."""


# XML 1.0, hence DOCX, takes no C0 control character but tab and line breaks
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Notes:
    """What the coordinator writes before generating: difficulties and next tasks."""

    difficulties: str
    next_tasks: str
    saved_by: str = ""
    saved_at: datetime | None = None


def history(conn: Connection, unit: str, period: Period) -> list[Notes]:
    """Every saved version for the unit and period, newest first."""
    rows = conn.execute(
        select(report_notes)
        .where(report_notes.c.unit_code == unit, report_notes.c.period == str(period))
        .order_by(report_notes.c.id.desc())
    )
    return [
        Notes(r.difficulties, r.next_tasks, saved_by=r.recorded_by, saved_at=r.recorded_at)
        for r in rows
    ]


def current(conn: Connection, unit: str, period: Period) -> Notes | None:
    found = history(conn, unit, period)
    return found[0] if found else None


def save(
    conn: Connection, unit: str, period: Period, *, difficulties: str, next_tasks: str, actor: str
) -> Notes | None:
    """Record new notes; None when they equal the current ones (nothing is written)."""
    difficulties, next_tasks = difficulties.strip(), next_tasks.strip()
    for name, text in (("difficulties", difficulties), ("next_tasks", next_tasks)):
        if len(text) > MAX_CHARS:
            raise TooLong(f"{name}: {len(text)} characters, at most {MAX_CHARS}")
        found = _CONTROL.search(text)
        if found is not None:
            raise ControlCharacter(
                f"{name}: character {ord(found.group()):#06x} at position {found.start() + 1}"
            )
    before = current(conn, unit, period)
    if before is not None and (before.difficulties, before.next_tasks) == (
        difficulties,
        next_tasks,
    ):
        return None
    at = datetime.now(UTC)
    conn.execute(
        insert(report_notes).values(
            unit_code=unit,
            period=str(period),
            difficulties=difficulties,
            next_tasks=next_tasks,
            recorded_at=at,
            recorded_by=actor,
        )
    )
    audit.append(
        conn,
        actor=actor,
        action="report_notes.save",
        entity="report_notes",
        key=f"{unit}/{period}",
        before=None
        if before is None
        else {"difficulties": before.difficulties, "next_tasks": before.next_tasks},
        after={"difficulties": difficulties, "next_tasks": next_tasks},
    )
    return Notes(difficulties, next_tasks, saved_by=actor, saved_at=at)
