"""`dxplan measures export` and `dxplan indicators export`: figures as CSV."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from enum import StrEnum
from typing import Annotated

import typer
from sqlalchemy import Connection

from dxplan.cli.common import ExitCode, fail, open_workspace
from dxplan.domain.plan import Plan
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


Rows = Callable[[Connection, Plan], Iterator[tuple[str, ...]]]


def _export(ctx: typer.Context, header: tuple[str, ...], rows: Rows) -> None:
    """Print `rows` of the stored figures as CSV on standard output."""
    with open_workspace(ctx) as workspace:
        plan = workspace.plan()
        if plan is None:
            fail("the store holds no plan yet: run `dxplan init` first", ExitCode.FAILED)
        with workspace.engine.connect() as conn:
            write_csv(sys.stdout, header, rows(conn, plan))


@measures.command("export")
def export_measures(ctx: typer.Context, output: FormatOption = ExportFormat.CSV) -> None:
    """Print every stored measure value as CSV: measure,unit_code,period,value.

    Months, quarters, halves and years; every unit with data and its ancestors.
    """
    _export(ctx, MEASURE_HEADER, measure_rows)


@indicators.command("export")
def export_indicators(ctx: typer.Context, output: FormatOption = ExportFormat.CSV) -> None:
    """Print indicator values as CSV: indicator,unit_code,period,numerator,denominator,value.

    The value is in percent for ratios, computed from the numerator and denominator of
    the unit and period (sums, never averages of percentages), and empty when the
    denominator is 0.
    """
    _export(ctx, INDICATOR_HEADER, indicator_rows)
