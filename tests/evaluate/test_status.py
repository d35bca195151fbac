"""Every branch of the status rules, for each comparison and for strict comparisons."""

from __future__ import annotations

from datetime import date

import pytest

from dxplan.domain.indicator import Target
from dxplan.domain.period import Period
from dxplan.evaluate.projection import Projection
from dxplan.evaluate.status import Status, is_over, status

YEAR = Period.parse("2025")
OPEN = date(2025, 7, 1)  # mid-year: the period is open
OVER = date(2026, 1, 1)  # 31 December has passed


def _target(op: str, value: float, deadline: str = "2025-12-31") -> Target:
    return Target.model_validate({"op": op, "value": value, "deadline": deadline})


def _open(target: Target | None, projection: Projection | None) -> Status:
    return status(target, value=None, projection=projection, period=YEAR, as_of=OPEN)


def test_no_target_is_monitored_whatever_the_data() -> None:
    assert _open(None, Projection(50, 40, 60)) is Status.MONITORED
    assert status(None, value=None, projection=None, period=YEAR, as_of=OVER) is Status.MONITORED


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        (">=", 80.0, Status.ACHIEVED),
        (">=", 79.99, Status.NOT_ACHIEVED),
        (">", 80.0, Status.NOT_ACHIEVED),  # strict: 80 is not above 80
        (">", 80.01, Status.ACHIEVED),
        ("<=", 80.0, Status.ACHIEVED),
        ("<", 80.0, Status.NOT_ACHIEVED),
        ("<", 79.0, Status.ACHIEVED),
    ],
)
def test_a_period_over_is_judged_on_its_final_value(
    op: str, value: float, expected: Status
) -> None:
    # The projection no longer matters once the period is over.
    found = status(
        _target(op, 80), value=value, projection=Projection(0, 0, 0), period=YEAR, as_of=OVER
    )
    assert found is expected


def test_a_period_over_without_a_value_has_no_data() -> None:
    assert status(_target(">=", 80), value=None, projection=None, period=YEAR, as_of=OVER) is (
        Status.NO_DATA
    )


def test_a_passed_deadline_ends_the_period_early() -> None:
    target = _target(">=", 80, deadline="2025-06-30")
    assert is_over(YEAR, target, date(2025, 7, 1))
    assert not is_over(YEAR, target, date(2025, 6, 30))  # the deadline day itself still counts
    found = status(target, value=85, projection=None, period=YEAR, as_of=date(2025, 7, 1))
    assert found is Status.ACHIEVED


def test_a_quarter_over_is_judged_even_before_the_deadline() -> None:
    quarter = Period.parse("2025Q2")
    found = status(_target(">=", 80), value=70, projection=None, period=quarter, as_of=OPEN)
    assert found is Status.NOT_ACHIEVED


def test_an_open_period_without_projection_has_no_data() -> None:
    assert _open(_target(">=", 80), None) is Status.NO_DATA


# Example A of test_projection: interval [68.232, 79.768] around 74.
EXAMPLE_A = Projection(74.0, 68.232, 79.768)
# Example C: [69.815, 72.185] around 71.
EXAMPLE_C = Projection(71.0, 69.815, 72.185)
# Example B, the DTI rank: [5.783, 14.217] around 10.
EXAMPLE_B = Projection(10.0, 5.783, 14.217)


@pytest.mark.parametrize(
    ("projection", "op", "threshold", "expected"),
    [
        (EXAMPLE_A, ">=", 80, Status.OFF_TRACK),  # high end 79.768 < 80
        (EXAMPLE_A, ">=", 70, Status.AT_RISK),  # 68.232 < 70 <= 79.768
        (EXAMPLE_A, ">=", 65, Status.ON_TRACK),  # low end 68.232 >= 65
        (EXAMPLE_C, ">=", 80, Status.OFF_TRACK),
        (EXAMPLE_C, ">=", 70, Status.AT_RISK),
        (EXAMPLE_C, ">=", 69, Status.ON_TRACK),
        (EXAMPLE_B, "<=", 10, Status.AT_RISK),  # high 14.217 > 10, low 5.783 <= 10
        (EXAMPLE_B, "<=", 15, Status.ON_TRACK),  # even the high end 14.217 is <= 15
        (EXAMPLE_B, "<=", 5, Status.OFF_TRACK),  # even the low end 5.783 is > 5
    ],
)
def test_an_open_period_is_judged_on_the_interval(
    projection: Projection, op: str, threshold: float, expected: Status
) -> None:
    assert _open(_target(op, threshold), projection) is expected


@pytest.mark.parametrize(
    ("projection", "op", "expected"),
    [
        # Interval touching 80 from above: the low end meets >= 80, not > 80.
        (Projection(85, 80, 90), ">=", Status.ON_TRACK),
        (Projection(85, 80, 90), ">", Status.AT_RISK),
        # Interval touching 80 from below: the high end meets >= 80, not > 80.
        (Projection(78, 75, 80), ">=", Status.AT_RISK),
        (Projection(78, 75, 80), ">", Status.OFF_TRACK),
        # Mirrored: interval touching 80 from below meets <= 80 everywhere, not < 80.
        (Projection(78, 75, 80), "<=", Status.ON_TRACK),
        (Projection(78, 75, 80), "<", Status.AT_RISK),
        # Interval touching 80 from above: only its low end 80 meets <= 80, none < 80.
        (Projection(85, 80, 90), "<=", Status.AT_RISK),
        (Projection(85, 80, 90), "<", Status.OFF_TRACK),
    ],
)
def test_strict_comparisons_at_the_edge(projection: Projection, op: str, expected: Status) -> None:
    assert _open(_target(op, 80), projection) is expected


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        (">=", Status.ON_TRACK),
        (">", Status.OFF_TRACK),
        ("<=", Status.ON_TRACK),
        ("<", Status.OFF_TRACK),
    ],
)
def test_a_certain_projection_is_never_at_risk(op: str, expected: Status) -> None:
    # A perfect line gives an interval of width 0: exactly on the target.
    assert _open(_target(op, 100), Projection(100, 100, 100)) is expected


def test_status_values_are_the_api_words() -> None:
    assert [s.value for s in Status] == [
        "achieved",
        "not_achieved",
        "on_track",
        "at_risk",
        "off_track",
        "monitored",
        "no_data",
    ]
