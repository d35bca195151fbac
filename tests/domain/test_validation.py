"""The checks of a report's values, on a small hand-made data set."""

from __future__ import annotations

import pytest

from dxplan.domain.dataset import Check, CheckRule, DataSet, FormField, NumberType, Reporters
from dxplan.domain.names import LocalizedText
from dxplan.domain.period import Period
from dxplan.domain.validation import Severity, validate

NAMES = LocalizedText(vi="Biểu thử", en="Test form", bn="পরীক্ষা")

# schools = primary + secondary; connected schools never above schools
DATASET = DataSet(
    code="schools",
    names=NAMES,
    fields=[
        FormField(measure="schools"),
        FormField(measure="primary"),
        FormField(measure="secondary"),
        FormField(measure="connected", required=False),
        FormField(measure="share_spent", type=NumberType.DECIMAL, min=0, max=100),
    ],
    checks=[
        Check(rule=CheckRule.SUM, parts=["primary", "secondary"], total="schools"),
        Check(rule=CheckRule.AT_MOST, measure="connected", limit="schools"),
    ],
    reporters=Reporters(units=["92-SGDDT"]),
    periodicity="quarter",
    due_days=10,
)
UNIT = "92-SGDDT"


def _values(**figures: float | None) -> dict[str, dict[str, float | None]]:
    return {measure: {UNIT: value} for measure, value in figures.items()}


def _codes(**figures: float | None) -> list[tuple[str, str]]:
    found = validate(DATASET, _values(**figures), [UNIT])
    return [(f.code, f.measure) for f in found]


def test_a_complete_consistent_report_passes() -> None:
    assert _codes(schools=10, primary=6, secondary=4, connected=9, share_spent=12.5) == []


def test_parts_must_add_up_to_the_total() -> None:
    found = validate(DATASET, _values(schools=10, primary=6, secondary=5, share_spent=1), [UNIT])
    assert [(f.code, f.measure) for f in found] == [("sum-mismatch", "schools")]
    # the message names the total, the parts and their sum (6 + 5 = 11)
    assert found[0].message() == "schools (10) must equal the sum of primary + secondary (11)"


def test_a_numerator_above_its_denominator() -> None:
    codes = _codes(schools=10, primary=6, secondary=4, connected=11, share_spent=1)
    assert codes == [("above-limit", "connected")]


@pytest.mark.parametrize(
    ("figures", "expected"),
    [
        ({"schools": 10.5}, ("not-integer", "schools")),
        ({"schools": -1}, ("below-min", "schools")),
        ({"share_spent": 100.5}, ("above-max", "share_spent")),
    ],
)
def test_one_field_rules(figures: dict[str, float], expected: tuple[str, str]) -> None:
    found = validate(DATASET, _values(**figures), [UNIT], complete=False)
    assert (found[0].code, found[0].measure) == expected


def test_a_draft_may_be_partial_a_submission_not() -> None:
    assert validate(DATASET, _values(schools=10), [UNIT], complete=False) == []
    missing = {f.measure for f in validate(DATASET, _values(schools=10), [UNIT])}
    assert missing == {"primary", "secondary", "share_spent"}  # `connected` is optional


def test_a_jump_from_last_period_is_a_warning() -> None:
    previous = _values(schools=10, primary=6, secondary=4, share_spent=10)
    # 16 schools after 10: +60 %, above the default 50 %; share 14 after 10: +40 %, fine
    now = _values(schools=16, primary=10, secondary=6, share_spent=14)
    found = validate(DATASET, now, [UNIT], previous=previous)
    assert [(f.code, f.measure, f.severity) for f in found] == [
        ("outlier", "schools", Severity.WARNING),
        ("outlier", "primary", Severity.WARNING),
    ]  # primary 6 → 10 is +67 %; secondary 4 → 6 is +50 %: not above


def test_values_for_another_unit_or_measure_are_refused() -> None:
    values = {"schools": {"31135": 3.0}, "teachers": {UNIT: 1.0}}
    codes = {f.code for f in validate(DATASET, values, [UNIT], complete=False)}
    assert codes == {"unknown-unit", "unknown-measure"}


def test_decree_09_window_runs_from_the_15th_to_the_14th() -> None:
    monthly = DATASET.model_copy(update={"periodicity": "month", "convention": "decree09"})
    first, last = monthly.window(Period.parse("2025-07"))
    assert (first.isoformat(), last.isoformat()) == ("2025-06-15", "2025-07-14")
    assert monthly.due(Period.parse("2025-07")).isoformat() == "2025-07-24"  # 14 + 10 days
    january = monthly.window(Period.parse("2025-01"))
    assert (january[0].isoformat(), january[1].isoformat()) == ("2024-12-15", "2025-01-14")
