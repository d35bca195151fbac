"""Values: one number of a measure, for a unit and a period, with where it came from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dxplan.domain.period import Period


@dataclass(frozen=True, slots=True)
class MeasureValue:
    """A value of the value store; a later `version` of the same key replaces it.

    `value` is None only in a value's history: the version that withdrew it.
    """

    measure: str
    unit: str
    period: Period
    value: float | None
    source: str
    version: int = 0
    recorded_by: str | None = None
    recorded_at: datetime | None = None

    @property
    def key(self) -> tuple[str, str, Period]:
        return (self.measure, self.unit, self.period)
