"""The month grid and period membership, as small tables the SQL joins with."""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa

from dxplan.domain.period import Period, PeriodKind


def month_key(period: Period) -> int:
    """202507 for July 2025."""
    return period.year * 100 + period.index if period.kind is PeriodKind.MONTH else 0


def month_of(key: int) -> Period:
    return Period(key // 100, PeriodKind.MONTH, key % 100)


def grid(first: int, last: int) -> list[int]:
    """Every month of every year from `first`'s year to `last`'s year (keys like 202507).

    Whole years: a quarter or a year is then always complete, and a period's last
    month exists even when no dossier was received in it.
    """
    return [
        year * 100 + month
        for year in range(first // 100, last // 100 + 1)
        for month in range(1, 13)
    ]


def months_table(months: Iterable[int]) -> pa.Table:
    """month, end_at (epoch µs of the first instant of the next month, local), last_day."""
    keys = sorted(months)
    periods = [month_of(k) for k in keys]
    return pa.table(
        {
            "month": pa.array(keys, pa.int32()),
            "end_at": pa.array([int(p.end.timestamp() * 1_000_000) for p in periods], pa.int64()),
            "last_day": pa.array([p.last_day for p in periods], pa.date32()),
        }
    )


def period_months_table(months: Iterable[int]) -> pa.Table:
    """For each month: every period containing it (itself, Q, S, year) and whether it ends it."""
    rows: dict[str, list[object]] = {"period": [], "month": [], "is_last": []}
    for key in sorted(months):
        month = month_of(key)
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
