"""A bounded cache whose hits never wait and whose misses are built once per key.

Why: the dashboard's boards take seconds to build, and readers choose their keys
(`?as_of=`, `?period=`). When one lock guarded the lookups and the builds, every
request, hits included, waited for whichever build was running (issue 9: a cached page
went from 4 ms to 14 s under five parallel requests for new days). Here:

- a hit is a dictionary read without a lock (one C call: atomic under CPython's GIL);
- a miss takes the lock only to register itself; the first thread to miss a key builds
  it, outside the lock, and the threads that miss the same key meanwhile wait for that
  build and reuse it, never for the builds of other keys;
- at most `builders` builds run at once: a build is Python work holding the GIL, and
  more of them at once only slow each other and the hits down;
- at most `waiting` threads wait for builds (their own or another's); past that a miss
  raises `Busy` at once. The web server has a fixed pool of worker threads (40): requests
  waiting for builds must not take them all from the readers of boards already built;
- at most `size` entries are kept; the least recently used goes first;
- `get_or_previous` serves a value that a newer one is replacing (stale while it is
  rebuilt): a key whose predecessor is stored (the same board of an older store state)
  returns the predecessor at once and builds the new value in a thread of its own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextlib import suppress
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Busy(Exception):
    """Too many requests are already waiting for builds: try again in a moment."""


class _Flight(Generic[V]):
    """One build in progress: the threads missing its key wait for its result."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: V | None = None
        self.error: BaseException | None = None


class BuildCache(Generic[K, V]):
    """Values by key, each built once by `get(key, build)`; see the module's docstring.

    `fresh(value)` says whether a stored value may still be served (a view of a board
    that is no longer the current one may not); `obsolete(new, old)` whether storing
    `new` makes the entry of `old` useless (a board of an older store state).
    """

    def __init__(
        self,
        size: int,
        *,
        builders: int | None = None,
        waiting: int | None = None,
        obsolete: Callable[[K, K], bool] | None = None,
    ) -> None:
        self.size = size
        self.waiting = waiting
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._flights: dict[K, _Flight[V]] = {}
        self._lock = threading.Lock()  # guards the registration of misses and evictions
        self._slots = threading.BoundedSemaphore(builders) if builders else None
        self._waiters = 0
        self._obsolete = obsolete

    def __len__(self) -> int:
        return len(self._entries)

    def peek(self, key: K, fresh: Callable[[V], bool] | None = None) -> V | None:
        """The stored value of `key` if any (and fresh), without a lock and without building."""
        found = self._entries.get(key)
        if found is None or (fresh is not None and not fresh(found)):
            return None
        # recently used: evicted last (unless another thread evicted it meanwhile: the
        # value we hold is still good)
        with suppress(KeyError):
            self._entries.move_to_end(key)
        return found

    def get(self, key: K, build: Callable[[], V], fresh: Callable[[V], bool] | None = None) -> V:
        """The value of `key`: the stored one, or the one built by `build` (once per key)."""
        found = self.peek(key, fresh)
        if found is not None:
            return found
        with self._lock:
            found = self.peek(key, fresh)  # built while we took the lock
            if found is not None:
                return found
            if self.waiting is not None and self._waiters >= self.waiting:
                raise Busy(f"{self._waiters} requests are waiting for builds already")
            self._waiters += 1
            flight = self._flights.get(key)
            owner = flight is None
            if flight is None:
                flight = self._flights[key] = _Flight()
        try:
            return self._build(key, build, flight) if owner else self._follow(flight)
        finally:
            with self._lock:
                self._waiters -= 1

    def get_or_previous(
        self, key: K, build: Callable[[], V], replaces: Callable[[K, K], bool]
    ) -> V:
        """The value of `key`; while it is missing, the stored value of a key it
        `replaces(key, old)` (its build then runs in the background, once), else what
        `get` gives (the first request for a key with no predecessor waits for it)."""
        found = self.peek(key)
        if found is not None:
            return found
        stale = self.previous(key, replaces)
        if stale is not None:
            with self._lock:
                start = key not in self._flights and key not in self._entries
                if start:
                    flight: _Flight[V] = _Flight()
                    self._flights[key] = flight
            if start:
                threading.Thread(
                    target=self._rebuild, args=(key, build, flight), daemon=True
                ).start()
            return stale
        return self.get(key, build)

    def previous(self, key: K, replaces: Callable[[K, K], bool]) -> V | None:
        """The stored value of a key that `key` replaces (the most recently used), if any:
        what readers are served while `key` is built, and what it may be built from."""
        with self._lock:  # a copy: other threads may store meanwhile
            stored = list(self._entries)
        for older in reversed(stored):
            if replaces(key, older):
                found = self._entries.get(older)
                if found is not None:  # else evicted meanwhile
                    return found
        return None

    def _rebuild(self, key: K, build: Callable[[], V], flight: _Flight[V]) -> None:
        """A build nobody waits for (its error is kept by no one: the next miss retries)."""
        with suppress(Exception):
            self._build(key, build, flight)

    def put(self, key: K, value: V) -> None:
        """Store `value` under `key` (replacing a stale one), keeping at most `size`."""
        with self._lock:
            self._store(key, value)

    def _store(self, key: K, value: V) -> None:
        if self._obsolete is not None:
            for old in [k for k in self._entries if self._obsolete(key, k)]:
                del self._entries[old]
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def _build(self, key: K, build: Callable[[], V], flight: _Flight[V]) -> V:
        try:
            if self._slots is not None:
                with self._slots:
                    value = build()
            else:
                value = build()
        except BaseException as error:
            flight.error = error  # the waiting threads get it too; nothing is stored
            with self._lock:
                del self._flights[key]
            flight.done.set()
            raise
        flight.value = value
        with self._lock:
            if self.size > 0:
                self._store(key, value)
            del self._flights[key]
        flight.done.set()
        return value

    @staticmethod
    def _follow(flight: _Flight[V]) -> V:
        flight.done.wait()
        if flight.error is not None:
            raise flight.error
        assert flight.value is not None
        return flight.value
