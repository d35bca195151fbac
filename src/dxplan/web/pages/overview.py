"""`/api/overview`: every indicator with its target and latest value (the dashboard's
overview page itself is `/` in `dashboard.py`, with its twin `/api/dashboard/overview`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from dxplan import policy
from dxplan.domain.plan import Plan
from dxplan.evaluate import ScorecardLine, scorecard
from dxplan.plans.public import target_json
from dxplan.web.auth import CurrentUser
from dxplan.web.deps import PlanDep, WorkspaceDep
from dxplan.web.responses import refusals
from dxplan.workspace import Workspace

router = APIRouter(tags=["pages"])


def _overview(workspace: Workspace, plan: Plan) -> tuple[str, list[ScorecardLine]]:
    organisation = workspace.organisation()
    root = organisation.root.code if organisation is not None else str(plan.organisation)
    with workspace.engine.connect() as conn:
        return root, scorecard(conn, plan, root)


@router.get(
    "/api/overview",
    tags=["plan"],
    summary="The overview page's figures",
    responses=refusals(401),
)
def overview_json(workspace: WorkspaceDep, plan: PlanDep, user: CurrentUser) -> dict[str, Any]:
    """Every indicator you may see with its target and latest value for the plan's root
    unit (confidential indicators only when you are signed in)."""
    unit_code, lines = _overview(workspace, plan)
    return {
        "plan": plan.code,
        "unit_code": unit_code,
        "indicators": [
            {
                "indicator": line.indicator.code,
                "pillar": line.indicator.pillar,
                "target": target_json(line.indicator.target),
                "period": str(line.reading.period) if line.reading else None,
                "numerator": line.reading.numerator if line.reading else None,
                "denominator": line.reading.denominator if line.reading else None,
                "value": line.reading.value if line.reading else None,
                "met": line.met,
            }
            for line in lines
            if policy.sees_figure(user, line.indicator)
        ],
    }
