"""Projections of an indicator to its deadline, with an 80% prediction interval.

Pure functions: the caller passes the readings of the deadline's year (months, or
quarters for an indicator reported quarterly) and, for the fallback, yearly readings
of earlier years. The method is explained with worked examples in docs/methodology.md
(English) and docs/vi/phuong-phap-danh-gia.md (Vietnamese).

- A **flow** (its year value is Σ numerators / Σ denominators, or Σ values) keeps the
  periods already observed and projects the remaining ones: the monthly ratio follows
  a straight-line trend, the monthly denominator stays at its observed mean.
- A **stock** (its year value is December's) follows the straight-line trend of its
  values up to the deadline's period.
- With fewer than 3 points in the year, a straight-line trend over at least 3 yearly
  values of earlier years is used; with fewer still there is no projection.

The 80% interval uses Student's t quantile with n − 2 degrees of freedom (a table,
exact to 3 decimals; the normal quantile from `statistics.NormalDist` beyond 30).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from statistics import NormalDist
from typing import Final

import numpy as np

from dxplan.domain.indicator import Target
from dxplan.domain.period import Period, PeriodKind

__all__ = [
    "MIN_POINTS",
    "PERCENT_BOUNDS",
    "Method",
    "Observation",
    "Projection",
    "project",
    "required_monthly_pace",
    "t_quantile_90",
    "value_so_far",
]

MIN_POINTS: Final = 3
"""Fewest points a trend is fitted on: 2 points leave no residual to size an interval."""

PERCENT_BOUNDS: Final = (0.0, 100.0)
"""The natural limits of a ratio in percent."""

# Student's t 0.90 quantile (two-sided 80% interval) by degrees of freedom 1..30.
_T90: Final = (
    3.078, 1.886, 1.638, 1.533, 1.476, 1.440, 1.415, 1.397, 1.383, 1.372,
    1.363, 1.356, 1.350, 1.345, 1.341, 1.337, 1.333, 1.330, 1.328, 1.325,
    1.323, 1.321, 1.319, 1.318, 1.316, 1.315, 1.314, 1.313, 1.311, 1.310,
)  # fmt: skip
_Z90: Final = NormalDist().inv_cdf(0.9)  # 1.2816


def t_quantile_90(degrees_of_freedom: int) -> float:
    """Student's t 0.90 quantile: half an 80% interval is this many standard errors."""
    if degrees_of_freedom < 1:
        raise ValueError("a t quantile needs at least one degree of freedom")
    if degrees_of_freedom <= len(_T90):
        return _T90[degrees_of_freedom - 1]
    return _Z90


@dataclass(frozen=True, slots=True)
class Observation:
    """One reading: numerator and denominator of a ratio, or the value of a number/rank."""

    period: Period
    numerator: float
    denominator: float | None = None

    @property
    def value(self) -> float | None:
        """The ratio in percent (None for a zero denominator), or the number itself."""
        if self.denominator is None:
            return self.numerator
        if self.denominator == 0:
            return None
        return self.numerator / self.denominator * 100


class Method(StrEnum):
    """What a projection rests on."""

    KNOWN = "known"  # the deadline's value is already observed
    TREND = "trend"  # straight line through the periods of the deadline's year
    YEARLY_TREND = "yearly_trend"  # straight line through yearly values of earlier years


@dataclass(frozen=True, slots=True)
class Projection:
    """The value expected at the deadline and its 80% prediction interval."""

    value: float
    low: float
    high: float
    method: Method = Method.TREND


@dataclass(frozen=True, slots=True)
class _Line:
    """A least-squares straight line `intercept + slope·x` and what its intervals need."""

    intercept: float
    slope: float
    residual_variance: float
    n: int
    x_mean: float
    sxx: float

    def mean_and_error(self, xs: Sequence[float]) -> tuple[float, float]:
        """The predicted mean of new observations at `xs` and its standard error."""
        x_future = math.fsum(xs) / len(xs)
        mean = self.intercept + self.slope * x_future
        variance = self.residual_variance * (
            1 / len(xs) + 1 / self.n + (x_future - self.x_mean) ** 2 / self.sxx
        )
        return mean, math.sqrt(variance)

    @property
    def half_width_factor(self) -> float:
        return t_quantile_90(self.n - 2)


def _fit(points: Sequence[tuple[float, float]]) -> _Line:
    x = np.array([p[0] for p in points], dtype=float)
    y = np.array([p[1] for p in points], dtype=float)
    x_mean, y_mean = float(x.mean()), float(y.mean())
    sxx = float(((x - x_mean) ** 2).sum())
    slope = float(((x - x_mean) * (y - y_mean)).sum()) / sxx
    intercept = y_mean - slope * x_mean
    residuals = y - (intercept + slope * x)
    variance = float((residuals**2).sum()) / (len(points) - 2)
    return _Line(intercept, slope, variance, len(points), x_mean, sxx)


def _clip(value: float, bounds: tuple[float, float] | None) -> float:
    return value if bounds is None else min(max(value, bounds[0]), bounds[1])


def _usable(observations: Sequence[Observation], deadline: date, as_of: date) -> list[Observation]:
    """The readings of the deadline's year, up to its period, that ended before `as_of`."""
    kinds = {o.period.kind for o in observations}
    if len(kinds) > 1:
        raise ValueError(f"readings of one kind are expected, got {sorted(kinds)}")
    if len({o.period for o in observations}) != len(observations):
        raise ValueError("two readings for the same period")
    if len({o.denominator is None for o in observations}) > 1:
        raise ValueError("readings mix ratios (with a denominator) and numbers")
    if observations:
        year = _year_of(deadline, observations[0].period.year_start)
        if any(o.period.year_period() != year for o in observations):
            raise ValueError(f"readings of {year} are expected (the deadline's year)")
    found = [
        o for o in observations if o.period.last_day < as_of and o.period.first_day <= deadline
    ]
    return sorted(found, key=lambda o: o.period)


def _year_of(day: date, year_start: int) -> Period:
    """The year (calendar, or fiscal from month `year_start`) that holds `day`."""
    return Period.of(PeriodKind.YEAR, day, year_start)


def _horizon(kind: PeriodKind, deadline: date, year_start: int = 1) -> list[Period]:
    """The periods of `kind` from the start of the deadline's year to the deadline's."""
    year = _year_of(deadline, year_start)
    last = Period.of(kind, deadline, year_start)
    found = [Period.of(kind, year.first_day, year_start)]
    while found[-1] != last:
        found.append(found[-1].next())
    return found


def value_so_far(
    observations: Sequence[Observation], *, flow: bool, deadline: date, as_of: date
) -> float | None:
    """The year's value from the readings known at `as_of`; None without any.

    A flow sums numerators and denominators (a ratio of 0/0 has no value); a stock
    is its latest reading that has a value.
    """
    usable = _usable(observations, deadline, as_of)
    if not usable:
        return None
    if not flow:
        valued = [o.value for o in usable if o.value is not None]
        return valued[-1] if valued else None
    numerator = math.fsum(o.numerator for o in usable)
    if usable[0].denominator is None:
        return numerator
    denominator = math.fsum(o.denominator or 0.0 for o in usable)
    return numerator / denominator * 100 if denominator else None


def project(
    observations: Sequence[Observation],
    *,
    flow: bool,
    deadline: date,
    as_of: date,
    bounds: tuple[float, float] | None = None,
    history: Sequence[Observation] = (),
) -> Projection | None:
    """The indicator's value at `deadline` as seen at `as_of`, with an 80% interval.

    `observations` are the readings of the deadline's year, all of one period kind;
    only those whose period ended before `as_of` count. `bounds` are the limits of a
    monthly value (`PERCENT_BOUNDS` for a ratio). `history` holds yearly readings of
    earlier years, used when the year has fewer than `MIN_POINTS` readings. None when
    nothing can be said.
    """
    usable = _usable(observations, deadline, as_of)
    if usable:
        horizon = _horizon(usable[0].period.kind, deadline, usable[0].period.year_start)
        seen = {o.period for o in usable}
        if flow:
            remaining = [p for p in horizon if p not in seen]
            if not remaining:
                known = value_so_far(usable, flow=True, deadline=deadline, as_of=as_of)
                return None if known is None else Projection(known, known, known, Method.KNOWN)
            found = _project_flow(usable, remaining, bounds)
        else:
            last = usable[-1]
            if last.period == horizon[-1] and last.value is not None:
                return Projection(last.value, last.value, last.value, Method.KNOWN)
            found = _project_stock(usable, horizon[-1], bounds)
        if found is not None:
            return found
    return _project_history(history, deadline, as_of, bounds)


def _project_stock(
    usable: Sequence[Observation], target_period: Period, bounds: tuple[float, float] | None
) -> Projection | None:
    points = [(float(o.period.position), o.value) for o in usable if o.value is not None]
    if len(points) < MIN_POINTS:
        return None
    line = _fit(points)
    mean, error = line.mean_and_error([float(target_period.position)])
    half = line.half_width_factor * error
    return Projection(_clip(mean, bounds), _clip(mean - half, bounds), _clip(mean + half, bounds))


def _project_flow(
    usable: Sequence[Observation], remaining: Sequence[Period], bounds: tuple[float, float] | None
) -> Projection | None:
    points = [(float(o.period.position), o.value) for o in usable if o.value is not None]
    if len(points) < MIN_POINTS:
        return None
    line = _fit(points)
    mean, error = line.mean_and_error([float(p.position) for p in remaining])
    half = line.half_width_factor * error
    # The mean value of a remaining period: projected, then its interval, all bounded.
    levels = [_clip(level, bounds) for level in (mean, mean - half, mean + half)]
    numerator = math.fsum(o.numerator for o in usable)
    if usable[0].denominator is None:
        value, low, high = (numerator + len(remaining) * level for level in levels)
        return Projection(value, low, high)
    observed = math.fsum(o.denominator or 0.0 for o in usable)
    rest = observed / len(usable) * len(remaining)
    if observed + rest == 0:
        return None
    value, low, high = (
        (numerator + rest * level / 100) / (observed + rest) * 100 for level in levels
    )
    return Projection(value, low, high)


def _project_history(
    history: Sequence[Observation],
    deadline: date,
    as_of: date,
    bounds: tuple[float, float] | None,
) -> Projection | None:
    if any(o.period.kind is not PeriodKind.YEAR for o in history):
        raise ValueError("the history holds yearly readings only")
    year = _year_of(deadline, history[0].period.year_start if history else 1)
    points = [
        (float(o.period.year), o.value)
        for o in history
        if o.value is not None and o.period.year < year.year and o.period.last_day < as_of
    ]
    if len({year for year, _ in points}) != len(points):
        raise ValueError("two readings for the same year")
    if len(points) < MIN_POINTS:
        return None
    line = _fit(points)
    mean, error = line.mean_and_error([float(year.year)])
    half = line.half_width_factor * error
    return Projection(
        _clip(mean, bounds),
        _clip(mean - half, bounds),
        _clip(mean + half, bounds),
        Method.YEARLY_TREND,
    )


def required_monthly_pace(
    observations: Sequence[Observation],
    *,
    flow: bool,
    target: Target | None,
    as_of: date,
) -> float | None:
    """What each month left before the deadline must bring for the year to reach the target.

    - A stock: the change per month, in percentage points (or units), from the latest
      value to the target; negative for `<=`/`<` targets.
    - A flow ratio: the ratio, in percent, the remaining months must average (above
      100 means the target is out of reach); a flow number: units per remaining month.

    None without a target, once the deadline has passed, when the value so far already
    meets the target, or when nothing has been observed yet.
    """
    if target is None or as_of > target.deadline:
        return None
    deadline = target.deadline
    usable = _usable(observations, deadline, as_of)
    current = value_so_far(usable, flow=flow, deadline=deadline, as_of=as_of)
    if current is None or target.is_met(current):
        return None
    if not flow:
        latest = [o for o in usable if o.value is not None][-1]
        last = latest.period.last_day
        months_left = (deadline.year - last.year) * 12 + deadline.month - last.month
        return (target.value - current) / months_left if months_left > 0 else None
    covered = {m for o in usable for m in o.period.months()}
    year_start = usable[0].period.year_start
    months = _horizon(PeriodKind.MONTH, deadline, year_start)
    months_left = sum(1 for m in months if m not in covered)
    if months_left == 0:
        return None
    numerator = math.fsum(o.numerator for o in usable)
    if usable[0].denominator is None:
        return (target.value - numerator) / months_left
    observed = math.fsum(o.denominator or 0.0 for o in usable)
    rest = observed / len(covered) * months_left
    return (target.value / 100 * (observed + rest) - numerator) / rest * 100
