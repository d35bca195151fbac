"""The dxplan command line: domain verbs over one data folder.

`dxplan demo` shows the whole city in a browser; `dxplan --help` lists the rest.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

import dxplan
from dxplan.cli import (
    backup,
    data,
    evaluate,
    figures,
    focal_points,
    national,
    opendata,
    plan,
    report,
    server,
    setup,
    tasks,
    tokens,
    units,
    users,
)
from dxplan.cli.common import fail
from dxplan.settings import Settings

app = typer.Typer(
    name="dxplan",
    help="dxplan runs a digital transformation plan as data: the plan as a file, the "
    "organisation's units, the figures, progress against targets and the dashboard.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_show_locals=False,  # locals may hold secrets or personal data
)
app.add_typer(plan.app, name="plan")
app.add_typer(units.app, name="units")
app.add_typer(data.app, name="import")
app.add_typer(figures.measures, name="measures")
app.add_typer(figures.indicators, name="indicators")
app.add_typer(tokens.app, name="tokens")
app.add_typer(users.app, name="users")
app.add_typer(focal_points.app, name="focal-points")
app.add_typer(national.app, name="national")
app.add_typer(opendata.app, name="opendata")
app.add_typer(tasks.app, name="tasks")
app.command("compute")(data.compute_command)
app.command("evaluate")(evaluate.evaluate_command)
app.command("report")(report.report_command)
app.command("init")(setup.init)
app.command("serve")(server.serve)
app.command("demo")(server.demo)
app.command("backup")(backup.backup_command)
app.command("restore")(backup.restore_command)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dxplan {dxplan.__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            envvar="DXPLAN_DATA_DIR",
            help="Folder of the embedded database and data files [default: ./dxplan-data].",
            file_okay=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Settings come from DXPLAN_* environment variables; --data-dir overrides one."""
    try:
        ctx.obj = Settings(data_dir=data_dir) if data_dir else Settings()
    except ValidationError as error:
        fail(
            "; ".join(
                (f"DXPLAN_{str(e['loc'][0]).upper()}: " if e["loc"] else "")
                + e["msg"].removeprefix("Value error, ")
                for e in error.errors()
            )
        )


def main() -> None:
    """Entry point of the `dxplan` command."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    app()
