"""Locks a writing transaction takes up front, before it reads what it will change.

Versioned figures are written as version n+1 of what the transaction read. Two
transactions that read the same n at once would both write n+1: on PostgreSQL the
second one fails on the version key, or, when it recounts (reports on time, roll-ups),
it stores a count that misses the other's change. So a writer first takes the lock of
the figures and only then reads them: writers of figures queue.

On PostgreSQL these are transaction-scoped advisory locks (released at commit or
rollback, re-entrant within a transaction). On SQLite a writing transaction already
holds the database's only write lock from its first statement (`BEGIN IMMEDIATE`,
see `store.db`), so there is nothing more to take.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Iterable

from sqlalchemy import Connection, Engine, func, select, text

_STORES: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def key(name: str) -> int:
    """A stable signed 64-bit number for a lock name (the same in every process)."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock(conn: Connection, names: Iterable[str]) -> None:
    """Wait for the locks named `names`, held until the transaction ends.

    Taken in one fixed order (by key), so that two writers wanting overlapping sets
    cannot each hold what the other waits for.
    """
    if conn.dialect.name != "postgresql":
        return
    for each in sorted({key(name) for name in names}):
        conn.execute(select(func.pg_advisory_xact_lock(each)))


def store_name(conn: Connection) -> str:
    """The store as the database server knows it (database and schema), so every process
    names it alike whatever URL it was given (`localhost` or `127.0.0.1`, options in
    another order): advisory locks are the server's, and processes of one store must
    share them. Asked once per engine; SQLite has no such locks (see `lock`)."""
    if conn.dialect.name != "postgresql":
        return conn.dialect.name
    found = _STORES.get(conn.engine)
    if found is None:
        row = conn.execute(text("SELECT current_database(), current_schema()")).one()
        found = _STORES[conn.engine] = f"{row[0]}/{row[1]}"
    return found


def lock_measures(conn: Connection, measures: Iterable[str]) -> None:
    """Lock the versioned figures for this transaction, before reading those of `measures`.

    One lock for every figure of the store, not one per measure: a transaction locks
    figures at several moments (an approval its data set's measures, then their
    roll-ups; a submission the platform's counts), and locks per measure taken at
    different moments in different orders deadlock (A holds X and waits for Y while B
    holds Y and waits for X; PostgreSQL then kills one). Writers of figures queue one
    after another, as they do on SQLite, and nothing else waits for them. The lock is
    named after the store (`store_name`: database and schema), so stores sharing a
    server do not wait for each other.
    """
    if conn.dialect.name != "postgresql":
        return
    del measures  # which figures: all of them (see above)
    lock(conn, [f"figures:{store_name(conn)}"])
