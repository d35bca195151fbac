"""Delivery that fails: the mail server down, the sender killed mid-run.

Undelivered digests stay pending and the command exits 4; the next run delivers each
once. A run killed while the server holds a message leaves that digest `sending`: the
next run sends it again with the same Message-ID and then the rest, and the server
keeps every Message-ID once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

from tests.notify.conftest import COORDINATOR, DAY, FOCAL, REPORTER, Notify
from tests.notify.servers import MailServer


def _status(notify: Notify) -> list[dict[str, object]]:
    result = notify("notify", "status")
    assert result.exit_code == 0, result.output
    found: list[dict[str, object]] = json.loads(result.stdout)
    return found


def test_mail_server_down_leaves_digests_pending_then_delivers_once(
    notify: Notify, mail: MailServer
) -> None:
    mail.stop()  # nothing listens on its port now
    down = notify.run()
    assert down.exit_code == 4, down.output
    assert "cannot reach the mail server 127.0.0.1" in down.stderr
    assert "3 digest(s) composed, 0 sent, 3 pending" in down.stdout
    assert [d["state"] for d in _status(notify)] == ["pending"] * 3
    # the run stopped at the first refusal: one attempt in all, the others untouched
    assert sorted(d["attempts"] for d in _status(notify)) == [0, 0, 1]

    mail.start()  # the same port again
    up = notify.run()
    assert up.exit_code == 0, up.output
    assert "0 digest(s) composed, 3 sent, 0 pending" in up.stdout
    assert {m["To"] for m in mail.messages} == {FOCAL, REPORTER, COORDINATOR}
    assert len(mail.messages) == 3 and mail.duplicates == 0
    assert notify.run().stdout.startswith("0 digest(s) composed, 0 sent")
    assert len(mail.messages) == 3


def test_pending_digests_of_an_earlier_day_become_todays(notify: Notify, mail: MailServer) -> None:
    """Still undelivered the next day: one digest that day, with what still holds."""
    mail.stop()
    assert notify.run().exit_code == 4
    mail.start()
    assert notify("notify", "--as-of", "2024-04-21").exit_code == 0
    days = {d["day"] for d in _status(notify)}
    assert days == {"2024-04-21"} and len(mail.to(FOCAL)) == 1
    assert mail.duplicates == 0


def test_a_run_killed_mid_send_resumes_without_duplicates(notify: Notify, mail: MailServer) -> None:
    mail.hold_at = 2  # the server holds the second message without answering
    sender = subprocess.Popen(
        [sys.executable, "-m", "dxplan", "notify", "--as-of", DAY],
        env={**os.environ, **notify.env, "DXPLAN_NOTIFY_TIMEOUT_SECONDS": "300"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert mail.held.wait(120), "the sender never reached the second message"
        sender.send_signal(signal.SIGKILL)
        assert sender.wait(60) == -signal.SIGKILL
    finally:
        if sender.poll() is None:
            sender.kill()
            sender.wait()
        mail.release.set()
    states = sorted(str(d["state"]) for d in _status(notify))
    assert states == ["pending", "sending", "sent"] and len(mail.messages) == 1
    mail.hold_at = None
    rerun = notify.run()
    assert rerun.exit_code == 0, rerun.output
    assert "0 digest(s) composed, 2 sent, 0 pending" in rerun.stdout
    assert {m["To"] for m in mail.messages} == {FOCAL, REPORTER, COORDINATOR}
    assert len(mail.messages) == 3 and mail.duplicates == 0
    assert {str(d["state"]) for d in _status(notify)} == {"sent"}
