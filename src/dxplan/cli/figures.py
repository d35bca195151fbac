"""`dxplan measures export` and `dxplan indicators export`: figures as CSV."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from dxplan.cli.common import ExitCode, fail, open_workspace
from dxplan.exports.figures import (
    INDICATOR_HEADER,
    MEASURE_HEADER,
    indicator_rows,
    measure_rows,
    write_csv,
)

measures = typer.Typer(
    help="Measure values: the figures indicators are computed from.", no_args_is_help=True
)
indicators = typer.Typer(help="Indicator values per unit and period.", no_args_is_help=True)


class ExportFormat(StrEnum):
    CSV = "csv"


FormatOption = Annotated[ExportFormat, typer.Option("--format", help="Output format.")]


@measures.command("export")
def export_measures(ctx: typer.Context, output: FormatOption = ExportFormat.CSV) -> None:
    """Print every stored measure value as CSV: measure,unit_code,period,value.

    Months, quarters, halves and years; every unit with data and its ancestors.
    """
    with open_workspace(ctx) as workspace:
        plan = workspace.plan()
        if plan is None:
            fail("the store holds no plan yet: run `dxplan init` first", ExitCode.FAILED)
        with workspace.engine.connect() as conn:
            write_csv(sys.stdout, MEASURE_HEADER, measure_rows(conn, plan))


@indicators.command("export")
def export_indicators(ctx: typer.Context, output: FormatOption = ExportFormat.CSV) -> None:
    """Print indicator values as CSV: indicator,unit_code,period,numerator,denominator,value.

    The value is in percent for ratios, computed from the numerator and denominator of
    the unit and period (sums, never averages of percentages), and empty when the
    denominator is 0.
    """
    with open_workspace(ctx) as workspace:
        plan = workspace.plan()
        if plan is None:
            fail("the store holds no plan yet: run `dxplan init` first", ExitCode.FAILED)
        with workspace.engine.connect() as conn:
            write_csv(sys.stdout, INDICATOR_HEADER, indicator_rows(conn, plan))
