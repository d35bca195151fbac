"""`dxplan backup FILE` and `dxplan restore FILE`: one archive of the store and its files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import DBAPIError

from dxplan.backup import BackupError, Summary, backup, restore
from dxplan.backup.archive import StoreEmpty
from dxplan.cli.common import ExitCode, fail, settings
from dxplan.settings import Settings

ArchiveArgument = Annotated[
    Path, typer.Argument(help="The archive (a .tar.gz file).", metavar="FILE", dir_okay=False)
]


def _run(action: Callable[[Settings, Path], Summary], ctx: typer.Context, file: Path) -> Summary:
    try:
        return action(settings(ctx), file)
    except StoreEmpty as error:
        fail(str(error), ExitCode.FAILED)
    except BackupError as error:
        fail(str(error), ExitCode.BAD_INPUT)
    except DBAPIError as error:
        fail(f"the database refused: {str(error.orig).strip()}", ExitCode.FAILED)


def _describe(summary: Summary) -> None:
    rows = ", ".join(f"{name} {count:,}" for name, count in summary.counts.items() if count)
    typer.echo(f"store:       schema {summary.alembic_revision}; rows: {rows}")
    if summary.operational_version:
        state = "figures in step" if summary.operational_synced else "run `dxplan compute`"
        typer.echo(f"operational: snapshot {summary.operational_version} ({state})")


def backup_command(ctx: typer.Context, file: ArchiveArgument) -> None:
    """Write a consistent backup of the store and the operational files to FILE.

    Safe while the server serves and while an import runs: the store is read at one
    instant and the operational store's current snapshot is copied whole. FILE must
    not exist yet. Restore it with `dxplan restore FILE` into an empty data folder.
    """
    summary = _run(backup, ctx, file)
    typer.echo(f"backup:      {file}")
    _describe(summary)


def restore_command(ctx: typer.Context, file: ArchiveArgument) -> None:
    """Restore a backup into an empty data folder (and an empty database, if one is set).

    Every member of FILE is checked against the archive's checksums first: a damaged
    archive, a non-empty target or a backup of a newer dxplan is refused, and nothing
    is changed. A backup of SQLite restores into PostgreSQL and the other way round.
    """
    summary = _run(restore, ctx, file)
    typer.echo(f"restored:    {file} into {settings(ctx).database_display}")
    _describe(summary)
