"""`dxplan units ...`: the organisation's units."""

from __future__ import annotations

import csv
import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dxplan.cli.common import open_workspace, report_document_error, settings
from dxplan.documents import DocumentError
from dxplan.domain.organisation import Organisation
from dxplan.domain.unit import UnitKind
from dxplan.workspace import check_plan_file

app = typer.Typer(
    help="The organisation's units: the city, its communes and wards, its agencies.",
    no_args_is_help=True,
)


class UnitsFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"


def _organisation(ctx: typer.Context) -> Organisation:
    config = settings(ctx)
    with open_workspace(ctx) as workspace:
        stored = workspace.organisation()
    if stored is not None:
        return stored
    try:
        return check_plan_file(config.plan_file, config.agencies_file).organisation
    except DocumentError as error:
        report_document_error(error)


@app.command("list")
def list_units(
    ctx: typer.Context,
    output: Annotated[
        UnitsFormat, typer.Option("--format", help="table for people, csv for programs.")
    ] = UnitsFormat.TABLE,
    kind: Annotated[
        UnitKind | None, typer.Option("--kind", help="Only units of this kind.")
    ] = None,
) -> None:
    """List the units: the city first, then its communes, wards and agencies.

    The units are those stored by `dxplan init`; before that, the ones the plan's
    organisation would load (official communes and wards, and the agency file).

    --format csv prints the header code,name,kind,parent_code and one row per unit;
    communes and wards carry their official 5-digit code and the city as parent.
    """
    units = [u for u in _organisation(ctx) if kind is None or u.kind is kind]
    if output is UnitsFormat.CSV:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["code", "name", "kind", "parent_code"])
        for unit in units:
            writer.writerow([unit.code, unit.name, unit.kind.value, unit.parent or ""])
        return
    table = Table(title=f"{len(units)} units")
    for column in ("code", "name", "kind", "parent"):
        table.add_column(column)
    for unit in units:
        table.add_row(unit.code, unit.name, unit.kind.value, unit.parent or "")
    Console().print(table)
