"""Indicators that turned off track since the last run, from the dashboard's evaluation.

The dashboard's test figures (tests/dashboard_values.py) put the city's GOV-01 off
track as of 8 November 2025 (projected 72 procedures online of 100, target 100 %).
"""

from __future__ import annotations

from dxplan.domain.period import Period
from dxplan.domain.value import MeasureValue
from dxplan.store import notifications as notify_store
from dxplan.store import values as value_store
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


def test_a_confidential_indicator_is_never_named(notify: Notify, mail: MailServer) -> None:
    """SOC-08 (payment accounts, confidential) turns off track too, but a reminder leaves
    the system by mail or webhook: it names public indicators only."""
    record_dashboard_values(notify.workspace)
    soc08 = [
        MeasureValue(measure, "92", Period.parse(f"2025-{month:02d}"), number, "reported")
        for month in range(1, 11)
        for measure, number in (
            ("residents_15plus", 1000.0),
            ("residents_15plus_with_account", 300.0),
        )
    ]
    with notify.workspace.writing() as conn:
        value_store.record(conn, soc08, actor="test")
        notify_store.record_statuses(
            conn, {("92", "GOV-01", "2025"): "on_track", ("92", "SOC-08", "2025"): "on_track"}
        )
    with notify.workspace.engine.connect() as conn:
        assert notify_store.statuses(conn)[("92", "SOC-08", "2025")] == "on_track"
    board = notify.workspace.board()
    assert board is not None
    [soc] = [e for e in board.city() if e.indicator.code == "SOC-08"]
    assert soc.status.value in {"off_track", "not_achieved"}  # it did turn
    assert notify("notify", "--as-of", DAY).exit_code == 0
    off = {k for k in _told(notify) if k.startswith("off_track:")}
    assert off == {KEY}
    assert all("SOC-08" not in text_of(m) for m in mail.messages)
