"""Sign-in throttling: growing delays per address, per account and per pair, never a lock.

One address hammering a known account must not lock its owner out from another
address; attempts are counted before the password is checked, atomically, so that
parallel guesses cannot all slip through.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, insert, select

from dxplan.domain.account import Role
from dxplan.store import throttle
from dxplan.store import users as user_store
from dxplan.store.tables import sign_in_failures
from dxplan.web import create_app
from dxplan.workspace import Workspace

PASSWORD = "mật-khẩu-đủ-dài"
T0 = datetime(2025, 11, 3, 8, 0, tzinfo=UTC)


@pytest.fixture
def browser(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[str], TestClient]]:
    """A browser at a given address (the app sees it as the client's host).

    The throttle's clock stands still: every attempt happens at T0, however slowly
    the machine checks passwords.
    """
    monkeypatch.setattr(throttle, "_now", lambda: T0)
    with workspace.engine.begin() as conn:
        user_store.add(
            conn, "phuong", role=Role.REPORTER, password=PASSWORD, units=["31135"], actor="test"
        )
    app = create_app(workspace.settings)
    opened: list[TestClient] = []

    def at(address: str) -> TestClient:
        client = TestClient(app, follow_redirects=False, client=(address, 50000))
        opened.append(client.__enter__())
        return client

    yield at
    for client in opened:
        client.__exit__(None, None, None)


def _attempt(http: TestClient, password: str, username: str = "phuong") -> object:
    page = http.get("/sign-in").text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    form = {"username": username, "password": password, "csrf_token": found.group(1)}
    return http.post("/sign-in", data=form)


def test_one_address_hammering_does_not_lock_the_owner_out(
    browser: Callable[[str], TestClient],
) -> None:
    attacker = browser("203.0.113.9")
    statuses = [_attempt(attacker, "guess-number-x").status_code for _ in range(8)]  # type: ignore[attr-defined]
    assert statuses == [401] * 5 + [429] * 3
    # the owner, at the office, signs in at once
    owner = _attempt(browser("10.1.2.3"), PASSWORD)
    assert owner.status_code == 303  # type: ignore[attr-defined]


def test_a_throttled_attempt_says_when_to_retry(browser: Callable[[str], TestClient]) -> None:
    attacker = browser("203.0.113.9")
    for _ in range(5):
        _attempt(attacker, "guess-number-x")
    refused = _attempt(attacker, PASSWORD)  # even the right password waits
    assert refused.status_code == 429  # type: ignore[attr-defined]
    assert refused.headers["retry-after"] == "1"  # type: ignore[attr-defined]


def test_one_address_guessing_many_accounts_is_slowed(
    browser: Callable[[str], TestClient],
) -> None:
    sprayer = browser("198.51.100.7")
    free = [_attempt(sprayer, "Password2025!", f"user-{n}").status_code for n in range(20)]  # type: ignore[attr-defined]
    assert free == [401] * 20
    slowed = _attempt(sprayer, "Password2025!", "user-20")
    assert slowed.status_code == 429  # type: ignore[attr-defined]
    # another address is not concerned
    assert _attempt(browser("10.1.2.3"), PASSWORD).status_code == 303  # type: ignore[attr-defined]


def _admit(engine: Engine, username: str, address: str, now: datetime) -> throttle.Verdict:
    with engine.begin() as conn:
        return throttle.admit(conn, username, address, now=now)


def test_delays_grow_as_powers_of_two_and_stop_at_fifteen_minutes(engine: Engine) -> None:
    for _ in range(5):
        assert _admit(engine, "phuong", "203.0.113.9", T0).allowed
    now, waits = T0, []
    for _ in range(12):
        verdict = _admit(engine, "phuong", "203.0.113.9", now)
        assert not verdict.allowed
        waits.append(verdict.retry_after)
        now += timedelta(seconds=verdict.retry_after)
        assert _admit(engine, "phuong", "203.0.113.9", now).allowed  # after the wait: one try
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]


def test_a_refused_attempt_does_not_lengthen_the_wait(engine: Engine) -> None:
    for _ in range(5):
        _admit(engine, "phuong", "203.0.113.9", T0)
    for _ in range(50):  # hammering during the wait
        assert _admit(engine, "phuong", "203.0.113.9", T0).retry_after == 1
    assert _admit(engine, "phuong", "203.0.113.9", T0 + timedelta(seconds=1)).allowed


def test_distributed_guessing_of_one_account_is_slowed(engine: Engine) -> None:
    for n in range(50):
        assert _admit(engine, "phuong", f"203.0.113.{n}", T0).allowed
    verdict = _admit(engine, "phuong", "198.51.100.1", T0)
    assert (verdict.allowed, verdict.retry_after) == (False, 1)
    assert _admit(engine, "another", "198.51.100.1", T0).allowed


def test_a_success_clears_the_failures_of_that_address_only(engine: Engine) -> None:
    for _ in range(4):
        _admit(engine, "phuong", "10.1.2.3", T0)
        _admit(engine, "phuong", "203.0.113.9", T0)
    with engine.begin() as conn:
        throttle.succeeded(conn, "phuong", "10.1.2.3")
    with engine.connect() as conn:
        left = conn.execute(select(sign_in_failures.c.address)).scalars().all()
    assert sorted(left) == ["203.0.113.9"] * 4


def test_rows_older_than_the_window_are_pruned(engine: Engine) -> None:
    with engine.begin() as conn:
        old = T0 - throttle.WINDOW - timedelta(seconds=1)
        conn.execute(
            insert(sign_in_failures),
            [{"username": "phuong", "address": "203.0.113.9", "at": old}] * 30,
        )
    assert _admit(engine, "phuong", "203.0.113.9", T0).allowed
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(sign_in_failures)).scalar_one()
    assert count == 1


def test_parallel_attempts_cannot_all_pass(engine: Engine) -> None:
    """Ten guesses at the same instant: exactly the five free ones are let through."""
    start = threading.Barrier(10)
    verdicts: list[bool] = []
    errors: list[BaseException] = []

    def guess() -> None:
        try:
            start.wait()
            verdicts.append(_admit(engine, "phuong", "203.0.113.9", T0).allowed)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=guess) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(verdicts) == [False] * 5 + [True] * 5
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(sign_in_failures)).scalar_one()
    assert count == 5  # refused attempts leave no row
