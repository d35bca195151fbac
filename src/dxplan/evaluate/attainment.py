"""Scores and rankings: how far each unit is towards the plan's targets, from 0 to 1.

Attainment of one indicator follows Decision 766/QĐ-TTg's `min(1, rate / threshold)`:
`value / T` for `>=`/`>` targets and `T / value` for `<=`/`<` targets (a rank), kept
within [0, 1]. Pillar scores are weighted means of the attainments a unit has, the
overall score a weighted mean of the pillar scores; a missing weight counts as 1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from dxplan.domain.indicator import Target

__all__ = ["RANK_DECIMALS", "attainment", "overall_score", "pillar_scores", "rank", "weighted_mean"]

RANK_DECIMALS = 9
"""Scores equal to this many decimals share a rank (float noise must not split a tie)."""


def attainment(value: float | None, target: Target) -> float | None:
    """How much of the target `value` reaches, in [0, 1]; None without a value.

    The strictness of `>`/`<` is ignored (a value equal to T scores 1). Where the
    ratio means nothing, the score is all or nothing: 1 when the target is met, else
    0. That is a target T ≤ 0 for `>=`/`>`, and a value ≤ 0 for `<=`/`<`.
    """
    if value is None:
        return None
    if target.op in (">=", ">"):
        if target.value <= 0:
            return 1.0 if target.is_met(value) else 0.0
        share = value / target.value
    else:
        if value <= 0:
            return 1.0 if target.is_met(value) else 0.0
        share = target.value / value
    return min(max(share, 0.0), 1.0)


def weighted_mean(
    scores: Mapping[str, float | None], weights: Mapping[str, float] | None = None
) -> float | None:
    """Mean of the scores that exist, weighted by code (default 1); None without any.

    A missing score (None: no value, or the unit does not have the indicator) is left
    out and the weights of the others are used as they are, not replaced by zero.
    """
    weights = weights or {}
    pairs = [(score, weights.get(code, 1.0)) for code, score in scores.items() if score is not None]
    if any(weight < 0 or math.isnan(weight) for _, weight in pairs):
        raise ValueError("weights must be non-negative numbers")
    total = math.fsum(weight for _, weight in pairs)
    if total == 0:
        return None
    return math.fsum(score * weight for score, weight in pairs) / total


def pillar_scores(
    attainments: Mapping[str, float | None],
    pillar_of: Mapping[str, str],
    weights: Mapping[str, float] | None = None,
) -> dict[str, float | None]:
    """Score of each pillar (in order of first appearance in `pillar_of`).

    `attainments` are by indicator code; an indicator absent from them counts as
    missing. `pillar_of` maps each indicator code to its pillar; `weights` are by
    indicator code.
    """
    unknown = set(attainments) - set(pillar_of)
    if unknown:
        raise ValueError(f"indicators without a pillar: {sorted(unknown)}")
    members: dict[str, dict[str, float | None]] = {}
    for code, pillar in pillar_of.items():
        members.setdefault(pillar, {})[code] = attainments.get(code)
    return {pillar: weighted_mean(scores, weights) for pillar, scores in members.items()}


def overall_score(
    pillars: Mapping[str, float | None], weights: Mapping[str, float] | None = None
) -> float | None:
    """The weighted mean of the pillar scores (`weights` by pillar code)."""
    return weighted_mean(pillars, weights)


def rank(scores: Mapping[str, float]) -> list[tuple[str, float, int]]:
    """(code, score, rank), best first; ties share a rank (1, 2, 2, 4), listed by code."""
    if any(math.isnan(score) for score in scores.values()):
        raise ValueError("a score cannot be NaN")
    ordered = sorted(scores.items(), key=lambda item: (-round(item[1], RANK_DECIMALS), item[0]))
    ranked: list[tuple[str, float, int]] = []
    for position, (code, score) in enumerate(ordered, start=1):
        tied = bool(ranked) and round(ranked[-1][1], RANK_DECIMALS) == round(score, RANK_DECIMALS)
        ranked.append((code, score, ranked[-1][2] if tied else position))
    return ranked
