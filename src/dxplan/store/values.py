"""The value store: every figure is a value of a measure for a unit and a period.

Values are versioned: recording a different number for the same (measure, unit,
period) adds version n+1 and keeps the earlier ones; recording the same number again
changes nothing. A version without a number withdraws the figure (`sync`): it no
longer counts, and its history stays.

A writer locks the measures it writes before reading their current versions
(`store.locks`): two transactions at once never both derive version n+1 from the
same read; the second waits for the first and reads what it wrote.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Select, and_, func, insert, select

from dxplan.domain.period import DEFAULT_CALENDAR, Calendar, Period
from dxplan.domain.value import MeasureValue
from dxplan.store.db import insert_rows
from dxplan.store.locks import lock_measures
from dxplan.store.tables import measure_values

_KEY = (measure_values.c.measure_code, measure_values.c.unit_code, measure_values.c.period)


@lru_cache(maxsize=4096)
def _period(text: str, year_start: int) -> Period:
    # a store holds a few dozen distinct periods: parse each once
    return Period.parse(text, year_start)


def _from_row(row: object, calendar: Calendar) -> MeasureValue:
    found: Any = row  # attributes, not `_mapping`: a dashboard reads ~100,000 rows
    return MeasureValue(
        measure=found.measure_code,
        unit=found.unit_code,
        period=_period(found.period, calendar.year_start),
        value=found.value,
        source=found.source,
        version=found.version,
        recorded_by=found.recorded_by,
        recorded_at=found.recorded_at,
    )


def _newest(*columns: Any, filters: Sequence[Any]) -> Select[Any]:
    """SELECT `columns` of the newest version of every key matching `filters`."""
    newest = (
        select(*_KEY, func.max(measure_values.c.version).label("version"))
        .where(*filters)
        .group_by(*_KEY)
        .subquery()
    )
    return select(*columns).join(
        newest,
        and_(
            measure_values.c.measure_code == newest.c.measure_code,
            measure_values.c.unit_code == newest.c.unit_code,
            measure_values.c.period == newest.c.period,
            measure_values.c.version == newest.c.version,
        ),
    )


def latest(
    conn: Connection,
    *,
    measures: Iterable[str] | None = None,
    units: Iterable[str] | None = None,
    periods: Iterable[Period] | None = None,
    calendar: Calendar = DEFAULT_CALENDAR,
    upto: int | None = None,
) -> list[MeasureValue]:
    """The current (highest) version of each value, filtered by measure, unit and period;
    periods read in the plan's `calendar` (`FY2026Q1` in a fiscal plan). With `upto`,
    as the store stood when its newest value id was `upto` (see `changes`)."""
    filters = []
    if upto is not None:
        filters.append(measure_values.c.id <= upto)
    if measures is not None:
        filters.append(measure_values.c.measure_code.in_(list(measures)))
    if units is not None:
        filters.append(measure_values.c.unit_code.in_(list(units)))
    if periods is not None:
        filters.append(measure_values.c.period.in_([str(p) for p in periods]))
    query = _newest(measure_values, filters=filters)
    return [_from_row(row, calendar) for row in conn.execute(query) if row.value is not None]


def changes(
    conn: Connection,
    *,
    after: int,
    upto: int,
    measures: Iterable[str],
    calendar: Calendar = DEFAULT_CALENDAR,
) -> list[MeasureValue]:
    """Every version of `measures` recorded with a value id in (`after`, `upto`], oldest
    first; a version without a number withdrew its figure.

    Why ids tell: values are only ever added, and writers of figures queue (`store.locks`:
    one lock for every figure on PostgreSQL, the only write lock on SQLite), so the ids a
    transaction takes are above those of every transaction committed before it. A reader
    that saw the store at `after` and sees it at `upto` learns every change from these rows.
    """
    rows = conn.execute(
        select(measure_values)
        .where(
            measure_values.c.id > after,
            measure_values.c.id <= upto,
            measure_values.c.measure_code.in_(sorted(set(measures))),
        )
        .order_by(measure_values.c.id)
    )
    return [_from_row(row, calendar) for row in rows]


def history(
    conn: Connection,
    measure: str,
    unit: str,
    period: Period,
    calendar: Calendar = DEFAULT_CALENDAR,
) -> list[MeasureValue]:
    """Every version of one value, oldest first."""
    rows = conn.execute(
        select(measure_values)
        .where(
            measure_values.c.measure_code == measure,
            measure_values.c.unit_code == unit,
            measure_values.c.period == str(period),
        )
        .order_by(measure_values.c.version)
    )
    return [_from_row(row, calendar) for row in rows]


def record(conn: Connection, values: Sequence[MeasureValue], *, actor: str) -> int:
    """Store values as new versions where they differ from the current one; return how many.

    Run inside a transaction: either every value is recorded or none is.
    """
    if not values:
        return 0
    keys = {(v.measure, v.unit, str(v.period)) for v in values}
    if len(keys) != len(values):
        raise ValueError("the same (measure, unit, period) appears twice in one batch")
    lock_measures(conn, {k[0] for k in keys})
    current = _current(conn, values)
    now = datetime.now(UTC)
    new_rows = []
    for value in values:
        key = (value.measure, value.unit, str(value.period))
        version, number = current.get(key, (0, None))
        if number == value.value:
            continue
        new_rows.append(
            {
                "measure_code": value.measure,
                "unit_code": value.unit,
                "period": str(value.period),
                "value": value.value,
                "source": value.source,
                "version": version + 1,
                "recorded_by": actor,
                "recorded_at": now,
            }
        )
    if new_rows:
        conn.execute(insert(measure_values), new_rows)
    return len(new_rows)


def _current(
    conn: Connection, values: Sequence[MeasureValue]
) -> dict[tuple[str, str, str], tuple[int, float | None]]:
    """(version, value) of the newest stored version of each key in `values`.

    One query for the newest versions of the batch's measures and units (few distinct
    codes), matched in memory: 100,000 values cost one round trip, not 200.
    """
    keys = {(v.measure, v.unit, str(v.period)) for v in values}
    filters = (
        measure_values.c.measure_code.in_(sorted({k[0] for k in keys})),
        measure_values.c.unit_code.in_(sorted({k[1] for k in keys})),
    )
    rows = conn.execute(
        _newest(*_KEY, measure_values.c.version, measure_values.c.value, filters=filters)
    )
    found: dict[tuple[str, str, str], tuple[int, float | None]] = {}
    for row in rows:
        key = (row.measure_code, row.unit_code, row.period)
        if key in keys:
            found[key] = (row.version, row.value)
    return found


Row = tuple[str, str, str, float | None]  # measure, unit, period, value (None: withdraw)


def sync(
    conn: Connection,
    rows: Sequence[Row],
    *,
    measures: Iterable[str],
    source: str,
    actor: str,
    withdraw_missing: bool,
) -> int:
    """Make the newest values of `measures` equal to `rows`; return the versions written.

    A key whose number changed gets a new version, and so does one whose number is the
    same but now comes from `source` rather than another source (a province's own figure
    equal to the roll-up of its wards: it becomes the province's, and a later change of
    the wards no longer rolls over it); with `withdraw_missing`, a figure of `source`
    absent from `rows` is withdrawn. Works on plain tuples: a full recompute
    of 50,000 figures costs one read and one bulk insert, no object per figure.
    """
    wanted = sorted(set(measures))
    if not wanted:
        return 0
    lock_measures(conn, wanted)
    filters = [measure_values.c.measure_code.in_(wanted)]
    if not withdraw_missing:  # only the keys of `rows` matter: read no more than those
        filters.append(measure_values.c.unit_code.in_(sorted({r[1] for r in rows})))
        filters.append(measure_values.c.period.in_(sorted({r[2] for r in rows})))
    newest = _newest(
        *_KEY,
        measure_values.c.version,
        measure_values.c.value,
        measure_values.c.source,
        filters=filters,
    )
    stored: dict[tuple[str, str, str], tuple[int, float | None, str]] = {
        (r.measure_code, r.unit_code, r.period): (r.version, r.value, r.source)
        for r in conn.execute(newest)
    }
    inserts: list[tuple[str, str, str, float | None, int]] = []

    def add(key: tuple[str, str, str], value: float | None, version: int) -> None:
        inserts.append((*key, value, version))

    seen: set[tuple[str, str, str]] = set()
    for measure, unit, period, value in rows:
        key = (measure, unit, period)
        seen.add(key)
        version, number, origin = stored.get(key, (0, None, source))
        if number != value or (value is not None and origin != source):
            add(key, value, version + 1)
    if withdraw_missing:
        for key, (version, number, origin) in stored.items():
            if key not in seen and number is not None and origin == source:
                add(key, None, version + 1)
    insert_rows(
        conn,
        measure_values,
        ("measure_code", "unit_code", "period", "value", "version"),
        inserts,
        {"source": source, "recorded_by": actor, "recorded_at": datetime.now(UTC)},
    )
    return len(inserts)


def newest_recorded_at(conn: Connection) -> datetime | None:
    """When the newest value was recorded (how fresh the figures are); None if none."""
    found = conn.execute(select(func.max(measure_values.c.recorded_at))).scalar()
    if found is None:
        return None
    if isinstance(found, str):  # SQLite's max() returns the stored text
        found = datetime.fromisoformat(found)
    return found if found.tzinfo is not None else found.replace(tzinfo=UTC)
