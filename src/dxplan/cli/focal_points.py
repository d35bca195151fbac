"""`dxplan focal-points ...`: each unit's digital-transformation lead (the plan's
focal-point indicator, the one that reads `units_with_focal_point`)."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dxplan.cli.common import ExitCode, fail, open_workspace
from dxplan.exports.cells import SafeWriter
from dxplan.reporting import focal_points as focal
from dxplan.store import focal_points as focal_store
from dxplan.workspace import Workspace

app = typer.Typer(
    help="Focal points: the person each unit the plan names (`focal_points:` in the plan) "
    "chooses to lead its digital transformation; they make up the plan's indicator over "
    "the measure units_with_focal_point.",
    no_args_is_help=True,
)

COLUMNS = ("unit_code", "unit_name", "kind", "name", "title", "phone", "email", "recorded_at")


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"


def _ready(workspace: Workspace) -> None:
    if not workspace.initialised or workspace.plan() is None:
        fail("the store is empty: run `dxplan init` first", ExitCode.FAILED)


@app.command("list")
def list_focal_points(
    ctx: typer.Context,
    format: Annotated[
        Format,
        typer.Option("--format", help="table (for people) or csv (for spreadsheets and scripts)."),
    ] = Format.TABLE,
) -> None:
    """List every unit that must name a focal point, with its current one (or none)."""
    with open_workspace(ctx) as workspace:
        _ready(workspace)
        plan, organisation = workspace.plan(), workspace.organisation()
        assert plan is not None and organisation is not None
        units = focal.units(plan, organisation)
        with workspace.engine.connect() as conn:
            current = focal_store.current(conn)
    rows = []
    for unit in units:
        record = current.get(unit.code)
        named = record is not None and record.named
        rows.append(
            [
                unit.code,
                unit.name,
                unit.kind,
                *(
                    [record.name, record.title, record.phone, record.email]
                    if record is not None and named
                    else [None] * 4
                ),
                plan.calendar.local(record.recorded_at).isoformat(timespec="seconds")
                if record is not None and named
                else None,
            ]
        )
    if format is Format.CSV:
        writer = SafeWriter(sys.stdout)
        writer.writerow(COLUMNS)
        writer.writerows([[value or "" for value in row] for row in rows])
        return
    coverage = focal.coverage(units, current)
    table = Table(title=f"{coverage.named} of {coverage.total} units have a focal point")
    for column in ("unit", "unit name", "kind", "focal point", "title", "phone", "e-mail"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*[value or ("—" if i == 3 else "") for i, value in enumerate(row[:7])])
    Console().print(table)


@app.command("set")
def set_focal_point(
    ctx: typer.Context,
    unit: Annotated[
        str, typer.Argument(metavar="UNIT", help="The unit's code (see `dxplan units list`).")
    ],
    name: Annotated[
        str | None,
        typer.Option("--name", help="Full name of the focal point (required unless --remove)."),
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", help="Position in the unit, e.g. deputy chair.")
    ] = None,
    phone: Annotated[
        str | None,
        typer.Option("--phone", help="Phone number: 8-20 digits, spaces and + - ( )."),
    ] = None,
    email: Annotated[
        str | None, typer.Option("--email", help="E-mail address, e.g. name@example.org.")
    ] = None,
    remove: Annotated[
        bool,
        typer.Option("--remove", help="Record that the unit has no focal point any more."),
    ] = False,
) -> None:
    """Set (or with --remove, clear) a unit's focal point; the plan's focal-point figures
    are recomputed at once.

    The earlier focal point stays in the history. Example: `dxplan focal-points set UNIT
    --name "A. Person" --phone "+1 555 0100" --email a.person@example.org`.
    """
    entry, problems = focal.check(
        {"name": name, "title": title, "phone": phone, "email": email}, remove=remove
    )
    if problems:
        if "name" in problems and not (name or "").strip():
            problems["name"] = "give the focal point's name, or --remove"
        fail("; ".join(f"--{field}: {message}" for field, message in problems.items()))
    with open_workspace(ctx) as workspace:
        _ready(workspace)
        with workspace.writing() as conn:
            service = workspace.reporting(conn)
            if not focal.must_name(service.plan, service.organisation, unit):
                fail(f"{unit} is not a unit that names a focal point")
            recorded = focal.save(
                conn,
                service.plan,
                service.organisation,
                unit,
                entry,
                actor="cli",
                at=service.now(),
            )
    if recorded is None:
        typer.echo(f"{unit}: unchanged")
    elif recorded.named:
        typer.echo(f"{unit}: focal point {recorded.name}")
    else:
        typer.echo(f"{unit}: no focal point")
