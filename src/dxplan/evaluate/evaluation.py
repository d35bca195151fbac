"""Evaluations: every indicator for a unit and period, as of a day, against its target.

Pure: from stored values (measure values of units and periods) to the value so far,
the gap, the projection to the deadline, the pace still needed, the status and the
attainment, with the monthly series behind them. The rules are in status.py and
projection.py; this module picks the readings they work on.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from dxplan.domain.indicator import Indicator, IndicatorKind, Target
from dxplan.domain.measure import TimeAggregation
from dxplan.domain.organisation import Organisation
from dxplan.domain.period import Period, PeriodKind
from dxplan.domain.plan import Plan
from dxplan.domain.value import MeasureValue
from dxplan.evaluate.attainment import attainment
from dxplan.evaluate.projection import (
    PERCENT_BOUNDS,
    Observation,
    Projection,
    project,
    required_monthly_pace,
)
from dxplan.evaluate.reading import Reading, readings
from dxplan.evaluate.status import Status, status

# the finest periods an indicator's trend is read from, finest first
_STEPS = (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.HALF)


@dataclass(frozen=True)
class Evaluation:
    """One indicator for one unit and period, as of a day."""

    indicator: Indicator
    unit: str
    period: Period
    as_of: date
    value: float | None  # the period's value from what was known at as_of
    numerator: float | None
    denominator: float | None
    target: Target | None
    projection: Projection | None
    required_monthly_pace: float | None
    status: Status
    attainment: float | None
    series: list[tuple[Period, float | None]] = field(default_factory=list)
    latest: tuple[Period, float] | None = None  # the last value known at as_of, any period

    @property
    def gap(self) -> float | None:
        """How far the value is from the target, in the target's unit; 0 once met."""
        if self.target is None or self.value is None:
            return None
        if self.target.is_met(self.value):
            return 0.0
        return abs(self.target.value - self.value)


def is_flow(indicator: Indicator, plan: Plan) -> bool:
    """A flow adds up over time (dossiers received); a stock is read at the period's end."""
    measures = indicator.numerator.measures
    return all(plan.measure(m).time_aggregation is TimeAggregation.SUM for m in measures)


def _observations(mine: Sequence[Reading], period: Period) -> list[Observation]:
    """The readings inside `period` of the finest kind that has any."""
    for kind in _STEPS:
        if kind.months >= period.kind.months:
            break
        found = [r for r in mine if r.period.kind is kind and period.contains(r.period)]
        if found:
            return [Observation(r.period, r.numerator, r.denominator) for r in found]
    return []


def _so_far(
    observations: Sequence[Observation], *, flow: bool, as_of: date
) -> tuple[float, float | None] | None:
    """(numerator, denominator) of the readings that ended before `as_of`."""
    usable = [o for o in observations if o.period.last_day < as_of]
    if not usable:
        return None
    if not flow:
        return usable[-1].numerator, usable[-1].denominator
    numerator = math.fsum(o.numerator for o in usable)
    if usable[0].denominator is None:
        return numerator, None
    return numerator, math.fsum(o.denominator or 0.0 for o in usable)


def evaluate_indicator(
    indicator: Indicator,
    unit_readings: Sequence[Reading],
    *,
    plan: Plan,
    unit: str,
    period: Period,
    as_of: date,
) -> Evaluation:
    """Evaluate `indicator` for `unit` over `period` from that unit's readings."""
    flow = is_flow(indicator, plan)
    deadline = period.last_day
    if indicator.target is not None:
        deadline = min(deadline, indicator.target.deadline)
    observations = _observations(unit_readings, period)
    deadline_year = plan.calendar.year_of(deadline)
    parts: tuple[float, float | None] | None
    if observations:
        parts = _so_far(observations, flow=flow, as_of=as_of)
    else:
        whole = [r for r in unit_readings if r.period == period and period.last_day < as_of]
        parts = (whole[0].numerator, whole[0].denominator) if whole else None
    value = indicator.value(*parts) if parts else None
    history = [
        Observation(r.period, r.numerator, r.denominator)
        for r in unit_readings
        if r.period.kind is PeriodKind.YEAR and r.period < deadline_year
    ]
    bounds = PERCENT_BOUNDS if indicator.kind is IndicatorKind.RATIO else None
    in_year = [o for o in observations if o.period.year_period() == deadline_year]
    projection = (
        project(in_year, flow=flow, deadline=deadline, as_of=as_of, bounds=bounds, history=history)
        if indicator.target is not None
        else None
    )
    target = indicator.target
    pace = (
        required_monthly_pace(in_year, flow=flow, target=target, as_of=as_of)
        if target is not None and in_year and period.first_day <= target.deadline <= period.last_day
        else None
    )
    return Evaluation(
        indicator=indicator,
        unit=unit,
        period=period,
        as_of=as_of,
        value=value,
        numerator=parts[0] if parts else None,
        denominator=parts[1] if parts else None,
        target=indicator.target,
        projection=projection,
        required_monthly_pace=pace,
        status=status(
            indicator.target, value=value, projection=projection, period=period, as_of=as_of
        ),
        attainment=(attainment(value, indicator.target) if indicator.target is not None else None),
        series=[(o.period, o.value) for o in observations if o.period.last_day < as_of],
        latest=_latest(unit_readings, as_of),
    )


def _latest(unit_readings: Sequence[Reading], as_of: date) -> tuple[Period, float] | None:
    """The value of the reading that ended last before `as_of` (the longest on a tie)."""
    known = [r for r in unit_readings if r.value is not None and r.period.last_day < as_of]
    if not known:
        return None
    best = max(known, key=lambda r: (r.period.last_day, r.period.kind.months))
    assert best.value is not None
    return best.period, best.value


def evaluate(
    plan: Plan,
    organisation: Organisation,
    values: Iterable[MeasureValue],
    *,
    period: Period,
    as_of: date,
    units: Iterable[str] | None = None,
) -> list[Evaluation]:
    """Every indicator for each unit (default: every unit with a figure), in plan order.

    The plan's root unit gets every indicator (`no_data` where nothing is known);
    other units get the indicators they have a reading for in `period`.
    """
    by_measure: dict[str, list[MeasureValue]] = defaultdict(list)
    for value in values:  # each indicator reads its own measures, not every value
        by_measure[value.measure].append(value)
    by_unit: dict[tuple[str, str], list[Reading]] = defaultdict(list)
    for indicator in plan.indicators:
        own = [v for m in sorted(indicator.measures) for v in by_measure.get(m, ())]
        for reading in readings(indicator, own):
            by_unit[(indicator.code, reading.unit)].append(reading)
    wanted = list(units) if units is not None else [u.code for u in organisation]
    found: list[Evaluation] = []
    for unit in wanted:
        for indicator in plan.indicators:
            mine = by_unit.get((indicator.code, unit), [])
            evaluation = evaluate_cell(
                indicator,
                mine,
                plan=plan,
                unit=unit,
                period=period,
                as_of=as_of,
                always=unit == organisation.root.code,
            )
            if evaluation is not None:
                found.append(evaluation)
    return found


def evaluate_cell(
    indicator: Indicator,
    unit_readings: Sequence[Reading],
    *,
    plan: Plan,
    unit: str,
    period: Period,
    as_of: date,
    always: bool,
) -> Evaluation | None:
    """`indicator` for `unit` as `evaluate` gives it: None when the unit has no reading
    in `period`, unless `always` (the plan's root unit gets every indicator)."""
    if not always and not any(period.contains(r.period) for r in unit_readings):
        return None
    return evaluate_indicator(
        indicator, unit_readings, plan=plan, unit=unit, period=period, as_of=as_of
    )
