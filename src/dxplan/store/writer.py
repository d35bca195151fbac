"""Writing transactions: every write of the store goes through one `Writer`.

On SQLite a writing transaction takes the database's write lock when it begins
(`BEGIN IMMEDIATE`). A writer that reads first in a deferred transaction and writes
later cannot upgrade its read lock once another writer has committed: SQLite refuses
it at once (SQLITE_BUSY; the busy timeout does not apply to that upgrade), which made
3 of 5 reporters saving at the same moment fail. Taken up front, the lock makes
writers wait their turn instead. Within a process they also wait in arrival order, in
a queue of their own: SQLite's busy handler polls with growing sleeps, so under a
hundred writers an unlucky one could keep losing the lock until its timeout. Writers
of other processes (`dxplan compute` beside the server) still wait on the busy
timeout. Reads stay deferred: in WAL mode they never wait for a writer.

On PostgreSQL writers run side by side; those of the same figures queue on the locks
they take before reading them (`store.locks`).
"""

from __future__ import annotations

import sqlite3
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from dxplan.store.db import BUSY_TIMEOUT_SECONDS, WRITING


class _ArrivalOrder:
    """A lock handed to waiting threads in the order they asked for it."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._waiting: deque[object] = deque()
        self._owner: int | None = None
        self._depth = 0

    def acquire(self, timeout: float) -> bool:
        me = threading.get_ident()
        with self._changed:
            if self._owner == me:  # a nested writer of the same thread
                self._depth += 1
                return True
            ticket = object()
            self._waiting.append(ticket)
            if not self._changed.wait_for(
                lambda: self._owner is None and self._waiting[0] is ticket, timeout
            ):
                self._waiting.remove(ticket)
                self._changed.notify_all()
                return False
            self._waiting.popleft()
            self._owner, self._depth = me, 1
            return True

    def release(self) -> None:
        with self._changed:
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._changed.notify_all()


class Writer:
    """Opens writing transactions on `engine` (sharing its pool)."""

    def __init__(self, engine: Engine, timeout: float = BUSY_TIMEOUT_SECONDS) -> None:
        self._engine = engine.execution_options(**{WRITING: True})
        sqlite = engine.url.get_backend_name() == "sqlite"
        self._queue = _ArrivalOrder() if sqlite else None
        self._timeout = timeout

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A transaction that writes: committed at the end of the block, rolled back on error.

        A writer waiting its turn holds no pooled connection: readers never starve.
        """
        if self._queue is None:
            with self._engine.begin() as conn:
                yield conn
            return
        if not self._queue.acquire(self._timeout):
            # the same answer as SQLite's own busy timeout: the store is unavailable
            raise OperationalError(
                "BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked")
            )
        try:
            with self._engine.begin() as conn:
                yield conn
        finally:
            self._queue.release()
