import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from dxplan.domain.period import Calendar, Period, PeriodKind, zone_of

CANTHO_TZ = ZoneInfo("Asia/Ho_Chi_Minh")  # the shipped plan's time zone


@pytest.mark.parametrize(
    ("text", "kind", "first_day", "last_day"),
    [
        ("2025", PeriodKind.YEAR, date(2025, 1, 1), date(2025, 12, 31)),
        ("2025S1", PeriodKind.HALF, date(2025, 1, 1), date(2025, 6, 30)),
        ("2025S2", PeriodKind.HALF, date(2025, 7, 1), date(2025, 12, 31)),
        ("2025Q3", PeriodKind.QUARTER, date(2025, 7, 1), date(2025, 9, 30)),
        ("2024Q1", PeriodKind.QUARTER, date(2024, 1, 1), date(2024, 3, 31)),
        ("2024-02", PeriodKind.MONTH, date(2024, 2, 1), date(2024, 2, 29)),
        ("2025-02", PeriodKind.MONTH, date(2025, 2, 1), date(2025, 2, 28)),
        ("2025-12", PeriodKind.MONTH, date(2025, 12, 1), date(2025, 12, 31)),
    ],
)
def test_parse_print_and_calendar(text, kind, first_day, last_day):
    period = Period.parse(text)
    assert str(period) == text
    assert period.kind is kind
    assert (period.first_day, period.last_day) == (first_day, last_day)


@pytest.mark.parametrize(
    "text", ["", "25", "2025Q5", "2025Q0", "2025S3", "2025-13", "2025-7", "2025-00", "2025W01"]
)
def test_parse_refuses_other_texts(text):
    with pytest.raises(ValueError, match="is not a period"):
        Period.parse(text)


def test_start_and_end_are_local_midnights():
    july = Period.parse("2025-07")
    assert july.start_in(CANTHO_TZ) == datetime(2025, 7, 1, tzinfo=CANTHO_TZ)
    assert july.end_in(CANTHO_TZ) == datetime(2025, 8, 1, tzinfo=CANTHO_TZ)
    # 17:00 UTC on 30 June is midnight on 1 July in Can Tho (UTC+7)
    assert july.start_in(CANTHO_TZ) == datetime(2025, 6, 30, 17, 0, tzinfo=UTC)
    assert Period.parse("2025").end_in(CANTHO_TZ) == datetime(2026, 1, 1, tzinfo=CANTHO_TZ)


def test_an_instant_belongs_to_the_local_month():
    late_utc = datetime(2025, 6, 30, 18, 30, tzinfo=UTC)  # 01:30 on 1 July local
    assert Period.of(PeriodKind.MONTH, late_utc, zone=CANTHO_TZ) == Period.parse("2025-07")
    assert Period.parse("2025-07").contains_instant(late_utc, CANTHO_TZ)
    assert not Period.parse("2025-06").contains_instant(late_utc, CANTHO_TZ)
    with pytest.raises(ValueError, match="naive"):
        Period.of(PeriodKind.MONTH, datetime(2025, 7, 1), zone=CANTHO_TZ)
    with pytest.raises(ValueError, match="time zone"):
        Period.of(PeriodKind.MONTH, late_utc)


def test_children_and_containing_periods():
    assert [str(p) for p in Period.parse("2025").children()] == ["2025S1", "2025S2"]
    assert [str(p) for p in Period.parse("2025S2").children()] == ["2025Q3", "2025Q4"]
    assert [str(p) for p in Period.parse("2025Q3").children()] == [
        "2025-07",
        "2025-08",
        "2025-09",
    ]
    assert Period.parse("2025-08").children() == []
    assert [str(p) for p in Period.parse("2025-08").containing()] == ["2025Q3", "2025S2", "2025"]
    assert Period.parse("2025").containing() == []
    assert len(Period.parse("2025").months()) == 12
    assert Period.parse("2025S1").contains(Period.parse("2025Q2"))
    assert not Period.parse("2025S1").contains(Period.parse("2025Q3"))


def test_next_and_previous_cross_years():
    assert str(Period.parse("2025-12").next()) == "2026-01"
    assert str(Period.parse("2025Q1").previous()) == "2024Q4"
    assert str(Period.parse("2025S2").next()) == "2026S1"
    assert str(Period.parse("2025").previous()) == "2024"


def test_order_is_chronological_longer_first():
    texts = ["2025-02", "2025Q1", "2024", "2025", "2025-01", "2025S1"]
    ordered = sorted(Period.parse(t) for t in texts)
    assert [str(p) for p in ordered] == ["2024", "2025", "2025S1", "2025Q1", "2025-01", "2025-02"]


def test_a_period_field_reads_and_writes_its_identifier():
    class Holder(BaseModel):
        period: Period

    holder = Holder.model_validate({"period": "2025Q3"})
    assert holder.period == Period(2025, PeriodKind.QUARTER, 3)
    assert holder.model_dump(mode="json") == {"period": "2025Q3"}
    assert Holder.model_validate_json('{"period": "2025-07"}').period.kind is PeriodKind.MONTH


periods = st.builds(
    lambda year, kind, start, data: Period(
        year, kind, data.draw(st.integers(1, 12 // kind.months)), start
    ),
    st.integers(1990, 2100),
    st.sampled_from(list(PeriodKind)),
    st.sampled_from([1, 1, 4, 7, 10]),  # calendar years, and fiscal years from April, July...
    st.data(),
)


@given(periods)
def test_identifier_round_trips(period):
    assert Period.parse(str(period), period.year_start) == period


@given(periods)
def test_a_period_is_the_period_of_each_of_its_days(period):
    for day in (period.first_day, period.last_day):
        assert Period.of(period.kind, day, period.year_start) == period
    assert period.year_period().contains(period)
    assert period.next().position == period.position + 1


@pytest.mark.parametrize(
    ("text", "first_day", "last_day"),
    [
        ("FY2026", date(2025, 7, 1), date(2026, 6, 30)),
        ("FY2026S1", date(2025, 7, 1), date(2025, 12, 31)),
        ("FY2026S2", date(2026, 1, 1), date(2026, 6, 30)),
        ("FY2026Q1", date(2025, 7, 1), date(2025, 9, 30)),
        ("FY2026Q3", date(2026, 1, 1), date(2026, 3, 31)),
        ("FY2026Q4", date(2026, 4, 1), date(2026, 6, 30)),
        ("2025-07", date(2025, 7, 1), date(2025, 7, 31)),
    ],
)
def test_fiscal_years_from_july(text, first_day, last_day):
    """Bangladesh's fiscal year 2025-26 is FY2026: named by the year in which it ends."""
    period = Period.parse(text, year_start=7)
    assert str(period) == text
    assert (period.first_day, period.last_day) == (first_day, last_day)


def test_fiscal_navigation():
    july = Period.parse("2025-07", 7)
    assert [str(p) for p in july.containing()] == ["FY2026Q1", "FY2026S1", "FY2026"]
    june = Period.parse("2026-06", 7)
    assert [str(p) for p in june.containing()] == ["FY2026Q4", "FY2026S2", "FY2026"]
    assert [str(p) for p in Period.parse("FY2026", 7).children()] == ["FY2026S1", "FY2026S2"]
    assert [str(p) for p in Period.parse("FY2026S2", 7).children()] == ["FY2026Q3", "FY2026Q4"]
    assert [str(p) for p in Period.parse("FY2026Q2", 7).children()] == [
        "2025-10",
        "2025-11",
        "2025-12",
    ]
    assert str(Period.parse("FY2026Q4", 7).next()) == "FY2027Q1"
    assert str(Period.parse("FY2026", 7).previous()) == "FY2025"
    assert len(Period.parse("FY2026", 7).months()) == 12
    ordered = sorted(Period.parse(t, 7) for t in ["2025-08", "FY2026Q1", "FY2025", "FY2026"])
    assert [str(p) for p in ordered] == ["FY2025", "FY2026", "FY2026Q1", "2025-08"]


def test_a_month_is_the_same_month_in_any_calendar():
    assert Period.parse("2025-07", 7) == Period.parse("2025-07")
    assert hash(Period.parse("2025-07", 7)) == hash(Period.parse("2025-07"))
    assert Period.parse("FY2026", 7) != Period(2026)


@pytest.mark.parametrize(
    ("text", "year_start", "message"),
    [
        ("FY2026", 1, "its year is the calendar year, write 2026"),
        ("2026", 7, "fiscal year starting in month 7, write FY2026"),
        ("2026Q1", 7, "write FY2026Q1"),
        ("FY2026-07", 7, "is not a period"),
    ],
)
def test_identifiers_of_the_other_calendar_are_refused(text, year_start, message):
    with pytest.raises(ValueError, match=message):
        Period.parse(text, year_start)


def test_a_calendar_puts_an_instant_in_its_own_month():
    """2025-02-01 00:30 in Can Tho (UTC+7) is 2025-01-31 23:30 in Dhaka (UTC+6)."""
    instant = datetime(2025, 1, 31, 17, 30, tzinfo=UTC)
    can_tho, dhaka = Calendar("Asia/Ho_Chi_Minh"), Calendar("Asia/Dhaka", 7)
    assert str(can_tho.period_of(PeriodKind.MONTH, instant)) == "2025-02"
    assert str(dhaka.period_of(PeriodKind.MONTH, instant)) == "2025-01"
    assert str(dhaka.period_of(PeriodKind.YEAR, instant)) == "FY2025"
    assert dhaka.today(instant) == date(2025, 1, 31)
    assert Period.parse("2025-02").start_in(dhaka.zone) == datetime(2025, 1, 31, 18, tzinfo=UTC)


@pytest.mark.parametrize("name", ["Asia/Atlantis", "", "../../etc/passwd", "Asia"])
def test_an_unknown_zone_is_refused(name):
    with pytest.raises(ValueError, match="IANA time zone"):
        zone_of(name)


@given(periods)
def test_months_tile_the_period_without_gaps(period):
    months = period.months()
    zone = CANTHO_TZ
    assert months[0].start_in(zone) == period.start_in(zone)
    assert months[-1].end_in(zone) == period.end_in(zone)
    for earlier, later in itertools.pairwise(months):
        assert earlier.end_in(zone) == later.start_in(zone)
    assert period.next().start_in(zone) == period.end_in(zone)
    assert (period.end_in(zone) - period.start_in(zone)) >= timedelta(days=28 * period.kind.months)


@given(periods)
def test_every_containing_period_contains_it(period):
    for outer in period.containing():
        assert outer.contains(period)
        assert period in [p for child in [outer] for p in _descend(child)]


def _descend(period):
    yield period
    for child in period.children():
        yield from _descend(child)


@pytest.mark.parametrize("text", ["٢٠٢٥", "২০২৫", "２０２５Q1", "2025-０7"])
def test_periods_are_written_in_ascii_digits(text: str) -> None:
    """A period identifier is a contract (files, URLs, the national feed): `2025`, never
    the same year in other scripts' digits, which would make two names for one period."""
    with pytest.raises(ValueError, match="is not a period"):
        Period.parse(text)


@pytest.mark.parametrize(
    ("period", "last_day"),
    [
        (Period(9998), date(9998, 12, 31)),
        (Period(9998, PeriodKind.MONTH, 12), date(9998, 12, 31)),
        (Period(9998, PeriodKind.QUARTER, 4), date(9998, 12, 31)),
        (Period(9998, year_start=7), date(9998, 6, 30)),  # July 9997 to June 9998
    ],
)
def test_the_last_periods_have_their_days(period, last_day):
    """The last day was found through next(): year 9999, out of range (a 500 on
    /index?period=9998, a traceback from `dxplan tasks list --year 9998`)."""
    assert period.last_day == last_day
    assert period.year_period().last_day == last_day
