"""API tokens: shown once at creation, stored as a SHA-256 hash, revocable.

A token is 32 random bytes (URL-safe text after the `dxp_` prefix): far too much
entropy to guess, so a fast hash is the right tool (a slow password hash protects
low-entropy secrets; here it would only slow every request).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Final

from sqlalchemy import Connection, insert, select, update

from dxplan.store import audit
from dxplan.store.tables import api_tokens, users

PREFIX = "dxp_"
TOUCH_EVERY: Final = timedelta(minutes=1)  # how often a token's last use is written


class Scope(StrEnum):
    """What a token may do."""

    DOSSIERS_WRITE = "dossiers:write"
    PROCEDURES_WRITE = "procedures:write"
    PACKETS_WRITE = "packets:write"  # a province sends packets (and reads its receipts)


@dataclass(frozen=True)
class Token:
    id: int
    name: str
    prefix: str
    scopes: tuple[Scope, ...]
    created_at: datetime
    created_by: str
    revoked_at: datetime | None
    last_used_at: datetime | None
    user_id: int | None = None  # a personal token acts with this user's rights
    sender: str | None = None  # packets:write: the sender code its packets must carry

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class TokenError(ValueError):
    """A token that cannot be created or revoked as asked (the message says why)."""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _from_row(row: object) -> Token:
    m = row._mapping  # type: ignore[attr-defined]
    return Token(
        id=m["id"],
        name=m["name"],
        prefix=m["prefix"],
        scopes=tuple(Scope(s) for s in m["scopes"]),
        created_at=m["created_at"],
        created_by=m["created_by"],
        revoked_at=m["revoked_at"],
        last_used_at=m["last_used_at"],
        user_id=m["user_id"],
        sender=m["sender"],
    )


def create(
    conn: Connection,
    name: str,
    scopes: list[Scope],
    actor: str,
    *,
    user_id: int | None = None,
    sender: str | None = None,
) -> tuple[str, Token]:
    """A new token: (the secret, shown this once; its record). Names of live tokens are unique.

    A source system's token carries scopes; a person's token (`user_id`) acts with that
    person's role and units, and may carry scopes too. A token with `packets:write` is a
    province's: it names the `sender` code its packets carry (the caller checks that the
    code is a province of the organisation), and only such a token names one.
    """
    if not scopes and user_id is None:
        raise TokenError("a token needs at least one --scope, or a --user to act for")
    if Scope.PACKETS_WRITE in scopes and not sender:
        raise TokenError("a token with the scope packets:write needs --sender CODE")
    if sender and Scope.PACKETS_WRITE not in scopes:
        raise TokenError("--sender goes with the scope packets:write only")
    if any(t.name == name and t.active for t in list_all(conn)):
        raise TokenError(f"an active token is already named {name!r}: revoke it first")
    secret = PREFIX + secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    values = {
        "name": name,
        "token_hash": _hash(secret),
        "prefix": secret[: len(PREFIX) + 4],
        "scopes": sorted(s.value for s in set(scopes)),
        "created_at": now,
        "created_by": actor,
        "user_id": user_id,
        "sender": sender,
    }
    inserted = conn.execute(insert(api_tokens).values(**values)).inserted_primary_key
    assert inserted is not None
    audit.append(
        conn,
        actor=actor,
        action="token.create",
        entity="token",
        key=name,
        after={
            "prefix": values["prefix"],
            "scopes": values["scopes"],
            "user_id": user_id,
            "sender": sender,
        },
    )
    row = conn.execute(select(api_tokens).where(api_tokens.c.id == inserted[0])).one()
    return secret, _from_row(row)


def find(conn: Connection, secret: str) -> Token | None:
    """The active token whose secret this is, or None (unknown, malformed, revoked, or
    acting for a disabled account: a source system's token with a user stops with it).
    Reads only: see `stale` and `verify` for the time of last use.
    """
    if not secret.startswith(PREFIX):
        return None
    row = conn.execute(select(api_tokens).where(api_tokens.c.token_hash == _hash(secret))).first()
    if row is None or row.revoked_at is not None:
        return None
    if row.user_id is not None:
        active = conn.execute(select(users.c.active).where(users.c.id == row.user_id)).scalar()
        if not active:
            return None
    return _from_row(row)


def stale(token: Token, now: datetime | None = None) -> bool:
    """Whether the token's time of last use is worth writing again (once a minute: a
    request is a read, and the deadline's many requests must not all queue to write)."""
    now = now or datetime.now(UTC)
    return token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY


def verify(conn: Connection, secret: str) -> Token | None:
    """`find`, and the token's time of last use recorded when `stale`."""
    token = find(conn, secret)
    if token is not None and stale(token):
        conn.execute(
            update(api_tokens)
            .where(api_tokens.c.id == token.id)
            .values(last_used_at=datetime.now(UTC))
        )
    return token


def revoke(conn: Connection, name: str, actor: str) -> int:
    """Revoke every active token named `name`; return how many."""
    live = [t for t in list_all(conn) if t.name == name and t.active]
    if not live:
        raise TokenError(f"no active token is named {name!r}")
    now = datetime.now(UTC)
    conn.execute(
        update(api_tokens).where(api_tokens.c.id.in_([t.id for t in live])).values(revoked_at=now)
    )
    audit.append(
        conn,
        actor=actor,
        action="token.revoke",
        entity="token",
        key=name,
        before={"active": True},
        after={"active": False},
    )
    return len(live)


def revoke_for_user(conn: Connection, user_id: int, *, actor: str) -> int:
    """Revoke every active token acting for `user_id` (its account changed); return how many."""
    live = [t for t in list_all(conn) if t.user_id == user_id and t.active]
    if live:
        conn.execute(
            update(api_tokens)
            .where(api_tokens.c.id.in_([t.id for t in live]))
            .values(revoked_at=datetime.now(UTC))
        )
    for token in live:
        audit.append(
            conn,
            actor=actor,
            action="token.revoke",
            entity="token",
            key=token.name,
            before={"active": True},
            after={"active": False, "reason": "the account changed"},
        )
    return len(live)


def list_all(conn: Connection) -> list[Token]:
    return [_from_row(r) for r in conn.execute(select(api_tokens).order_by(api_tokens.c.id))]
