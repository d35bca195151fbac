"""Whether each ranked unit's figures for each period arrived on time, late or not at all.

A period's figures are due `due_days` days after it ends (the plan's index says how
many), by the end of that day on the plan's clock. A unit whose first value for the
period was recorded by then sent on time; after it, late; with nothing recorded, it is
missing once the day has passed and not yet due before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from dxplan.domain.period import Period

__all__ = ["Arrival", "Timeliness", "due_day", "timeliness"]


class Timeliness(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    NOT_DUE = "not_due"


@dataclass(frozen=True)
class Arrival:
    """One unit's figures for one period: when they came and what that makes them."""

    unit: str
    period: Period
    due: date
    arrived: datetime | None
    status: Timeliness

    @property
    def days_late(self) -> int | None:
        """Whole days after the due day (None unless late)."""
        if self.status is not Timeliness.LATE or self.arrived is None:
            return None
        return (self.arrived.date() - self.due).days


def due_day(period: Period, due_days: int) -> date:
    return period.last_day + timedelta(days=due_days)


def timeliness(
    units: Sequence[str],
    periods: Sequence[Period],
    arrivals: Mapping[tuple[str, str], datetime],
    *,
    due_days: int,
    zone: ZoneInfo,
    today: date,
) -> list[Arrival]:
    """Every (unit, period), unit by unit, periods in order."""
    found = []
    for unit in units:
        for period in periods:
            due = due_day(period, due_days)
            came = arrivals.get((unit, str(period)))
            if came is None:
                status = Timeliness.MISSING if today > due else Timeliness.NOT_DUE
            else:
                local = came.astimezone(zone).date()
                status = Timeliness.ON_TIME if local <= due else Timeliness.LATE
                came = came.astimezone(zone)
            found.append(Arrival(unit, period, due, came, status))
    return found
