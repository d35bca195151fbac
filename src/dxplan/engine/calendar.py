"""The month grid and period membership, as small tables the SQL joins with."""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa

from dxplan.domain.period import Calendar, Period, PeriodKind


def month_key(period: Period) -> int:
    """202507 for July 2025."""
    return period.year * 100 + period.index if period.kind is PeriodKind.MONTH else 0


def month_of(key: int, year_start: int = 1) -> Period:
    return Period(key // 100, PeriodKind.MONTH, key % 100, year_start)


def grid(first: int, last: int, year_start: int = 1) -> list[int]:
    """Every month of every plan year from `first`'s to `last`'s (keys like 202507).

    Whole years of the plan's calendar (July to June for a fiscal year starting in
    July): a quarter or a year is then always complete, and a period's last month
    exists even when no dossier was received in it.
    """
    start = Period.of(PeriodKind.YEAR, month_of(first).first_day, year_start)
    stop = Period.of(PeriodKind.YEAR, month_of(last).first_day, year_start)
    keys: list[int] = []
    year = start
    while year <= stop:
        keys.extend(month_key(month) for month in year.months())
        year = year.next()
    return keys


def months_table(months: Iterable[int], calendar: Calendar) -> pa.Table:
    """month, end_at (epoch µs of the first instant of the next month, in the plan's
    zone), last_day."""
    keys = sorted(months)
    periods = [month_of(k) for k in keys]
    zone = calendar.zone
    return pa.table(
        {
            "month": pa.array(keys, pa.int32()),
            "end_at": pa.array(
                [int(p.end_in(zone).timestamp() * 1_000_000) for p in periods], pa.int64()
            ),
            "last_day": pa.array([p.last_day for p in periods], pa.date32()),
        }
    )


def period_months_table(months: Iterable[int], calendar: Calendar) -> pa.Table:
    """For each month: every period containing it (itself, Q, S, year of the plan's
    calendar) and whether it ends it."""
    rows: dict[str, list[object]] = {"period": [], "month": [], "is_last": []}
    for key in sorted(months):
        month = month_of(key, calendar.year_start)
        for period in (month, *month.containing()):
            rows["period"].append(str(period))
            rows["month"].append(key)
            rows["is_last"].append(period.last_day == month.last_day)
    return pa.table(
        {
            "period": pa.array(rows["period"], pa.string()),
            "month": pa.array(rows["month"], pa.int32()),
            "is_last": pa.array(rows["is_last"], pa.bool_()),
        }
    )
