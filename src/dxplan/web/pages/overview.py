"""The overview: the plan's pillars, every indicator, its target and its latest value."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from dxplan.domain.plan import Plan
from dxplan.evaluate import ScorecardLine, scorecard
from dxplan.plans.public import target_json
from dxplan.web.auth import CurrentUser
from dxplan.web.deps import PlanDep, RendererDep, WorkspaceDep
from dxplan.workspace import Workspace

router = APIRouter(tags=["pages"])


def _overview(workspace: Workspace, plan: Plan) -> tuple[str, list[ScorecardLine]]:
    with workspace.engine.connect() as conn:
        return plan.organisation, scorecard(conn, plan, plan.organisation)


@router.get("/", response_class=HTMLResponse, summary="Overview page", include_in_schema=False)
def overview_page(
    request: Request, workspace: WorkspaceDep, renderer: RendererDep, user: CurrentUser
) -> HTMLResponse:
    plan = workspace.plan()
    if plan is None:
        return renderer.render(request, "empty.html", {}, status_code=503)
    unit_code, lines = _overview(workspace, plan)
    organisation = workspace.organisation()
    unit = organisation[unit_code] if organisation and unit_code in organisation else None
    by_pillar = {
        pillar.code: [line for line in lines if line.indicator.pillar == pillar.code]
        for pillar in plan.pillars
    }
    return renderer.render(
        request, "overview.html", {"plan": plan, "unit": unit, "by_pillar": by_pillar}
    )


@router.get("/api/overview", tags=["plan"], summary="The overview page's figures")
def overview_json(workspace: WorkspaceDep, plan: PlanDep) -> dict[str, Any]:
    """Every indicator with its target and latest value for the plan's root unit."""
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
        ],
    }
