"""The plan in force: pillars, measures, indicators and targets."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from dxplan.plans.public import plan_json
from dxplan.web.deps import PlanDep

router = APIRouter(prefix="/api", tags=["plan"])


@router.get("/plan", summary="The plan in force")
def get_plan(plan: PlanDep) -> dict[str, Any]:
    """The same document as `dxplan plan show --format json`."""
    return plan_json(plan)
