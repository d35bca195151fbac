"""`dxplan serve` delivers the outbox in the background when DXPLAN_NATIONAL_URL is set."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

from fastapi.testclient import TestClient

from dxplan.settings import Settings
from dxplan.web import create_app
from tests.national.conftest import Feed


def _feeders() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "dxplan-national" and t.is_alive()]


def test_the_app_delivers_the_outbox_and_stops_on_shutdown(feed: Feed) -> None:
    assert feed.run("national", "queue", "--period", "2025-10").exit_code == 0
    ids = [p["message_id"] for p in feed.status()]
    settings = Settings()  # from the environment the fixture set, as `dxplan serve` reads it
    assert settings.national_url == feed.receiver.url
    feed.receiver.faults = ["500"]  # the first attempt fails: the thread retries
    with TestClient(create_app(settings)):
        assert len(_feeders()) == 1
        done = threading.Event()
        for _ in range(600):  # bounded: at most a minute
            if feed.receiver.kept.total() == len(ids) or done.wait(0.1):
                break
    assert _feeders() == []  # stopped with the app
    assert feed.receiver.kept == Counter(dict.fromkeys(ids, 1))
    assert {p["state"] for p in feed.status()} == {"sent"}


def test_no_background_delivery_without_a_url(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(national_url=None)
    with TestClient(create_app(settings)):
        assert _feeders() == []
