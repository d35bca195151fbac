"""A report is on time when it is in by the end of its due day on the plan's clock."""

from datetime import UTC, date, datetime

import pytest

from dxplan.domain.period import Calendar
from dxplan.reporting.platform import on_time
from dxplan.store.submissions import Submission

DUE = date(2025, 10, 10)
# 17:30 UTC on 10 October: 00:30 on 11 October in Can Tho (UTC+7), 23:30 on 10 October
# in Dhaka (UTC+6)
SUBMITTED = datetime(2025, 10, 10, 17, 30, tzinfo=UTC)


@pytest.mark.parametrize(("zone", "expected"), [("Asia/Ho_Chi_Minh", False), ("Asia/Dhaka", True)])
def test_the_due_day_ends_at_midnight_in_the_plans_zone(zone: str, expected: bool) -> None:
    report = Submission("d", "u", "2025Q3", first_submitted_at=SUBMITTED)
    assert on_time(report, DUE, Calendar(zone)) is expected


def test_a_report_never_submitted_is_not_on_time() -> None:
    assert not on_time(Submission("d", "u", "2025Q3"), DUE, Calendar())
    assert not on_time(None, DUE, Calendar())
