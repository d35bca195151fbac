"""`dxplan init`: create or upgrade the store and load the organisation and the plan."""

from __future__ import annotations

import typer

from dxplan.cli.common import open_workspace, report_document_error
from dxplan.documents import DocumentError
from dxplan.workspace import InitReport


def initialise(ctx: typer.Context) -> InitReport:
    """Initialise the workspace of the current settings, or exit with the reason."""
    with open_workspace(ctx) as workspace:
        try:
            return workspace.initialise(actor="cli")
        except DocumentError as error:
            report_document_error(error)


def init(ctx: typer.Context) -> None:
    """Create or upgrade the store, then load the units and the plan file.

    Safe to run again: migrations already applied are skipped, unchanged units and an
    unchanged plan are left alone, a changed plan file becomes a new plan version.
    Files are checked before anything is written; a bad file changes nothing.

    The store is SQLite in the data folder unless DXPLAN_DATABASE_URL names another
    database (e.g. postgresql+psycopg://user@host/dxplan). DXPLAN_PLAN_FILE and
    DXPLAN_AGENCIES_FILE choose other plan and agency files.
    """
    report = initialise(ctx)
    sync = report.units
    typer.echo(f"store:  {report.database}")
    typer.echo(f"plan:   {report.plan_code} version {report.plan_version}")
    typer.echo(
        f"units:  {sync.added} added, {sync.changed} changed, "
        f"{sync.deactivated} deactivated, {sync.unchanged} unchanged"
    )
