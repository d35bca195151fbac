"""`dxplan national send` killed (SIGKILL) while the receiver holds its request.

The receiver has kept the packet but dxplan never recorded the answer: the next run
sends the same message id again, the receiver answers 409, and every message id ends
up kept exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter

from tests.national.conftest import Feed


def test_a_sender_killed_mid_request_resends_the_same_id(feed: Feed) -> None:
    assert feed.run("national", "queue", "--period", "2025-10").exit_code == 0
    ids = [p["message_id"] for p in feed.status()]
    feed.receiver.faults = ["pass", "pass", "hold"]  # hold the third packet
    sender = subprocess.Popen(
        [sys.executable, "-m", "dxplan", "national", "send"],
        # a long timeout: the held request stays in flight until the kill, whatever the load
        env={**os.environ, **feed.env, "DXPLAN_NATIONAL_TIMEOUT_SECONDS": "300"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert feed.receiver.held.wait(120), "the sender never reached the third packet"
        # no transaction is held during a request: another writer goes ahead meanwhile
        assert feed.run("national", "queue", "--period", "2025-09").exit_code == 0
        sender.send_signal(signal.SIGKILL)
        assert sender.wait(60) == -signal.SIGKILL
    finally:
        if sender.poll() is None:
            sender.kill()
            sender.wait()
        feed.receiver.release.set()
    status = [p for p in feed.status() if p["period"] == "2025-10"]
    later = [p["message_id"] for p in feed.status() if p["period"] == "2025-09"]
    assert [p["state"] for p in status[:2]] == ["sent", "sent"]
    assert status[2]["state"] == "queued" and status[2]["attempts"] == 1  # kept, not recorded
    result = feed.run("national", "send")
    assert result.exit_code == 0, result.output
    assert feed.receiver.kept == Counter(dict.fromkeys(ids + later, 1))
    assert feed.receiver.duplicates == Counter({ids[2]: 1})
    sent = [r.body["message_id"] for r in feed.receiver.requests]
    assert sent == ids[:3] + ids[2:] + later  # the first two never again; the third twice
    assert {p["state"] for p in feed.status()} == {"sent"}
    print(
        f"\n[national] killed mid-send: {len(sent)} requests, "
        f"{feed.receiver.kept.total()} kept, {feed.receiver.duplicates.total()} duplicate"
    )
