"""Units in the store: the organisation as last synchronised from its sources."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from dxplan.domain.names import LocalizedText
from dxplan.domain.organisation import Organisation
from dxplan.domain.unit import Unit, UnitKinds
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
        "kind": unit.kind,
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
    # new units are inserted in bulk (a country has 3,376: one statement each took
    # seconds), parents before children, flushed before any other statement so that
    # foreign keys hold at every step
    new_rows: list[dict[str, Any]] = []
    new_entries: list[dict[str, Any]] = []

    def flush() -> None:
        if new_rows:
            conn.execute(insert(units), new_rows)
            audit.append_many(conn, new_entries)
            new_rows.clear()
            new_entries.clear()

    for position, unit in enumerate(organisation):
        state = _state(unit)
        row = stored.pop(unit.code, None)
        if row is None:
            new_rows.append(
                {"code": unit.code, "position": position, "active": True, "updated_at": now}
                | {"successor_code": None, **state}
            )
            new_entries.append(
                {"actor": actor, "action": "unit.add", "entity": "unit", "key": unit.code}
                | {"before": None, "after": state}
            )
            added += 1
            continue
        before = {"kind": row.kind, "parent_code": row.parent_code, "names": row.names}
        if before == state and row.active and row.position == position:
            unchanged += 1
            continue
        flush()
        conn.execute(
            update(units)
            .where(units.c.code == unit.code)
            .values(position=position, active=True, successor_code=None, updated_at=now, **state)
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
    flush()
    deactivated = 0
    for position, unit in enumerate(organisation.retired.values(), len(organisation)):
        deactivated += _retire(
            conn, stored.pop(unit.code, None), unit, position, organisation, actor
        )
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


def _retire(
    conn: Connection,
    row: Any,
    unit: Unit,
    position: int,
    organisation: Organisation,
    actor: str,
) -> int:
    """Keep a retired unit as an inactive row naming its successor; 1 if it was active."""
    now = datetime.now(UTC)
    heir = organisation.successors[unit.code]
    state = {"kind": unit.kind, "names": unit.names.model_dump(exclude_none=True)}
    if row is None:
        conn.execute(
            insert(units).values(
                code=unit.code,
                position=position,
                active=False,
                updated_at=now,
                parent_code=None,
                successor_code=heir,
                **state,
            )
        )
        audit.append(
            conn,
            actor=actor,
            action="unit.retire",
            entity="unit",
            key=unit.code,
            after={**state, "active": False, "successor_code": heir},
        )
        return 0
    if not row.active and row.successor_code == heir:
        return 0
    conn.execute(
        update(units)
        .where(units.c.code == unit.code)
        .values(active=False, successor_code=heir, updated_at=now)
    )
    audit.append(
        conn,
        actor=actor,
        action="unit.retire",
        entity="unit",
        key=unit.code,
        before={"active": row.active, "successor_code": row.successor_code},
        after={"active": False, "successor_code": heir},
    )
    return 1 if row.active else 0


def active(conn: Connection) -> list[Unit]:
    """Active units in tree order (root first, each parent before its children)."""
    rows = conn.execute(select(units).where(units.c.active.is_(True)).order_by(units.c.position))
    return [
        Unit(
            code=row.code,
            kind=row.kind,
            parent=row.parent_code,
            names=LocalizedText(**row.names),
        )
        for row in rows
    ]


def state(conn: Connection) -> tuple[int, object]:
    """How many units are stored and when the last changed: a cheap check that the
    organisation changed (a reader may keep the organisation it built until then)."""
    row = conn.execute(select(func.count(), func.max(units.c.updated_at))).one()
    return int(row[0]), row[1]


def organisation(conn: Connection, kinds: UnitKinds | None = None) -> Organisation | None:
    """The stored organisation with its retired units, or None when no unit is stored yet."""
    found = active(conn)
    if not found:
        return None
    codes = {u.code for u in found}
    kinds = kinds if kinds is None or {u.kind for u in found} <= set(kinds.codes) else None
    rows = conn.execute(
        select(units).where(units.c.active.is_(False), units.c.successor_code.is_not(None))
    ).all()
    heirs = {row.code: row.successor_code for row in rows}
    # only successions that end in a unit in force (a later change may have cut one)
    kept = {code: heir for code, heir in heirs.items() if _ends_in(code, heirs, codes)}
    retired = [
        Unit(code=row.code, kind=row.kind, names=LocalizedText(**row.names))
        for row in rows
        if row.code in kept
    ]
    return Organisation(found, kinds, kept, retired)


def _ends_in(code: str, heirs: dict[str, str], codes: set[str]) -> bool:
    seen = {code}
    while code not in codes:
        if code not in heirs or heirs[code] in seen:
            return False
        code = heirs[code]
        seen.add(code)
    return True
