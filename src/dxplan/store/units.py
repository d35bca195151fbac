"""Units in the store: the organisation as last synchronised from its sources."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from dxplan.domain.names import LocalizedText
from dxplan.domain.organisation import Organisation
from dxplan.domain.unit import Unit, UnitKind
from dxplan.store import audit
from dxplan.store.tables import units


@dataclass(frozen=True)
class SyncReport:
    added: int
    changed: int
    deactivated: int
    unchanged: int


def _state(unit: Unit) -> dict[str, Any]:
    return {
        "kind": unit.kind.value,
        "parent_code": unit.parent,
        "names": unit.names.model_dump(exclude_none=True),
    }


def sync(conn: Connection, organisation: Organisation, actor: str) -> SyncReport:
    """Make the stored units match `organisation`; units no longer there become inactive.

    Units are never deleted: values and reports keep pointing at them.
    """
    now = datetime.now(UTC)
    stored = {row.code: row for row in conn.execute(select(units))}
    added = changed = unchanged = 0
    # parents before children, so that foreign keys hold at every insert
    for position, unit in enumerate(organisation):
        state = _state(unit)
        row = stored.pop(unit.code, None)
        if row is None:
            conn.execute(
                insert(units).values(
                    code=unit.code, position=position, active=True, updated_at=now, **state
                )
            )
            audit.append(
                conn, actor=actor, action="unit.add", entity="unit", key=unit.code, after=state
            )
            added += 1
            continue
        before = {"kind": row.kind, "parent_code": row.parent_code, "names": row.names}
        if before == state and row.active and row.position == position:
            unchanged += 1
            continue
        conn.execute(
            update(units)
            .where(units.c.code == unit.code)
            .values(position=position, active=True, updated_at=now, **state)
        )
        if before != state or not row.active:
            audit.append(
                conn,
                actor=actor,
                action="unit.change",
                entity="unit",
                key=unit.code,
                before={**before, "active": row.active},
                after={**state, "active": True},
            )
            changed += 1
        else:
            unchanged += 1
    deactivated = 0
    for code, row in stored.items():
        if row.active:
            conn.execute(
                update(units).where(units.c.code == code).values(active=False, updated_at=now)
            )
            audit.append(
                conn,
                actor=actor,
                action="unit.deactivate",
                entity="unit",
                key=code,
                before={"active": True},
                after={"active": False},
            )
            deactivated += 1
    return SyncReport(added, changed, deactivated, unchanged)


def active(conn: Connection) -> list[Unit]:
    """Active units in tree order (root first, each parent before its children)."""
    rows = conn.execute(select(units).where(units.c.active.is_(True)).order_by(units.c.position))
    return [
        Unit(
            code=row.code,
            kind=UnitKind(row.kind),
            parent=row.parent_code,
            names=LocalizedText(**row.names),
        )
        for row in rows
    ]


def organisation(conn: Connection) -> Organisation | None:
    """The stored organisation, or None when no unit is stored yet."""
    found = active(conn)
    return Organisation(found) if found else None
