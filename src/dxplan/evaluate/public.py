"""Evaluations as other systems read them: `dxplan evaluate --format json` and the API.

A contract: an array of objects with `indicator`, `unit_code`, `period`, `value`,
`target` ({"op", "value"} or null), `status`, `projection` ({"value", "low", "high"}
or null) and `required_monthly_pace` (or null). More fields may be added, never these
changed.
"""

from __future__ import annotations

from typing import Any

from dxplan.evaluate.evaluation import Evaluation


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def evaluation_json(e: Evaluation) -> dict[str, Any]:
    return {
        "indicator": e.indicator.code,
        "unit_code": e.unit,
        "period": str(e.period),
        "value": e.value,
        "target": (
            None if e.target is None else {"op": e.target.op, "value": _number(e.target.value)}
        ),
        "status": e.status.value,
        "projection": (
            None
            if e.projection is None
            else {"value": e.projection.value, "low": e.projection.low, "high": e.projection.high}
        ),
        "required_monthly_pace": e.required_monthly_pace,
        # more than the contract asks, for readers and the dashboard
        "pillar": e.indicator.pillar,
        "as_of": e.as_of.isoformat(),
        "numerator": e.numerator,
        "denominator": e.denominator,
        "gap": e.gap,
        "attainment": e.attainment,
        "projection_method": None if e.projection is None else e.projection.method.value,
        "latest": None if e.latest is None else {"period": str(e.latest[0]), "value": e.latest[1]},
    }
