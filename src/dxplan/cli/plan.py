"""`dxplan plan ...`: show and check plan files."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dxplan.cli.common import open_workspace, report_document_error, settings
from dxplan.documents import DocumentError
from dxplan.domain.plan import Plan
from dxplan.i18n import Language, formatter
from dxplan.plans.public import plan_json
from dxplan.workspace import check_plan_file

app = typer.Typer(
    help="Show the plan in force and check plan files before loading them.",
    no_args_is_help=True,
)


class PlanFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def _plan(ctx: typer.Context, file: Path | None) -> Plan:
    config = settings(ctx)
    try:
        if file is not None:
            return check_plan_file(file, config.agencies_file).plan
        with open_workspace(ctx) as workspace:
            stored = workspace.plan()
        return stored or check_plan_file(config.plan_file, config.agencies_file).plan
    except DocumentError as error:
        report_document_error(error)


@app.command("show")
def show(
    ctx: typer.Context,
    output: Annotated[
        PlanFormat, typer.Option("--format", help="table for people, json for programs.")
    ] = PlanFormat.TABLE,
    file: Annotated[
        Path | None,
        typer.Option("--file", exists=True, dir_okay=False, help="Show this file instead."),
    ] = None,
    language: Annotated[
        Language, typer.Option("--lang", help="Language of names and numbers in the table.")
    ] = Language.VI,
) -> None:
    """Print the plan in force: pillars, indicators, formulas and targets.

    The plan in force is the newest version stored by `dxplan init`; before that, the
    configured plan file (DXPLAN_PLAN_FILE, default: the shipped example plan).

    --format json prints one JSON document whose "indicators" array holds, for every
    indicator, "code", "pillar", "numerator" and "denominator" (formulas over measure
    codes; denominator null when not a ratio) and "target" ({"op", "value", "deadline"},
    value in percent for ratios, or null for a monitored indicator).
    """
    plan = _plan(ctx, file)
    if output is PlanFormat.JSON:
        typer.echo(json.dumps(plan_json(plan), ensure_ascii=False, indent=2))
        return
    fmt = formatter(language)
    table = Table(title=fmt.name(plan.names), show_lines=False)
    for column in ("code", "pillar", "indicator", "numerator / denominator", "target"):
        table.add_column(column)
    for indicator in plan.indicators:
        formula = str(indicator.numerator)
        if indicator.denominator is not None:
            formula += f" / {indicator.denominator}"
        target = fmt.target(indicator.target, indicator.kind)
        if indicator.target is not None:
            target += f" by {indicator.target.deadline.isoformat()}"
        table.add_row(indicator.code, indicator.pillar, fmt.name(indicator.names), formula, target)
    Console(width=200 if not Console().is_terminal else None).print(table)


@app.command("validate")
def validate(
    file: Annotated[Path, typer.Argument(help="The plan file (YAML) to check.")],
    ctx: typer.Context,
) -> None:
    """Check a plan file without storing anything.

    Checks the YAML, every key against the schema (unknown keys are errors), codes that
    appear twice, formulas naming unknown measures, indicators naming unknown pillars or
    units, and target operators (>=, >, <=, <). A dossier, catalog or platform measure
    must be one dxplan computes, with its source and aggregation (the message lists
    the known ones; docs/measures.md defines them). Each problem is printed as
    FILE:LINE:COLUMN: message (codes in docs/errors.md). Exit code 0 when the file is
    valid, 2 when it is not.
    """
    try:
        checked = check_plan_file(file, settings(ctx).agencies_file)
    except DocumentError as error:
        report_document_error(error)
    plan = checked.plan
    typer.echo(
        f"{file}: valid plan {plan.code!r}: {len(plan.pillars)} pillars, "
        f"{len(plan.measures)} measures, {len(plan.indicators)} indicators "
        f"({sum(1 for i in plan.indicators if i.target)} with a target), "
        f"organisation {checked.organisation.root.code} with {len(checked.organisation)} units."
    )
