"""`dxplan users ...`: accounts of the people who report, approve and read."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Connection

from dxplan.cli.common import ExitCode, fail, open_workspace
from dxplan.domain.account import Role, User
from dxplan.store import users as user_store
from dxplan.store.users import UserError

app = typer.Typer(
    help="Accounts: admins, coordinators, reporters (for their units) and viewers. "
    "Disabling an account, or changing its password or role, ends its sessions and "
    "revokes its tokens at once.",
    no_args_is_help=True,
)

UsernameArgument = Annotated[str, typer.Argument(help="The account's sign-in name.")]
PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from standard input (first line)."),
]
EmailOption = Annotated[
    str | None,
    typer.Option("--email", help="Where reminders go (dxplan notify), e.g. ten@cantho.gov.vn."),
]
LanguageOption = Annotated[
    str | None,
    typer.Option("--language", help="Language of reminders: vi, en or bn [default: the plan's]."),
]
UnitOption = Annotated[
    list[str] | None,
    typer.Option("--unit", help="A unit a reporter reports for (repeat for several)."),
]


def _read_password(password_stdin: bool) -> str:
    if not password_stdin:
        fail("give the password on standard input with --password-stdin")
    return sys.stdin.readline().rstrip("\r\n")


def _ended(username: str, what: str, ended: user_store.Ended) -> str:
    sessions = f"{ended.sessions} session{'s' if ended.sessions != 1 else ''}"
    tokens = f"{ended.tokens} token{'s' if ended.tokens != 1 else ''}"
    return f"user {username!r}: {what}; {sessions} ended, {tokens} revoked"


@app.command("add")
def add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Sign-in name, e.g. xa-phong-dien.")],
    role: Annotated[
        Role,
        typer.Option("--role", help="admin, coordinator (approves, sees all), reporter or viewer."),
    ],
    unit: UnitOption = None,
    name: Annotated[str | None, typer.Option("--name", help="Full name shown on pages.")] = None,
    email: EmailOption = None,
    language: LanguageOption = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Create an account. The password is read from standard input, never from arguments.

    Example: `echo "$PASSWORD" | dxplan users add phuong-an-binh --role reporter --unit 31150
    --password-stdin`.
    """
    password = _read_password(password_stdin)
    with open_workspace(ctx) as workspace:
        if not workspace.initialised:
            fail("the store is empty: run `dxplan init` first", ExitCode.FAILED)
        organisation = workspace.organisation()
        known = {u.code for u in organisation} if organisation is not None else None
        try:
            with workspace.writing() as conn:
                user = user_store.add(
                    conn,
                    username,
                    role=role,
                    password=password,
                    units=list(unit or []),
                    actor="cli",
                    display_name=name,
                    known_units=known,
                    email=email,
                    language=language,
                )
        except UserError as error:
            fail(str(error))
    units = f" for {', '.join(user.units)}" if user.units else ""
    typer.echo(f"user {user.username!r} added: {user.role.value}{units}")


@app.command("contact")
def contact(
    ctx: typer.Context,
    username: UsernameArgument,
    email: EmailOption = None,
    language: LanguageOption = None,
    no_email: Annotated[
        bool, typer.Option("--no-email", help="Remove the account's e-mail address.")
    ] = False,
) -> None:
    """Set an account's e-mail address and language for reminders (dxplan notify).

    Example: `dxplan users contact skhcn --email vanthu@skhcn.cantho.gov.vn --language vi`.
    """
    if no_email and email is not None:
        fail("give --email or --no-email, not both")
    changes: dict[str, str | None] = {}
    if email is not None or no_email:
        changes["email"] = email
    if language is not None:
        changes["language"] = language
    if not changes:
        fail("give --email ADDRESS, --no-email or --language LANG")
    with open_workspace(ctx) as workspace:
        try:
            with workspace.writing() as conn:
                user = user_store.set_contact(conn, username, actor="cli", **changes)
        except UserError as error:
            fail(str(error))
    language_text = user.language or "the plan's"
    typer.echo(f"user {username!r}: e-mail {user.email or '(none)'}, language {language_text}")


@app.command("list")
def list_users(ctx: typer.Context) -> None:
    """List accounts: user name, name, role, units, state."""
    with open_workspace(ctx) as workspace:
        if not workspace.initialised:
            fail("the store is empty: run `dxplan init` first", ExitCode.FAILED)
        with workspace.engine.connect() as conn:
            found = user_store.list_all(conn)
    table = Table(title=f"{len(found)} users")
    for column in ("user name", "name", "role", "units", "e-mail", "state"):
        table.add_column(column, overflow="fold")
    for u in found:
        state = "active" if u.active else "disabled"
        table.add_row(
            u.username, u.display_name, u.role.value, ", ".join(u.units), u.email or "", state
        )
    Console().print(table)


@app.command("disable")
def disable(ctx: typer.Context, username: UsernameArgument) -> None:
    """Disable an account: it can no longer sign in, its sessions end, its tokens are revoked."""
    with open_workspace(ctx) as workspace:
        try:
            with workspace.writing() as conn:
                ended = user_store.end_access(conn, _existing(conn, username), actor="cli")
                user_store.set_active(conn, username, False, actor="cli")
        except UserError as error:
            fail(str(error))
    typer.echo(_ended(username, "disabled", ended))


@app.command("enable")
def enable(ctx: typer.Context, username: UsernameArgument) -> None:
    """Enable a disabled account: it may sign in again (its revoked tokens stay revoked)."""
    with open_workspace(ctx) as workspace:
        try:
            with workspace.writing() as conn:
                user_store.set_active(conn, username, True, actor="cli")
        except UserError as error:
            fail(str(error))
    typer.echo(f"user {username!r} enabled")


@app.command("password")
def password(
    ctx: typer.Context, username: UsernameArgument, password_stdin: PasswordStdin = False
) -> None:
    """Set a new password, read from standard input; the account's sessions and tokens end.

    Example: `echo "$PASSWORD" | dxplan users password phuong-an-binh --password-stdin`.
    """
    new = _read_password(password_stdin)
    with open_workspace(ctx) as workspace:
        try:
            with workspace.writing() as conn:
                ended = user_store.set_password(conn, username, new, actor="cli")
        except UserError as error:
            fail(str(error))
    typer.echo(_ended(username, "password changed", ended))


@app.command("role")
def role(
    ctx: typer.Context,
    username: UsernameArgument,
    new_role: Annotated[
        Role,
        typer.Option("--role", help="admin, coordinator (approves, sees all), reporter or viewer."),
    ],
    unit: UnitOption = None,
) -> None:
    """Change an account's role and units (they replace the old ones); its sessions and
    tokens end.

    Example: `dxplan users role phuong-an-binh --role reporter --unit 31150 --unit 31153`.
    """
    with open_workspace(ctx) as workspace:
        organisation = workspace.organisation()
        known = {u.code for u in organisation} if organisation is not None else None
        try:
            with workspace.writing() as conn:
                ended = user_store.set_role(
                    conn, username, new_role, units=list(unit or []), actor="cli", known_units=known
                )
        except UserError as error:
            fail(str(error))
    units = f" for {', '.join(sorted(set(unit or [])))}" if unit else ""
    typer.echo(_ended(username, f"now {new_role.value}{units}", ended))


def _existing(conn: Connection, username: str) -> User:
    found = user_store.get(conn, username)
    if found is None:
        raise UserError(f"no user is named {username!r}")
    return found
