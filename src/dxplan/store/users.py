"""Accounts: people with a role and, for reporters, the units they report for.

Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106's second
recommended profile); sign-in attempts are throttled by `throttle`. Disabling an
account, changing its password or its role ends its sessions and revokes its tokens
at once: whoever held them must sign in (or ask for a token) again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, insert, select, update

from dxplan.domain.account import Role, User, email_address
from dxplan.domain.names import LANGUAGES
from dxplan.store import audit
from dxplan.store import sessions as session_store
from dxplan.store import tokens as token_store
from dxplan.store.tables import user_units, users

USERNAME: Final = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD: Final = 10

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
        email=m["email"],
        language=m["language"],
    )


def _checked_email(email: str | None) -> str | None:
    if email is None:
        return None
    try:
        return email_address(email)
    except ValueError as error:
        raise UserError(f"--email: {error}") from None


def _checked_language(language: str | None) -> str | None:
    if language is not None and language not in LANGUAGES:
        raise UserError(f"--language: {language!r} is not one of {', '.join(LANGUAGES)}")
    return language


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password needs at least {MIN_PASSWORD} characters")


def _check_role(role: Role, units: list[str], known_units: set[str] | None) -> None:
    if role is Role.REPORTER and not units:
        raise UserError("a reporter needs at least one --unit")
    if role is not Role.REPORTER and units:
        raise UserError(f"a {role.value} acts city-wide: give --unit only to reporters")
    unknown = sorted(set(units) - known_units) if known_units is not None else []
    if unknown:
        raise UserError(f"unknown unit(s): {', '.join(unknown)}")


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
    email: str | None = None,
    language: str | None = None,
) -> User:
    """Create an account. A reporter needs at least one unit; others have none."""
    if not USERNAME.match(username):
        raise UserError(
            f"user name {username!r}: use 2-64 lowercase letters, digits, '.', '_' or '-'"
        )
    _check_password(password)
    _check_role(role, units, known_units)
    email = _checked_email(email)
    language = _checked_language(language)
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
            email=email,
            language=language,
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
        after={
            "role": role.value,
            "units": sorted(set(units)),
            "active": True,
            "email": email,
            "language": language,
        },
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


@dataclass(frozen=True)
class Ended:
    """What an account change ended: sessions deleted, tokens revoked."""

    sessions: int
    tokens: int


def end_access(conn: Connection, user: User, *, actor: str) -> Ended:
    """End every session and revoke every token of `user`, at once."""
    return Ended(
        sessions=session_store.end_all(conn, user.id),
        tokens=token_store.revoke_for_user(conn, user.id, actor=actor),
    )


def _existing(conn: Connection, username: str) -> User:
    user = get(conn, username)
    if user is None:
        raise UserError(f"no user is named {username!r}")
    return user


def set_active(conn: Connection, username: str, active: bool, *, actor: str) -> User:
    """Enable or disable an account; disabling ends its sessions and tokens."""
    user = _existing(conn, username)
    if not active:
        end_access(conn, user, actor=actor)
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


def set_password(conn: Connection, username: str, password: str, *, actor: str) -> Ended:
    """Give an account a new password; its sessions and tokens end."""
    user = _existing(conn, username)
    _check_password(password)
    conn.execute(
        update(users).where(users.c.id == user.id).values(password_hash=_hasher.hash(password))
    )
    audit.append(conn, actor=actor, action="user.password", entity="user", key=username)
    return end_access(conn, user, actor=actor)


def set_role(
    conn: Connection,
    username: str,
    role: Role,
    *,
    units: list[str],
    actor: str,
    known_units: set[str] | None = None,
) -> Ended:
    """Give an account a role (and a reporter its units); its sessions and tokens end.

    Sessions end even when nothing changed: whoever asked wants the account's holder
    to start again with what the account now is.
    """
    user = _existing(conn, username)
    _check_role(role, units, known_units)
    wanted = sorted(set(units))
    conn.execute(update(users).where(users.c.id == user.id).values(role=role.value))
    conn.execute(delete(user_units).where(user_units.c.user_id == user.id))
    if wanted:
        conn.execute(insert(user_units), [{"user_id": user.id, "unit_code": u} for u in wanted])
    audit.append(
        conn,
        actor=actor,
        action="user.role",
        entity="user",
        key=username,
        before={"role": user.role.value, "units": list(user.units)},
        after={"role": role.value, "units": wanted},
    )
    return end_access(conn, user, actor=actor)


_UNCHANGED = object()


def set_contact(
    conn: Connection,
    username: str,
    *,
    email: str | object | None = _UNCHANGED,
    language: str | object | None = _UNCHANGED,
    actor: str,
) -> User:
    """Give an account an e-mail address and a language for reminders (None removes
    one); an address that is not one changes nothing."""
    user = _existing(conn, username)
    values: dict[str, str | None] = {}
    if email is not _UNCHANGED:
        assert email is None or isinstance(email, str)
        values["email"] = _checked_email(email)
    if language is not _UNCHANGED:
        assert language is None or isinstance(language, str)
        values["language"] = _checked_language(language)
    before = {"email": user.email, "language": user.language}
    if values and any(before[k] != v for k, v in values.items()):
        conn.execute(update(users).where(users.c.id == user.id).values(**values))
        audit.append(
            conn,
            actor=actor,
            action="user.contact",
            entity="user",
            key=username,
            before=before,
            after={**before, **values},
        )
    return _existing(conn, username)


def authenticate(conn: Connection, username: str, password: str) -> User | None:
    """The active user with these credentials, or None.

    Ask `throttle.admit` first: it counts the attempt before the password is checked.
    """
    row = conn.execute(select(users).where(users.c.username == username)).first()
    stored = row.password_hash if row is not None else _DUMMY_HASH
    try:
        ok = _hasher.verify(stored, password) and row is not None and bool(row.active)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        return None
    assert row is not None
    if _hasher.check_needs_rehash(stored):
        conn.execute(
            update(users).where(users.c.id == row.id).values(password_hash=_hasher.hash(password))
        )
    return _from_row(conn, row)
