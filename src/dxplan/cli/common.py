"""What every command shares: settings from the context, errors, exit codes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum
from typing import NoReturn

import typer
from sqlalchemy.exc import DBAPIError, OperationalError

from dxplan.documents import DocumentError
from dxplan.settings import Settings
from dxplan.workspace import Workspace


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1  # the command could not do its work (e.g. the database is unreachable)
    BAD_INPUT = 2  # unusable input: nothing was stored


def settings(ctx: typer.Context) -> Settings:
    found = ctx.find_root().obj
    assert isinstance(found, Settings), "the root callback sets the settings"
    return found


@contextmanager
def open_workspace(ctx: typer.Context) -> Iterator[Workspace]:
    """The workspace of the current settings; an unreachable database exits 1, clearly."""
    workspace = Workspace(settings(ctx))
    try:
        yield workspace
    except OperationalError as error:
        fail(f"cannot reach the database: {str(error.orig).strip()}", ExitCode.FAILED)
    except DBAPIError as error:
        fail(f"the database refused: {str(error.orig).strip()}", ExitCode.FAILED)
    finally:
        workspace.close()


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
