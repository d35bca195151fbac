"""The plan as the outside world reads it: `dxplan plan show --format json` and /api/plan.

This shape is a contract checked by other systems: every indicator carries `code`,
`pillar`, `target` ({"op", "value", "deadline"} or null), `numerator` and `denominator`
(formulas as text; null denominator when the indicator is not a ratio).
"""

from __future__ import annotations

from typing import Any

from dxplan.domain.indicator import Indicator, Target
from dxplan.domain.names import LocalizedText
from dxplan.domain.plan import Plan


def _number(value: float) -> int | float:
    """80.0 prints as 80: a target read by people and by other systems."""
    return int(value) if float(value).is_integer() else value


def _text(text: LocalizedText | None) -> dict[str, str] | None:
    return None if text is None else text.model_dump(exclude_none=True)


def target_json(target: Target | None) -> dict[str, Any] | None:
    if target is None:
        return None
    found: dict[str, Any] = {
        "op": target.op,
        "value": _number(target.value),
        "deadline": target.deadline.isoformat(),
    }
    if target.baseline is not None:
        found["baseline"] = {
            "value": _number(target.baseline.value),
            "period": str(target.baseline.period),
        }
    return found


def indicator_json(indicator: Indicator) -> dict[str, Any]:
    return {
        "code": indicator.code,
        "pillar": indicator.pillar,
        "names": _text(indicator.names),
        "kind": indicator.kind.value,
        "unit": "percent" if indicator.kind.value == "ratio" else indicator.kind.value,
        "numerator": str(indicator.numerator),
        "denominator": str(indicator.denominator) if indicator.denominator else None,
        "direction": indicator.direction.value,
        "source": indicator.source.value,
        "lead_agency": indicator.lead_agency,
        "confidential": indicator.confidential,
        "target": target_json(indicator.target),
        "definition": _text(indicator.definition),
        "methodology": _text(indicator.methodology),
    }


def plan_json(plan: Plan) -> dict[str, Any]:
    """The whole plan as one JSON-ready document."""
    return {
        "code": plan.code,
        "names": _text(plan.names),
        # a province code, or {"units_file": ...} for an organisation from a units file
        "organisation": (
            plan.organisation
            if isinstance(plan.organisation, str)
            else plan.organisation.model_dump()
        ),
        "period": plan.period,
        "languages": list(plan.languages),
        "timezone": plan.timezone,
        "fiscal_year_start": plan.fiscal_year_start,
        "pillars": [
            {
                "code": pillar.code,
                "names": _text(pillar.names),
                "indicators": [i.code for i in plan.indicators_of(pillar.code)],
            }
            for pillar in plan.pillars
        ],
        "measures": [
            {
                "code": measure.code,
                "names": _text(measure.names),
                "source": measure.source.value,
                "time_aggregation": measure.time_aggregation.value,
                "unit_aggregation": measure.unit_aggregation.value,
            }
            for measure in plan.measures
        ],
        "indicators": [indicator_json(indicator) for indicator in plan.indicators],
    }
