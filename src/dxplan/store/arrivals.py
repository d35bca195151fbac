"""When figures first arrived: the earliest recorded value per unit and period.

The timeliness of the units' figures (the national completeness page) reads it: a
period's figures arrived when the first value of one of the watched measures was
recorded for that unit and period; later versions (corrections, a repeated packet)
do not move it.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

from sqlalchemy import Connection, func, select, update

from dxplan.store.tables import measure_values, packet_receipts

__all__ = ["first_arrivals", "restamp"]


def _aware(found: object) -> datetime:
    if isinstance(found, str):  # SQLite's min() returns the stored text
        found = datetime.fromisoformat(found)
    assert isinstance(found, datetime)
    return found if found.tzinfo is not None else found.replace(tzinfo=UTC)


def first_arrivals(
    conn: Connection, measures: Collection[str], periods: Collection[str]
) -> dict[tuple[str, str], datetime]:
    """(unit, period) → when its first value of one of `measures` was recorded."""
    if not measures or not periods:
        return {}
    c = measure_values.c
    rows = conn.execute(
        select(c.unit_code, c.period, func.min(c.recorded_at))
        .where(c.measure_code.in_(sorted(measures)), c.period.in_(sorted(periods)))
        .where(c.value.is_not(None))
        .group_by(c.unit_code, c.period)
    )
    return {(unit, period): _aware(at) for unit, period, at in rows}


def restamp(conn: Connection, unit: str, period: str, message_id: str, at: datetime) -> None:
    """Date a unit's figures of a period, and the receipt of the packet that brought
    them, to `at`: for the demo only, which replays two years in a minute."""
    c = measure_values.c
    conn.execute(
        update(measure_values).where(c.unit_code == unit, c.period == period).values(recorded_at=at)
    )
    r = packet_receipts.c
    conn.execute(
        update(packet_receipts)
        .where(r.sender == unit, r.message_id == message_id)
        .values(received_at=at)
    )
