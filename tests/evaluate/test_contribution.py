"""Each unit's contribution to the city's gap, and that they add up to it."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dxplan.evaluate.contribution import city_gap, contributions

# Target 80 %. Numerators / denominators:
#   A 60/100, B 90/100, C 0/0, D 150/200: the city has 300/400 = 75 %, a gap of 5 points.
#   A: (80 × 100 - 100 × 60) / 400 = 2000 / 400 = 5.0
#   B: (80 × 100 - 100 × 90) / 400 = -1000 / 400 = -2.5 (above the target, it helps)
#   C: 0 (nothing to count)
#   D: (80 × 200 - 100 × 150) / 400 = 1000 / 400 = 2.5
#   5.0 - 2.5 + 0 + 2.5 = 5.0 = the gap.
PARTS = {"A": (60.0, 100.0), "B": (90.0, 100.0), "C": (0.0, 0.0), "D": (150.0, 200.0)}


def test_worked_example() -> None:
    assert city_gap(80, PARTS) == pytest.approx(5.0)
    assert contributions(80, PARTS) == pytest.approx({"A": 5.0, "B": -2.5, "C": 0.0, "D": 2.5})


def test_a_unit_with_a_zero_denominator_but_a_numerator_is_kept_in_the_sum() -> None:
    # Bad data (5 of 0): the city has 65/100 = 65 %, gap 15; E counts -100 × 5 / 100 = -5,
    # A counts (80 × 100 - 100 × 60) / 100 = 20; 20 - 5 = 15.
    parts = {"A": (60.0, 100.0), "E": (5.0, 0.0)}
    assert city_gap(80, parts) == pytest.approx(15.0)
    assert contributions(80, parts) == pytest.approx({"A": 20.0, "E": -5.0})


def test_no_denominator_anywhere_means_no_city_value() -> None:
    assert city_gap(80, {"A": (0.0, 0.0)}) is None
    assert contributions(80, {"A": (0.0, 0.0)}) == {}
    assert city_gap(80, {}) is None


def test_negative_denominators_are_refused() -> None:
    with pytest.raises(ValueError):
        contributions(80, {"A": (1.0, -1.0)})


@st.composite
def _counts(draw: st.DrawFn) -> tuple[float, float]:
    denominator = draw(st.integers(min_value=0, max_value=10**7))
    numerator = draw(st.integers(min_value=0, max_value=denominator))
    return float(numerator), float(denominator)


@st.composite
def _shares(draw: st.DrawFn) -> tuple[float, float]:
    denominator = draw(st.floats(min_value=0, max_value=1e9))
    numerator = draw(st.floats(min_value=0, max_value=1)) * denominator
    return numerator, denominator


def _gap_by_hand(target: float, parts: dict[str, tuple[float, float]]) -> float:
    numerator = math.fsum(n for n, _ in parts.values())
    denominator = math.fsum(d for _, d in parts.values())
    return target - 100 * numerator / denominator


@given(
    target=st.floats(min_value=0, max_value=100),
    parts=st.dictionaries(
        st.text(min_size=1, max_size=5), st.one_of(_counts(), _shares()), min_size=1, max_size=120
    ),
)
def test_contributions_add_up_to_the_gap(
    target: float, parts: dict[str, tuple[float, float]]
) -> None:
    if math.fsum(d for _, d in parts.values()) == 0:
        assert contributions(target, parts) == {}
        return
    found = contributions(target, parts)
    assert found.keys() == parts.keys()
    gap = _gap_by_hand(target, parts)
    assert abs(math.fsum(found.values()) - gap) <= 1e-9
    gap_found = city_gap(target, parts)
    assert gap_found is not None
    assert abs(gap_found - gap) <= 1e-9
