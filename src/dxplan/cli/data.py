"""`dxplan import ...` and `dxplan compute`: operational data in, figures out."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from enum import IntEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from dxplan.cli.common import ExitCode, fail, open_workspace
from dxplan.ingest.errors import ErrorReport, UnusableInput
from dxplan.ingest.service import ImportResult, NotInitialised, compute, import_files
from dxplan.operational import StoreBusy

app = typer.Typer(
    help="Import the procedure catalog and dossier records (CSV, Parquet, JSON Lines, XLSX).",
    no_args_is_help=True,
)


class ImportExit(IntEnum):
    ALL_STORED = 0
    UNUSABLE = 2  # nothing stored
    SOME_REJECTED = 3  # the rest stored


ErrorsOption = Annotated[
    Path | None,
    typer.Option(
        "--errors",
        help="Write the full error report (CSV) to this file.",
        dir_okay=False,
        writable=True,
    ),
]
SHOWN_ERRORS = 20


def _summary(result: ImportResult, errors_file: Path | None) -> None:
    report: ErrorReport = result.report
    typer.echo(
        f"{result.feed}: {result.rows:,} rows read from {result.files} file(s), "
        f"{result.rows - result.rejected:,} valid, {result.rejected:,} rejected; "
        f"{result.stored:,} changed the store"
    )
    if result.catalog_changes is not None:
        added, removed, changed = result.catalog_changes
        typer.echo(f"catalog: {added:,} added, {removed:,} removed, {changed:,} changed")
        if result.rejected:
            typer.echo(
                "warning: rejected rows are not in the new catalog; fix them and import the "
                "whole catalog again",
                err=True,
            )
    if result.values_written or result.stored:
        how = f"{result.mode}, {result.cells:,} cells" if result.mode != "roll-up" else "roll-up"
        typer.echo(f"figures: {result.values_written} values updated ({how})")
    if report.counts:
        typer.echo(
            "problems by kind: "
            + ", ".join(f"{code} {count}" for code, count in report.counts.most_common()),
            err=True,
        )
        for error in sorted(report.errors, key=lambda e: (e.file, e.row))[:SHOWN_ERRORS]:
            kind = "warning" if error.warning else "error"
            typer.echo(
                f"  {error.file}:{error.row}: {kind} [{error.code}] {error.message}",
                err=True,
            )
        hidden = sum(report.counts.values()) - min(len(report.errors), SHOWN_ERRORS)
        if hidden > 0 and errors_file is None:
            typer.echo(f"  ... and {hidden} more: use --errors FILE for the full report", err=True)
    if errors_file is not None:
        typer.echo(f"error report: {errors_file}", err=True)


def _run(ctx: typer.Context, feed: str, files: list[Path], errors_file: Path | None) -> None:
    with (
        ExitStack() as stack,
        open_workspace(ctx) as workspace,
        Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:,} rows"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
            disable=not sys.stderr.isatty(),  # a bar on a terminal, silence in scripts
        ) as bar,
    ):
        task = bar.add_task(f"importing {feed}", total=None)
        sink = None
        if errors_file is not None:
            sink = stack.enter_context(errors_file.open("w", encoding="utf-8", newline=""))
        try:
            result = import_files(
                workspace,
                feed,
                files,
                progress=lambda n: bar.advance(task, n),
                report=ErrorReport(sink),
            )
        except UnusableInput as error:
            fail(f"{error.file}: {error.message}; nothing was stored", ExitCode.BAD_INPUT)
        except NotInitialised as error:
            fail(str(error), ExitCode.FAILED)
        except StoreBusy as error:
            fail(f"{error}; try again when it has finished", ExitCode.FAILED)
    _summary(result, errors_file)
    if result.rejected:
        raise typer.Exit(int(ImportExit.SOME_REJECTED))


FileArgument = Annotated[
    Path, typer.Argument(help="Catalog file: .csv, .parquet, .jsonl or .xlsx.", metavar="FILE")
]
FilesArgument = Annotated[
    list[Path],
    typer.Argument(
        help="Dossier files: .csv, .parquet or .jsonl (several allowed).", metavar="FILE..."
    ),
]


@app.command("procedures")
def import_procedures(ctx: typer.Context, file: FileArgument, errors: ErrorsOption = None) -> None:
    """Import the procedure catalog: it replaces the catalog (earlier versions are kept).

    Exit 0: every row stored; 3: some rows rejected (see the report), the rest stored;
    2: the file is unusable (no header, a missing column, not UTF-8, damaged), nothing
    stored. Importing the same catalog again changes nothing.
    """
    _run(ctx, "procedures", [file], errors)


@app.command("dossiers")
def import_dossiers(ctx: typer.Context, files: FilesArgument, errors: ErrorsOption = None) -> None:
    """Import dossier records; newer versions of a dossier replace older ones.

    All files are checked before anything is stored, then stored together and the
    figures of the (unit, month) cells they touch are recomputed. Exit 0: every row
    stored; 3: some rows rejected, the rest stored; 2: a file is unusable, nothing
    stored. Importing the same file twice changes nothing.
    """
    _run(ctx, "dossiers", files, errors)


def compute_command(
    ctx: typer.Context,
    full: Annotated[
        bool, typer.Option("--full", help="Recompute every cell from the dossiers.")
    ] = False,
) -> None:
    """Recompute the figures from the operational store and the reports into the value store.

    Imports and approvals already recompute what they touch; run this daily (reports
    become expected, or late, as their due dates pass, and the on-time figures move),
    after changing the plan or the units, or with --full to rebuild every cell from the
    stored dossiers.
    """
    with open_workspace(ctx) as workspace:
        try:
            result = compute(workspace, full=full)
        except NotInitialised as error:
            fail(str(error), ExitCode.FAILED)
        except StoreBusy as error:
            fail(f"{error}; try again when it has finished", ExitCode.FAILED)
        with workspace.writing() as conn:
            reported = workspace.reporting(conn).refresh()
    how = f"full, {result.cells:,} cells" if result.mode == "full" else "roll-up of the stored base"
    typer.echo(f"figures: {result.values_written} values updated ({how})")
    typer.echo(f"reports and focal points: {reported} values updated")
