"""An indicator's page: its trend, its units, who moves the number, how it is counted.

`/indicators/{code}` and its JSON twin `/api/dashboard/indicators/{code}`; the by-unit
table alone (`/indicators/{code}/units?sort=`, for HTMX to swap when a column is
sorted) and as CSV (`/indicators/{code}.csv`).
"""

from __future__ import annotations

import io
from typing import Annotated, Any, Final

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse, Response

from dxplan.evaluate.evaluation import Evaluation, is_flow
from dxplan.exports.cells import SafeWriter
from dxplan.exports.figures import number
from dxplan.web.dashboard import STATUS_ORDER, DashboardDep, Hidden, NotFound, Scope
from dxplan.web.responses import refusals

router = APIRouter(tags=["dashboard"])

# ?sort= of the by-unit table: a key, "-" before it for the reverse order
SORTS: Final = ("name", "value", "status")
DEFAULT_SORT: Final = "value"
CSV_HEADER: Final = (
    "indicator",
    "unit_code",
    "unit_name",
    "period",
    "numerator",
    "denominator",
    "value",
    "status",
)
SortQuery = Annotated[
    str, Query(description="name, value or status; a leading - reverses the order.")
]


def _sorted(rows: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    key = sort.removeprefix("-")
    worst = {s.value: i for i, s in enumerate(STATUS_ORDER)}
    known = [r for r in rows if key != "value" or r["value"] is not None]
    unknown = [r for r in rows if key == "value" and r["value"] is None]
    if key == "name":
        known.sort(key=lambda r: (r["name"], r["unit_code"]))
    elif key == "status":
        known.sort(key=lambda r: (worst[r["status"]], r["unit_code"]))
    else:
        known.sort(key=lambda r: (r["value"], r["unit_code"]))
    if sort.startswith("-"):
        known.reverse()
    return known + unknown  # units without a value last, whatever the order


def _units(scope: Scope, code: str) -> list[Evaluation]:
    board = scope.board
    return [
        e for e in board.of_indicator(code) if e.unit != board.root and e.unit in board.organisation
    ]


def _found(scope: Scope, code: str) -> Evaluation:
    city = scope.board.get(code, scope.board.root)
    if city is None:
        raise NotFound(f"no indicator {code!r} in the plan")
    if not scope.visible(city.indicator):
        raise Hidden(code)
    return city


def by_unit(scope: Scope, code: str, sort: str = DEFAULT_SORT) -> dict[str, Any]:
    """The indicator for each unit that has it, in the asked order."""
    _found(scope, code)
    order = sort if sort.removeprefix("-") in SORTS else DEFAULT_SORT
    rows = []
    for e in _units(scope, code):
        unit = scope.unit(e.unit)
        tile = scope.tile(e)
        rows.append(
            {
                key: tile[key]
                for key in (
                    "unit_code",
                    "value",
                    "value_text",
                    "numerator",
                    "denominator",
                    "status",
                    "status_label",
                    "status_icon",
                    "attainment",
                )
            }
            | {"name": unit["name"], "kind": unit["kind"], "url": unit["url"]}
        )
    return {
        "indicator": code,
        "sort": order,
        "page": scope.link(f"/indicators/{code}"),  # sorted without HTMX: the whole page
        "fragment": scope.link(f"/indicators/{code}/units"),  # with HTMX: the table alone
        "units": _sorted(rows, order),
    }


def _chart(scope: Scope, city: Evaluation) -> dict[str, Any]:
    """The city's months, the target and the projection at the deadline, for ECharts."""
    months = [str(m) for m in city.period.months()] if city.period.kind.months > 1 else []
    known = {str(p): v for p, v in city.series}
    values = [known.get(m) for m in months]
    return {
        "months": months,
        "values": values,
        "texts": [scope.fmt.value(v, city.indicator.kind) for v in values],
        "target": None if city.target is None else city.target.value,
        "projection": (
            None
            if city.projection is None
            else {
                "value": city.projection.value,
                "low": city.projection.low,
                "high": city.projection.high,
            }
        ),
        "kind": city.indicator.kind.value,
        # a flow's projection is the year's value, not a month's: drawn as a point
        "flow": is_flow(city.indicator, scope.plan),
    }


def indicator(scope: Scope, code: str, sort: str = DEFAULT_SORT) -> dict[str, Any]:
    """Everything about one indicator for the city, with its units and contributions."""
    city = _found(scope, code)
    found, fmt, board = city.indicator, scope.fmt, scope.board
    contributions = [
        {
            **scope.unit(c.unit),
            "points": c.points,
            "points_text": fmt.number(c.points, 1),
            "numerator": c.numerator,
            "denominator": c.denominator,
        }
        for c in board.contributions(code)
    ]
    gap = board.gap(code)
    return {
        **scope.header(),
        "indicator": scope.tile(city)
        | {
            "definition": fmt.name(found.definition),
            "methodology": fmt.name(found.methodology),
            "source": found.source.value,
            "lead_agency": scope.unit(found.lead_agency),
            "confidential": found.confidential,
            "pillar_name": fmt.name(
                next(p.names for p in scope.plan.pillars if p.code == found.pillar)
            ),
            "pillar_url": scope.link(f"/pillars/{found.pillar}"),
        },
        "chart": _chart(scope, city),
        "by_unit": by_unit(scope, code, sort),
        "contributions": contributions,
        "gap": gap,
        "gap_text": None if gap is None else fmt.number(gap, 1),
        "csv_url": scope.link(f"/indicators/{code}.csv"),
    }


def indicator_csv(scope: Scope, code: str) -> str:
    """The by-unit table as CSV (numbers at full precision, as the exports write them)."""
    rows = by_unit(scope, code, "name")["units"]
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(CSV_HEADER)
    period = str(scope.board.period)
    for r in rows:
        writer.writerow(
            [
                code,
                r["unit_code"],
                r["name"],
                period,
                number(r["numerator"]),
                number(r["denominator"]),
                number(r["value"]),
                r["status"],
            ]
        )
    return out.getvalue()


# the CSV route comes first: "/indicators/{code}" would also match "GOV-01.csv"
@router.get(
    "/indicators/{code}.csv",
    summary="An indicator by unit, as CSV",
    responses=refusals(401, 404),
)
def indicator_csv_file(code: str, dashboard: DashboardDep) -> Response:
    def respond(found: tuple[str, str]) -> Response:
        period, text = found
        return PlainTextResponse(
            text,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{code}-{period}.csv"'},
        )

    return dashboard.answer(lambda s: (str(s.board.period), indicator_csv(s, code)), respond)


@router.get("/indicators/{code}/units", include_in_schema=False)
def by_unit_fragment(
    code: str, dashboard: DashboardDep, sort: SortQuery = DEFAULT_SORT
) -> Response:
    return dashboard.page(
        "dashboard_by_unit.html",
        lambda s: {"by_unit": by_unit(s, code, sort)},
        f"/api/dashboard/indicators/{code}",
    )


@router.get("/indicators/{code}", include_in_schema=False)
def indicator_page(code: str, dashboard: DashboardDep, sort: SortQuery = DEFAULT_SORT) -> Response:
    return dashboard.page(
        "dashboard_indicator.html",
        lambda s: indicator(s, code, sort),
        f"/api/dashboard/indicators/{code}",
    )


@router.get(
    "/api/dashboard/indicators/{code}",
    summary="An indicator: trend, units, contributions",
    responses=refusals(401, 404),
)
def indicator_json(code: str, dashboard: DashboardDep, sort: SortQuery = DEFAULT_SORT) -> Response:
    return dashboard.json(lambda s: indicator(s, code, sort))
