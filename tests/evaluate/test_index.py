"""The composite index worked by hand on four provinces (numbers in the comments)."""

from __future__ import annotations

from typing import Any

import pytest

from dxplan.domain.index import CompositeIndex
from dxplan.domain.indicator import Indicator
from dxplan.evaluate.index import compute_index, to_top


def _indicator(code: str, target: float | None = None, direction: str = "increase") -> Indicator:
    found: dict[str, Any] = {
        "code": code,
        "pillar": "AA",
        "names": {"en": code},
        "kind": "number",
        "numerator": "x",
        "direction": direction,
        "source": "reported",
        "lead_agency": "VN",
    }
    if target is not None:
        op = ">=" if direction == "increase" else "<="
        found["target"] = {"op": op, "value": target, "deadline": "2025-12-31"}
    return Indicator.model_validate(found)


INDICATORS = {
    "AA-01": _indicator("AA-01", 80),
    "AA-02": _indicator("AA-02"),
    "BB-01": _indicator("BB-01"),
}

# Pillar AA weighs 0.6: AA-01 against its target of 80 (half of it), AA-02 min-max (half);
# pillar BB weighs 0.4: BB-01 between goalposts 0 and 10. Each component's share of the
# composite: AA-01 0.3, AA-02 0.3, BB-01 0.4. The top is 2 places.
INDEX = CompositeIndex.model_validate(
    {
        "code": "DTI",
        "names": {"en": "Index"},
        "ranking": "provinces",
        "top": 2,
        "pillars": [
            {
                "pillar": "AA",
                "weight": 0.6,
                "components": [
                    {"indicator": "AA-01", "weight": 0.5, "method": "target"},
                    {"indicator": "AA-02", "weight": 0.5, "method": "min-max"},
                ],
            },
            {
                "pillar": "BB",
                "weight": 0.4,
                "components": [
                    {
                        "indicator": "BB-01",
                        "weight": 1,
                        "method": "goalposts",
                        "goalposts": {"low": 0, "high": 10},
                    }
                ],
            },
        ],
    }
)
UNITS = ["P1", "P2", "P3", "P4"]
RAW = {
    # / 80:       P1 1.0,  P2 0.75, P3 0.5, P4 0.9
    "AA-01": {"P1": 80.0, "P2": 60.0, "P3": 40.0, "P4": 72.0},
    # min 30, max 70: P1 0.5, P2 0, P3 1, P4 0
    "AA-02": {"P1": 50.0, "P2": 30.0, "P3": 70.0, "P4": 30.0},
    # / 10:       P1 0.5,  P2 1.0,  P3 0.2, P4 0.75
    "BB-01": {"P1": 5.0, "P2": 10.0, "P3": 2.0, "P4": 7.5},
}
# AA = (AA-01 + AA-02) / 2: P1 0.75, P2 0.375, P3 0.75, P4 0.45
# composite = 0.6 AA + 0.4 BB: P1 0.65, P2 0.625, P3 0.53, P4 0.57


def test_composite_by_hand() -> None:
    result = compute_index(INDEX, INDICATORS, RAW, UNITS)
    table = [(s.unit, round(s.composite, 9), s.rank) for s in result.standings]
    assert table == [("P1", 0.65, 1), ("P2", 0.625, 2), ("P4", 0.57, 3), ("P3", 0.53, 4)]
    p4 = result.of("P4")
    assert p4 is not None
    assert p4.normalised == pytest.approx({"AA-01": 0.9, "AA-02": 0.0, "BB-01": 0.75})
    assert p4.pillars == pytest.approx({"AA": 0.45, "BB": 0.75})
    assert result.threshold() == pytest.approx(0.625)


def test_losses_say_what_pulls_a_unit_down() -> None:
    # P4 loses 0.3 × (1 − 0) = 0.3 on AA-02, 0.4 × 0.25 = 0.1 on BB-01, 0.3 × 0.1 = 0.03 on AA-01
    losses = compute_index(INDEX, INDICATORS, RAW, UNITS).losses("P4")
    assert [code for code, _ in losses] == ["AA-02", "BB-01", "AA-01"]
    assert [points for _, points in losses] == pytest.approx([0.3, 0.1, 0.03])


def test_ties_share_a_rank() -> None:
    raw = {
        "AA-01": {"P1": 80.0, "P2": 40.0, "P3": 40.0, "P4": 20.0},
        "AA-02": dict.fromkeys(UNITS, 1.0),  # all equal: everyone scores 1
        "BB-01": dict.fromkeys(UNITS, 5.0),
    }
    ranks = [(s.unit, s.rank) for s in compute_index(INDEX, INDICATORS, raw, UNITS).standings]
    assert ranks == [("P1", 1), ("P2", 2), ("P3", 2), ("P4", 4)]


def test_a_unit_that_sent_nothing_scores_zero_on_it() -> None:
    raw = {code: dict(values) for code, values in RAW.items()}
    del raw["BB-01"]["P1"]  # P1 drops by 0.4 × 0.5 = 0.2 to 0.45: last
    result = compute_index(INDEX, INDICATORS, raw, UNITS)
    p1 = result.of("P1")
    assert p1 is not None and p1.raw["BB-01"] is None
    assert p1.composite == pytest.approx(0.45) and p1.rank == 4


def test_movement_since_the_previous_period() -> None:
    previous = {"P1": 2, "P2": 1, "P3": 3, "P4": 4}
    result = compute_index(INDEX, INDICATORS, RAW, UNITS, previous)
    moves = {s.unit: s.movement for s in result.standings}
    assert moves == {"P1": 1, "P2": -1, "P4": 1, "P3": -1}
    assert compute_index(INDEX, INDICATORS, RAW, UNITS, {"P1": 1}).standings[1].movement is None


def test_what_it_takes_to_reach_the_top_by_hand() -> None:
    # P4 (0.57) needs 0.625 − 0.57 = 0.055 more.
    found = {i.indicator: i for i in to_top(INDEX, INDICATORS, RAW, UNITS, "P4") or []}
    # AA-01: 0.055 / 0.3 = 0.183 more than 0.9: past the target's 1, not reachable
    assert not found["AA-01"].reachable and found["AA-01"].raw_to is None
    # AA-02: 0.183 of the 30–70 range (P2 stays the lowest): 30 + 0.1833 × 40 = 37.33
    assert found["AA-02"].raw_to == pytest.approx(30 + 0.055 / 0.3 * 40, abs=1e-6)
    assert found["AA-02"].normalised_change == pytest.approx(0.055 / 0.3, abs=1e-6)
    # BB-01: 0.055 / 0.4 = 0.1375 more than 0.75, 8.875 between 0 and 10
    assert found["BB-01"].raw_to == pytest.approx(8.875, abs=1e-6)
    assert found["BB-01"].raw_change == pytest.approx(1.375, abs=1e-6)
    # P3 (0.53) needs 0.095: AA-01 to 0.5 + 0.095 / 0.3 = 0.8167, i.e. 65.33 of 80;
    # AA-02 is already the highest: nothing to gain
    p3 = {i.indicator: i for i in to_top(INDEX, INDICATORS, RAW, UNITS, "P3") or []}
    assert p3["AA-01"].raw_to == pytest.approx(80 * (0.5 + 0.095 / 0.3), abs=1e-6)
    assert not p3["AA-02"].reachable
    assert p3["BB-01"].raw_to == pytest.approx(10 * (0.2 + 0.095 / 0.4), abs=1e-6)
    # in the top already: nothing to say
    assert to_top(INDEX, INDICATORS, RAW, UNITS, "P2") is None


LOWER_IS_BETTER = {**INDICATORS, "AA-02": _indicator("AA-02", direction="decrease")}


def _rank_with(
    indicators: dict[str, Indicator],
    raw: dict[str, dict[str, float]],
    unit: str,
    code: str,
    value: float,
) -> int:
    changed = {c: dict(v) for c, v in raw.items()}
    changed[code][unit] = value
    found = compute_index(INDEX, indicators, changed, UNITS).of(unit)
    assert found is not None
    return found.rank


@pytest.mark.parametrize(
    ("indicators", "raw"),
    [
        (INDICATORS, RAW),
        # P4 alone at the bottom of AA-02: raising it moves the minimum, and everyone
        # else's normalised AA-02 with it
        (INDICATORS, {**RAW, "AA-02": {"P1": 50.0, "P2": 34.0, "P3": 70.0, "P4": 30.0}}),
        # where lower is better, improving is going down: P4 from 60 to 59.33
        (LOWER_IS_BETTER, {**RAW, "AA-02": {"P1": 50.0, "P2": 30.0, "P3": 70.0, "P4": 60.0}}),
    ],
)
def test_the_improvement_is_enough_and_a_smaller_one_is_not(
    indicators: dict[str, Indicator], raw: dict[str, dict[str, float]]
) -> None:
    checked = 0
    for unit in UNITS:
        for found in to_top(INDEX, indicators, raw, UNITS, unit) or []:
            if not found.reachable:
                continue
            assert found.raw_to is not None and found.raw_from is not None
            assert _rank_with(indicators, raw, unit, found.indicator, found.raw_to) <= INDEX.top
            short = found.raw_from + 0.999 * (found.raw_to - found.raw_from)
            assert _rank_with(indicators, raw, unit, found.indicator, short) > INDEX.top
            checked += 1
    assert checked >= 2


def test_a_unit_that_sent_nothing_learns_what_to_send() -> None:
    # P4 without BB-01: 0.57 − 0.4 × 0.75 = 0.27, last. Sending BB-01 alone reaches
    # 0.625 with (0.625 − 0.27) / 0.4 = 0.8875 of the 0–10 range: 8.875
    raw = {code: dict(values) for code, values in RAW.items()}
    del raw["BB-01"]["P4"]
    found = {i.indicator: i for i in to_top(INDEX, INDICATORS, raw, UNITS, "P4") or []}
    assert found["BB-01"].raw_from is None
    assert found["BB-01"].raw_to == pytest.approx(8.875, abs=1e-6)
    assert _rank_with(INDICATORS, raw, "P4", "BB-01", 8.875 + 1e-6) <= INDEX.top
    assert _rank_with(INDICATORS, raw, "P4", "BB-01", 8.8) > INDEX.top
