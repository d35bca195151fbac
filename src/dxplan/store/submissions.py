"""Reports as stored: one row per (data set, unit, period), changed under a version check.

Every change bumps `version`; a writer names the version it read, and a write against
a newer one is refused (`StaleVersion`): two officers saving the same draft never
silently overwrite each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from dxplan.domain.submission import Status
from dxplan.store.tables import submissions

StoredValues = dict[str, dict[str, float | None]]  # measure -> unit -> value


class StaleVersion(Exception):
    """The report changed since the writer read it."""

    def __init__(self, current: int) -> None:
        super().__init__(f"the report changed meanwhile (now version {current})")
        self.current = current


@dataclass(frozen=True)
class Submission:
    dataset: str
    unit: str
    period: str
    status: Status = Status.EMPTY
    version: int = 0
    values: StoredValues | None = None
    comment: str | None = None
    review_comment: str | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None
    first_submitted_at: datetime | None = None
    submitted_at: datetime | None = None
    approved_at: datetime | None = None
    approved_by: str | None = None
    approvals: int = 0

    @property
    def key(self) -> str:
        return f"{self.dataset}/{self.unit}/{self.period}"

    def state(self) -> dict[str, Any]:
        """A JSON-ready picture for the audit log."""
        return {
            "status": self.status.value,
            "version": self.version,
            "values": self.values or {},
            "comment": self.comment,
            "review_comment": self.review_comment,
        }

    def changed(self, **changes: Any) -> Submission:
        return replace(self, **changes)


def _from_row(row: object) -> Submission:
    m = row._mapping  # type: ignore[attr-defined]
    return Submission(
        dataset=m["dataset"],
        unit=m["unit_code"],
        period=m["period"],
        status=Status(m["status"]),
        version=m["version"],
        values=m["values"],
        comment=m["comment"],
        review_comment=m["review_comment"],
        updated_at=m["updated_at"],
        updated_by=m["updated_by"],
        first_submitted_at=m["first_submitted_at"],
        submitted_at=m["submitted_at"],
        approved_at=m["approved_at"],
        approved_by=m["approved_by"],
        approvals=m["approvals"],
    )


def get(conn: Connection, dataset: str, unit: str, period: str) -> Submission:
    """The stored report, or an empty one (status `empty`, version 0)."""
    row = conn.execute(
        select(submissions).where(
            submissions.c.dataset == dataset,
            submissions.c.unit_code == unit,
            submissions.c.period == period,
        )
    ).first()
    return Submission(dataset, unit, period) if row is None else _from_row(row)


def find(
    conn: Connection,
    *,
    datasets: Iterable[str] | None = None,
    units: Iterable[str] | None = None,
    periods: Iterable[str] | None = None,
    statuses: Iterable[Status] | None = None,
) -> list[Submission]:
    query = select(submissions).order_by(
        submissions.c.dataset, submissions.c.period, submissions.c.unit_code
    )
    if datasets is not None:
        query = query.where(submissions.c.dataset.in_(list(datasets)))
    if units is not None:
        query = query.where(submissions.c.unit_code.in_(list(units)))
    if periods is not None:
        query = query.where(submissions.c.period.in_(list(periods)))
    if statuses is not None:
        query = query.where(submissions.c.status.in_([s.value for s in statuses]))
    return [_from_row(r) for r in conn.execute(query)]


def write(conn: Connection, new: Submission, *, read_version: int) -> Submission:
    """Store `new` as version read_version + 1, or raise StaleVersion."""
    row = asdict(new)
    row["unit_code"] = row.pop("unit")
    row["status"] = new.status.value
    row["values"] = new.values or {}
    row["version"] = read_version + 1
    if read_version == 0:
        try:
            with conn.begin_nested():  # a concurrent first save hits the unique key
                conn.execute(insert(submissions).values(**row))
        except IntegrityError:
            raise StaleVersion(get(conn, new.dataset, new.unit, new.period).version) from None
    else:
        done = conn.execute(
            update(submissions)
            .where(
                submissions.c.dataset == new.dataset,
                submissions.c.unit_code == new.unit,
                submissions.c.period == new.period,
                submissions.c.version == read_version,
            )
            .values(**row)
        )
        if done.rowcount != 1:
            raise StaleVersion(get(conn, new.dataset, new.unit, new.period).version)
    return replace(new, version=read_version + 1)


def state(conn: Connection) -> tuple[int, int]:
    """A marker that changes whenever a report does: (reports, sum of their versions).

    Rows are never deleted and every write adds one to a version (a new row starts at
    1), so the pair only grows; one aggregate over a table of a few thousand rows.
    """
    count, versions = conn.execute(
        select(func.count(), func.coalesce(func.sum(submissions.c.version), 0))
    ).one()
    return int(count), int(versions)
