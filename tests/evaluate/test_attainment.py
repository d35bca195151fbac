"""Attainment, pillar and overall scores, rankings."""

from __future__ import annotations

import pytest

from dxplan.domain.indicator import Target
from dxplan.evaluate.attainment import attainment, overall_score, pillar_scores, rank, weighted_mean


def _target(op: str, value: float) -> Target:
    return Target.model_validate({"op": op, "value": value, "deadline": "2025-12-31"})


@pytest.mark.parametrize(
    ("op", "threshold", "value", "expected"),
    [
        (">=", 80, 60.0, 0.75),  # 60 / 80
        (">=", 80, 90.0, 1.0),  # 90 / 80 = 1.125, capped at 1
        (">=", 80, -5.0, 0.0),  # below 0, kept at 0
        (">", 80, 80.0, 1.0),  # strictness ignored: 80 / 80
        (">=", 0, 0.0, 1.0),  # T = 0: met or not
        (">", 0, 0.0, 0.0),
        ("<=", 10, 15.0, 10 / 15),  # DTI rank 15 for a target of 10: 0.6667
        ("<=", 10, 5.0, 1.0),  # 10 / 5 = 2, capped at 1
        ("<", 10, 10.0, 1.0),
        ("<=", 10, 0.0, 1.0),  # value 0: met, so 1
        ("<", 0, 0.0, 0.0),  # value 0 and not met: 0
    ],
)
def test_attainment(op: str, threshold: float, value: float, expected: float) -> None:
    assert attainment(value, _target(op, threshold)) == pytest.approx(expected)


def test_no_value_no_attainment() -> None:
    assert attainment(None, _target(">=", 80)) is None


def test_weighted_mean_skips_missing_scores() -> None:
    # GOV-01 1.0 (weight 3), GOV-03 0.6 (weight 2), GOV-10 monitored (None):
    # (3 × 1.0 + 2 × 0.6) / 5 = 4.2 / 5 = 0.84.
    scores = {"GOV-01": 1.0, "GOV-03": 0.6, "GOV-10": None}
    assert weighted_mean(scores, {"GOV-01": 3, "GOV-03": 2}) == pytest.approx(0.84)
    # Without weights, every weight is 1: 1.6 / 2 = 0.8.
    assert weighted_mean(scores) == pytest.approx(0.8)
    assert weighted_mean({"GOV-10": None}) is None
    assert weighted_mean({"GOV-01": 1.0}, {"GOV-01": 0}) is None
    with pytest.raises(ValueError):
        weighted_mean({"GOV-01": 1.0}, {"GOV-01": -1})


def test_pillar_and_overall_scores() -> None:
    # GOV 0.84 as above; ECO 0.5; SOC has no score for this unit.
    # Overall with the DTI's pillar points (GOV 200, ECO 150, SOC 150):
    # (200 × 0.84 + 150 × 0.5) / 350 = 243 / 350 = 0.694286.
    pillar_of = {
        "GOV-01": "GOV",
        "GOV-03": "GOV",
        "GOV-10": "GOV",
        "ECO-01": "ECO",
        "SOC-01": "SOC",
    }
    attainments = {"GOV-01": 1.0, "GOV-03": 0.6, "GOV-10": None, "ECO-01": 0.5}
    pillars = pillar_scores(attainments, pillar_of, {"GOV-01": 3, "GOV-03": 2})
    assert pillars == pytest.approx({"GOV": 0.84, "ECO": 0.5, "SOC": None})
    assert list(pillars) == ["GOV", "ECO", "SOC"]
    overall = overall_score(pillars, {"GOV": 200, "ECO": 150, "SOC": 150})
    assert overall == pytest.approx(0.694286, abs=1e-6)


def test_an_indicator_without_pillar_is_an_error() -> None:
    with pytest.raises(ValueError, match="XYZ-01"):
        pillar_scores({"XYZ-01": 1.0}, {"GOV-01": "GOV"})


def test_competition_ranking_ties_share_a_rank() -> None:
    found = rank({"D": 0.7, "C": 0.8, "B": 0.8, "A": 0.9})
    assert found == [("A", 0.9, 1), ("B", 0.8, 2), ("C", 0.8, 2), ("D", 0.7, 4)]


def test_float_noise_does_not_split_a_tie() -> None:
    # 0.1 + 0.2 is 0.30000000000000004 in floating point.
    found = rank({"X": 0.1 + 0.2, "W": 0.3, "Z": 0.2})
    assert [(code, position) for code, _, position in found] == [("W", 1), ("X", 1), ("Z", 3)]


def test_ranking_edge_cases() -> None:
    assert rank({}) == []
    assert rank({"A": 0.5}) == [("A", 0.5, 1)]
    assert [r[2] for r in rank({"A": 1.0, "B": 1.0, "C": 1.0})] == [1, 1, 1]
    with pytest.raises(ValueError):
        rank({"A": float("nan")})
