"""Indicators (formulas over measures) and the targets the plan sets on them."""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dxplan.domain.formula import Formula
from dxplan.domain.measure import SourceKind
from dxplan.domain.names import LocalizedText

__all__ = ["Baseline", "Direction", "Indicator", "IndicatorKind", "SourceKind", "Target"]


class IndicatorKind(StrEnum):
    RATIO = "ratio"  # numerator / denominator × 100, in percent
    NUMBER = "number"  # the numerator itself
    RANK = "rank"  # a position in a ranking: 1 is best


class Direction(StrEnum):
    """Which way is better."""

    INCREASE = "increase"
    DECREASE = "decrease"


_COMPARISONS: Final[dict[str, Callable[[float, float], bool]]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
}
TargetOp = Literal[">=", ">", "<=", "<"]


class Baseline(BaseModel):
    """The value an indicator started from, and when."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float
    period: str = Field(description="a period of the plan's calendar, e.g. 2024 or FY2025")


class Target(BaseModel):
    """What the plan wants of an indicator by a deadline: `value op target`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    op: TargetOp
    value: float
    deadline: date
    baseline: Baseline | None = None

    def is_met(self, value: float) -> bool:
        """Whether `value` satisfies the target."""
        return _COMPARISONS[self.op](value, self.value)


class Indicator(BaseModel):
    """A figure the plan watches: a formula over measures, with an optional target."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[A-Z]{2,5}-\d{2,3}$")
    pillar: str
    names: LocalizedText
    kind: IndicatorKind
    numerator: Formula
    denominator: Formula | None = None
    direction: Direction = Direction.INCREASE
    source: SourceKind
    lead_agency: str
    confidential: bool = False
    target: Target | None = None
    weight: float = Field(default=1.0, gt=0, description="weight in its pillar's score")
    definition: LocalizedText | None = None
    methodology: LocalizedText | None = None

    @model_validator(mode="after")
    def _ratio_has_denominator(self) -> Indicator:
        if self.kind is IndicatorKind.RATIO and self.denominator is None:
            raise ValueError("a ratio indicator needs a denominator")
        if self.kind is not IndicatorKind.RATIO and self.denominator is not None:
            raise ValueError(f"a {self.kind} indicator has no denominator")
        return self

    @property
    def measures(self) -> frozenset[str]:
        """Every measure code the indicator reads."""
        found = self.numerator.measures
        if self.denominator is not None:
            found |= self.denominator.measures
        return found

    @property
    def monitored(self) -> bool:
        """True for an indicator that is watched without a target."""
        return self.target is None

    def value(self, numerator: float | None, denominator: float | None) -> float | None:
        """The indicator's value from aggregated figures; None for 0/0 or missing data.

        Ratios are in percent at full precision; rounding is for display only.
        """
        if numerator is None:
            return None
        if self.kind is not IndicatorKind.RATIO:
            return numerator
        if denominator is None or denominator == 0:
            return None
        return numerator / denominator * 100
