"""A workspace: the settings, the store they point at, and the plan and units in it.

This is the service the CLI and the web app share: reading and checking a plan file
with its organisation, initialising the store, reading what is stored.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Connection, Engine

from dxplan.documents import Document, DocumentError
from dxplan.domain.organisation import Organisation, OrganisationError
from dxplan.domain.period import DEFAULT_CALENDAR, Calendar, Period
from dxplan.domain.plan import Plan
from dxplan.evaluate.dashboard import (
    Board,
    BoardCache,
    board_measures,
    board_of,
    replaces,
    store_state,
)
from dxplan.evaluate.snapshot import Snapshots
from dxplan.plans import parse_plan
from dxplan.reporting.service import Reporting
from dxplan.settings import Settings
from dxplan.store import Writer, create_db_engine, is_initialised, migrate
from dxplan.store import plans as plan_store
from dxplan.store import units as unit_store
from dxplan.units import declared_kinds, organisation_of


@dataclass(frozen=True)
class CheckedPlan:
    """A plan file that passed every check, with the organisation it was checked against."""

    plan: Plan
    organisation: Organisation
    text: str


def check_plan_file(path: Path, agencies_file: Path | None = None) -> CheckedPlan:
    """Read a plan file and check it against its organisation; DocumentError if anything fails."""
    document = Document.read(path)
    plan = document.validate(Plan)
    try:
        organisation = organisation_of(plan, path, agencies_file)
    except OrganisationError as error:
        raise DocumentError(
            [document.problem(("organisation",), "unknown-unit", str(error))]
        ) from None
    return CheckedPlan(parse_plan(document, organisation), organisation, path.read_text("utf-8"))


@dataclass(frozen=True)
class InitReport:
    plan_code: str
    plan_version: int
    units: unit_store.SyncReport
    database: str


class Workspace:
    """One data folder and its store. Open with settings; close when done."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine: Engine = create_db_engine(settings.database)
        self._writer = Writer(self.engine)
        self._plan_cache: tuple[str, Plan] | None = None
        self._boards = BoardCache()
        self._snapshots = Snapshots()  # the values boards are built from, by store state
        self._marks: tuple[float, tuple[int, str, Plan]] | None = None  # (read at, marks)
        self._initialised = False

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def writing(self) -> AbstractContextManager[Connection]:
        """A transaction that writes: committed at the end of the block, rolled back on error.

        Every write goes through here, never `engine.begin()`: on SQLite it takes the
        write lock up front, so writers at the same moment queue rather than fail
        (reads use `engine.connect()` and never wait); see `store.writer`. Writers of
        versioned figures also lock them before reading them (`store.locks`).
        """
        return self._writer.begin()

    @property
    def initialised(self) -> bool:
        """Whether the store has its schema (once it has, it is not asked again)."""
        if not self._initialised:
            self._initialised = is_initialised(self.engine)
        return self._initialised

    def initialise(self, actor: str = "system") -> InitReport:
        """Create or upgrade the store, then load the organisation and the plan file.

        Everything is checked before anything is written, and written in one
        transaction: a bad plan or agency file leaves the store as it was.
        """
        checked = check_plan_file(self.settings.plan_file, self.settings.agencies_file)
        if self.settings.embedded:
            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        migrate(self.engine)
        with self.writing() as conn:
            sync = unit_store.sync(conn, checked.organisation, actor)
            version = plan_store.save(conn, checked.plan.code, checked.text, actor)
        return InitReport(checked.plan.code, version.version, sync, self.settings.database_display)

    def plan(self, conn: Connection | None = None) -> Plan | None:
        """The newest stored plan, or None before `initialise` (parsed once per version).

        With `conn`, read through it: a caller holding a connection never asks the pool
        for a second one (under load, threads doing so can starve each other).
        """
        if not self.initialised:
            return None
        with self._connection(conn) as active:
            key = plan_store.latest_key(active)
            if key is None:
                return None
            if self._plan_cache is not None and self._plan_cache[0] == key:
                return self._plan_cache[1]
            stored = plan_store.latest(active)
        if stored is None:
            return None
        name = f"{stored.plan_code} v{stored.version}"
        self._plan_cache = (stored.sha256, parse_plan(Document.parse(stored.document, name=name)))
        return self._plan_cache[1]

    @contextmanager
    def _connection(self, conn: Connection | None) -> Iterator[Connection]:
        if conn is not None:
            yield conn
        else:
            with self.engine.connect() as own:
                yield own

    def reporting(self, conn: Connection, *, deferred: bool = False) -> Reporting:
        """The reporting service over `conn`, at the settings' `as_of` day if set."""
        plan, organisation = self.plan(conn), self.organisation(conn)
        if plan is None or organisation is None:
            raise RuntimeError("the store is empty: run `dxplan init` first")
        now = self.settings.now(plan.calendar.zone) if self.settings.as_of is not None else None
        return Reporting(conn, plan, organisation, now=now, deferred=deferred)

    def calendar(self, conn: Connection | None = None) -> Calendar:
        """The plan's calendar (time zone, first month of the year); the default before
        `initialise`."""
        plan = self.plan(conn)
        return plan.calendar if plan is not None else DEFAULT_CALENDAR

    def as_of(self) -> date:
        """The day dxplan judges from: the `as_of` setting, else today on the plan's clock."""
        return self.settings.as_of or self.calendar().now().date()

    def marks(self, *, recent: bool = False) -> tuple[int, str, Plan] | None:
        """The store state (see `store_state`), a key of the plan and the units, and the
        plan, or None before `init`: read in one connection, or with `recent` as read within
        the last `board_check_seconds` (no database work for the readers of a busy public
        page)."""
        if not self.initialised:
            return None
        last = self._marks
        if recent and last is not None:
            read_at, found = last
            if time.monotonic() - read_at < self.settings.board_check_seconds:
                return found
        with self.engine.connect() as conn:
            plan_key = plan_store.latest_key(conn)
            if plan_key is None:
                return None
            cached = self._plan_cache
            plan = cached[1] if cached is not None and cached[0] == plan_key else self.plan(conn)
            assert plan is not None
            # the units too: a board shows the organisation it was built with, so a unit
            # renamed, added or retired by `dxplan init` makes a new board like a new figure
            count, changed = unit_store.state(conn)
            found = (store_state(conn), f"{plan_key} units:{count}:{changed}", plan)
        self._marks = (time.monotonic(), found)
        return found

    def recent_plan(self) -> Plan | None:
        """The plan as read within the last `board_check_seconds`: for what pages may
        show a second late (the languages they offer), at no database work a request."""
        marks = self.marks(recent=True)
        return marks[2] if marks is not None else None

    def board(
        self, period: Period | None = None, as_of: date | None = None, *, stale: bool = False
    ) -> Board | None:
        """The dashboard's evaluations, cached until a figure or the plan changes.

        A cached board costs one connection and two indexed queries (the newest value
        id and plan hash), released before waiting for the cache. A hit never waits for
        another board's build; past too many requests waiting for builds the cache
        raises `dxplan.caching.Busy` (the web answers 503 with Retry-After).

        `stale` (readers not signed in, the public pages): the store is checked at most
        once per `board_check_seconds`, and after a change the board they were served is
        served again while the new one is built in the background (stale while
        revalidating); the first board of a period and day is waited for.
        """
        marks = self.marks(recent=stale)
        if marks is None:
            return None
        key, wanted, day = self._board_key(marks, period, as_of)
        state, plan_key, plan = marks
        calendar = plan.calendar

        def build() -> Board:
            with self.engine.connect() as conn:
                organisation = self.organisation(conn)
                assert organisation is not None
                measures = board_measures(plan)
                snapshot = self._snapshots.at(conn, plan_key, measures, calendar, state)
            previous = self._boards.previous(key, replaces)  # the same board, older state
            return board_of(snapshot, plan, organisation, wanted, day, previous)

        if stale:
            return self._boards.get_or_previous(key, build, replaces)
        return self._boards.get(key, build)

    def _board_key(
        self, marks: tuple[int, str, Plan], period: Period | None, as_of: date | None
    ) -> tuple[tuple[int, str, str, date], Period, date]:
        """The cache key of the board of `period` as of `as_of` (defaults: the plan's
        period, today), that period and that day."""
        state, plan_key, plan = marks
        calendar = plan.calendar
        day = as_of or self.settings.as_of or calendar.now().date()
        wanted = period or (calendar.parse(plan.period) if plan.period else calendar.year_of(day))
        return (state, plan_key, str(wanted), day), wanted, day

    def plan_at_hand(self) -> Plan | None:
        """The plan as read with the store's state lately enough that it is not due a
        check in the moment it takes to answer (`board_check_seconds` less a tenth of a
        second), else None: no database work."""
        last = self._marks
        interval = self.settings.board_check_seconds
        if last is None or time.monotonic() - last[0] >= interval - min(0.1, interval / 2):
            return None
        return last[1][2]

    def board_at_hand(self, period: Period | None = None, as_of: date | None = None) -> bool:
        """Whether `board(period, as_of, stale=True)` would answer from memory at once:
        the store checked lately (`plan_at_hand`) and the board, or the one it replaces,
        kept. No database work, no waiting."""
        last = self._marks
        if last is None or self.plan_at_hand() is None:
            return False
        key = self._board_key(last[1], period, as_of)[0]
        kept = self._boards.peek(key) or self._boards.previous(key, replaces)
        return kept is not None

    def organisation(self, conn: Connection | None = None) -> Organisation | None:
        """The stored organisation, or None before `initialise` (through `conn` if given)."""
        if not self.initialised:
            return None
        with self._connection(conn) as active:
            plan = self.plan(active)
            try:
                kinds = declared_kinds(plan) if plan is not None else None
            except OrganisationError:
                kinds = None
            return unit_store.organisation(active, kinds)
