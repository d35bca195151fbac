"""Projections on hand-made series; every expected number is worked out in the comments.

The same series are the worked examples of docs/methodology.md ("Evaluation").
"""

from __future__ import annotations

from datetime import date

import pytest

from dxplan.domain.indicator import Target
from dxplan.domain.period import Period
from dxplan.evaluate.projection import (
    PERCENT_BOUNDS,
    Method,
    Observation,
    project,
    required_monthly_pace,
    t_quantile_90,
    value_so_far,
)

DEADLINE = date(2025, 12, 31)


def _months(numerators: list[float], denominator: float | None = 100.0) -> list[Observation]:
    """Readings for January, February... of 2025, all with the same denominator."""
    return [
        Observation(Period.parse(f"2025-{month:02d}"), numerator, denominator)
        for month, numerator in enumerate(numerators, start=1)
    ]


def _target(op: str, value: float) -> Target:
    return Target.model_validate({"op": op, "value": value, "deadline": "2025-12-31"})


# -- Example A: a stock (households with fibre), January to May ---------------------------
# Ratios 53, 53, 56, 57, 61 % at months x = 1..5.
#   mean x = 3, mean y = 280 / 5 = 56, Sxx = 4+1+0+1+4 = 10,
#   Sxy = (-2)(-3) + (-1)(-3) + 0 + (1)(1) + (2)(5) = 20, slope = 2, intercept = 56 - 6 = 50.
#   Residuals 1, -1, 0, -1, 1: s² = 4 / (5 - 2) = 4/3.
#   December (x = 12): 50 + 24 = 74.
#   se² = 4/3 × (1 + 1/5 + (12 - 3)²/10) = 4/3 × 9.3 = 12.4, se = 3.52136.
#   t(0.90, 3 df) = 1.638: half-width 5.76799, interval [68.232, 79.768].
STOCK_A = _months([530, 530, 560, 570, 610], denominator=1000)


def test_a_stock_follows_its_monthly_trend_to_december() -> None:
    found = project(STOCK_A, flow=False, deadline=DEADLINE, as_of=date(2025, 6, 10))
    assert found is not None
    assert found.method is Method.TREND
    assert found.value == pytest.approx(74.0)
    assert found.low == pytest.approx(68.232, abs=1e-3)
    assert found.high == pytest.approx(79.768, abs=1e-3)


def test_only_periods_ended_before_as_of_count() -> None:
    # June's reading exists but June is not over on 15 June: the result is Example A's.
    june = Observation(Period.parse("2025-06"), 990, 1000)
    found = project([*STOCK_A, june], flow=False, deadline=DEADLINE, as_of=date(2025, 6, 15))
    assert found is not None
    assert found.value == pytest.approx(74.0)
    assert found.high == pytest.approx(79.768, abs=1e-3)


def test_value_so_far_of_a_stock_is_its_latest_reading() -> None:
    assert value_so_far(
        STOCK_A, flow=False, deadline=DEADLINE, as_of=date(2025, 6, 1)
    ) == pytest.approx(61.0)


def test_required_pace_of_a_stock_is_points_per_month_left() -> None:
    # Latest value 61 (May), target 80 by December: (80 - 61) / (12 - 5) = 19/7 = 2.714286.
    pace = required_monthly_pace(
        STOCK_A, flow=False, target=_target(">=", 80), as_of=date(2025, 6, 1)
    )
    assert pace == pytest.approx(2.714286, abs=1e-6)


# -- Example C: a flow ratio (dossiers received online), January to June -------------------
# 100 dossiers a month; online 61, 61, 64, 66, 67, 71, so ratios 61, 61, 64, 66, 67, 71 %.
#   mean x = 3.5, mean y = 390 / 6 = 65, Sxx = 17.5,
#   Sxy = (-2.5)(-4) + (-1.5)(-4) + (-0.5)(-1) + (0.5)(1) + (1.5)(2) + (2.5)(6) = 35,
#   slope = 2, intercept = 65 - 7 = 58; residuals 1, -1, 0, 0, -1, 1: s² = 4 / 4 = 1.
#   The 6 months left (x = 7..12, mean 9.5) average 58 + 19 = 77 %;
#   se² = 1 × (1/6 + 1/6 + (9.5 - 3.5)²/17.5) = 0.333333 + 2.057143 = 2.390476, se = 1.546117;
#   t(0.90, 4 df) = 1.533: half-width 2.370198, levels 74.629802 .. 79.370198.
#   Denominators left: mean 100 × 6 = 600. Year = (390 + 6 × level) / 1200 × 100:
#   value (390 + 462) / 12 = 71.0, low 837.778812 / 12 = 69.814901, high 72.185099.
FLOW_C = _months([61, 61, 64, 66, 67, 71])


def test_a_flow_keeps_what_is_observed_and_projects_the_months_left() -> None:
    found = project(
        FLOW_C, flow=True, deadline=DEADLINE, as_of=date(2025, 7, 1), bounds=PERCENT_BOUNDS
    )
    assert found is not None
    assert found.value == pytest.approx(71.0)
    assert found.low == pytest.approx(69.814901, abs=1e-5)
    assert found.high == pytest.approx(72.185099, abs=1e-5)


def test_value_so_far_of_a_flow_is_the_sum_over_the_sum() -> None:
    # 390 online of 600 received.
    assert value_so_far(FLOW_C, flow=True, deadline=DEADLINE, as_of=date(2025, 7, 1)) == 65.0


def test_required_pace_of_a_flow_ratio_is_the_level_the_months_left_must_average() -> None:
    # Target 80 %: the year needs 0.8 × 1200 = 960 online, 390 are in: (960 - 390) / 600 = 95 %.
    pace = required_monthly_pace(
        FLOW_C, flow=True, target=_target(">=", 80), as_of=date(2025, 7, 1)
    )
    assert pace == pytest.approx(95.0)


def test_the_percent_limit_bounds_what_the_months_left_can_bring() -> None:
    # Ratios 94, 97, 100 % (100 dossiers a month): a perfect line, slope 3, intercept 91.
    # Months 4..12 (mean x = 8) would average 91 + 24 = 115 %, bounded to 100 %.
    # Year = (94 + 97 + 100 + 9 × 100) / 1200 = 1191 / 1200 = 99.25 %: a target of 100 is
    # out of reach, because 9 dossiers already missed it.
    found = project(
        _months([94, 97, 100]),
        flow=True,
        deadline=DEADLINE,
        as_of=date(2025, 4, 1),
        bounds=PERCENT_BOUNDS,
    )
    assert found is not None
    assert (found.value, found.low, found.high) == pytest.approx((99.25, 99.25, 99.25))


def test_a_stock_projected_beyond_100_stops_at_100() -> None:
    # 90, 93, 96 %: December would be 87 + 3 × 12 = 123 %, bounded to 100.
    found = project(
        _months([90, 93, 96]),
        flow=False,
        deadline=DEADLINE,
        as_of=date(2025, 4, 1),
        bounds=PERCENT_BOUNDS,
    )
    assert found is not None
    assert (found.value, found.low, found.high) == pytest.approx((100.0, 100.0, 100.0))


def test_a_flow_number_sums_the_months_left() -> None:
    # 10, 12, 14 a month: slope 2, intercept 8. Months 4..12 (mean x = 8) average 24:
    # 36 + 9 × 24 = 252. To reach 200 the 9 months left need (200 - 36) / 9 = 18.2222 each.
    readings = _months([10, 12, 14], denominator=None)
    found = project(readings, flow=True, deadline=DEADLINE, as_of=date(2025, 4, 1))
    assert found is not None
    assert (found.value, found.low, found.high) == pytest.approx((252.0, 252.0, 252.0))
    pace = required_monthly_pace(
        readings, flow=True, target=_target(">=", 200), as_of=date(2025, 4, 1)
    )
    assert pace == pytest.approx(18.222222, abs=1e-6)


def test_quarterly_readings_project_to_the_fourth_quarter() -> None:
    # A stock reported each quarter: 40, 45, 50 % in Q1..Q3, a perfect line: Q4 is 55 %.
    readings = [
        Observation(Period.parse(f"2025Q{q}"), value, 100.0)
        for q, value in [(1, 40.0), (2, 45.0), (3, 50.0)]
    ]
    found = project(readings, flow=False, deadline=DEADLINE, as_of=date(2025, 10, 15))
    assert found is not None
    assert found.value == pytest.approx(55.0)


def test_the_deadline_value_once_observed_is_known() -> None:
    readings = _months([50 + m for m in range(12)])  # December: 61 of 100
    found = project(readings, flow=False, deadline=DEADLINE, as_of=date(2026, 1, 1))
    assert found is not None
    assert found.method is Method.KNOWN
    assert (found.value, found.low, found.high) == pytest.approx((61.0, 61.0, 61.0))
    # As a flow: 50 + 51 + ... + 61 = 666 of 1200 = 55.5 %.
    flow = project(readings, flow=True, deadline=DEADLINE, as_of=date(2026, 1, 1))
    assert flow is not None and flow.method is Method.KNOWN
    assert flow.value == pytest.approx(55.5)


# -- Example B: yearly only (the DTI rank, OVR-01), from earlier years ----------------------
# Ranks 19, 15, 13, 13 in 2021..2024: mean year 2022.5, mean rank 15, Sxx = 5,
#   Sxy = (-1.5)(4) + (-0.5)(0) + (0.5)(-2) + (1.5)(-2) = -10, slope -2;
#   fitted 18, 16, 14, 12, residuals 1, -1, -1, 1: s² = 4 / 2 = 2.
#   2025: 15 - 2 × 2.5 = 10. se² = 2 × (1 + 1/4 + 2.5²/5) = 2 × 2.5 = 5, se = 2.236068.
#   t(0.90, 2 df) = 1.886: half-width 4.217224, interval [5.782776, 14.217224].
RANK_HISTORY = [
    Observation(Period(year), rank, None)
    for year, rank in [(2021, 19), (2022, 15), (2023, 13), (2024, 13)]
]


def test_fewer_than_three_points_fall_back_on_earlier_years() -> None:
    found = project([], flow=False, deadline=DEADLINE, as_of=date(2025, 9, 1), history=RANK_HISTORY)
    assert found is not None
    assert found.method is Method.YEARLY_TREND
    assert found.value == pytest.approx(10.0)
    assert found.low == pytest.approx(5.782776, abs=1e-5)
    assert found.high == pytest.approx(14.217224, abs=1e-5)


def test_too_little_data_gives_no_projection() -> None:
    two = _months([60, 62])
    assert project(two, flow=False, deadline=DEADLINE, as_of=date(2025, 3, 1)) is None
    assert project(two, flow=True, deadline=DEADLINE, as_of=date(2025, 3, 1)) is None
    # Two years of history are not enough either.
    assert (
        project(
            two, flow=False, deadline=DEADLINE, as_of=date(2025, 3, 1), history=RANK_HISTORY[:2]
        )
        is None
    )


def test_months_with_a_zero_denominator_are_left_out_of_the_trend() -> None:
    # 0/0 in February: the trend has 2 points, too few.
    readings = [
        Observation(Period.parse("2025-01"), 60, 100),
        Observation(Period.parse("2025-02"), 0, 0),
        Observation(Period.parse("2025-03"), 64, 100),
    ]
    assert project(readings, flow=False, deadline=DEADLINE, as_of=date(2025, 4, 1)) is None


def test_no_pace_without_target_after_the_deadline_or_once_met() -> None:
    as_of = date(2025, 6, 1)
    assert required_monthly_pace(STOCK_A, flow=False, target=None, as_of=as_of) is None
    assert required_monthly_pace(STOCK_A, flow=False, target=_target(">=", 60), as_of=as_of) is None
    late = date(2026, 1, 2)
    assert required_monthly_pace(STOCK_A, flow=False, target=_target(">=", 80), as_of=late) is None
    assert required_monthly_pace([], flow=False, target=_target(">=", 80), as_of=as_of) is None


def test_the_pace_of_a_rank_is_negative() -> None:
    # Rank 14 in Q1, 13 in Q2; target <= 10: (10 - 13) / (12 - 6) = -0.5 a month.
    readings = [Observation(Period.parse("2025Q1"), 14), Observation(Period.parse("2025Q2"), 13)]
    pace = required_monthly_pace(
        readings, flow=False, target=_target("<=", 10), as_of=date(2025, 7, 1)
    )
    assert pace == pytest.approx(-0.5)


def test_the_t_table() -> None:
    assert t_quantile_90(1) == 3.078
    assert t_quantile_90(10) == 1.372
    assert t_quantile_90(30) == 1.310
    assert t_quantile_90(31) == pytest.approx(1.2816, abs=1e-4)  # the normal quantile
    with pytest.raises(ValueError):
        t_quantile_90(0)


def test_inconsistent_readings_are_refused() -> None:
    with pytest.raises(ValueError, match="one kind"):
        project(
            [Observation(Period.parse("2025-01"), 1, 2), Observation(Period.parse("2025Q2"), 1, 2)],
            flow=True,
            deadline=DEADLINE,
            as_of=date(2025, 8, 1),
        )
    with pytest.raises(ValueError, match="same period"):
        project(
            [*_months([1]), *_months([2])], flow=True, deadline=DEADLINE, as_of=date(2025, 8, 1)
        )
    with pytest.raises(ValueError, match="deadline's year"):
        project(
            [Observation(Period.parse("2024-12"), 1, 2)],
            flow=True,
            deadline=DEADLINE,
            as_of=date(2025, 8, 1),
        )
    with pytest.raises(ValueError, match="mix"):
        project(
            [Observation(Period.parse("2025-01"), 1, 2), Observation(Period.parse("2025-02"), 1)],
            flow=True,
            deadline=DEADLINE,
            as_of=date(2025, 8, 1),
        )


def test_the_pace_of_a_stock_counts_from_its_latest_value() -> None:
    # June is 0/0: the latest value is still May's 61, so the pace is Example A's 19/7.
    readings = [*STOCK_A, Observation(Period.parse("2025-06"), 0, 0)]
    pace = required_monthly_pace(
        readings, flow=False, target=_target(">=", 80), as_of=date(2025, 7, 1)
    )
    assert pace == pytest.approx(19 / 7)
