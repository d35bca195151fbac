"""Sessions of signed-in browsers, kept on the server so that they can be ended.

The cookie carries a random id (32 bytes); the store keeps only its SHA-256, the
user and two instants. A session ends when its row is deleted (sign-out, or the
account disabled, its password or its role changed), after `idle` without use, or
`absolute` after signing in, however busy.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy import Connection, delete, func, insert, or_, select, update

from dxplan.settings import Settings
from dxplan.store.tables import sessions

# `seen_at` is written at most once a minute per session: a page view is a read, not
# a write, and idle times are counted in minutes anyway
TOUCH_EVERY: Final = timedelta(minutes=1)


@dataclass(frozen=True)
class Limits:
    """How long a session lives: unused (`idle`) and at most (`absolute`)."""

    idle: timedelta
    absolute: timedelta

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            idle=timedelta(minutes=settings.session_idle_minutes),
            absolute=timedelta(hours=settings.session_max_hours),
        )


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def start(conn: Connection, user_id: int, *, now: datetime | None = None) -> str:
    """Start a session for `user_id`; return its id (for the cookie, never stored)."""
    now = now or datetime.now(UTC)
    session_id = secrets.token_urlsafe(32)
    conn.execute(
        insert(sessions).values(
            id_hash=_hash(session_id), user_id=user_id, created_at=now, seen_at=now
        )
    )
    return session_id


def user_of(
    conn: Connection, session_id: str, *, now: datetime | None = None, limits: Limits
) -> int | None:
    """The user of a live session, or None (unknown, ended or timed out: then deleted)."""
    now = now or datetime.now(UTC)
    key = _hash(session_id)
    row = conn.execute(select(sessions).where(sessions.c.id_hash == key)).first()
    if row is None:
        return None
    if now - row.seen_at >= limits.idle or now - row.created_at >= limits.absolute:
        conn.execute(delete(sessions).where(sessions.c.id_hash == key))
        return None
    if now - row.seen_at >= TOUCH_EVERY:
        conn.execute(update(sessions).where(sessions.c.id_hash == key).values(seen_at=now))
    return int(row.user_id)


def needs_write(
    conn: Connection, session_id: str, *, now: datetime | None = None, limits: Limits
) -> bool:
    """Whether `user_of` would write (touch a stale `seen_at`, or delete a timed-out
    session): reads only, so that most requests need no writing transaction."""
    now = now or datetime.now(UTC)
    row = conn.execute(
        select(sessions.c.seen_at, sessions.c.created_at).where(
            sessions.c.id_hash == _hash(session_id)
        )
    ).first()
    if row is None:
        return False
    seen: datetime = row.seen_at
    created: datetime = row.created_at
    return now - seen >= TOUCH_EVERY or now - created >= limits.absolute


def end(conn: Connection, session_id: str) -> None:
    """End one session (sign-out)."""
    conn.execute(delete(sessions).where(sessions.c.id_hash == _hash(session_id)))


def end_all(conn: Connection, user_id: int) -> int:
    """End every session of a user; return how many there were."""
    return int(conn.execute(delete(sessions).where(sessions.c.user_id == user_id)).rowcount)


def count(conn: Connection, user_id: int) -> int:
    """How many sessions of this user are stored (some may have timed out)."""
    found = conn.execute(
        select(func.count()).select_from(sessions).where(sessions.c.user_id == user_id)
    ).scalar_one()
    return int(found)


def prune(conn: Connection, *, now: datetime | None = None, limits: Limits) -> int:
    """Delete sessions that timed out without being asked for again; return how many."""
    now = now or datetime.now(UTC)
    stale = or_(
        sessions.c.seen_at <= now - limits.idle, sessions.c.created_at <= now - limits.absolute
    )
    return int(conn.execute(delete(sessions).where(stale)).rowcount)
