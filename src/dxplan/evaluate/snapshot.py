"""The store's current values at one state, kept in memory and moved forward by what changed.

Why: a board reads ~91,000 current values (0.6 s on SQLite on the demo) and evaluates
every indicator for every unit (1.4 s). After a store change most of them are the same:
a `Snapshot` is advanced by the versions recorded since its state (an indexed read of a
few rows) and says which (measure, unit) cells changed, so a board rebuilds only the
evaluations that read them (`dxplan.evaluate.dashboard`).

Snapshots are immutable: advancing one copies its index of cells and replaces the
changed ones, so boards and threads holding an older snapshot are never disturbed.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection

from dxplan.domain.period import Calendar, Period
from dxplan.domain.value import MeasureValue
from dxplan.store import values as value_store

Cell = tuple[str, str]  # (measure, unit)
HISTORY = 64  # store changes a snapshot remembers (boards older than that are rebuilt whole)
KEPT = 4  # snapshots kept: the store states that boards being built may still ask for


@dataclass(frozen=True)
class Step:
    """The cells whose values changed from store state `after` to `upto`."""

    after: int
    upto: int
    cells: frozenset[Cell]


@dataclass(frozen=True)
class Snapshot:
    """The current value of every (measure, unit, period) of `measures` at store `state`."""

    state: int
    measures: frozenset[str]
    cells: Mapping[Cell, Mapping[Period, MeasureValue]]
    steps: tuple[Step, ...] = ()  # how it got here from older snapshots, oldest first

    @classmethod
    def read(
        cls, conn: Connection, measures: Iterable[str], calendar: Calendar, state: int
    ) -> Snapshot:
        """The values as the store stood at `state` (its newest value id)."""
        wanted = frozenset(measures)
        cells: dict[Cell, dict[Period, MeasureValue]] = {}
        for value in value_store.latest(conn, measures=wanted, calendar=calendar, upto=state):
            cells.setdefault((value.measure, value.unit), {})[value.period] = value
        return cls(state, wanted, cells)

    def advance(self, conn: Connection, calendar: Calendar, state: int) -> Snapshot:
        """This snapshot moved to `state` (≥ this one's) by the versions recorded since."""
        if state == self.state:
            return self
        if state < self.state:
            raise ValueError(f"store state {state} is older than the snapshot's {self.state}")
        found = value_store.changes(
            conn, after=self.state, upto=state, measures=self.measures, calendar=calendar
        )
        newest: dict[tuple[str, str, Period], MeasureValue] = {}
        for value in found:  # oldest first: the last version of a key wins
            key = (value.measure, value.unit, value.period)
            kept = newest.get(key)
            if kept is None or value.version > kept.version:
                newest[key] = value
        cells = dict(self.cells)
        touched: dict[Cell, dict[Period, MeasureValue]] = {}
        for (measure, unit, period), value in newest.items():
            cell = (measure, unit)
            mine = touched.get(cell)
            if mine is None:  # copy on write: older snapshots keep theirs
                mine = touched[cell] = dict(self.cells.get(cell, {}))
            current = mine.get(period)
            if current is not None and current.version > value.version:
                continue
            if value.value is None:  # withdrawn
                mine.pop(period, None)
            else:
                mine[period] = value
        for cell, mine in touched.items():
            if mine:
                cells[cell] = mine
            else:
                cells.pop(cell, None)
        step = Step(self.state, state, frozenset(touched))
        return Snapshot(state, self.measures, cells, (*self.steps, step)[-HISTORY:])

    def changed_since(self, state: int) -> frozenset[Cell] | None:
        """The cells that may have changed since store `state` (a superset), or None when
        this snapshot does not remember that far back (or `state` is newer)."""
        if state == self.state:
            return frozenset()
        if state > self.state or not self.steps or self.steps[0].after > state:
            return None
        found: set[Cell] = set()
        for step in reversed(self.steps):
            if step.upto <= state:
                break
            found |= step.cells
        return frozenset(found)

    def values(self, measures: Iterable[str] | None = None) -> Iterator[MeasureValue]:
        """Every current value (of `measures` if given)."""
        wanted = None if measures is None else frozenset(measures)
        for (measure, _), by_period in self.cells.items():
            if wanted is None or measure in wanted:
                yield from by_period.values()

    def of(self, measures: Iterable[str], unit: str) -> list[MeasureValue]:
        """The current values of `measures` for `unit`."""
        return [v for m in sorted(measures) for v in self.cells.get((m, unit), {}).values()]


class Snapshots:
    """The last few snapshots, by (plan key, store state): each built once, from the
    newest older one of the same plan when there is one (the plan fixes the measures
    and the calendar)."""

    def __init__(self, kept: int = KEPT) -> None:
        self.kept = kept
        self._lock = threading.Lock()  # two builders wanting one state: the second reuses
        self._found: list[tuple[Hashable, Snapshot]] = []

    def at(
        self,
        conn: Connection,
        plan_key: Hashable,
        measures: Iterable[str],
        calendar: Calendar,
        state: int,
    ) -> Snapshot:
        """The snapshot of `state` for the plan of `plan_key`."""
        with self._lock:
            same = [s for key, s in self._found if key == plan_key]
            for snapshot in same:
                if snapshot.state == state:
                    return snapshot
            older = [s for s in same if s.state < state]
            if older:
                found = max(older, key=lambda s: s.state).advance(conn, calendar, state)
            else:
                found = Snapshot.read(conn, measures, calendar, state)
            self._found = [*self._found, (plan_key, found)][-self.kept :]
            return found
