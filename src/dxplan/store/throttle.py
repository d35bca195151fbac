"""Sign-in throttling: growing delays per account and address, never a lock for everyone.

Every attempt is written down *before* its password is checked, as a failure until
it proves otherwise, and counted in the same transaction, which holds the table's
write lock: of ten guesses sent at once, only the free ones pass. Three rules count
the failures of the last hour (`WINDOW`), each with its own free allowance:

- the account from one address (5): the owner mistyping, or one address guessing it;
- one address over every account (20): one address spraying a common password;
- the account from every address (50): guessing spread over many addresses. One
  address alone cannot reach it (its own rule slows it first), so an attacker at one
  address never delays the account's owner at another.

Past its allowance, a rule makes the next attempt wait 2^k seconds after the latest
failure it counts (k failures past the allowance), at most 15 minutes. A refused
attempt leaves no row: hammering during the wait does not lengthen it. Rows older
than the window are deleted by every attempt; a success deletes the failures of its
account and address.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy import ColumnElement, Connection, delete, func, insert, select, text

from dxplan.store.tables import sign_in_failures

WINDOW: Final = timedelta(hours=1)
LONGEST_WAIT: Final = 15 * 60  # seconds
_FIELD: Final = 64  # the columns' width


@dataclass(frozen=True)
class Rule:
    """Failures counted together, and how many of them are free."""

    name: str
    free: int
    by_account: bool
    by_address: bool

    def scope(self, username: str, address: str) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.by_account:
            found.append(sign_in_failures.c.username == username)
        if self.by_address:
            found.append(sign_in_failures.c.address == address)
        return found


RULES: Final = (
    Rule("account from one address", free=5, by_account=True, by_address=True),
    Rule("address", free=20, by_account=False, by_address=True),
    Rule("account", free=50, by_account=True, by_address=False),
)


@dataclass(frozen=True)
class Verdict:
    """Whether the attempt may check its password; if not, seconds to wait."""

    allowed: bool
    retry_after: int = 0


def _now() -> datetime:
    return datetime.now(UTC)  # one place: tests freeze the clock here


def _lock(conn: Connection) -> None:
    # PostgreSQL counts under READ COMMITTED: without a lock taken before the insert,
    # parallel attempts would not see each other's rows. The mode conflicts with itself
    # and with plain inserts; it is held for the few statements below. SQLite needs
    # none: the insert, first statement of the transaction, takes the database's write
    # lock and the others wait for it (busy timeout).
    if conn.dialect.name == "postgresql":
        conn.execute(text("LOCK TABLE sign_in_failures IN SHARE ROW EXCLUSIVE MODE"))


def admit(conn: Connection, username: str, address: str, *, now: datetime | None = None) -> Verdict:
    """Record an attempt and decide whether it may check its password.

    Call in a transaction of its own, committed before the password is checked, so
    that the row counts for the attempts running meanwhile.
    """
    now = now or _now()
    username, address = username[:_FIELD], address[:_FIELD]
    _lock(conn)
    inserted = conn.execute(
        insert(sign_in_failures).values(username=username, address=address, at=now)
    ).inserted_primary_key
    assert inserted is not None
    attempt = int(inserted[0])
    conn.execute(delete(sign_in_failures).where(sign_in_failures.c.at <= now - WINDOW))
    wait = max(_wait(conn, rule, username, address, attempt, now) for rule in RULES)
    if wait > 0:
        conn.execute(delete(sign_in_failures).where(sign_in_failures.c.id == attempt))
        return Verdict(allowed=False, retry_after=wait)
    return Verdict(allowed=True)


def _wait(
    conn: Connection, rule: Rule, username: str, address: str, attempt: int, now: datetime
) -> int:
    """Whole seconds this rule still makes the attempt wait (0: none)."""
    row = conn.execute(
        select(func.count(), func.max(sign_in_failures.c.at)).where(
            *rule.scope(username, address),
            sign_in_failures.c.at > now - WINDOW,
            sign_in_failures.c.id != attempt,
        )
    ).one()
    failures, latest = int(row[0]), row[1]
    if failures < rule.free or not isinstance(latest, datetime):
        return 0
    delay = min(2 ** (failures - rule.free), LONGEST_WAIT)
    remaining = (latest + timedelta(seconds=delay) - now).total_seconds()
    return max(0, math.ceil(remaining))


def succeeded(conn: Connection, username: str, address: str) -> None:
    """The password was right: forget the failures of this account from this address."""
    conn.execute(
        delete(sign_in_failures).where(
            sign_in_failures.c.username == username[:_FIELD],
            sign_in_failures.c.address == address[:_FIELD],
        )
    )
