from datetime import date

import pytest
from pydantic import ValidationError

from dxplan.domain import Formula, FormulaError, Indicator, Target


def test_a_formula_is_usually_one_measure():
    formula = Formula.parse("dossiers_online")
    assert formula.measures == {"dossiers_online"}
    assert formula.evaluate({"dossiers_online": 812.0}) == 812.0
    assert formula.evaluate({}) is None


def test_sums_and_differences_of_measures():
    formula = Formula.parse("a + b - (c - d)")
    assert formula.measures == {"a", "b", "c", "d"}
    # 10 + 5 - (4 - 1) = 12
    assert formula.evaluate({"a": 10, "b": 5, "c": 4, "d": 1}) == 12
    assert Formula.parse("total - 2").evaluate({"total": 7}) == 5


@pytest.mark.parametrize(
    "text", ["", "a * b", "__import__('os')", "a.b", "a +", "f(x)", "a / b", "True"]
)
def test_anything_else_is_refused(text):
    with pytest.raises(FormulaError):
        Formula.parse(text)


def _indicator(**overrides):
    fields = {
        "code": "GOV-03",
        "pillar": "GOV",
        "names": {"vi": "Tỷ lệ hồ sơ trực tuyến"},
        "kind": "ratio",
        "numerator": "dossiers_online",
        "denominator": "dossiers_received",
        "source": "dossiers",
        "lead_agency": "92-TTHCC",
        "target": {"op": ">=", "value": 80, "deadline": "2025-12-31"},
    }
    fields.update(overrides)
    return Indicator.model_validate(fields)


def test_a_ratio_is_in_percent_and_null_for_zero_over_zero():
    indicator = _indicator()
    assert indicator.value(3, 4) == 75.0
    assert indicator.value(1, 3) == pytest.approx(33.333333333)
    assert indicator.value(0, 0) is None
    assert indicator.value(5, None) is None
    assert indicator.value(None, 10) is None
    assert indicator.measures == {"dossiers_online", "dossiers_received"}


def test_a_rank_is_the_numerator_itself():
    rank = _indicator(
        code="OVR-01",
        kind="rank",
        numerator="dti_rank",
        denominator=None,
        direction="decrease",
        target={"op": "<=", "value": 10, "deadline": "2025-12-31"},
    )
    assert rank.value(12, None) == 12
    assert rank.target is not None and not rank.target.is_met(12)
    assert rank.target.is_met(10)


@pytest.mark.parametrize(
    ("op", "value", "met"),
    [(">=", 80, True), (">=", 80.01, False), (">", 80, False), ("<=", 80, True), ("<", 80, False)],
)
def test_target_operators(op, value, met):
    target = Target(op=op, value=value, deadline=date(2025, 12, 31))
    assert target.is_met(80) is met


def test_unknown_operator_and_missing_denominator_are_errors():
    with pytest.raises(ValidationError, match="'>='"):
        _indicator(target={"op": "=", "value": 100, "deadline": "2025-12-31"})
    with pytest.raises(ValidationError, match="needs a denominator"):
        _indicator(denominator=None)
    with pytest.raises(ValidationError, match="Extra inputs"):
        _indicator(colour="red")
