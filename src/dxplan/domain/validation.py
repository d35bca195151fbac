"""Checks of a report's values, with one catalogue of translatable messages.

Errors block a submission; warnings (a value far from last period's) pass once the
reporter explains them in a comment. Every finding names the measure and the unit the
value is for, so a form, a spreadsheet cell or an API client can show it in place.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from dxplan.domain.dataset import CheckRule, DataSet, NumberType

# measure code -> unit code -> value (None: left empty)
Values = Mapping[str, Mapping[str, float | None]]

# The largest size of any reported figure, whatever the plan says: every whole number
# up to it is exact in a double (2**53 ≈ 9.007e15), sums of a few hundred of them stay
# far from overflow, and pages and spreadsheets print it in full. A field's own `max`
# (in the plan) is usually much smaller.
MAGNITUDE_LIMIT: Final = 1e15
ECHO_LIMIT: Final = 40  # characters of a person's input repeated in a message
NAME_LIMIT: Final = 300  # a measure's name on a form is long; an unknown code is not
_ECHOED: Final = frozenset({"value", "unit"})


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    """One entry of the catalogue: a code, its severity and an English template."""

    code: str
    severity: Severity
    template: str


def _rule(code: str, template: str, severity: Severity = Severity.ERROR) -> Rule:
    return Rule(code, severity, template)


def _(message: str) -> str:
    """Marks a message for the gettext catalogs; it is translated when shown."""
    return message


# Templates are msgids of the gettext catalogs: translate them in locales/*/messages.po.
CATALOGUE: Final = {
    r.code: r
    for r in (
        _rule("required", _("{measure}: a value is required")),
        _rule("not-a-number", _("{measure}: {value!r} is not a number")),
        _rule(
            "out-of-range",
            _("{measure}: too large; dxplan takes figures from -{limit} to {limit}"),
        ),
        _rule("not-integer", _("{measure}: {value} must be a whole number")),
        _rule("below-min", _("{measure}: {value} is below the minimum {limit}")),
        _rule("above-max", _("{measure}: {value} is above the maximum {limit}")),
        _rule("above-limit", _("{measure} ({value}) cannot be larger than {other} ({limit})")),
        _rule("sum-mismatch", _("{measure} ({value}) must equal the sum of {parts} ({limit})")),
        _rule("unknown-measure", _("{measure} is not a measure of this data set")),
        _rule("unknown-unit", _("{measure}: unit {unit} is not one this report is for")),
        _rule("comment-required", _("a comment saying what to fix is required")),
        _rule("not-an-object", _("{measure}: give one value per commune or ward, as an object")),
        _rule(
            "outlier",
            _("{measure}: {value} differs from last period's {limit} by more than {share}"),
            Severity.WARNING,
        ),
    )
}


@dataclass(frozen=True)
class Finding:
    """One problem of one value: where (measure, unit) and what (a catalogue code)."""

    code: str
    measure: str
    unit: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def severity(self) -> Severity:
        return CATALOGUE[self.code].severity

    def message(
        self,
        gettext: Callable[[str], str] = lambda s: s,
        label: Callable[[str], str] = lambda code: code,
    ) -> str:
        """The message in the reader's language (`gettext` of a catalog); `label` names
        measures (their code by default, their name on a form)."""
        # what a person typed is repeated shortened and encodable; the plan's names as they are
        params = {n: _Echo(v) if n in _ECHOED else v for n, v in self.params.items()}
        for name in ("other", "parts"):
            if name in params:
                params[name] = " + ".join(label(c) for c in str(params[name]).split(" + "))
        return gettext(CATALOGUE[self.code].template).format(
            measure=safe_text(label(self.measure), NAME_LIMIT) if self.measure else "", **params
        )

    def as_json(
        self,
        gettext: Callable[[str], str] = lambda s: s,
        label: Callable[[str], str] = lambda code: code,
    ) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "measure": safe_text(self.measure),
            "unit": safe_text(self.unit),
            "message": self.message(gettext, label),
        }


def safe_text(text: str, limit: int = ECHO_LIMIT) -> str:
    """`text` as a message may repeat it: shortened, and with anything UTF-8 cannot carry
    (a lone surrogate) written as an escape, so that no encoder fails on it."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Echo:
    """A parameter of a message: numbers as they are, anything else shortened and safe."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __format__(self, spec: str) -> str:
        if isinstance(self.value, int | float) and not isinstance(self.value, bool):
            return format(self.value, spec)
        return format(safe_text(str(self.value)), spec)

    def __repr__(self) -> str:
        return safe_text(repr(self.value))

    def __str__(self) -> str:
        return safe_text(str(self.value))


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.ERROR]


def warnings(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.WARNING]


def _number(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e15 else str(value)


def validate(
    dataset: DataSet,
    values: Values,
    units: list[str],
    *,
    previous: Values | None = None,
    complete: bool = True,
) -> list[Finding]:
    """Every finding for `values` of `dataset` for the `units` a report carries.

    With `complete` (a submission), required values must be there; a draft may be
    partial but every value it holds must still be valid.
    """
    found: list[Finding] = []
    for measure, by_unit in values.items():
        if dataset.field(measure) is None:
            found.append(Finding("unknown-measure", measure, ""))
            continue
        for unit in by_unit:
            if unit not in units:
                found.append(Finding("unknown-unit", measure, unit, {"unit": unit}))
    for unit in units:
        found.extend(_check_unit(dataset, values, unit, previous, complete))
    return found


def _value(values: Values | None, measure: str, unit: str) -> float | None:
    if values is None:
        return None
    return values.get(measure, {}).get(unit)


def _check_unit(
    dataset: DataSet, values: Values, unit: str, previous: Values | None, complete: bool
) -> list[Finding]:
    found: list[Finding] = []
    for spec in dataset.fields:
        value = _value(values, spec.measure, unit)
        if value is None:
            if complete and spec.required:
                found.append(Finding("required", spec.measure, unit))
            continue
        if not math.isfinite(value) or abs(value) > MAGNITUDE_LIMIT:
            found.append(
                Finding("out-of-range", spec.measure, unit, {"limit": f"{MAGNITUDE_LIMIT:,.0f}"})
            )
            continue
        shown = _number(value)
        if spec.type is NumberType.INTEGER and not float(value).is_integer():
            found.append(Finding("not-integer", spec.measure, unit, {"value": shown}))
        if spec.min is not None and value < spec.min:
            found.append(
                Finding("below-min", spec.measure, unit, {"value": shown, "limit": spec.min})
            )
        if spec.max is not None and value > spec.max:
            found.append(
                Finding("above-max", spec.measure, unit, {"value": shown, "limit": spec.max})
            )
        before = _value(previous, spec.measure, unit)
        if _outlier(dataset.outlier_change, value, before):
            params = {
                "value": shown,
                "limit": _number(before or 0),
                "share": f"{dataset.outlier_change:.0%}",
            }
            found.append(Finding("outlier", spec.measure, unit, params))
    for check in dataset.checks:
        found.extend(_CHECKS[check.rule](check, values, unit))
    return found


def _outlier(change: float | None, value: float, before: float | None) -> bool:
    """Whether `value` moved from last period's `before` by more than `change` of it."""
    if change is None or before is None or before <= 0:
        return False
    return abs(value - before) > change * before


def _at_most(check: Any, values: Values, unit: str) -> list[Finding]:
    value = _value(values, check.measure, unit)
    limit = _value(values, check.limit, unit)
    if value is None or limit is None or value <= limit:
        return []
    params = {"value": _number(value), "other": check.limit, "limit": _number(limit)}
    return [Finding("above-limit", check.measure, unit, params)]


def _sum(check: Any, values: Values, unit: str) -> list[Finding]:
    total = _value(values, check.total, unit)
    parts = [_value(values, part, unit) for part in check.parts]
    if total is None or any(p is None for p in parts):
        return []
    added = sum(p for p in parts if p is not None)
    if abs(added - total) <= 1e-9 * max(1.0, abs(total)):
        return []
    params = {"value": _number(total), "parts": " + ".join(check.parts), "limit": _number(added)}
    return [Finding("sum-mismatch", check.total, unit, params)]


_CHECKS: Final[dict[CheckRule, Callable[[Any, Values, str], list[Finding]]]] = {
    CheckRule.AT_MOST: _at_most,
    CheckRule.SUM: _sum,
}
