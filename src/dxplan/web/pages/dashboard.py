"""The operations centre's overview and pillar pages: every target as a tile.

`/` and `/pillars/{code}` with their JSON twins `/api/dashboard/overview` and
`/api/dashboard/pillars/{code}`: the city's evaluations from the cached board,
grouped by pillar, with the counts by status and the scores.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from dxplan.web.dashboard import DashboardDep, NotFound, Scope, percent
from dxplan.web.responses import refusals

router = APIRouter(tags=["dashboard"])


def _pillar(scope: Scope, code: str) -> dict[str, Any]:
    """A pillar with the city's tiles and score in it."""
    pillar = next((p for p in scope.plan.pillars if p.code == code), None)
    if pillar is None:
        raise NotFound(f"no pillar {code!r} in the plan")
    board, fmt = scope.board, scope.fmt
    score = scope.score(board.root).pillars.get(code)
    return {
        "code": code,
        "name": fmt.name(pillar.names),
        "description": fmt.name(pillar.description),
        "url": scope.link(f"/pillars/{code}"),
        "score": score,
        "score_text": percent(fmt, score),
        "tiles": [
            scope.tile(e)
            for e in board.city()
            if e.indicator.pillar == code and scope.visible(e.indicator)
        ],
    }


def overview(scope: Scope) -> dict[str, Any]:
    """Every target of the plan for the city, by pillar, with the counts and the score."""
    board = scope.board
    city = [e for e in board.city() if scope.visible(e.indicator)]
    score = scope.score(board.root).overall
    return {
        **scope.header(),
        "score": score,
        "score_note": scope.score_note(),
        "score_text": percent(scope.fmt, score),
        "targets": sum(1 for e in city if e.target is not None),
        "indicators": len(city),
        "counts": scope.counts(city),
        "pillars": [_pillar(scope, p.code) for p in scope.plan.pillars],
    }


def pillar(scope: Scope, code: str) -> dict[str, Any]:
    """One pillar: its tiles, and the units by their score on it, weakest first."""
    found = _pillar(scope, code)
    mine = [
        e for e in scope.board.city() if e.indicator.pillar == code and scope.visible(e.indicator)
    ]
    units = []
    for group in scope.organisation.rankings:
        for unit in scope.organisation.of_kind(*group.kinds):
            share = scope.score(unit.code).pillars.get(code)
            if share is not None:
                units.append(
                    {
                        **scope.unit(unit.code),
                        "group": group.code,
                        "score": share,
                        "score_text": percent(scope.fmt, share),
                    }
                )
    units.sort(key=lambda u: (u["score"], u["code"]))
    return {
        **scope.header(),
        "pillar": found,
        "counts": scope.counts(mine),
        "units": units,
        "score_note": scope.score_note(),
    }


@router.get("/", include_in_schema=False)
async def overview_page(dashboard: DashboardDep) -> Response:  # the wall screen: see `soon`
    return await dashboard.soon(
        lambda: dashboard.page("dashboard_overview.html", overview, "/api/dashboard/overview")
    )


@router.get(
    "/api/dashboard/overview",
    summary="The overview: every target as a tile",
    responses=refusals(401),
)
async def dashboard_overview_json(dashboard: DashboardDep) -> Response:
    return await dashboard.soon(lambda: dashboard.json(overview))


@router.get("/pillars/{code}", include_in_schema=False)
def pillar_page(code: str, dashboard: DashboardDep) -> Response:
    return dashboard.page(
        "dashboard_pillar.html", lambda s: pillar(s, code), f"/api/dashboard/pillars/{code}"
    )


@router.get(
    "/api/dashboard/pillars/{code}",
    summary="A pillar's targets and units",
    responses=refusals(401, 404),
)
def pillar_json(code: str, dashboard: DashboardDep) -> Response:
    return dashboard.json(lambda s: pillar(s, code))
