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
from dxplan.workspace import check_plan_file

app = typer.Typer(
    help="The organisation's units: the root, the units under it and its agencies.",
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
        str | None, typer.Option("--kind", help="Only units of this kind (a declared kind).")
    ] = None,
) -> None:
    """List the units: the root first, then each unit followed by the units under it.

    The units are those stored by `dxplan init`; before that, the ones the plan's
    organisation would load (the official communes and wards with the agency file,
    or the plan's units file).

    --format csv prints the header code,name,kind,parent_code and one row per unit;
    Vietnamese communes and wards carry their official 5-digit code.
    """
    organisation = _organisation(ctx)
    if kind is not None and kind not in organisation.kinds.codes:
        typer.echo(
            f"Unknown kind {kind!r}; the organisation has {', '.join(organisation.kinds.codes)}.",
            err=True,
        )
        raise typer.Exit(2)
    units = [u for u in organisation if kind is None or u.kind == kind]
    if output is UnitsFormat.CSV:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["code", "name", "kind", "parent_code"])
        for unit in units:
            writer.writerow([unit.code, unit.name, unit.kind, unit.parent or ""])
        return
    table = Table(title=f"{len(units)} units")
    for column in ("code", "name", "kind", "parent"):
        table.add_column(column)
    for unit in units:
        table.add_row(unit.code, unit.name, unit.kind, unit.parent or "")
    Console().print(table)
