"""Reporting periods: years, halves, quarters and months, and the calendar of a plan.

A plan counts time in its own time zone and from its own first month of the year
(`Calendar`): Vietnam's year is the calendar year, Bangladesh's fiscal year runs from
July to June.

Identifiers of a calendar-year plan are `2025` (year), `2025S1` (half), `2025Q3`
(quarter) and `2025-07` (month). A fiscal year is named `FY` and the calendar year in
which it ends: with a year starting in July, `FY2026` is July 2025 – June 2026, its
halves `FY2026S1` (July–December 2025) and `FY2026S2`, its quarters `FY2026Q1`
(July–September 2025) to `FY2026Q4` (April–June 2026); months keep their calendar
name (`2025-07`). A period starts at local midnight of its first day in the plan's
time zone and ends, exclusive, at the first instant of the next period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property, lru_cache, total_ordering
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from dxplan.domain.textual import text_schema

DEFAULT_TIMEZONE: Final = "Asia/Ho_Chi_Minh"  # a plan without `timezone:` counts in it

_PATTERN: Final = re.compile(r"^(FY)?(\d{4})(?:S([12])|Q([1-4])|-(0[1-9]|1[0-2]))?$", re.ASCII)


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


def zone_of(name: str) -> ZoneInfo:
    """The IANA time zone `name`; ValueError naming it when there is no such zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError, TypeError):
        raise ValueError(
            f"{name!r} is not a known IANA time zone (e.g. Asia/Ho_Chi_Minh, Asia/Dhaka)"
        ) from None


@total_ordering
@dataclass(frozen=True, slots=True, eq=False)
class Period:
    """A year, half, quarter or month.

    A month's `year` and `index` are its calendar year and month. A longer period's
    `index` counts from 1 within its year, and `year` names the year: the calendar year,
    or for a fiscal year (`year_start` > 1) the calendar year in which it ends.
    """

    year: int
    kind: PeriodKind = PeriodKind.YEAR
    index: int = 1
    year_start: int = 1  # first month of the year the period belongs to (7: July–June)
    # what equality and hashing compare, computed once: periods are dictionary keys in
    # every evaluation (hundreds of thousands of lookups for one dashboard)
    _key: tuple[int, PeriodKind, int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 1 <= self.index <= 12 // self.kind.months:
            raise ValueError(f"{self.kind} index {self.index} is out of range")
        if not 1 <= self.year <= 9998:
            raise ValueError(f"year {self.year} is out of range")
        if not 1 <= self.year_start <= 12:
            raise ValueError(f"first month of the year {self.year_start} is out of range")
        object.__setattr__(self, "_key", self._identity())

    @property
    def fiscal(self) -> bool:
        """Whether the period belongs to a fiscal year that does not start in January."""
        return self.year_start != 1

    # -- identity: a month is the same month whatever year it is counted in ------------
    def _identity(self) -> tuple[int, PeriodKind, int, int]:
        start = 1 if self.kind is PeriodKind.MONTH else self.year_start
        return (self.year, self.kind, self.index, start)

    def __eq__(self, other: object) -> bool:
        if self is other:  # the store's periods are parsed once and shared
            return True
        if not isinstance(other, Period):
            return NotImplemented
        return self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)

    # -- text ---------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str, year_start: int = 1) -> Period:
        """Parse an identifier of a plan whose year starts in month `year_start`.

        `2025`, `2025S1`, `2025Q3` or `2025-07` for a calendar year; `FY2026`,
        `FY2026S1`, `FY2026Q1` or `2025-07` for a fiscal year. ValueError otherwise.
        """
        match = _PATTERN.match(text.strip()) if isinstance(text, str) else None
        if not match:
            example = (
                "FY2026, FY2026S1, FY2026Q1 or 2025-07"
                if year_start != 1
                else ("2025, 2025S1, 2025Q3 or 2025-07")
            )
            raise ValueError(f"{text!r} is not a period: use {example}")
        fiscal, year = bool(match[1]), int(match[2])
        if match[5]:
            if fiscal:
                raise ValueError(f"{text!r} is not a period: a month is written 2025-07")
            return cls(year, PeriodKind.MONTH, int(match[5]), year_start)
        if fiscal and year_start == 1:
            raise ValueError(
                f"{text!r} is not a period of this plan: its year is the calendar year, "
                f"write {text.strip()[2:]}"
            )
        if not fiscal and year_start != 1:
            raise ValueError(
                f"{text!r} is not a period of this plan: its year is a fiscal year starting "
                f"in month {year_start}, write FY{text.strip()}"
            )
        if match[3]:
            return cls(year, PeriodKind.HALF, int(match[3]), year_start)
        if match[4]:
            return cls(year, PeriodKind.QUARTER, int(match[4]), year_start)
        return cls(year, PeriodKind.YEAR, 1, year_start)

    def __str__(self) -> str:
        if self.kind is PeriodKind.MONTH:
            return f"{self.year:04d}-{self.index:02d}"
        prefix = "FY" if self.fiscal else ""
        match self.kind:
            case PeriodKind.HALF:
                return f"{prefix}{self.year:04d}S{self.index}"
            case PeriodKind.QUARTER:
                return f"{prefix}{self.year:04d}Q{self.index}"
            case _:
                return f"{prefix}{self.year:04d}"

    def __repr__(self) -> str:
        if self.fiscal and self.kind is not PeriodKind.MONTH:
            return f"Period({str(self)!r}, year_start={self.year_start})"
        return f"Period({str(self)!r})"

    # -- calendar -----------------------------------------------------------------------
    def _first_month_ordinal(self) -> int:
        """Months since year 0 of the period's first month (January 2025: 2025 * 12)."""
        if self.kind is PeriodKind.MONTH:
            return self.year * 12 + self.index - 1
        # a fiscal year is named by the calendar year in which it ends
        begins = self.year - 1 if self.fiscal else self.year
        return begins * 12 + self.year_start - 1 + (self.index - 1) * self.kind.months

    @property
    def position(self) -> int:
        """A running count of periods of this kind: consecutive periods differ by 1
        (across years too, calendar or fiscal), for trends over them."""
        return self._first_month_ordinal() // self.kind.months

    def year_period(self) -> Period:
        """The year (of the period's own calendar) the period lies in: FY2026 for 2025-07
        in a fiscal year starting in July."""
        return _year_period(self.year, self.kind, self.index, self.year_start)

    @property
    def first_month(self) -> int:
        """Calendar month (1-12) in which the period starts."""
        return self._first_month_ordinal() % 12 + 1

    @property
    def first_day(self) -> date:
        return _days(self.year, self.kind, self.index, self.year_start)[0]

    @property
    def last_day(self) -> date:
        """The last calendar day that belongs to the period."""
        return _days(self.year, self.kind, self.index, self.year_start)[1]

    def start_in(self, zone: ZoneInfo) -> datetime:
        """First instant of the period: midnight of its first day in `zone`."""
        first = self.first_day
        return datetime(first.year, first.month, first.day, tzinfo=zone)

    def end_in(self, zone: ZoneInfo) -> datetime:
        """First instant after the period (exclusive end) in `zone`."""
        return self.next().start_in(zone)

    def contains_instant(self, moment: datetime, zone: ZoneInfo) -> bool:
        """Whether an aware `moment` falls in the period in `zone` (`start <= moment < end`)."""
        if moment.tzinfo is None:
            raise ValueError("a naive datetime is ambiguous: attach a time zone")
        return self.start_in(zone) <= moment < self.end_in(zone)

    # -- navigation ---------------------------------------------------------------------
    def _shift(self, steps: int) -> Period:
        per_year = 12 // self.kind.months
        ordinal = self.year * per_year + (self.index - 1) + steps
        return Period(ordinal // per_year, self.kind, ordinal % per_year + 1, self.year_start)

    def next(self) -> Period:
        """The period of the same kind that follows this one."""
        return self._shift(1)

    def previous(self) -> Period:
        """The period of the same kind that precedes this one."""
        return self._shift(-1)

    @classmethod
    def of(
        cls,
        kind: PeriodKind,
        moment: date | datetime,
        year_start: int = 1,
        zone: ZoneInfo | None = None,
    ) -> Period:
        """The period of `kind` that contains a day, or an instant seen in `zone`."""
        if isinstance(moment, datetime):
            if moment.tzinfo is None:
                raise ValueError("a naive datetime is ambiguous: attach a time zone")
            if zone is None:
                raise ValueError("an instant belongs to a day only in a time zone: give one")
            moment = moment.astimezone(zone).date()
        if kind is PeriodKind.MONTH:
            return cls(moment.year, kind, moment.month, year_start)
        since_start = moment.year * 12 + moment.month - 1 - (year_start - 1)
        begins, position = divmod(since_start, 12)
        year = begins + 1 if year_start != 1 else begins
        return cls(year, kind, position // kind.months + 1, year_start)

    def children(self) -> list[Period]:
        """The periods one level down: a year's halves, a half's quarters, a quarter's months."""
        finer = self.kind.finer
        if finer is None:
            return []
        first = self._first_month_ordinal()
        return [
            Period.of(finer, date(m // 12, m % 12 + 1, 1), self.year_start)
            for m in range(first, first + self.kind.months, finer.months)
        ]

    def months(self) -> list[Period]:
        """Every month of the period, in order."""
        first = self._first_month_ordinal()
        return [
            Period(m // 12, PeriodKind.MONTH, m % 12 + 1, self.year_start)
            for m in range(first, first + self.kind.months)
        ]

    def parent(self) -> Period | None:
        """The period one level up, or None for a year."""
        kinds = list(PeriodKind)
        position = kinds.index(self.kind)
        if position == 0:
            return None
        return Period.of(kinds[position - 1], self.first_day, self.year_start)

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
        return self.first_day <= other.first_day and other.last_day <= self.last_day

    # -- ordering: chronological by start, then the longer period first -------------------
    def _sort_key(self) -> tuple[int, int]:
        return _days(self.year, self.kind, self.index, self.year_start)[2]

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


@lru_cache(maxsize=1 << 16)
def _days(
    year: int, kind: PeriodKind, index: int, year_start: int
) -> tuple[date, date, tuple[int, int]]:
    """A period's first and last day and its sort key, computed once per period: the
    dashboard asks them hundreds of thousands of times for a few hundred periods."""
    period = Period(year, kind, index, year_start)
    ordinal = period._first_month_ordinal()
    first = date(ordinal // 12, ordinal % 12 + 1, 1)
    after = ordinal + kind.months  # not next(): the period after year 9998's last is none
    last = date.fromordinal(date(after // 12, after % 12 + 1, 1).toordinal() - 1)
    return first, last, (ordinal, -kind.months)


@dataclass(frozen=True)
class Calendar:
    """How a plan counts time: its time zone and the first month of its year."""

    timezone: str = DEFAULT_TIMEZONE
    year_start: int = 1

    @cached_property
    def zone(self) -> ZoneInfo:
        return zone_of(self.timezone)

    def parse(self, text: str) -> Period:
        """A period identifier of this calendar (`FY2026Q1` when the year starts in July)."""
        return Period.parse(text, self.year_start)

    def period_of(self, kind: PeriodKind, moment: date | datetime) -> Period:
        """The period of `kind` containing a day, or an instant seen in the plan's zone."""
        return Period.of(kind, moment, self.year_start, self.zone)

    def year_of(self, day: date) -> Period:
        """The plan year (calendar or fiscal) that contains `day`."""
        return Period.of(PeriodKind.YEAR, day, self.year_start)

    def local(self, moment: datetime) -> datetime:
        """An aware instant on the plan's clock."""
        return moment.astimezone(self.zone)

    def today(self, moment: datetime) -> date:
        """The plan's day at an aware instant."""
        return self.local(moment).date()

    def now(self) -> datetime:
        """The current instant on the plan's clock."""
        return datetime.now(self.zone)


DEFAULT_CALENDAR: Final = Calendar()


@lru_cache(maxsize=1 << 12)
def _year_period(year: int, kind: PeriodKind, index: int, year_start: int) -> Period:
    """A period's year, made once per period (periods are immutable: it is shared): an
    evaluation asks it for every reading of every projection."""
    first = _days(year, kind, index, year_start)[0]
    return Period.of(PeriodKind.YEAR, first, year_start)
