"""`dxplan national queue|send|status`: the feed to the national reporting system.

The operator's commands (docs/decisions/0008): no policy check. Exit codes: 0 done,
1 the store is unusable, 2 bad input or settings, 4 packets remain in the outbox.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

from dxplan.cli.common import ExitCode, fail, open_workspace, report_document_error
from dxplan.documents import DocumentError
from dxplan.domain.period import Calendar, Period
from dxplan.national import outbox
from dxplan.national.queueing import queue_period

app = typer.Typer(
    help="The feed to the national reporting information system: queue, send, status.",
    no_args_is_help=True,
)

REMAINING = 4  # exit code of `send` when packets remain in the outbox


class StatusFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def _period(text: str, calendar: Calendar) -> Period:
    try:
        return calendar.parse(text)
    except ValueError as error:
        fail(f"--period: {error}")


@app.command("queue")
def queue_command(
    ctx: typer.Context,
    period: Annotated[
        str, typer.Option("--period", help="2025, 2025S1, 2025Q3 or 2025-07.", show_default=False)
    ],
) -> None:
    """Put the packets of PERIOD in the outbox: the KPI catalogue if it changed since it
    was last queued, then the KPI data packets whose content changed.

    Only non-confidential figures of `dxplan indicators export` are queued.
    """
    with open_workspace(ctx) as workspace:
        plan = workspace.plan() if workspace.initialised else None
        if plan is None:
            fail("the store holds no plan yet: run `dxplan init` first", ExitCode.FAILED)
        wanted = _period(period, plan.calendar)
        try:
            report = queue_period(workspace, plan, wanted)
        except DocumentError as error:
            report_document_error(error)
    done = report.queued
    typer.echo(
        f"{wanted}: {done.added} packet(s) queued, {done.unchanged} unchanged, "
        f"{done.requeued} failed packet(s) queued again; "
        f"{report.items} figure(s) in {report.data_packets} data packet(s)"
    )
    if report.items == 0:
        typer.echo(
            f"note: the store has no non-confidential figures for {wanted}: no data packet",
            err=True,
        )


@app.command("send")
def send_command(ctx: typer.Context) -> None:
    """Deliver the outbox to DXPLAN_NATIONAL_URL.

    Exits 0 when every packet is delivered, 4 when packets remain (queued after the
    retries, or refused by the receiver: see `dxplan national status`).
    """
    from dxplan.national.delivery import NotConfigured, deliver  # httpx only when sending

    with open_workspace(ctx) as workspace:
        if not workspace.initialised:
            fail("the store is empty: run `dxplan init` first", ExitCode.FAILED)
        try:
            done = deliver(workspace, progress=lambda line: typer.echo(line, err=True))
        except NotConfigured as error:
            fail(str(error))
        except DocumentError as error:
            report_document_error(error)
        with workspace.engine.connect() as conn:
            left = outbox.counts(conn)
    typer.echo(
        f"{done.sent} sent, {done.failed} refused in {done.requests} request(s); "
        f"outbox: {left['queued']} queued, {left['failed']} failed"
    )
    if left["queued"] or left["failed"]:
        raise typer.Exit(REMAINING)


@app.command("status")
def status_command(
    ctx: typer.Context,
    output: Annotated[
        StatusFormat, typer.Option("--format", help="text for people, json for programs.")
    ] = StatusFormat.TEXT,
    period: Annotated[
        str | None, typer.Option("--period", help="Only the packets of this period.")
    ] = None,
) -> None:
    """List the packets of the outbox, oldest first, with their state and attempts."""
    with open_workspace(ctx) as workspace:
        if not workspace.initialised:
            fail("the store is empty: run `dxplan init` first", ExitCode.FAILED)
        only = str(_period(period, workspace.calendar())) if period is not None else None
        with workspace.engine.connect() as conn:
            packets = outbox.listing(conn, only)
    if output is StatusFormat.JSON:
        typer.echo(json.dumps(packets, ensure_ascii=False, indent=2))
        return
    for p in packets:
        error = f"  {p['last_error']}" if p["last_error"] else ""
        typer.echo(
            f"{p['message_id']}  {p['kind']:<11}  {p['period']:<7}  {p['state']:<6}  "
            f"{p['attempts']}{error}"
        )
    typer.echo(f"{len(packets)} packet(s)")
