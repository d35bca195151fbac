"""A unit's scorecard and the rankings: which units to call.

`/units/{code}` (every indicator the unit has, its scores, its rank; for a signed-in
reader also its tasks and breakthrough task, never cached) and `/rankings`
(one table per ranking the organisation declares: communes and wards, then agencies,
for a Vietnamese province), with their JSON twins under `/api/dashboard/`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from dxplan.web.dashboard import DashboardDep, NotFound, Scope, percent
from dxplan.web.responses import refusals
from dxplan.web.task_views import unit_tasks

router = APIRouter(tags=["dashboard"])


def _group_labels(scope: Scope) -> dict[str, str]:
    """Each ranking's name, as the plan (or its organisation's source) declares it."""
    return {r.code: scope.fmt.name(r.names) for r in scope.organisation.rankings}


def _kind_label(scope: Scope, kind: str | None) -> str:
    declared = scope.organisation.kinds.kind(kind or "")
    return scope.fmt.name(declared.names) if declared is not None else ""


def unit(scope: Scope, code: str) -> dict[str, Any]:
    """The unit's scorecard by pillar, its scores and its rank in its group."""
    board, fmt = scope.board, scope.fmt
    if code not in board.organisation:
        raise NotFound(f"no unit {code!r} in the organisation")
    found = board.organisation[code]
    score = scope.score(code)
    mine = [e for e in board.of_unit(code) if scope.visible(e.indicator)]
    position = scope.rank_of(code)
    ranking = scope.organisation.kinds.ranking_of(found.kind)
    group = ranking.code if ranking is not None else None
    parent = scope.unit(found.parent) if found.parent else None
    return {
        **scope.header(),
        "unit": scope.unit(code) | {"kind_label": _kind_label(scope, found.kind)},
        "parent": parent,
        "score": score.overall,
        "score_text": percent(fmt, score.overall),
        "score_note": scope.score_note(),
        "rank": (
            None
            if position is None or group is None
            else {
                "position": position[0],
                "of": position[1],
                "group": group,
                "group_label": _group_labels(scope)[group],
                "url": scope.link("/rankings") + f"#{group}",
            }
        ),
        "counts": scope.counts(mine),
        "pillars": [
            {
                "code": p.code,
                "name": fmt.name(p.names),
                "url": scope.link(f"/pillars/{p.code}"),
                "score": score.pillars.get(p.code),
                "score_text": percent(fmt, score.pillars.get(p.code)),
                "tiles": [scope.tile(e) for e in mine if e.indicator.pillar == p.code],
            }
            for p in scope.plan.pillars
            if any(e.indicator.pillar == p.code for e in mine)
        ],
    }


def rankings(scope: Scope) -> dict[str, Any]:
    """Each declared ranking's units by overall score (best first), with pillar scores."""
    fmt = scope.fmt
    labels = _group_labels(scope)
    pillars = [p.code for p in scope.plan.pillars]
    groups = []
    for group in labels:
        rows = []
        for code, overall, position in scope.ranking(group):
            score = scope.score(code)
            rows.append(
                {
                    "rank": position,
                    **scope.unit(code),
                    "score": overall,
                    "score_text": percent(fmt, overall),
                    "pillars": {p: score.pillars.get(p) for p in pillars},
                    "pillar_texts": {p: percent(fmt, score.pillars.get(p)) for p in pillars},
                }
            )
        groups.append({"group": group, "label": labels[group], "rows": rows})
    return {
        **scope.header(),
        "pillars": [
            {"code": p.code, "name": fmt.name(p.names), "url": scope.link(f"/pillars/{p.code}")}
            for p in scope.plan.pillars
        ],
        "groups": groups,
        "score_note": scope.score_note(),
    }


@router.get("/units/{code}", include_in_schema=False)
def unit_page(code: str, dashboard: DashboardDep) -> Response:
    return dashboard.page(
        "dashboard_unit.html",
        lambda s: unit(s, code),
        f"/api/dashboard/units/{code}",
        personal=lambda s: unit_tasks(s, code),
    )


@router.get(
    "/api/dashboard/units/{code}",
    summary="A unit's scorecard, scores and rank",
    responses=refusals(401, 404),
)
def unit_json(code: str, dashboard: DashboardDep) -> Response:
    return dashboard.json(lambda s: unit(s, code), personal=lambda s: unit_tasks(s, code))


@router.get("/rankings", include_in_schema=False)
def rankings_page(dashboard: DashboardDep) -> Response:
    return dashboard.page("dashboard_rankings.html", rankings, "/api/dashboard/rankings")


@router.get(
    "/api/dashboard/rankings",
    summary="Each ranking's units (communes and wards; agencies) by score",
    responses=refusals(401),
)
def rankings_json(dashboard: DashboardDep) -> Response:
    return dashboard.json(rankings)
