"""The plan's composite index: the ranking, a unit's scorecard, the figures' timeliness.

`/index` (every ranked unit by its composite, with its rank, movement and pillars),
`/index/{code}` (what pulls a unit down and what each component alone would take to
reach the top 10) and `/timeliness` (which units sent a period's figures late, which
not at all), with their JSON twins under `/api/dashboard/`. A plan without `index:`
answers 404 on each.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from dxplan.domain.index import CompositeIndex
from dxplan.domain.indicator import Direction, Indicator, IndicatorKind
from dxplan.domain.period import Period, PeriodKind
from dxplan.evaluate.index import Improvement, IndexResult
from dxplan.evaluate.ranking import improvements, ranked_units, standings
from dxplan.evaluate.timeliness import Timeliness, due_day, timeliness
from dxplan.store.arrivals import first_arrivals
from dxplan.web.dashboard import DashboardDep, NotFound, Scope
from dxplan.web.responses import refusals

router = APIRouter(tags=["dashboard"])

ARROWS = {1: "▲", 0: "=", -1: "▼"}  # a shape for the movement, not colour alone


def _index(scope: Scope) -> CompositeIndex:
    if scope.plan.index is None:
        raise NotFound("the plan declares no index (`index:` in the plan file)")
    return scope.plan.index


def _score(scope: Scope, value: float | None) -> str:
    """A composite or normalised value on its 0–1 scale, three decimals in the reader's
    language (`0,819` in Vietnamese, like the values beside it)."""
    return "–" if value is None else scope.fmt.number(value, 3)


def _result(scope: Scope) -> IndexResult:
    board = scope.board
    previous = scope.workspace.board(board.period.previous(), board.as_of)
    found = standings(board, previous)
    assert found is not None
    return found


def _movement(scope: Scope, movement: int | None) -> dict[str, Any]:
    _ = scope.fmt.gettext
    if movement is None:
        return {"places": None, "arrow": "", "text": _("new")}
    sign = (movement > 0) - (movement < 0)
    if sign > 0:
        text = _("up %(places)d") % {"places": movement}
    elif sign < 0:
        text = _("down %(places)d") % {"places": -movement}
    else:
        text = _("unchanged")
    return {"places": movement, "arrow": ARROWS[sign], "text": text, "direction": sign}


def ranking(scope: Scope) -> dict[str, Any]:
    """Every ranked unit, best first: rank, composite, movement, pillar scores."""
    index = _index(scope)
    result = _result(scope)
    fmt = scope.fmt
    threshold = result.threshold()
    return {
        **scope.header(),
        "index": {
            "code": index.code,
            "name": fmt.name(index.names),
            "top": index.top,
            "previous_period": str(scope.board.period.previous()),
            "threshold": threshold,
            "threshold_text": _score(scope, threshold),
        },
        "pillars": [
            {"code": p.pillar, "weight": p.weight, "url": scope.link(f"/pillars/{p.pillar}")}
            for p in index.pillars
        ],
        "rows": [
            {
                "rank": s.rank,
                **scope.unit(s.unit),
                "url": scope.link(f"/index/{s.unit}"),
                "composite": s.composite,
                "composite_text": _score(scope, s.composite),
                "previous_rank": s.previous_rank,
                "movement": _movement(scope, s.movement),
                "in_top": s.rank <= index.top,
                "pillars": s.pillars,
                "pillar_texts": {p: _score(scope, v) for p, v in s.pillars.items()},
                "sent_nothing": all(v is None for v in s.raw.values()),
            }
            for s in result.standings
        ],
    }


def _raw_text(scope: Scope, value: float | None, kind: IndicatorKind) -> str:
    return scope.fmt.value(value, kind) if value is not None else "–"


def _shown_to(value: float, indicator: Indicator) -> float:
    """The value to reach as the page prints it: rounded towards better, so that the
    printed figure is enough (21.14% is shown 21.2%, a rank of 9.6 as 9)."""
    step = 10 if indicator.kind is IndicatorKind.RATIO else 1
    if indicator.direction is Direction.INCREASE:
        return math.ceil(value * step - 1e-9) / step
    return math.floor(value * step + 1e-9) / step


def _need(scope: Scope, found: Improvement, indicator: Indicator) -> dict[str, Any]:
    kind = indicator.kind
    _ = scope.fmt.gettext
    if not found.reachable:
        return {
            "reachable": False,
            "text": _("not reachable by this component alone"),
            "raw_to": None,
            "raw_change": None,
            "normalised_to": None,
            "normalised_change": None,
        }
    assert found.raw_to is not None
    return {
        "reachable": True,
        "raw_to": found.raw_to,
        "raw_to_text": _raw_text(scope, _shown_to(found.raw_to, indicator), kind),
        "raw_change": found.raw_change,
        "normalised_to": found.normalised_to,
        "normalised_to_text": _score(scope, found.normalised_to),
        "normalised_change": found.normalised_change,
        "text": _("reach %(value)s (+%(points)s normalised)")
        % {
            "value": _raw_text(scope, _shown_to(found.raw_to, indicator), kind),
            "points": _score(scope, found.normalised_change),
        },
    }


def scorecard(scope: Scope, code: str) -> dict[str, Any]:
    """A ranked unit: its components (what pulls it down) and what the top would take."""
    index = _index(scope)
    if code not in ranked_units(scope.board, index):
        raise NotFound(f"no unit {code!r} among the units the index ranks")
    result = _result(scope)
    mine = result.of(code)
    assert mine is not None
    weights = index.weights()
    losses = dict(result.losses(code))
    needs = improvements(scope.board, code)
    by_indicator = {n.indicator: n for n in needs or []}
    components: list[dict[str, Any]] = []
    for pillar, component in index.components():
        indicator = scope.plan.indicator(component.indicator)
        seen = scope.visible(indicator)
        raw = mine.raw[component.indicator] if seen else None
        need = by_indicator.get(component.indicator)
        components.append(
            {
                "indicator": component.indicator,
                "name": scope.fmt.name(indicator.names),
                "url": scope.link(f"/indicators/{component.indicator}"),
                "pillar": pillar.pillar,
                "method": component.method,
                "weight": weights[component.indicator],
                "weight_text": _score(scope, weights[component.indicator]),
                "raw": raw,
                "raw_text": _raw_text(scope, raw, indicator.kind),
                "normalised": mine.normalised[component.indicator],
                "normalised_text": _score(scope, mine.normalised[component.indicator]),
                "loss": losses[component.indicator],
                "loss_text": _score(scope, losses[component.indicator]),
                "to_top": None if need is None or not seen else _need(scope, need, indicator),
            }
        )
    order = [indicator for indicator, _ in result.losses(code)]  # the largest loss first
    components.sort(key=lambda c: order.index(c["indicator"]))
    gap = None if mine.rank <= index.top else (result.threshold() or 0) - mine.composite
    return {
        **scope.header(),
        "unit": scope.unit(code) | {"url": scope.link(f"/index/{code}")},
        "index": {"code": index.code, "name": scope.fmt.name(index.names), "top": index.top},
        "ranking_url": scope.link("/index"),
        "rank": mine.rank,
        "of": len(result.standings),
        "composite": mine.composite,
        "composite_text": _score(scope, mine.composite),
        "movement": _movement(scope, mine.movement),
        "in_top": mine.rank <= index.top,
        "threshold": result.threshold(),
        "threshold_text": _score(scope, result.threshold()),
        "gap": gap,
        "gap_text": _score(scope, gap),
        "components": components,
    }


def _periods(year: Period, kind: PeriodKind) -> list[Period]:
    """The periods of `kind` in `year`, in order."""
    found = [year]
    while found and found[0].kind is not kind:
        found = [child for p in found for child in p.children()]
    return found


def _arrivals_state(scope: Scope) -> Hashable:
    """What the page reads besides the board: the first arrival of each figure."""
    return tuple(sorted(_arrivals(scope).items()))


def _arrivals(scope: Scope) -> dict[tuple[str, str], Any]:
    index = _index(scope)
    measures = {
        m for _, c in index.components() for m in scope.plan.indicator(c.indicator).measures
    }
    periods = [str(p) for p in _periods(scope.board.period.year_period(), index.periodicity)]
    with scope.workspace.engine.connect() as conn:
        return first_arrivals(conn, measures, periods)


def completeness(scope: Scope) -> dict[str, Any]:
    """Each ranked unit's figures per period of the year: on time, late, missing."""
    index = _index(scope)
    board, fmt = scope.board, scope.fmt
    _ = fmt.gettext
    periods = _periods(board.period.year_period(), index.periodicity)
    units = ranked_units(board, index)
    rows = timeliness(
        units,
        periods,
        _arrivals(scope),
        due_days=index.due_days,
        zone=board.plan.calendar.zone,
        today=board.as_of,
    )
    labels = {
        Timeliness.ON_TIME: _("on time"),
        Timeliness.LATE: _("late"),
        Timeliness.MISSING: _("not sent"),
        Timeliness.NOT_DUE: _("not due yet"),
    }
    cells: dict[str, list[dict[str, Any]]] = {u: [] for u in units}
    for a in rows:
        cells[a.unit].append(
            {
                "period": str(a.period),
                "status": a.status.value,
                "label": labels[a.status],
                "due": a.due.isoformat(),
                "arrived": None if a.arrived is None else a.arrived.isoformat(),
                "days_late": a.days_late,
            }
        )
    return {
        **scope.header(),
        "index": {"code": index.code, "name": fmt.name(index.names)},
        "due_days": index.due_days,
        "periods": [
            {"period": str(p), "due": due_day(p, index.due_days).isoformat()} for p in periods
        ],
        "counts": {s.value: sum(1 for a in rows if a.status is s) for s in Timeliness},
        "labels": {s.value: labels[s] for s in Timeliness},
        "units": [
            {
                **scope.unit(u),
                "url": scope.link(f"/index/{u}"),
                "cells": cells[u],
                "late": sum(1 for c in cells[u] if c["status"] == Timeliness.LATE),
                "missing": sum(1 for c in cells[u] if c["status"] == Timeliness.MISSING),
            }
            for u in units
        ],
    }


@router.get("/index", include_in_schema=False)
def ranking_page(dashboard: DashboardDep) -> Response:
    return dashboard.page("dashboard_index.html", ranking, "/api/dashboard/index")


@router.get(
    "/api/dashboard/index",
    summary="The units ranked by the plan's composite index, with their movement",
    responses=refusals(401, 404),
)
def ranking_json(dashboard: DashboardDep) -> Response:
    return dashboard.json(ranking)


@router.get("/index/{code}", include_in_schema=False)
def scorecard_page(code: str, dashboard: DashboardDep) -> Response:
    return dashboard.page(
        "dashboard_index_unit.html", lambda s: scorecard(s, code), f"/api/dashboard/index/{code}"
    )


@router.get(
    "/api/dashboard/index/{code}",
    summary="A ranked unit's components and what each would take to reach the top",
    responses=refusals(401, 404),
)
def scorecard_json(code: str, dashboard: DashboardDep) -> Response:
    return dashboard.json(lambda s: scorecard(s, code))


@router.get("/timeliness", include_in_schema=False)
def completeness_page(dashboard: DashboardDep) -> Response:
    return dashboard.page(
        "dashboard_timeliness.html", completeness, "/api/dashboard/timeliness", _arrivals_state
    )


@router.get(
    "/api/dashboard/timeliness",
    summary="Which ranked units sent each period's figures on time, late or not at all",
    responses=refusals(401, 404),
)
def completeness_json(dashboard: DashboardDep) -> Response:
    return dashboard.json(completeness, _arrivals_state)
