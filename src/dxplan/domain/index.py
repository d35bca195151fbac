"""A composite index in the manner of the provincial DTI: pillars, components, weights.

The plan declares it (`index:`): each pillar of the plan that counts, with its weight,
and in it the components: an indicator, its weight in the pillar and how its values
are normalised to [0, 1] (a method from `NORMALISATIONS`). Weights are shares: the
pillars' add up to 1, and so do the components' of each pillar, so that the
composite, `Σ pillar weight × Σ component weight × normalised value`, is on a 0–1
scale. The arithmetic over units is in `dxplan.evaluate.index`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Final

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dxplan.domain.indicator import Direction, Indicator, Target
from dxplan.domain.names import LocalizedText
from dxplan.domain.period import PeriodKind

__all__ = [
    "NORMALISATIONS",
    "WEIGHT_TOLERANCE",
    "Component",
    "CompositeIndex",
    "Goalposts",
    "IndexPillar",
    "Normalisation",
    "normalise",
]

WEIGHT_TOLERANCE: Final = 1e-6
"""How far a sum of weights may be from 1 (weights such as 1/3 are written 0.333333)."""


class Goalposts(BaseModel):
    """The worst and the best value of a component, fixed by the plan (`goalposts`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    low: float = Field(description="the value that scores 0 (or 1 where lower is better)")
    high: float = Field(description="the value that scores 1 (or 0 where lower is better)")

    @model_validator(mode="after")
    def _ordered(self) -> Goalposts:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self


class Component(BaseModel):
    """One indicator in the index: its weight in its pillar and how it is normalised."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    indicator: str = Field(description="an indicator of the plan")
    weight: float = Field(gt=0, le=1, description="its share of its pillar (the pillar's add to 1)")
    method: str = Field(
        description="how values become 0–1: `min-max`, `target` or `goalposts` (methodology.md)"
    )
    goalposts: Goalposts | None = Field(
        default=None, description="for `goalposts`: the values that score 0 and 1"
    )


class IndexPillar(BaseModel):
    """A pillar of the plan as it counts in the index."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pillar: str = Field(description="a pillar of the plan")
    weight: float = Field(gt=0, le=1, description="its share of the composite (pillars add to 1)")
    components: list[Component] = Field(min_length=1)


class CompositeIndex(BaseModel):
    """The composite index the plan ranks its units by (the DTI, for provinces)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[A-Z][A-Z0-9-]{1,15}$", description="e.g. DTI")
    names: LocalizedText
    ranking: str = Field(
        description="the organisation's ranking whose units are ranked (e.g. `provinces`)"
    )
    top: int = Field(default=10, ge=1, description="the top places a unit aims at (top 10)")
    periodicity: PeriodKind = Field(
        default=PeriodKind.QUARTER,
        description="the periods whose figures the units send (their timeliness is shown)",
    )
    due_days: int = Field(
        default=15,
        ge=0,
        le=366,
        description="days after a period's end by which the units' figures are due",
    )
    pillars: list[IndexPillar] = Field(min_length=1)

    def components(self) -> Iterator[tuple[IndexPillar, Component]]:
        """Every component with its pillar, in the plan's order."""
        for pillar in self.pillars:
            for component in pillar.components:
                yield pillar, component

    def weights(self) -> dict[str, float]:
        """Each component's share of the composite: pillar weight × component weight."""
        return {c.indicator: p.weight * c.weight for p, c in self.components()}


Values = Mapping[str, float | None]
"""A component's raw values, by unit code (None: the unit sent nothing)."""


@dataclass(frozen=True)
class Normalisation:
    """A way of turning raw values into [0, 1]: better is higher, whatever the direction.

    `scores` receives every ranked unit's value (the min-max method reads them all);
    `needs` names what the component must declare (`target` on the indicator, or
    `goalposts`), checked when the plan is read. A unit without a value scores 0.
    """

    code: str
    needs: str | None
    scores: Callable[[Values, Indicator, Goalposts | None], dict[str, float]]
    description: str


NORMALISATIONS: Final[dict[str, Normalisation]] = {}


def normalisation(
    code: str, needs: str | None, description: str
) -> Callable[
    [Callable[[Values, Indicator, Goalposts | None], dict[str, float]]],
    Callable[[Values, Indicator, Goalposts | None], dict[str, float]],
]:
    """Register a normalisation method under `code`."""

    def register(
        function: Callable[[Values, Indicator, Goalposts | None], dict[str, float]],
    ) -> Callable[[Values, Indicator, Goalposts | None], dict[str, float]]:
        if code in NORMALISATIONS:
            raise ValueError(f"normalisation {code!r} is registered twice")
        NORMALISATIONS[code] = Normalisation(code, needs, function, description)
        return function

    return register


def _clip(share: float) -> float:
    return min(max(share, 0.0), 1.0)


def _between(value: float, low: float, high: float, direction: Direction) -> float:
    share = (value - low) / (high - low)
    return _clip(share if direction is Direction.INCREASE else 1.0 - share)


@normalisation(
    "min-max",
    None,
    "(value − lowest) / (highest − lowest) over the units ranked, reversed where lower is "
    "better: the best unit scores 1, the worst 0; every unit 1 when all values are equal.",
)
def _min_max(values: Values, indicator: Indicator, _: Goalposts | None) -> dict[str, float]:
    known = [v for v in values.values() if v is not None]
    if not known:
        return dict.fromkeys(values, 0.0)
    low, high = min(known), max(known)
    return {
        unit: 0.0
        if value is None
        else (1.0 if high == low else _between(value, low, high, indicator.direction))
        for unit, value in values.items()
    }


@normalisation(
    "target",
    "target",
    "value / target, or target / value for a `<=` target, within [0, 1]: meeting the "
    "plan's target scores 1 (the attainment of the dashboard's scores).",
)
def _against_target(values: Values, indicator: Indicator, _: Goalposts | None) -> dict[str, float]:
    target = indicator.target
    if target is None:
        raise ValueError(f"{indicator.code} has no target to normalise against")
    return {unit: _attained(value, target) for unit, value in values.items()}


def _attained(value: float | None, target: Target) -> float:
    if value is None:
        return 0.0
    if target.op in (">=", ">"):
        if target.value <= 0:
            return 1.0 if target.is_met(value) else 0.0
        return _clip(value / target.value)
    if value <= 0:
        return 1.0 if target.is_met(value) else 0.0
    return _clip(target.value / value)


@normalisation(
    "goalposts",
    "goalposts",
    "(value − low) / (high − low) between the plan's fixed goalposts, within [0, 1], "
    "reversed where lower is better: a score that does not depend on the other units.",
)
def _goalposts(values: Values, indicator: Indicator, posts: Goalposts | None) -> dict[str, float]:
    if posts is None:
        raise ValueError(f"{indicator.code} has no goalposts")
    return {
        unit: 0.0 if value is None else _between(value, posts.low, posts.high, indicator.direction)
        for unit, value in values.items()
    }


def normalise(component: Component, indicator: Indicator, values: Values) -> dict[str, float]:
    """The component's normalised value of each unit, in [0, 1]."""
    found = NORMALISATIONS[component.method].scores(values, indicator, component.goalposts)
    if any(math.isnan(score) for score in found.values()):
        raise ValueError(f"{indicator.code}: a value is not a number")
    return found


def index_problems(
    index: CompositeIndex,
    indicators: Mapping[str, Indicator],
    pillars: set[str],
    rankings: set[str] | None,
) -> Iterator[tuple[tuple[str | int, ...], str, str]]:
    """(where in `index:`, code, message) of each inconsistency of the index with the plan.

    `rankings` are the organisation's ranking codes (None: the organisation is not known).
    """
    if rankings is not None and index.ranking not in rankings:
        yield (
            ("ranking",),
            "unknown-ranking",
            f"the organisation has no ranking {index.ranking!r}; it has "
            f"{', '.join(sorted(rankings)) or 'none'}",
        )
    yield from _weight_sum([p.weight for p in index.pillars], ("pillars",), "the pillars")
    seen: set[str] = set()
    for number, pillar in enumerate(index.pillars):
        here: tuple[str | int, ...] = ("pillars", number)
        if pillar.pillar not in pillars:
            yield (*here, "pillar"), "unknown-pillar", f"unknown pillar {pillar.pillar!r}"
        yield from _weight_sum(
            [c.weight for c in pillar.components], (*here, "components"), pillar.pillar
        )
        for position, component in enumerate(pillar.components):
            where = (*here, "components", position)
            found = indicators.get(component.indicator)
            if found is None:
                yield (
                    (*where, "indicator"),
                    "unknown-indicator",
                    f"unknown indicator {component.indicator!r}",
                )
            elif found.confidential:
                yield (
                    (*where, "indicator"),
                    "confidential-component",
                    f"{component.indicator} is confidential: the index and its components "
                    "are published",
                )
            elif component.indicator in seen:
                yield (
                    (*where, "indicator"),
                    "duplicate-code",
                    f"{component.indicator} is in the index twice",
                )
            seen.add(component.indicator)
            method = NORMALISATIONS.get(component.method)
            if method is None:
                yield (
                    (*where, "method"),
                    "unknown-method",
                    f"unknown normalisation {component.method!r}; known: "
                    f"{', '.join(NORMALISATIONS)}",
                )
            elif method.needs == "target" and found is not None and found.target is None:
                yield (
                    (*where, "method"),
                    "method-needs",
                    f"{component.indicator} has no target to normalise against",
                )
            elif method.needs == "goalposts" and component.goalposts is None:
                yield (
                    (*where, "method"),
                    "method-needs",
                    f"{component.indicator}: the `goalposts` method needs `goalposts: "
                    "{low: ..., high: ...}`",
                )


def _weight_sum(
    weights: list[float], where: tuple[str | int, ...], what: str
) -> Iterator[tuple[tuple[str | int, ...], str, str]]:
    total = math.fsum(weights)
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        shown = " + ".join(f"{w:g}" for w in weights)
        yield where, "weights-sum", f"the weights of {what} add up to {total:g} ({shown}), not 1"
