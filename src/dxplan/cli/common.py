"""What every command shares: settings from the context, errors, exit codes."""

from __future__ import annotations

from enum import IntEnum
from typing import NoReturn

import typer

from dxplan.documents import DocumentError
from dxplan.settings import Settings


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1  # the command could not do its work (e.g. the database is unreachable)
    BAD_INPUT = 2  # unusable input: nothing was stored


def settings(ctx: typer.Context) -> Settings:
    found = ctx.find_root().obj
    assert isinstance(found, Settings), "the root callback sets the settings"
    return found


def fail(message: str, code: ExitCode = ExitCode.BAD_INPUT) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(int(code))


def report_document_error(error: DocumentError) -> NoReturn:
    """Print every problem as `file:line:column: message` and exit 2."""
    for problem in error.problems:
        typer.echo(str(problem), err=True)
    count = len(error.problems)
    typer.echo(f"{count} problem{'s' if count != 1 else ''}; nothing was stored.", err=True)
    raise typer.Exit(int(ExitCode.BAD_INPUT))
