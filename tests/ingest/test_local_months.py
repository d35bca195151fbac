"""The local month of an instant: arithmetic where the zone's offset holds, the zone's
rules elsewhere, and both give the same month at the edges."""

from datetime import UTC, datetime

import duckdb
import pytest

from dxplan.operational.clock import local_month_sql, steady_offset, use_time_zone

HOUR = 3_600_000_000


def _us(*moment: int) -> int:
    return int(datetime(*moment, tzinfo=UTC).timestamp() * 1_000_000)


def _months(zone: str, instants: list[int], offset: int | None) -> list[int]:
    con = duckdb.connect()
    use_time_zone(con, zone)
    values = ", ".join(f"({i})" for i in instants)
    sql = f"SELECT {local_month_sql('t', offset)} FROM (VALUES {values}) v(t) ORDER BY t"
    return [m for (m,) in con.execute(sql).fetchall()]


def test_can_tho_keeps_seven_hours_over_years():
    assert steady_offset("Asia/Ho_Chi_Minh", _us(2024, 1, 1), _us(2025, 12, 31)) == 7 * HOUR


@pytest.mark.parametrize("offset", [7 * HOUR, None])
def test_the_last_microsecond_of_june_in_can_tho_is_june(offset):
    # 1 July 00:00 in Can Tho (UTC+7) is 30 June 17:00 UTC
    instants = [_us(2025, 6, 30, 16, 59, 59) + 999_999, _us(2025, 6, 30, 17)]
    assert _months("Asia/Ho_Chi_Minh", instants, offset) == [202506, 202507]


def test_a_change_to_summer_time_has_no_steady_offset():
    # Berlin: UTC+1 in January, UTC+2 from 30 March 2025
    assert steady_offset("Europe/Berlin", _us(2025, 1, 1), _us(2025, 1, 31)) == HOUR
    assert steady_offset("Europe/Berlin", _us(2025, 1, 1), _us(2025, 4, 30)) is None


def test_without_a_steady_offset_the_zone_rules_give_the_month():
    # 1 April 00:00 in Berlin (summer time, UTC+2) is 31 March 22:00 UTC
    instants = [_us(2025, 3, 31, 21, 59, 59), _us(2025, 3, 31, 22)]
    assert _months("Europe/Berlin", instants, None) == [202503, 202504]


def test_instants_beyond_the_years_python_knows_have_no_steady_offset():
    assert steady_offset("Asia/Ho_Chi_Minh", 10**18, 10**18 + HOUR) is None
    assert steady_offset("Asia/Ho_Chi_Minh", 0, 200 * 366 * 24 * HOUR) is None  # too long
