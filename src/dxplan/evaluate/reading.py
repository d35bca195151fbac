"""Readings: an indicator's numerator, denominator and value for one unit and period."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from dxplan.domain.indicator import Indicator
from dxplan.domain.period import Period
from dxplan.domain.value import MeasureValue


@dataclass(frozen=True)
class Reading:
    """An indicator evaluated for one unit and period; `value` is None for 0/0."""

    indicator: str
    unit: str
    period: Period
    numerator: float
    denominator: float | None
    value: float | None


def readings(indicator: Indicator, values: Iterable[MeasureValue]) -> list[Reading]:
    """Every (unit, period) for which the indicator can be computed from `values`.

    The formulas apply to values already aggregated for that unit and period: a ratio
    of a quarter is the quarter's numerator over the quarter's denominator.
    """
    cells: dict[tuple[str, Period], dict[str, float | None]] = defaultdict(dict)
    wanted = indicator.measures
    for value in values:
        if value.measure in wanted:
            cells[(value.unit, value.period)][value.measure] = value.value
    found = []
    for (unit, period), figures in cells.items():
        numerator = indicator.numerator.evaluate(figures)
        denominator = indicator.denominator.evaluate(figures) if indicator.denominator else None
        if numerator is None or (indicator.denominator is not None and denominator is None):
            continue
        found.append(
            Reading(
                indicator.code,
                unit,
                period,
                numerator,
                denominator,
                indicator.value(numerator, denominator),
            )
        )
    return sorted(found, key=lambda r: (r.unit, r.period))


def latest_reading(
    indicator: Indicator, values: Iterable[MeasureValue], unit: str
) -> Reading | None:
    """The reading of `unit` whose period ends last; on a tie, the longest period wins.

    So at the end of a year the yearly figure is shown rather than December's. A
    reading without a value (0/0) is passed over while one with a value exists.
    """
    mine = [r for r in readings(indicator, values) if r.unit == unit]
    if not mine:
        return None
    valued = [r for r in mine if r.value is not None]
    mine = valued or mine
    return max(mine, key=lambda r: (r.period.last_day, r.period.kind.months))
