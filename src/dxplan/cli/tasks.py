"""`dxplan tasks ...`: the plan's tasks and units' breakthrough tasks, and units' task lists.

The command line acts with the data folder owner's full rights (no signed-in user),
as `dxplan focal-points set` does; its writes are recorded as `cli` in the audit log.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from dxplan.cli.common import ExitCode, fail, open_workspace
from dxplan.exports.cells import SafeWriter
from dxplan.tasks.service import TaskError, Tasks
from dxplan.tasks.spreadsheet import TaskSheetError, build_template, read_template
from dxplan.workspace import Workspace

app = typer.Typer(
    help="Tasks: the plan's tasks (`tasks:` in the plan file), each unit's breakthrough "
    "task of the year and units' own detailed tasks, with their progress.",
    no_args_is_help=True,
)

COLUMNS = ("code", "title", "unit_code", "kind", "due", "status", "progress")


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"
    TABLE = "table"


def _ready(workspace: Workspace) -> None:
    if not workspace.initialised or workspace.plan() is None:
        fail("the store is empty: run `dxplan init` first", ExitCode.FAILED)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--as-of: {text!r} is not a date such as 2025-11-08")


@app.command("list")
def list_tasks(
    ctx: typer.Context,
    year: Annotated[
        int, typer.Option("--year", help="The plan's year, e.g. 2025.", min=1, max=9998)
    ],
    unit: Annotated[
        str | None,
        typer.Option("--unit", help="Only the tasks this unit leads or supports (its code)."),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Judge overdue tasks on this day, YYYY-MM-DD (default: DXPLAN_AS_OF, else today).",
        ),
    ] = None,
    format: Annotated[
        Format, typer.Option("--format", help="json, csv or table (for people).")
    ] = Format.TABLE,
) -> None:
    """List the year's tasks with their status (`overdue` once past due and not done) and
    progress in percent, by due date.

    JSON: an array of {code, title, unit_code, kind, due, status, progress}; CSV: the
    same columns.
    """
    day = _day(as_of) if as_of else None
    with open_workspace(ctx) as workspace:
        _ready(workspace)
        with workspace.engine.connect() as conn:
            try:
                views = Tasks.of(workspace, conn).list(None, year, unit, day)
            except TaskError as error:
                fail(f"--unit: {error}")
    rows = [v.contract_json() for v in views]
    if format is Format.JSON:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
    elif format is Format.CSV:
        writer = SafeWriter(sys.stdout)
        writer.writerow(COLUMNS)
        writer.writerows([[row[c] for c in COLUMNS] for row in rows])
    else:
        late = sum(1 for r in rows if r["status"] == "overdue")
        table = Table(title=f"{len(rows)} tasks in {year}, {late} overdue")
        for column in COLUMNS:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*[str(row[c]) for c in COLUMNS])
        Console().print(table)


@app.command("template")
def template(
    ctx: typer.Context,
    unit: Annotated[str, typer.Option("--unit", help="The unit's code.")],
    output: Annotated[
        Path, typer.Option("--output", help="The .xlsx file to write.", dir_okay=False)
    ],
    year: Annotated[
        int | None,
        typer.Option("--year", help="The plan's year (default: the current one).", min=1, max=9998),
    ] = None,
    language: Annotated[
        Literal["vi", "en", "bn"] | None,
        typer.Option("--language", help="vi, en or bn (default: the plan's first language)."),
    ] = None,
) -> None:
    """Write the Excel task list of a unit: the tasks it reports on, prefilled with their
    progress, and empty rows for its own detailed tasks. Fill it in, then `dxplan tasks
    import FILE.xlsx`."""
    with open_workspace(ctx) as workspace:
        _ready(workspace)
        with workspace.engine.connect() as conn:
            service = Tasks.of(workspace, conn)
            if unit not in service.organisation:
                fail(f"--unit: no unit is coded {unit!r}")
            chosen = year or service.plan.calendar.year_of(service.today).year
            lang = language or service.plan.language
            lines = service.template_lines(None, unit, chosen)
            name = service.organisation[unit].names.get(lang)
    content = build_template(unit, name, chosen, lines, lang)
    partial = output.with_name(output.name + ".partial")
    try:
        partial.write_bytes(content)
        partial.replace(output)
    except OSError as error:
        partial.unlink(missing_ok=True)
        fail(f"--output: cannot write {output}: {error.strerror}", ExitCode.FAILED)
    typer.echo(f"{output}: task list of {unit} for {chosen}, {len(lines)} tasks")


@app.command("import")
def import_list(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE.xlsx",
            help="A task list made by `dxplan tasks template`.",
            dir_okay=False,
        ),
    ],
) -> None:
    """Load a unit's filled-in task list: progress, status and note per task, and its new
    own tasks. Every bad cell is listed (sheet, row, column) and nothing is stored."""
    try:
        data = file.read_bytes()
    except OSError as error:
        fail(f"{file}: {error.strerror}")
    try:
        identity, rows = read_template(data)
    except TaskSheetError as error:
        _refuse(file, error)
    with open_workspace(ctx) as workspace:
        _ready(workspace)
        try:
            with workspace.writing() as conn:
                result = Tasks.of(workspace, conn).import_rows(None, identity, rows)
        except TaskSheetError as error:
            _refuse(file, error)
        except TaskError as error:
            fail(f"{file}: {error}; nothing was stored")
    typer.echo(
        f"{file}: {identity.unit} {identity.year}: {len(result.updated)} tasks updated, "
        f"{len(result.added)} added, {len(result.unchanged)} unchanged"
    )


def _refuse(file: Path, error: TaskSheetError) -> NoReturn:
    typer.echo(f"error: {file}: {error.message}", err=True)
    for cell in error.cells:
        typer.echo(str(cell), err=True)
    raise typer.Exit(int(ExitCode.BAD_INPUT))
