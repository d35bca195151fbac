"""`dxplan tokens ...`: API tokens for source systems."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from dxplan.cli.common import ExitCode, fail, open_workspace
from dxplan.receiving.senders import check_sender
from dxplan.store import tokens as token_store
from dxplan.store import users as user_store
from dxplan.store.tokens import Scope, TokenError

app = typer.Typer(
    help="API tokens that let a source system (the one-stop system...) send data.",
    no_args_is_help=True,
)


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="Who uses it, e.g. one-stop.")],
    scope: Annotated[
        list[Scope] | None,
        typer.Option(
            "--scope",
            help="What it may do: dossiers:write, procedures:write or packets:write; "
            "repeat for several.",
            metavar="SCOPE",
        ),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option("--user", help="A personal token: acts with this user's role and units."),
    ] = None,
    sender: Annotated[
        str | None,
        typer.Option(
            "--sender",
            help="With packets:write: the province code its packets carry (a province "
            "of the organisation, e.g. 92).",
        ),
    ] = None,
) -> None:
    """Create a token and print it once: store it in the source system, dxplan keeps a hash.

    Requests send it as `Authorization: Bearer <token>`. Scopes: dossiers:write
    (POST /api/dossiers), procedures:write (POST /api/procedures), packets:write (POST
    /packets of a national dxplan, with --sender the province's code). With --user, the
    token acts as that person on the reporting API (/api/submissions/...).
    """
    with open_workspace(ctx) as workspace:
        if not workspace.initialised:
            fail("the store is empty: run `dxplan init` first", ExitCode.FAILED)
        try:
            with workspace.writing() as conn:
                user_id = None
                if user is not None:
                    person = user_store.get(conn, user)
                    if person is None or not person.active:
                        raise TokenError(f"no active user is named {user!r}")
                    user_id = person.id
                if sender is not None:
                    organisation = workspace.organisation(conn)
                    assert organisation is not None
                    check_sender(organisation, sender)
                secret, token = token_store.create(
                    conn, name, list(scope or []), actor="cli", user_id=user_id, sender=sender
                )
        except TokenError as error:
            fail(str(error))
    typer.echo(secret)
    rights = ", ".join(token.scopes) or "no scopes"
    acting = f", acting as {user}" if user else ""
    acting += f", sending as {sender}" if sender else ""
    typer.echo(f"token {token.name!r} ({rights}{acting}) created; it is shown only now.", err=True)


@app.command("list")
def list_tokens(ctx: typer.Context) -> None:
    """List tokens (never their secrets): name, start, scopes, created, last used, state."""
    with open_workspace(ctx) as workspace:
        if not workspace.initialised:
            fail("the store is empty: run `dxplan init` first", ExitCode.FAILED)
        with workspace.engine.connect() as conn:
            found = token_store.list_all(conn)
        zone = workspace.calendar().zone
    table = Table(title=f"{len(found)} tokens (times in {zone.key})")
    for column in ("name", "starts with", "scopes", "created", "last used", "state"):
        table.add_column(column, overflow="fold")
    for t in found:
        table.add_row(
            t.name,
            t.prefix + "…",
            ", ".join(t.scopes),
            _local(t.created_at, zone),
            _local(t.last_used_at, zone),
            "active" if t.active else f"revoked {_local(t.revoked_at, zone)}",
        )
    Console().print(table)


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    return "" if moment is None else moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


@app.command("revoke")
def revoke(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The token's name.")]
) -> None:
    """Revoke a token at once: requests with it are refused (401) from now on."""
    with open_workspace(ctx) as workspace:
        if not workspace.initialised:
            fail("the store is empty: run `dxplan init` first", ExitCode.FAILED)
        try:
            with workspace.writing() as conn:
                count = token_store.revoke(conn, name, actor="cli")
        except TokenError as error:
            fail(str(error))
    typer.echo(f"revoked {count} token{'s' if count > 1 else ''} named {name!r}")
