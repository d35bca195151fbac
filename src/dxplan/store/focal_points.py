"""Focal points: each unit's digital-transformation lead, kept with its whole history.

Rows are only ever added: a change is a new row, a removal a row without a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select

from dxplan.store import audit
from dxplan.store.tables import focal_points


@dataclass(frozen=True)
class FocalPoint:
    unit: str
    name: str | None
    title: str | None
    phone: str | None
    email: str | None
    recorded_at: datetime
    recorded_by: str

    @property
    def named(self) -> bool:
        return bool(self.name)

    def state(self) -> dict[str, str | None]:
        return {"name": self.name, "title": self.title, "phone": self.phone, "email": self.email}


def _from_row(row: object) -> FocalPoint:
    m = row._mapping  # type: ignore[attr-defined]
    return FocalPoint(
        unit=m["unit_code"],
        name=m["name"],
        title=m["title"],
        phone=m["phone"],
        email=m["email"],
        recorded_at=m["recorded_at"],
        recorded_by=m["recorded_by"],
    )


def history(conn: Connection, unit: str | None = None) -> list[FocalPoint]:
    """Every record, oldest first (of one unit, or of all)."""
    query = select(focal_points).order_by(focal_points.c.recorded_at, focal_points.c.id)
    if unit is not None:
        query = query.where(focal_points.c.unit_code == unit)
    return [_from_row(r) for r in conn.execute(query)]


def current(conn: Connection, at: datetime | None = None) -> dict[str, FocalPoint]:
    """Each unit's latest record (as of `at`, if given)."""
    found: dict[str, FocalPoint] = {}
    for record in history(conn):
        if at is None or record.recorded_at < at:
            found[record.unit] = record
    return found


def record(
    conn: Connection,
    unit: str,
    *,
    name: str | None,
    title: str | None,
    phone: str | None,
    email: str | None,
    actor: str,
    at: datetime | None = None,
) -> FocalPoint | None:
    """Record a unit's focal point (no name: it has none); None when nothing changed."""
    at = at or datetime.now(UTC)
    before = current(conn).get(unit)
    new = FocalPoint(unit, name or None, title or None, phone or None, email or None, at, actor)
    if before is not None and before.state() == new.state():
        return None
    conn.execute(
        insert(focal_points).values(
            unit_code=unit,
            name=new.name,
            title=new.title,
            phone=new.phone,
            email=new.email,
            recorded_at=at,
            recorded_by=actor,
        )
    )
    audit.append(
        conn,
        actor=actor,
        action="focal_point.record",
        entity="focal_point",
        key=unit,
        before=before.state() if before else None,
        after=new.state(),
    )
    return new
