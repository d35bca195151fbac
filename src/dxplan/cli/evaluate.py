"""`dxplan evaluate`: every indicator against its target, as of a day."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dxplan.cli.common import ExitCode, fail, open_workspace
from dxplan.evaluate.evaluation import evaluate
from dxplan.evaluate.public import evaluation_json
from dxplan.i18n import formatter
from dxplan.store import values as value_store


class OutputFormat(StrEnum):
    JSON = "json"
    TABLE = "table"


def evaluate_command(
    ctx: typer.Context,
    period: Annotated[
        str,
        typer.Option(
            "--period",
            help="The period in the plan's calendar, e.g. 2025 or 2025Q3 "
            "(FY2026 or FY2026Q1 when the plan's year is a fiscal year).",
        ),
    ],
    unit: Annotated[
        str | None, typer.Option("--unit", help="One unit's code (default: every unit).")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="The day to judge from, YYYY-MM-DD (default: DXPLAN_AS_OF, else today).",
        ),
    ] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="json (an array) or table.")
    ] = OutputFormat.TABLE,
) -> None:
    """Evaluate every indicator for a period: value so far, target, status, projection.

    Status: achieved / not_achieved once the period is over; on_track, at_risk or
    off_track while it runs (the 80% projection interval against the target);
    monitored without a target; no_data when too little is known (docs/methodology.md).
    """
    with open_workspace(ctx) as workspace:
        plan, organisation = workspace.plan(), workspace.organisation()
        if plan is None or organisation is None:
            fail("the store holds no plan yet: run `dxplan init` first", ExitCode.FAILED)
        try:
            wanted = plan.calendar.parse(period)
        except ValueError as error:
            fail(f"--period: {error}")
        day = _day(as_of) if as_of else workspace.as_of()
        if unit is not None and unit not in organisation:
            fail(f"--unit: unknown unit {unit!r} (see `dxplan units list`)")
        measures = {code for i in plan.indicators for code in i.measures}
        with workspace.engine.connect() as conn:
            stored = value_store.latest(
                conn,
                measures=measures,
                units=[unit] if unit is not None else None,
                calendar=plan.calendar,
            )
        found = evaluate(
            plan,
            organisation,
            stored,
            period=wanted,
            as_of=day,
            units=[unit] if unit is not None else None,
        )
    if output is OutputFormat.JSON:
        typer.echo(json.dumps([evaluation_json(e) for e in found], ensure_ascii=False, indent=1))
        return
    fmt = formatter("en")
    table = Table(title=f"{period} as of {day.isoformat()}: {len(found)} evaluations")
    for column in ("indicator", "unit", "value", "target", "status", "projection (80%)", "pace"):
        table.add_column(column, overflow="fold")
    for e in found:
        kind = e.indicator.kind
        projection = (
            ""
            if e.projection is None
            else f"{fmt.value(e.projection.value, kind)} "
            f"[{fmt.value(e.projection.low, kind)}–{fmt.value(e.projection.high, kind)}]"
        )
        pace = "" if e.required_monthly_pace is None else f"{e.required_monthly_pace:.2f}/month"
        table.add_row(
            e.indicator.code,
            e.unit,
            fmt.value(e.value, kind),
            fmt.target(e.target, kind),
            e.status.value,
            projection,
            pace,
        )
    Console().print(table)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--as-of: {text!r} is not a date such as 2025-11-08")
