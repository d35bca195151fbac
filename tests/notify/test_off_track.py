"""Indicators that turned off track since the last run, from the dashboard's evaluation.

The dashboard's test figures (tests/dashboard_values.py) put the city's GOV-01 off
track as of 8 November 2025 (projected 72 procedures online of 100, target 100 %).
"""

from __future__ import annotations

from dxplan.store import notifications as notify_store
from tests.dashboard_values import record_dashboard_values
from tests.notify.conftest import COORDINATOR, Notify
from tests.notify.servers import MailServer, text_of

DAY = "2025-11-08"
KEY = "off_track:GOV-01/92/2025@2025-11-08"


def _told(notify: Notify) -> set[str]:
    with notify.workspace.engine.connect() as conn:
        return {k for r, _, k in notify_store.told(conn) if r == COORDINATOR}


def test_the_first_run_only_records_what_it_sees(notify: Notify) -> None:
    record_dashboard_values(notify.workspace)
    assert notify("notify", "--as-of", DAY).exit_code == 0
    assert not any(k.startswith("off_track:") for k in _told(notify))
    with notify.workspace.engine.connect() as conn:
        seen = notify_store.statuses(conn)
    assert seen[("92", "GOV-01", "2025")] == "off_track"
    assert seen[("92", "GOV-03", "2025")] == "on_track"


def test_an_indicator_that_turned_off_track_is_told_once(notify: Notify, mail: MailServer) -> None:
    record_dashboard_values(notify.workspace)
    with notify.workspace.writing() as conn:
        # the last run saw GOV-01 on track (and GOV-03 on track, as it still is)
        notify_store.record_statuses(
            conn, {("92", "GOV-01", "2025"): "on_track", ("92", "GOV-03", "2025"): "on_track"}
        )
    assert notify("notify", "--as-of", DAY).exit_code == 0
    off = {k for k in _told(notify) if k.startswith("off_track:")}
    assert off == {KEY}
    [digest] = [m for m in mail.to(COORDINATOR) if "GOV-01" in text_of(m)]
    line = next(x for x in text_of(digest).splitlines() if "(GOV-01)" in x)
    assert line.endswith("2025: Đúng tiến độ → Chậm tiến độ"), line
    # the next day GOV-01 is still off track: nothing new about it
    assert notify("notify", "--as-of", "2025-11-09").exit_code == 0
    assert {k for k in _told(notify) if k.startswith("off_track:")} == {KEY}
