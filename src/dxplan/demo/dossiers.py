"""Dossier records, one month at a time, as whole numpy arrays (no loop over rows).

Times are computed as local microseconds since 1970-01-01 (Asia/Ho_Chi_Minh has no
daylight saving) and stored as UTC instants in a zoned Arrow timestamp column.
Trends are anchored at January 2024 (`t` counts months from it): the online share,
digitisation and online payment rise with `t`, and with each unit's maturity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from dxplan.demo.procedures import Catalog

__all__ = [
    "DOSSIER_SCHEMA",
    "Receivers",
    "Setting",
    "month_table",
    "trend_month",
    "working_calendar",
    "year_counts",
]

TIME_ZONE: Final = "Asia/Ho_Chi_Minh"
_TIMESTAMP: Final = pa.timestamp("us", tz=TIME_ZONE)
DOSSIER_SCHEMA: Final = pa.schema(
    [
        ("dossier_id", pa.string()),
        ("procedure_code", pa.string()),
        ("unit_code", pa.string()),
        ("channel", pa.string()),
        ("received_at", _TIMESTAMP),
        ("due_at", _TIMESTAMP),
        ("finished_at", _TIMESTAMP),
        ("status", pa.string()),
        ("fee_required", pa.bool_()),
        ("paid_online", pa.bool_()),
        ("input_digitized", pa.bool_()),
        ("result_digitized", pa.bool_()),
        ("updated_at", _TIMESTAMP),
    ]
)
CHANNELS: Final = ("online", "direct", "postal")
STATUSES: Final = ("processing", "finished", "withdrawn")

SECOND: Final = 1_000_000
HOUR: Final = 3600 * SECOND
DAY: Final = 24 * HOUR
_UTC_OFFSET: Final = 7 * HOUR

# Lunar new year's day; the dip needs it and it follows the lunar calendar.
TET: Final = {
    2020: date(2020, 1, 25), 2021: date(2021, 2, 12), 2022: date(2022, 2, 1),
    2023: date(2023, 1, 22), 2024: date(2024, 2, 10), 2025: date(2025, 1, 29),
    2026: date(2026, 2, 17), 2027: date(2027, 2, 6), 2028: date(2028, 1, 26),
    2029: date(2029, 2, 13), 2030: date(2030, 2, 3),
}  # fmt: skip
# (first day, last day) relative to Tết, and the factor on the volume of those days:
# the rush before, the holiday itself, the slow restart after.
_TET_WINDOWS: Final = ((-10, -4, 0.8), (-3, 4, 0.03), (5, 11, 0.55), (12, 18, 0.85))
_HOLIDAYS: Final = ((1, 1), (4, 30), (5, 1), (9, 2))  # solar public holidays (month, day)
_WEEKDAY: Final = np.array([1.0, 1.0, 1.0, 1.0, 0.97, 0.22, 0.02])  # Monday first
_MONTH: Final = np.array([1.0, 1.0, 1.05, 1.0, 1.0, 1.02, 0.98, 1.0, 1.0, 1.03, 1.05, 1.12])

COMMUNE_SHARE: Final = 0.6  # dossiers of commune-level procedures
CENTRE_SHARE: Final = 0.5  # city-level dossiers received by the service centre
# Online share: logit = _ONLINE_START + _ONLINE_SLOPE * t + _SPREAD * (maturity - 0.5),
# tuned so the city goes from about 45% in January 2024 to 85% in December 2025.
_ONLINE_START: Final = -0.38
_ONLINE_SLOPE: Final = 0.145
_SPREAD: Final = 4.0
_ONLINE_BY_LEVEL: Final = np.array([1.0, 0.9, 0.0])  # full, partial, none: never online


@dataclass(frozen=True)
class Receivers:
    """The units that receive dossiers; communes and wards first, then agencies."""

    codes: list[str]
    maturity: NDArray[np.float64]  # 0..1, drawn once per unit
    local: NDArray[np.int64]  # indices of communes and wards
    local_share: NDArray[np.float64]  # of the commune-level dossiers, sums to 1
    agency: NDArray[np.int64]  # receiver index of each catalog agency
    centre: int | None  # receiver index of the public administration service centre


@dataclass(frozen=True)
class Setting:
    """What every month shares: the catalog, the units, the working calendar, the cut-off."""

    catalog: Catalog
    receivers: Receivers
    calendar: np.busdaycalendar  # Monday to Friday, public holidays and Tết closed
    as_of: int  # local microseconds; dossiers not finished by then are still processing


def _logistic(x: NDArray[np.float64]) -> NDArray[np.float64]:
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


def _weekday(days: NDArray[np.int64]) -> NDArray[np.int64]:
    return (days + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0


def trend_month(year: int, month: int) -> int:
    """Months since January 2024, the origin of every trend."""
    return (year - 2024) * 12 + month - 1


def closed_days(year: int) -> NDArray[np.int64]:
    """Day numbers of the public holidays of a year: solar holidays and the Tết week."""
    fixed = [np.datetime64(f"{year}-{month:02d}-{day:02d}") for month, day in _HOLIDAYS]
    days = np.array(fixed, dtype="datetime64[D]").astype(np.int64)
    if year in TET:
        tet = np.datetime64(TET[year]).astype(np.int64)
        first, last, _ = _TET_WINDOWS[1]
        days = np.concatenate([days, np.arange(tet + first, tet + last + 1)])
    return days


def working_calendar(years: range) -> np.busdaycalendar:
    """Business days (Monday to Friday, holidays closed) over `years`."""
    closed = np.concatenate([closed_days(year) for year in years])
    return np.busdaycalendar(weekmask="1111100", holidays=closed.astype("datetime64[D]"))


def year_counts(
    year: int, total: int, rng: np.random.Generator
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Day numbers of the year and how many dossiers each receives (summing to `total`)."""
    if year not in TET:
        raise ValueError(f"no lunar new year date for {year}: years {min(TET)}–{max(TET)}")
    dates = np.arange(np.datetime64(f"{year}-01-01"), np.datetime64(f"{year + 1}-01-01"))
    days = dates.astype(np.int64)
    months = dates.astype("datetime64[M]").astype(np.int64) % 12
    weight = _WEEKDAY[_weekday(days)] * _MONTH[months] * rng.lognormal(0.0, 0.08, len(days))
    tet = np.datetime64(TET[year]).astype(np.int64)
    for first, last, factor in _TET_WINDOWS:
        weight[(days >= tet + first) & (days <= tet + last)] *= factor
    weight[np.isin(days, closed_days(year)) & ((days < tet - 3) | (days > tet + 4))] *= 0.03
    counts = rng.multinomial(total, weight / weight.sum()).astype(np.int64)
    return days, counts


def _procedures(
    rng: np.random.Generator, catalog: Catalog, commune: bool, day: NDArray[np.int64]
) -> NDArray[np.int64]:
    """A procedure of the level for each dossier, by popularity, in force on its day."""
    if len(day) == 0:
        return np.zeros(0, dtype=np.int64)
    first, last = int(day.min()), int(day.max())
    level = catalog.commune_level == commune
    pool = np.flatnonzero(level & (catalog.valid_from <= last) & (catalog.valid_to >= first))
    weight = catalog.popularity[pool]
    chosen = pool[rng.choice(len(pool), size=len(day), p=weight / weight.sum())]
    # A procedure repealed or introduced within the month: redraw the dossiers that
    # fall outside its validity from the procedures in force the whole month.
    outside = (catalog.valid_from[chosen] > day) | (catalog.valid_to[chosen] < day)
    if outside.any():
        steady = pool[(catalog.valid_from[pool] <= first) & (catalog.valid_to[pool] >= last)]
        weight = catalog.popularity[steady]
        chosen[outside] = steady[
            rng.choice(len(steady), size=int(outside.sum()), p=weight / weight.sum())
        ]
    return chosen


def _office_seconds(rng: np.random.Generator, n: int) -> NDArray[np.int64]:
    """Seconds after midnight within office hours: 7:30–11:30 and 13:30–17:00."""
    return np.where(
        rng.random(n) < 0.55,
        27_000 + rng.integers(0, 14_400, n),
        48_600 + rng.integers(0, 12_600, n),
    )


def _business(
    days: NDArray[np.int64], offsets: NDArray[np.int64], calendar: np.busdaycalendar
) -> NDArray[np.int64]:
    """The business day `offsets` after each day (a closed day first rolls forward)."""
    moved = np.busday_offset(
        days.astype("datetime64[D]"), offsets, roll="forward", busdaycal=calendar
    )
    return moved.astype(np.int64)


@dataclass(frozen=True)
class _Arrivals:
    """Who filed what, where, how and when; sorted by reception time."""

    day: NDArray[np.int64]
    received: NDArray[np.int64]  # local microseconds
    procedure: NDArray[np.int64]
    unit: NDArray[np.int64]
    channel: NDArray[np.int64]  # index into CHANNELS
    maturity: NDArray[np.float64]  # of the receiving unit, centred on 0


def _arrivals(
    setting: Setting, day: NDArray[np.int64], t: int, rng: np.random.Generator
) -> _Arrivals:
    catalog, receivers = setting.catalog, setting.receivers
    n = len(day)
    commune = rng.random(n) < COMMUNE_SHARE
    procedure = np.empty(n, dtype=np.int64)
    unit = np.empty(n, dtype=np.int64)
    for level in (True, False):
        rows = np.flatnonzero(commune == level)
        procedure[rows] = _procedures(rng, catalog, level, day[rows])
    unit[commune] = receivers.local[
        rng.choice(len(receivers.local), size=int(commune.sum()), p=receivers.local_share)
    ]
    owner = receivers.agency[catalog.agency[procedure[~commune]]]
    if receivers.centre is not None:
        owner = np.where(rng.random(len(owner)) < CENTRE_SHARE, receivers.centre, owner)
    unit[~commune] = owner
    maturity = receivers.maturity[unit] - 0.5

    share = _logistic(_ONLINE_START + _ONLINE_SLOPE * t + _SPREAD * maturity)
    share = share * _ONLINE_BY_LEVEL[catalog.online_level[procedure]]
    draw = rng.random(n)
    channel = np.where(draw < share, 0, np.where(draw < share + (1 - share) * 0.04, 2, 1))
    # Counters keep office hours; a third of online filings come at any time of day.
    seconds = _office_seconds(rng, n)
    anytime = (channel == 0) & (rng.random(n) < 0.3)
    seconds = np.where(anytime, 21_600 + rng.integers(0, 61_200, n), seconds)
    received = day * DAY + seconds * SECOND
    order = np.argsort(received, kind="stable")
    return _Arrivals(
        day=day[order],
        received=received[order],
        procedure=procedure[order],
        unit=unit[order],
        channel=channel[order],
        maturity=maturity[order],
    )


def month_table(
    setting: Setting,
    days: NDArray[np.int64],
    counts: NDArray[np.int64],
    t: int,
    rng: np.random.Generator,
) -> pa.Table:
    """The dossiers received on `days` (one month), `counts` a day, as at `setting.as_of`."""
    catalog, calendar, as_of = setting.catalog, setting.calendar, setting.as_of
    a = _arrivals(setting, np.repeat(days, counts), t, rng)
    n, online, maturity = len(a.day), a.channel == 0, a.maturity

    # Deadline: the legal number of business days from the first business day the
    # dossier is in (the next one when it came after hours), at 17:00.
    allowed = catalog.due_days[a.procedure]
    has_due = allowed >= 0
    after_hours = (a.received >= a.day * DAY + 17 * HOUR) & np.is_busday(
        a.day.astype("datetime64[D]"), busdaycal=calendar
    )
    start = _business(a.day, after_hours.astype(np.int64), calendar)
    due_day = _business(start, np.maximum(allowed, 0), calendar)
    due = due_day * DAY + 17 * HOUR

    on_time = rng.random(n) < _logistic(_logit(0.93) + 0.02 * t + 1.5 * maturity)
    on_time &= rng.random(n) >= 0.004  # forgotten files, months late: the overdue backlog
    delay = ~on_time * (rng.random(n) < 0.05) * rng.integers(40, 280, n)
    spent = np.floor(rng.beta(2.2, 1.2, n) * (np.maximum(allowed, 0) + 1)).astype(np.int64)
    finish_day = np.where(
        has_due,
        np.where(
            on_time,
            _business(start, spent, calendar),
            _business(due_day, rng.geometric(0.15, n) + delay, calendar),
        ),
        _business(start, rng.geometric(0.08, n) - 1 + delay, calendar),
    )
    finish = finish_day * DAY + _office_seconds(rng, n) * SECOND
    quickest = a.received + (300 + rng.exponential(1800.0, n).astype(np.int64)) * SECOND
    finish = np.maximum(finish, quickest)
    finish = np.where(has_due & on_time, np.minimum(finish, due), finish)

    withdrawn = rng.random(n) < 0.01
    finished = ~withdrawn & (finish < as_of)
    status = np.where(withdrawn, 2, np.where(finished, 1, 0))
    # the last touch of an open or withdrawn dossier: within a month of its reception
    touched = a.received + (np.minimum(as_of - 1 - a.received, 30 * DAY) * rng.random(n)).astype(
        np.int64
    )
    updated = np.where(
        finished, np.minimum(finish + rng.integers(0, 2 * HOUR, n), as_of - 1), touched
    )

    lift = 0.08 * t + 3.0 * maturity
    fee = catalog.has_fee[a.procedure] & (rng.random(n) >= 0.08)  # a few are exempted
    pay = np.where(online, _logistic(_logit(0.35) + lift), 0.05)
    paid = fee & catalog.online_payment[a.procedure] & (rng.random(n) < pay)
    intake = np.where(online, 0.98, _logistic(_logit(0.35) + 0.09 * t + 3.0 * maturity))
    result = _logistic(_logit(0.55) + lift + 0.7 * online)

    return pa.table(
        {
            "dossier_id": _dossier_ids(a.unit, a.day, setting.receivers, int(days[0])),
            "procedure_code": pa.array(catalog.codes, pa.string()).take(a.procedure),
            "unit_code": pa.array(setting.receivers.codes, pa.string()).take(a.unit),
            "channel": pa.array(CHANNELS, pa.string()).take(a.channel),
            "received_at": _timestamps(a.received),
            "due_at": _timestamps(due, ~has_due),
            "finished_at": _timestamps(finish, ~finished),
            "status": pa.array(STATUSES, pa.string()).take(status),
            "fee_required": pa.array(fee),
            "paid_online": pa.array(paid),
            "input_digitized": pa.array(rng.random(n) < intake),
            "result_digitized": pa.array(finished & (rng.random(n) < result)),  # no result yet
            "updated_at": _timestamps(updated),
        },
        schema=DOSSIER_SCHEMA,
    )


def _timestamps(local: NDArray[np.int64], missing: NDArray[np.bool_] | None = None) -> pa.Array:
    return pa.array(local - _UTC_OFFSET, _TIMESTAMP, mask=missing)


def _dossier_ids(
    unit: NDArray[np.int64], day: NDArray[np.int64], receivers: Receivers, first_day: int
) -> pa.Array:
    """`{unit}-{yymmdd}-{nnnnnn}`: a running number per unit and day, in order received."""
    by_unit = np.argsort(unit, kind="stable")  # rows are in order received already
    key = unit[by_unit] * 100 + (day[by_unit] - first_day)
    first = np.concatenate([[True], key[1:] != key[:-1]])[: len(key)]
    starts = np.flatnonzero(first)
    group = np.cumsum(first) - 1
    number = np.empty(len(unit), dtype=np.int64)
    number[by_unit] = np.arange(len(unit)) - starts[group] + 1
    stamps = np.arange(first_day, int(day.max(initial=first_day)) + 1).astype("datetime64[D]")
    labels = [f"-{d.item():%y%m%d}-" for d in stamps]
    return pc.binary_join_element_wise(
        pa.array(receivers.codes, pa.string()).take(unit),
        pa.array(labels, pa.string()).take(day - first_day),
        pc.utf8_lpad(pc.cast(pa.array(number), pa.string()), width=6, padding="0"),
        "",
    )
