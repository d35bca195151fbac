"""Who moves the number: each unit's share of the city's gap to a ratio target.

For a target of T percent, the city's gap is `T − 100·Σnum/Σden` percentage points
(positive: the city is short of a `>=` target). Unit u contributes
`(T/100·den_u − num_u) / Σden × 100` points: what the city would gain if u alone
reached the target. The contributions add up to the gap (up to float rounding,
about 1e-12 for realistic figures; `math.fsum` keeps the sums exact).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

__all__ = ["city_gap", "contributions"]

Parts = Mapping[str, tuple[float, float]]
"""Numerator and denominator of each unit, by unit code."""


def _total_denominator(parts: Parts) -> float:
    if any(denominator < 0 for _, denominator in parts.values()):
        raise ValueError("a denominator cannot be negative")
    return math.fsum(denominator for _, denominator in parts.values())


def city_gap(target_percent: float, parts: Parts) -> float | None:
    """`T − 100·Σnum/Σden` in percentage points; None when every denominator is 0."""
    total = _total_denominator(parts)
    if total == 0:
        return None
    return target_percent - 100 * math.fsum(numerator for numerator, _ in parts.values()) / total


def contributions(target_percent: float, parts: Parts) -> dict[str, float]:
    """Each unit's contribution to the city's gap, in percentage points, by unit code.

    A unit with a zero denominator contributes `−100·num/Σden`: 0 for the usual 0/0,
    and it is kept so that the sum stays the gap. Empty when every denominator is 0
    (the city has no value, hence no gap).
    """
    total = _total_denominator(parts)
    if total == 0:
        return {}
    return {
        unit: target_percent * (denominator / total) - 100 * (numerator / total)
        for unit, (numerator, denominator) in parts.items()
    }
