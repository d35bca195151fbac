"""`dxplan national send` against a receiver that fails in every way the issue lists.

Each test prints its counts (requests made, packets kept by the receiver, duplicates it
answered with 409): `pytest -s tests/national` shows them for the decision record.
"""

from __future__ import annotations

from collections import Counter

import pytest

from dxplan.domain.period import Period
from dxplan.domain.value import MeasureValue
from dxplan.store import values as value_store
from tests.national.conftest import Feed


def _queue(feed: Feed) -> list[str]:
    result = feed.run("national", "queue", "--period", "2025-10")
    assert result.exit_code == 0, result.output
    return [p["message_id"] for p in feed.status()]


def _counts(feed: Feed, name: str) -> None:
    r = feed.receiver
    print(
        f"\n[national] {name}: {len(r.requests)} requests, {r.kept.total()} kept, "
        f"{r.duplicates.total()} duplicates answered 409"
    )


def _each_kept_once(feed: Feed, ids: list[str]) -> None:
    assert feed.receiver.kept == Counter(dict.fromkeys(ids, 1))
    assert {p["state"] for p in feed.status()} == {"sent"}


def test_5xx_and_closed_connections_are_retried_with_the_same_message_id(feed: Feed) -> None:
    ids = _queue(feed)
    feed.receiver.faults = ["500", "close", "500"]
    result = feed.run("national", "send")
    assert result.exit_code == 0, result.output
    first = [r for r in feed.receiver.requests if r.body["message_id"] == ids[0]]
    assert [r.fault for r in first] == ["500", "close", "500", None]
    assert {r.headers["Idempotency-Key"] for r in first} == {ids[0]}
    status = feed.status()
    assert status[0]["attempts"] == 4 and status[0]["state"] == "sent"
    assert status[0]["last_error"] is None
    _each_kept_once(feed, ids)
    _counts(feed, "500, closed connection, 500")


def test_a_timeout_is_retried_and_the_receivers_409_is_a_receipt(feed: Feed) -> None:
    ids = _queue(feed)
    feed.receiver.faults = ["timeout"]  # kept, but answered after the client gave up
    result = feed.run("national", "send")
    assert result.exit_code == 0, result.output
    assert feed.receiver.duplicates == Counter({ids[0]: 1})
    assert feed.status()[0]["attempts"] == 2
    _each_kept_once(feed, ids)
    _counts(feed, "timeout")


def test_a_garbage_2xx_is_a_receipt_with_a_note(feed: Feed) -> None:
    ids = _queue(feed)
    feed.receiver.faults = ["garbage"]
    assert feed.run("national", "send").exit_code == 0
    first = feed.status()[0]
    assert first["state"] == "sent" and first["attempts"] == 1
    assert "unreadable answer" in first["last_error"] and "<html>" in first["last_error"]
    _each_kept_once(feed, ids)
    _counts(feed, "garbage 2xx")


def test_a_4xx_fails_with_the_receivers_message_and_queue_brings_it_back(feed: Feed) -> None:
    ids = _queue(feed)
    feed.receiver.faults = ["400"]
    result = feed.run("national", "send")
    assert result.exit_code == 4
    status = feed.status()
    assert status[0]["state"] == "failed" and status[0]["attempts"] == 1
    assert status[0]["last_error"] == "HTTP 400: unknown indicator code"
    assert {p["state"] for p in status[1:]} == {"sent"}  # the others went on
    again = feed.run("national", "queue", "--period", "2025-10")
    assert "1 failed packet(s) queued again" in again.stdout
    assert feed.run("national", "send").exit_code == 0
    assert [p["message_id"] for p in feed.status()] == ids
    _each_kept_once(feed, ids)
    _counts(feed, "400 then queued again")


def test_after_the_retries_packets_stay_queued_and_send_exits_4(feed: Feed) -> None:
    ids = _queue(feed)
    feed.receiver.faults = ["500"] * 4  # DXPLAN_NATIONAL_ATTEMPTS=4
    result = feed.run("national", "send")
    assert result.exit_code == 4
    status = feed.status()
    assert [p["state"] for p in status] == ["queued"] * len(ids)
    assert status[0]["attempts"] == 4 and status[0]["last_error"] == "HTTP 500: internal error"
    assert [p["attempts"] for p in status[1:]] == [0] * (len(ids) - 1)  # the run stopped
    assert feed.run("national", "send").exit_code == 0
    _each_kept_once(feed, ids)
    _counts(feed, "500 until the retries ran out, then a second run")


def test_an_unreachable_receiver_then_a_restart(feed: Feed) -> None:
    ids = _queue(feed)
    assert feed.run("national", "send").exit_code == 0
    feed.receiver.stop()  # the receiver goes down...
    with feed.workspace.engine.begin() as conn:
        value_store.record(
            conn,
            [MeasureValue("dossiers_online", "92", Period.parse("2025-10"), 90, "test")],
            actor="test",
        )
    ids = _queue(feed)  # ...while a changed figure is queued
    down = feed.run("national", "send")
    assert down.exit_code == 4
    waiting = feed.status()[-1]
    assert waiting["state"] == "queued" and "connection failed" in waiting["last_error"]
    feed.receiver.start()  # ...and comes back on the same port, with what it kept
    assert feed.run("national", "send").exit_code == 0
    _each_kept_once(feed, ids)
    _counts(feed, "receiver down, then restarted")


def test_a_huge_answer_is_cut_short(feed: Feed, monkeypatch: pytest.MonkeyPatch) -> None:
    _queue(feed)
    monkeypatch.setenv("DXPLAN_NATIONAL_ATTEMPTS", "1")
    feed.receiver.faults = ["huge"]
    assert feed.run("national", "send").exit_code == 4
    first = feed.status()[0]
    assert first["state"] == "queued"
    assert first["last_error"].startswith("HTTP 503: overloaded overloaded")
    assert len(first["last_error"]) < 600
