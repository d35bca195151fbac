"""A unit's scorecard: every indicator of the plan with its latest reading."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from dxplan.domain.indicator import Indicator
from dxplan.domain.plan import Plan
from dxplan.evaluate.reading import Reading, latest_reading
from dxplan.store import values as value_store


@dataclass(frozen=True)
class ScorecardLine:
    indicator: Indicator
    reading: Reading | None

    @property
    def met(self) -> bool | None:
        """Whether the latest value meets the target; None without target or value."""
        target = self.indicator.target
        if target is None or self.reading is None or self.reading.value is None:
            return None
        return target.is_met(self.reading.value)


def scorecard(conn: Connection, plan: Plan, unit: str) -> list[ScorecardLine]:
    """Every indicator of `plan`, in plan order, with the latest reading for `unit`."""
    measures = {code for indicator in plan.indicators for code in indicator.measures}
    stored = value_store.latest(conn, measures=measures, units=[unit], calendar=plan.calendar)
    return [
        ScorecardLine(indicator, latest_reading(indicator, stored, unit))
        for indicator in plan.indicators
    ]
