"""Roll-ups of reported figures: from units to their parents, from periods to longer ones.

Pure: takes base values, returns the aggregates. Over units a measure adds up (`sum`)
or stays where it was reported (`none`). Over time a flow adds the periods so far
(`sum`: a year's value is the year to date) and a stock takes its latest value (`last`).
Units first, then time, so a city's year is built from the city's quarters.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import lru_cache

from dxplan.domain.measure import Measure, TimeAggregation, UnitAggregation
from dxplan.domain.organisation import Organisation
from dxplan.domain.period import Period

Key = tuple[str, str, Period]  # measure, unit, period


def over_units(
    base: Mapping[Key, float], measures: Mapping[str, Measure], organisation: Organisation
) -> dict[Key, float]:
    """The sums of `base` over each unit's descendants, for units without a base value.

    A unit's own figure stands for everything under it: a figure counts in each unit
    above it up to the nearest one that has a figure of its own, and no further (that
    one's figure counts higher up instead). So a province that sends its total and some
    of its wards' figures is counted once in the country's sum.

    A retired unit's figures count in its successor (and the successor's ancestors), so a
    merged unit's past periods hold the sum of the units it was made of.
    """
    sums: dict[Key, float] = defaultdict(float)
    for (measure, unit, period), value in base.items():
        if measures[measure].unit_aggregation is UnitAggregation.NONE:
            continue
        for above in organisation.rolls_into(unit):
            if (measure, above, period) in base:
                break
            sums[(measure, above, period)] += value
    return dict(sums)


def _containing(period: Period) -> tuple[Period, ...]:
    # a month is the same month in any calendar, but not in the same quarter and year:
    # the cache is keyed by the calendar's first month too
    return _containing_in(period, period.year_start)


@lru_cache(maxsize=4096)
def _containing_in(period: Period, year_start: int) -> tuple[Period, ...]:
    return tuple(period.containing())  # a few dozen distinct periods: work each out once


def over_time(values: Mapping[Key, float], measures: Mapping[str, Measure]) -> dict[Key, float]:
    """Each longer period's value from the periods in it, for periods without a value."""
    children: dict[Key, list[tuple[Period, float]]] = defaultdict(list)
    for (measure, unit, period), value in values.items():
        for longer in _containing(period):
            children[(measure, unit, longer)].append((period, value))
    found: dict[Key, float] = {}
    for key, parts in children.items():
        if key in values:
            continue
        if measures[key[0]].time_aggregation is TimeAggregation.SUM:
            found[key] = sum(value for _, value in parts)
        else:
            found[key] = max(parts, key=lambda part: part[0])[1]  # the latest period
    return found


def roll_up(
    base: Mapping[Key, float], measures: Iterable[Measure], organisation: Organisation
) -> dict[Key, float]:
    """Every aggregate of `base` (units, then time) that is not itself a base value."""
    by_code = {m.code: m for m in measures}
    units = over_units(base, by_code, organisation)
    both = {**base, **units}
    return {**units, **over_time(both, by_code)}
