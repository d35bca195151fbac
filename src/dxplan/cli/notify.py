"""`dxplan notify`: the day's digests to focal points, reporters, coordinators and leaders.

Run it daily (cron), like `dxplan compute`. Exit codes: 0 every digest delivered,
1 the store is unusable, 2 bad input or settings, 4 digests remain undelivered.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer
from sqlalchemy import Connection

from dxplan.cli.common import ExitCode, fail, open_workspace
from dxplan.domain.account import email_address
from dxplan.notify import digest
from dxplan.notify.channels import Channel, Email, Webhook, configured
from dxplan.notify.gather import user_key
from dxplan.notify.service import Notifier
from dxplan.store import focal_points as focal_store
from dxplan.store import notifications as notify_store
from dxplan.store import users as user_store

REMAINING = 4  # exit code when digests remain undelivered (as `dxplan national send`)

app = typer.Typer(
    help="Reminders and notifications: each day's digest of what a unit owes, by e-mail "
    "(DXPLAN_SMTP_URL) and webhook (DXPLAN_WEBHOOK_URL), each item told once.",
    invoke_without_command=True,
)

WhoArgument = Annotated[
    str,
    typer.Argument(
        help="An e-mail address, a user name, or a unit code (its focal point).",
        show_default=False,
    ),
]
KindOption = Annotated[
    str,
    typer.Option(
        "--kind",
        help=f"What: all, or one of {', '.join(digest.KINDS)}.",
    ),
]


@app.callback()
def notify_command(
    ctx: typer.Context,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Print who would get what; send and store nothing."),
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="The day to judge from (YYYY-MM-DD); default DXPLAN_AS_OF, else today.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Send the digests due: to each unit's focal point and reporters what the unit owes,
    to coordinators the whole city's, to subscribers the weekly city summary.

    At most one digest a day per person and channel, only when there is something to
    tell, and an item already told is never told again. Undelivered digests (the mail
    server down) stay pending: the command exits 4 and the next run sends them.
    """
    if ctx.invoked_subcommand is not None:
        return
    day = _day(as_of)
    with open_workspace(ctx) as workspace:
        if not workspace.initialised:
            fail("the store is empty: run `dxplan init` first", ExitCode.FAILED)
        channels = configured(workspace.settings)
        if not channels and not dry_run:
            fail(
                "no channel is configured: set DXPLAN_SMTP_URL (and DXPLAN_MAIL_FROM) or "
                "DXPLAN_WEBHOOK_URL and DXPLAN_WEBHOOK_SECRET"
            )
        if dry_run:
            _dry_run(Notifier(workspace, channels or _all_channels(), as_of=day))
            return
        outcome = Notifier(workspace, channels, as_of=day).run(
            progress=lambda line: typer.echo(line, err=True)
        )
    for failure in outcome.failed:
        typer.echo(f"error: not delivered to {failure}", err=True)
    typer.echo(
        f"{outcome.composed} digest(s) composed, {outcome.sent} sent, {outcome.pending} pending"
    )
    if outcome.pending:
        typer.echo(
            "the pending digests are kept: run `dxplan notify` again once the server "
            "answers (`dxplan notify status` lists them)",
            err=True,
        )
        raise typer.Exit(REMAINING)


def _all_channels() -> list[Channel]:
    """Every channel, for a dry run before any is configured: who would get what."""
    return [Email("smtp://localhost", "dxplan@localhost", 1.0), Webhook("", b"", 1.0)]


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--as-of: {text!r} is not a day such as 2025-11-08")


def _dry_run(notifier: Notifier) -> None:
    planned = notifier.preview()
    for p in planned:
        person = p.recipient
        typer.echo(
            f"{person.key} ({person.name}) by {p.channel} in {person.language}: "
            f"{len(p.items)} item(s)"
        )
        for item in p.items:
            typer.echo(f"  {item.key}")
    waiting = notifier.undelivered()
    for stored in waiting:
        typer.echo(
            f"{stored.recipient} by {stored.channel}: a {stored.state} digest of {stored.day}"
        )
    typer.echo(
        f"dry run: {len(planned)} digest(s) would be composed, {len(waiting)} waiting; "
        "nothing was sent or stored"
    )


def _who(conn: Connection, who: str) -> str:
    """The recipient key of an address, a user name or a unit's focal point."""
    if "@" in who:
        try:
            return email_address(who).lower()
        except ValueError as error:
            fail(str(error))
    user = user_store.get(conn, who)
    if user is not None:
        return user_key(user.username, user.email)
    focal = focal_store.current(conn).get(who)
    if focal is not None and focal.named:
        return focal.email.lower() if focal.email else f"focal:{who}"
    fail(f"{who!r} is neither an e-mail address, nor a user, nor a unit with a focal point")


def _kind(kind: str) -> str:
    if kind != digest.ALL and kind not in digest.KINDS:
        fail(f"--kind: {kind!r} is not all nor one of {', '.join(digest.KINDS)}")
    return kind


@app.command("opt-out")
def opt_out(ctx: typer.Context, who: WhoArgument, kind: KindOption = digest.ALL) -> None:
    """Stop sending WHO digests of a kind (all by default)."""
    _set(ctx, who, _kind(kind), digest.OUT, "opted out of")


@app.command("opt-in")
def opt_in(ctx: typer.Context, who: WhoArgument, kind: KindOption = digest.ALL) -> None:
    """Undo an opt-out, or subscribe WHO to a kind sent on request (city_summary)."""
    chosen = _kind(kind)
    on_request = chosen in digest.KINDS and digest.KINDS[chosen].on_request
    _set(ctx, who, chosen, digest.IN if on_request else None, "opted in to")


def _set(ctx: typer.Context, who: str, kind: str, choice: str | None, done: str) -> None:
    with open_workspace(ctx) as workspace:
        if not workspace.initialised:
            fail("the store is empty: run `dxplan init` first", ExitCode.FAILED)
        with workspace.writing() as conn:
            key = _who(conn, who)
            notify_store.set_preference(conn, key, kind, choice, actor="cli")
    typer.echo(f"{key}: {done} {kind}")


@app.command("status")
def status_command(ctx: typer.Context) -> None:
    """List the digests, newest first, as JSON: recipient, channel, day, state, items."""
    with open_workspace(ctx) as workspace:
        if not workspace.initialised:
            fail("the store is empty: run `dxplan init` first", ExitCode.FAILED)
        with workspace.engine.connect() as conn:
            found = notify_store.listing(conn)
    typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
