"""The composite index over units: normalised components, composite, ranks, movement, gaps.

Pure arithmetic on the raw values of the index's indicators (by indicator, then unit).
Each component is normalised to [0, 1] by its method (`domain/index.py`), a pillar's
score is the weighted sum of its components, the composite the weighted sum of the
pillars (weights are shares, so it stays within [0, 1]). Ranks are competition ranks
(1, 2, 2, 4) of the composites equal to `RANK_DECIMALS` decimals; the movement is the
previous period's rank minus this one's (positive: the unit went up).

`to_top` answers "what would it take to reach the top N": for each component alone,
the smallest improvement of the unit's value that ranks it N-th or better (a tie with
the N-th unit shares its rank), every other value kept. The min-max method
re-normalises everyone when the unit's value moves, so the answer is found by
bisection on the raw value with the whole component recomputed at each step, up to the
best value another unit has (or the target, or the goalpost): beyond it, "not reachable
by this component alone".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dxplan.domain.index import Component, CompositeIndex, normalise
from dxplan.domain.indicator import Direction, Indicator
from dxplan.evaluate.attainment import rank

__all__ = [
    "Improvement",
    "IndexResult",
    "Standing",
    "compute_index",
    "to_top",
]

Raw = Mapping[str, Mapping[str, float | None]]
"""Raw values by indicator code, then unit code (a missing unit: nothing sent)."""

_STEPS = 200  # bisection steps at most: far below float precision long before


@dataclass(frozen=True)
class Standing:
    """One unit in the index: its composite, rank, movement and what it is made of."""

    unit: str
    composite: float
    rank: int
    pillars: dict[str, float]  # each pillar's score, 0–1 within the pillar
    normalised: dict[str, float]  # each component's normalised value, by indicator
    raw: dict[str, float | None]  # each component's raw value, by indicator
    previous_rank: int | None = None

    @property
    def movement(self) -> int | None:
        """Places gained since the previous period (negative: lost); None if not ranked then."""
        return None if self.previous_rank is None else self.previous_rank - self.rank


@dataclass(frozen=True)
class IndexResult:
    """Every ranked unit, best first, with the index that ranked them."""

    index: CompositeIndex
    standings: list[Standing]

    def of(self, unit: str) -> Standing | None:
        return next((s for s in self.standings if s.unit == unit), None)

    def threshold(self) -> float | None:
        """The composite of the unit in the last place of the top (the tenth): to beat."""
        top = self.index.top
        return self.standings[top - 1].composite if len(self.standings) >= top else None

    def losses(self, unit: str) -> list[tuple[str, float]]:
        """(indicator, points of the composite lost on it), largest first: what pulls
        the unit down. A component's loss is its weight × (1 − normalised value)."""
        found = self.of(unit)
        if found is None:
            return []
        weights = self.index.weights()
        lost = [(code, weights[code] * (1.0 - n)) for code, n in found.normalised.items()]
        return sorted(lost, key=lambda item: (-item[1], item[0]))


def _normalised(
    index: CompositeIndex, indicators: Mapping[str, Indicator], raw: Raw, units: Sequence[str]
) -> dict[str, dict[str, float]]:
    """Each component's normalised value of each unit, by indicator then unit."""
    return {
        c.indicator: normalise(
            c, indicators[c.indicator], {u: raw.get(c.indicator, {}).get(u) for u in units}
        )
        for _, c in index.components()
    }


def _composites(
    index: CompositeIndex, normalised: Mapping[str, Mapping[str, float]], unit: str
) -> tuple[float, dict[str, float]]:
    pillars = {
        p.pillar: math.fsum(c.weight * normalised[c.indicator][unit] for c in p.components)
        for p in index.pillars
    }
    return math.fsum(p.weight * pillars[p.pillar] for p in index.pillars), pillars


def compute_index(
    index: CompositeIndex,
    indicators: Mapping[str, Indicator],
    raw: Raw,
    units: Sequence[str],
    previous: Mapping[str, int] | None = None,
) -> IndexResult:
    """Rank `units` by the index from the raw values; `previous` ranks give the movement.

    Every unit in `units` is ranked: a component it sent nothing for scores 0.
    """
    normalised = _normalised(index, indicators, raw, units)
    parts = {u: _composites(index, normalised, u) for u in units}
    ranked = rank({u: composite for u, (composite, _) in parts.items()})
    previous = previous or {}
    return IndexResult(
        index,
        [
            Standing(
                unit=unit,
                composite=composite,
                rank=position,
                pillars=parts[unit][1],
                normalised={c: normalised[c][unit] for c in normalised},
                raw={c: raw.get(c, {}).get(unit) for c in normalised},
                previous_rank=previous.get(unit),
            )
            for unit, composite, position in ranked
        ],
    )


@dataclass(frozen=True)
class Improvement:
    """What one component alone would take to put the unit in the top."""

    indicator: str
    reachable: bool
    raw_from: float | None
    raw_to: float | None  # the value to reach (None: not reachable by this component alone)
    normalised_from: float
    normalised_to: float | None

    @property
    def raw_change(self) -> float | None:
        if self.raw_to is None:
            return None
        return self.raw_to - (self.raw_from if self.raw_from is not None else 0.0)

    @property
    def normalised_change(self) -> float | None:
        return None if self.normalised_to is None else self.normalised_to - self.normalised_from


def _better(indicator: Indicator) -> int:
    return 1 if indicator.direction is Direction.INCREASE else -1


def _reach(component: Component, indicator: Indicator, others: list[float]) -> float | None:
    """The best raw value worth trying: past it the unit's score on it cannot grow."""
    sign = _better(indicator)
    if component.method == "target":
        return None if indicator.target is None else indicator.target.value
    if component.method == "goalposts" and component.goalposts is not None:
        return component.goalposts.high if sign > 0 else component.goalposts.low
    if not others:
        return None
    return max(others) if sign > 0 else min(others)


def _start(component: Component, indicator: Indicator, others: list[float], best: float) -> float:
    """Where a unit that sent nothing starts from: the worst value there is."""
    sign = _better(indicator)
    if component.method == "goalposts" and component.goalposts is not None:
        return component.goalposts.low if sign > 0 else component.goalposts.high
    candidates = [*others, best] + ([0.0] if sign > 0 else [])
    return min(candidates) if sign > 0 else max(candidates) * 2


@dataclass
class _Trial:
    """The index with one unit's value of one component replaced, everything else kept."""

    index: CompositeIndex
    component: Component
    indicator: Indicator
    rest: dict[str, float]  # each unit's composite without this component
    values: dict[str, float | None]
    units: Sequence[str]
    unit: str

    def __call__(self, trial: float) -> tuple[bool, float]:
        """Whether the unit is in the top with `trial`, and its normalised value then."""
        values = {u: self.values.get(u) for u in self.units} | {self.unit: trial}
        scores = normalise(self.component, self.indicator, values)
        weight = self.index.weights()[self.component.indicator]
        composite = {u: self.rest[u] + weight * scores[u] for u in self.units}
        # unrounded: at least the N-th score itself, so that the rounded ranks agree
        above = sum(1 for u in self.units if composite[u] > composite[self.unit])
        return above < self.index.top, scores[self.unit]


def to_top(
    index: CompositeIndex,
    indicators: Mapping[str, Indicator],
    raw: Raw,
    units: Sequence[str],
    unit: str,
) -> list[Improvement] | None:
    """For each component alone, the smallest change of `unit`'s value that ranks it
    in the top; None when it is there already (or there are no more units than places).
    """
    result = compute_index(index, indicators, raw, units)
    mine = result.of(unit)
    if mine is None or mine.rank <= index.top or len(units) <= index.top:
        return None
    weights = index.weights()
    found = []
    for _, component in index.components():
        code = component.indicator
        rest = {s.unit: s.composite - weights[code] * s.normalised[code] for s in result.standings}
        trial = _Trial(
            index, component, indicators[code], rest, dict(raw.get(code, {})), units, unit
        )
        found.append(_smallest(trial, mine.raw[code], mine.normalised[code]))
    return found


def _smallest(trial: _Trial, current: float | None, normalised: float) -> Improvement:
    """The smallest value of the unit that puts it in the top, by bisection."""
    code, indicator = trial.component.indicator, trial.indicator
    others = [v for u, v in trial.values.items() if u != trial.unit and v is not None]
    best = _reach(trial.component, indicator, others)
    unreachable = Improvement(code, False, current, None, normalised, None)
    if best is None:
        return unreachable
    low = current if current is not None else _start(trial.component, indicator, others, best)
    if (best - low) * _better(indicator) <= 0 or not trial(best)[0]:
        return unreachable
    high = best
    if trial(low)[0]:
        high = low
    else:
        for _ in range(_STEPS):
            middle = (low + high) / 2
            if middle in (low, high):
                break
            if trial(middle)[0]:
                high = middle
            else:
                low = middle
    return Improvement(code, True, current, high, normalised, trial(high)[1])
