"""`dxplan opendata export DIR`: the public figures as a Frictionless Data Package."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dxplan.cli.common import ExitCode, fail, open_workspace
from dxplan.opendata.package import OpenDataError, write_package
from dxplan.opendata.service import open_data

app = typer.Typer(
    help="Open data: the plan's public figures as a Frictionless Data Package.",
    no_args_is_help=True,
)


@app.command("export")
def export(
    ctx: typer.Context,
    directory: Annotated[
        Path,
        typer.Argument(
            help="Folder to write: new, empty, or holding an earlier package (replaced).",
            file_okay=False,
            metavar="DIR",
            show_default=False,
        ),
    ],
) -> None:
    """Write datapackage.json and one CSV per resource into DIR.

    Resources: pillars, units, indicators (names, formula, source, definition,
    method), targets and values (by unit and period, as `dxplan indicators export`
    prints them). Only indicators that anyone may see: confidential ones never appear.
    The folder is written whole or not at all.
    """
    with open_workspace(ctx) as workspace:
        package = open_data(workspace)
    if package is None:
        fail("the store holds no plan yet: run `dxplan init` first", ExitCode.FAILED)
    try:
        write_package(package, directory)
    except OpenDataError as error:
        fail(str(error))
    except OSError as error:
        where = error.filename or directory
        fail(f"cannot write {where}: {error.strerror or error}", ExitCode.FAILED)
    counts = ", ".join(f"{name} {count}" for name, count in package.rows.items())
    typer.echo(f"wrote the open-data package to {directory} (rows: {counts})")
