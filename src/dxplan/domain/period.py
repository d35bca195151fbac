"""Reporting periods: years, halves, quarters and months in local time.

Identifiers are `2025` (year), `2025S1` (half), `2025Q3` (quarter) and `2025-07`
(month). A period starts at local midnight of its first day in Asia/Ho_Chi_Minh and
ends, exclusive, at the first instant of the next period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import total_ordering
from typing import Any, Final
from zoneinfo import ZoneInfo

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from dxplan.domain.textual import text_schema

LOCAL_TZ: Final = ZoneInfo("Asia/Ho_Chi_Minh")

_PATTERN: Final = re.compile(r"^(\d{4})(?:S([12])|Q([1-4])|-(0[1-9]|1[0-2]))?$", re.ASCII)


class PeriodKind(StrEnum):
    """How long a period is; ordered from the longest to the shortest."""

    YEAR = "year"
    HALF = "half"
    QUARTER = "quarter"
    MONTH = "month"

    @property
    def months(self) -> int:
        """Number of calendar months in a period of this kind."""
        return _MONTHS[self]

    @property
    def finer(self) -> PeriodKind | None:
        """The kind one level down (year → half → quarter → month), or None for a month."""
        kinds = list(PeriodKind)
        position = kinds.index(self)
        return kinds[position + 1] if position + 1 < len(kinds) else None


_MONTHS: Final = {
    PeriodKind.YEAR: 12,
    PeriodKind.HALF: 6,
    PeriodKind.QUARTER: 3,
    PeriodKind.MONTH: 1,
}


@total_ordering
@dataclass(frozen=True, slots=True)
class Period:
    """A year, half, quarter or month; `index` counts from 1 within the year."""

    year: int
    kind: PeriodKind = PeriodKind.YEAR
    index: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.index <= 12 // self.kind.months:
            raise ValueError(f"{self.kind} index {self.index} is out of range")
        if not 1 <= self.year <= 9998:
            raise ValueError(f"year {self.year} is out of range")

    # -- text ---------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse `2025`, `2025S1`, `2025Q3` or `2025-07`; raise ValueError otherwise."""
        match = _PATTERN.match(text.strip()) if isinstance(text, str) else None
        if not match:
            raise ValueError(f"{text!r} is not a period: use 2025, 2025S1, 2025Q3 or 2025-07")
        year = int(match[1])
        if match[2]:
            return cls(year, PeriodKind.HALF, int(match[2]))
        if match[3]:
            return cls(year, PeriodKind.QUARTER, int(match[3]))
        if match[4]:
            return cls(year, PeriodKind.MONTH, int(match[4]))
        return cls(year)

    def __str__(self) -> str:
        match self.kind:
            case PeriodKind.YEAR:
                return f"{self.year:04d}"
            case PeriodKind.HALF:
                return f"{self.year:04d}S{self.index}"
            case PeriodKind.QUARTER:
                return f"{self.year:04d}Q{self.index}"
            case PeriodKind.MONTH:
                return f"{self.year:04d}-{self.index:02d}"

    def __repr__(self) -> str:
        return f"Period({str(self)!r})"

    # -- calendar -----------------------------------------------------------------------
    @property
    def first_month(self) -> int:
        """Calendar month (1-12) in which the period starts."""
        return (self.index - 1) * self.kind.months + 1

    @property
    def first_day(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def last_day(self) -> date:
        """The last calendar day that belongs to the period."""
        return date.fromordinal(self.next().first_day.toordinal() - 1)

    @property
    def start(self) -> datetime:
        """First instant of the period, local time."""
        return datetime(self.year, self.first_month, 1, tzinfo=LOCAL_TZ)

    @property
    def end(self) -> datetime:
        """First instant after the period (exclusive end), local time."""
        return self.next().start

    def contains_instant(self, moment: datetime) -> bool:
        """Whether an aware `moment` falls in the period (`start <= moment < end`)."""
        if moment.tzinfo is None:
            raise ValueError("a naive datetime is ambiguous: attach a time zone")
        return self.start <= moment < self.end

    # -- navigation ---------------------------------------------------------------------
    def _shift(self, steps: int) -> Period:
        per_year = 12 // self.kind.months
        ordinal = self.year * per_year + (self.index - 1) + steps
        return Period(ordinal // per_year, self.kind, ordinal % per_year + 1)

    def next(self) -> Period:
        """The period of the same kind that follows this one."""
        return self._shift(1)

    def previous(self) -> Period:
        """The period of the same kind that precedes this one."""
        return self._shift(-1)

    @classmethod
    def of(cls, kind: PeriodKind, moment: date | datetime) -> Period:
        """The period of `kind` that contains a day or an instant (instants in local time)."""
        if isinstance(moment, datetime):
            if moment.tzinfo is None:
                raise ValueError("a naive datetime is ambiguous: attach a time zone")
            moment = moment.astimezone(LOCAL_TZ).date()
        return cls(moment.year, kind, (moment.month - 1) // kind.months + 1)

    def children(self) -> list[Period]:
        """The periods one level down: a year's halves, a half's quarters, a quarter's months."""
        finer = self.kind.finer
        if finer is None:
            return []
        return [Period.of(finer, date(self.year, month, 1)) for month in self._month_numbers(finer)]

    def months(self) -> list[Period]:
        """Every month of the period, in order."""
        return [Period(self.year, PeriodKind.MONTH, m) for m in self._month_numbers()]

    def _month_numbers(self, step_kind: PeriodKind = PeriodKind.MONTH) -> range:
        return range(self.first_month, self.first_month + self.kind.months, step_kind.months)

    def parent(self) -> Period | None:
        """The period one level up, or None for a year."""
        kinds = list(PeriodKind)
        position = kinds.index(self.kind)
        if position == 0:
            return None
        return Period.of(kinds[position - 1], self.first_day)

    def containing(self) -> list[Period]:
        """Every longer period that contains this one, shortest first (a month: Q, S, year)."""
        chain: list[Period] = []
        current = self.parent()
        while current is not None:
            chain.append(current)
            current = current.parent()
        return chain

    def contains(self, other: Period) -> bool:
        """Whether `other` lies entirely within this period (a period contains itself)."""
        return self.start <= other.start and other.end <= self.end

    # -- ordering: chronological by start, then the longer period first -------------------
    def _sort_key(self) -> tuple[int, int, int]:
        return (self.year, self.first_month, -self.kind.months)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() < other._sort_key()

    # -- pydantic: a Period field reads and writes the identifier -------------------------
    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def _from_text(value: str | int) -> Period:
            return cls.parse(str(value))

        return text_schema(cls, _from_text)
