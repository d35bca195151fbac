"""Accounts: people with a role and, for reporters, the units they report for.

Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106's second
recommended profile); sign-in failures are counted per user name to slow guessing.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, func, insert, select, update

from dxplan.domain.account import Role, User
from dxplan.store import audit
from dxplan.store.tables import sign_in_failures, user_units, users

USERNAME: Final = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD: Final = 10
MAX_FAILURES: Final = 5  # failed sign-ins of one user name ...
FAILURE_WINDOW: Final = timedelta(minutes=15)  # ... within this window lock it for the window

_hasher = PasswordHasher()
# verified against when the user name is unknown, so both cases take the same time
_DUMMY_HASH: Final = _hasher.hash("an unknown user has no password")


class UserError(ValueError):
    """An account that cannot be created or changed as asked (the message says why)."""


def _load_units(conn: Connection, user_id: int) -> tuple[str, ...]:
    rows = conn.execute(
        select(user_units.c.unit_code)
        .where(user_units.c.user_id == user_id)
        .order_by(user_units.c.unit_code)
    )
    return tuple(r.unit_code for r in rows)


def _from_row(conn: Connection, row: object) -> User:
    m = row._mapping  # type: ignore[attr-defined]
    return User(
        id=m["id"],
        username=m["username"],
        display_name=m["display_name"],
        role=Role(m["role"]),
        units=_load_units(conn, m["id"]),
        active=m["active"],
    )


def add(
    conn: Connection,
    username: str,
    *,
    role: Role,
    password: str,
    units: list[str],
    actor: str,
    display_name: str | None = None,
    known_units: set[str] | None = None,
) -> User:
    """Create an account. A reporter needs at least one unit; others have none."""
    if not USERNAME.match(username):
        raise UserError(
            f"user name {username!r}: use 2-64 lowercase letters, digits, '.', '_' or '-'"
        )
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password needs at least {MIN_PASSWORD} characters")
    if role is Role.REPORTER and not units:
        raise UserError("a reporter needs at least one --unit")
    if role is not Role.REPORTER and units:
        raise UserError(f"a {role.value} acts city-wide: give --unit only to reporters")
    unknown = sorted(set(units) - known_units) if known_units is not None else []
    if unknown:
        raise UserError(f"unknown unit(s): {', '.join(unknown)}")
    if get(conn, username) is not None:
        raise UserError(f"user {username!r} already exists")
    inserted = conn.execute(
        insert(users).values(
            username=username,
            display_name=display_name or username,
            role=role.value,
            password_hash=_hasher.hash(password),
            active=True,
            created_at=datetime.now(UTC),
            created_by=actor,
        )
    ).inserted_primary_key
    assert inserted is not None
    user_id = int(inserted[0])
    if units:
        conn.execute(
            insert(user_units), [{"user_id": user_id, "unit_code": u} for u in sorted(set(units))]
        )
    audit.append(
        conn,
        actor=actor,
        action="user.add",
        entity="user",
        key=username,
        after={"role": role.value, "units": sorted(set(units)), "active": True},
    )
    user = get(conn, username)
    assert user is not None
    return user


def get(conn: Connection, username: str) -> User | None:
    row = conn.execute(select(users).where(users.c.username == username)).first()
    return None if row is None else _from_row(conn, row)


def by_id(conn: Connection, user_id: int) -> User | None:
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    return None if row is None else _from_row(conn, row)


def list_all(conn: Connection) -> list[User]:
    return [_from_row(conn, r) for r in conn.execute(select(users).order_by(users.c.username))]


def set_active(conn: Connection, username: str, active: bool, *, actor: str) -> User:
    user = get(conn, username)
    if user is None:
        raise UserError(f"no user is named {username!r}")
    if user.active != active:
        conn.execute(update(users).where(users.c.id == user.id).values(active=active))
        audit.append(
            conn,
            actor=actor,
            action="user.enable" if active else "user.disable",
            entity="user",
            key=username,
            before={"active": user.active},
            after={"active": active},
        )
    found = get(conn, username)
    assert found is not None
    return found


def locked(conn: Connection, username: str, now: datetime | None = None) -> bool:
    """Whether too many recent failed sign-ins lock this user name for now."""
    now = now or datetime.now(UTC)
    count = conn.execute(
        select(func.count())
        .select_from(sign_in_failures)
        .where(
            sign_in_failures.c.username == username,
            sign_in_failures.c.at > now - FAILURE_WINDOW,
        )
    ).scalar_one()
    return int(count) >= MAX_FAILURES


def authenticate(conn: Connection, username: str, password: str, address: str) -> User | None:
    """The active user with these credentials, or None (a failure is counted).

    Run `locked` first: a locked user name is refused before the password is checked.
    """
    row = conn.execute(select(users).where(users.c.username == username)).first()
    stored = row.password_hash if row is not None else _DUMMY_HASH
    try:
        ok = _hasher.verify(stored, password) and row is not None and bool(row.active)
    except (VerificationError, InvalidHashError):
        ok = False
    now = datetime.now(UTC)
    if not ok:
        conn.execute(
            insert(sign_in_failures).values(username=username[:64], address=address[:64], at=now)
        )
        return None
    assert row is not None
    conn.execute(delete(sign_in_failures).where(sign_in_failures.c.username == username))
    if _hasher.check_needs_rehash(stored):
        conn.execute(
            update(users).where(users.c.id == row.id).values(password_hash=_hasher.hash(password))
        )
    return _from_row(conn, row)
