"""`dxplan users ...`: accounts of the people who report, approve and read."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dxplan.cli.common import ExitCode, fail, open_workspace
from dxplan.domain.account import Role
from dxplan.store import users as user_store
from dxplan.store.users import UserError

app = typer.Typer(
    help="Accounts: admins, coordinators, reporters (for their units) and viewers.",
    no_args_is_help=True,
)


@app.command("add")
def add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Sign-in name, e.g. xa-phong-dien.")],
    role: Annotated[
        Role,
        typer.Option("--role", help="admin, coordinator (approves, sees all), reporter or viewer."),
    ],
    unit: Annotated[
        list[str] | None,
        typer.Option("--unit", help="A unit a reporter reports for (repeat for several)."),
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Full name shown on pages.")] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the password from standard input (first line)."
        ),
    ] = False,
) -> None:
    """Create an account. The password is read from standard input, never from arguments.

    Example: `echo "$PASSWORD" | dxplan users add phuong-an-binh --role reporter --unit 31150
    --password-stdin`.
    """
    if not password_stdin:
        fail("give the password on standard input with --password-stdin")
    password = sys.stdin.readline().rstrip("\r\n")
    with open_workspace(ctx) as workspace:
        if not workspace.initialised:
            fail("the store is empty: run `dxplan init` first", ExitCode.FAILED)
        organisation = workspace.organisation()
        known = {u.code for u in organisation} if organisation is not None else None
        try:
            with workspace.engine.begin() as conn:
                user = user_store.add(
                    conn,
                    username,
                    role=role,
                    password=password,
                    units=list(unit or []),
                    actor="cli",
                    display_name=name,
                    known_units=known,
                )
        except UserError as error:
            fail(str(error))
    units = f" for {', '.join(user.units)}" if user.units else ""
    typer.echo(f"user {user.username!r} added: {user.role.value}{units}")


@app.command("list")
def list_users(ctx: typer.Context) -> None:
    """List accounts: user name, name, role, units, state."""
    with open_workspace(ctx) as workspace:
        if not workspace.initialised:
            fail("the store is empty: run `dxplan init` first", ExitCode.FAILED)
        with workspace.engine.connect() as conn:
            found = user_store.list_all(conn)
    table = Table(title=f"{len(found)} users")
    for column in ("user name", "name", "role", "units", "state"):
        table.add_column(column, overflow="fold")
    for u in found:
        state = "active" if u.active else "disabled"
        table.add_row(u.username, u.display_name, u.role.value, ", ".join(u.units), state)
    Console().print(table)


@app.command("disable")
def disable(
    ctx: typer.Context, username: Annotated[str, typer.Argument(help="The account to disable.")]
) -> None:
    """Disable an account: it can no longer sign in, its sessions and tokens stop working."""
    with open_workspace(ctx) as workspace:
        try:
            with workspace.engine.begin() as conn:
                user_store.set_active(conn, username, False, actor="cli")
        except UserError as error:
            fail(str(error))
    typer.echo(f"user {username!r} disabled")
