"""The board cache cannot be stalled, and readers ask only for boards that mean something.

Issue 9: every new `?as_of=` built a board under one global lock, and cache hits waited
on that lock too. Here a build blocks on an event the test holds: whatever is asserted
happens while that build is still blocked (no timing). The `join` timeouts only keep a
broken cache from hanging the suite.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from typing import Any, Final

import pytest
from fastapi.testclient import TestClient

from dxplan.caching import BuildCache, Busy
from dxplan.domain.account import Role
from dxplan.domain.period import Period
from dxplan.evaluate.dashboard import MAX_BOARDS, Board, BoardCache, replaces
from dxplan.settings import Settings
from dxplan.store import users as user_store
from dxplan.store.tables import measure_values
from dxplan.web import create_app
from dxplan.workspace import Workspace
from tests.dashboard_values import AS_OF, record_dashboard_values

GUARD: Final = 30  # seconds before a thread that should have finished counts as stuck
PASSWORD: Final = "mật-khẩu-đủ-dài"


class Blocked:
    """A build that signals it started, then waits until the test releases it."""

    def __init__(self, value: Any) -> None:
        self.value = value
        self.started = threading.Event()
        self.release = threading.Event()
        self.calls = 0

    def __call__(self) -> Any:
        self.calls += 1
        self.started.set()
        assert self.release.wait(GUARD), "the test never released the build"
        return self.value


def _in_thread(target: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Run `target` in a thread; its result (or exception) lands in the list."""
    out: list[Any] = []

    def run() -> None:
        try:
            out.append(target())
        except BaseException as error:  # the test looks at it
            out.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def _until(condition: Callable[[], bool]) -> bool:
    """Wait (without a verdict on time) until another thread got somewhere."""
    done = threading.Event()
    for _ in range(GUARD * 100):
        if condition():
            return True
        done.wait(0.01)
    return False


def _board(name: str) -> Board:
    return name  # type: ignore[return-value]  # the cache never looks inside a board


def test_a_hit_is_not_blocked_while_another_key_builds() -> None:
    cache = BoardCache()
    key_a, key_b = (1, "plan", "2025", "2025-11-08"), (1, "plan", "2025", "2025-07-15")
    board_a = _board("board A")
    assert cache.get(key_a, lambda: board_a) is board_a
    slow = Blocked(_board("board B"))
    builder, built = _in_thread(lambda: cache.get(key_b, slow))
    assert slow.started.wait(GUARD)
    hit, found = _in_thread(lambda: cache.get(key_a, lambda: _board("rebuilt A")))
    hit.join(GUARD)
    try:
        assert not hit.is_alive(), "a cached board waited for another key's build"
        assert found == ["board A"]
        assert builder.is_alive() and not slow.release.is_set()  # B was still building
    finally:
        slow.release.set()
        builder.join(GUARD)
    assert built == ["board B"]


def test_a_missing_key_builds_while_another_key_builds() -> None:
    cache = BoardCache()
    slow = Blocked(_board("board B"))
    builder, _ = _in_thread(lambda: cache.get((1, "p", "2025", "b"), slow))
    assert slow.started.wait(GUARD)
    other, found = _in_thread(lambda: cache.get((1, "p", "2025", "c"), lambda: _board("C")))
    other.join(GUARD)
    try:
        assert not other.is_alive() and found == ["C"]
        assert builder.is_alive()
    finally:
        slow.release.set()
        builder.join(GUARD)


def test_requests_for_the_same_missing_key_share_one_build() -> None:
    cache = BoardCache()
    slow = Blocked(_board("board"))
    key = (1, "p", "2025", "d")
    first, out = _in_thread(lambda: cache.get(key, slow))
    assert slow.started.wait(GUARD)
    others = [_in_thread(lambda: cache.get(key, slow)) for _ in range(4)]
    slow.release.set()
    for thread, _ in [(first, out), *others]:
        thread.join(GUARD)
    assert slow.calls == 1  # four waited for the first build and reused it
    assert out == ["board"] and all(found == ["board"] for _, found in others)


def test_a_failed_build_is_not_kept() -> None:
    cache: BuildCache[str, str] = BuildCache(4)

    def fail() -> str:
        raise ValueError("no store")

    with pytest.raises(ValueError, match="no store"):
        cache.get("k", fail)
    assert len(cache) == 0
    assert cache.get("k", lambda: "built") == "built"  # the next request tries again


def test_memory_is_bounded_and_a_replaced_board_is_dropped() -> None:
    cache = BoardCache()
    for day in range(MAX_BOARDS + 10):
        cache.get((1, "p", "2025", day), lambda: _board("old"))
    assert len(cache) == MAX_BOARDS
    last = MAX_BOARDS + 9
    cache.get((2, "p", "2025", last), lambda: _board("new"))  # a figure changed
    assert cache.peek((1, "p", "2025", last)) is None  # replaced: never asked for again
    assert len(cache) == MAX_BOARDS  # one out, one in
    # the other days' boards of the older state stay: served and rebuilt from meanwhile
    assert cache.previous((2, "p", "2025", last - 1), replaces) == "old"
    assert cache.previous((2, "p", "2025", last), replaces) is None


def test_too_many_waiting_requests_are_told_to_come_back() -> None:
    cache: BuildCache[str, str] = BuildCache(8, builders=1, waiting=2)
    slow = Blocked("slow")
    first, _ = _in_thread(lambda: cache.get("a", slow))
    assert slow.started.wait(GUARD)
    second, _ = _in_thread(lambda: cache.get("b", lambda: "b"))  # waits for the one builder
    assert _until(lambda: cache._waiters == 2)
    try:
        with pytest.raises(Busy):
            cache.get("c", lambda: "c")  # a third: refused at once, not queued
    finally:
        slow.release.set()
        first.join(GUARD)
        second.join(GUARD)
    assert cache.get("c", lambda: "c") == "c"  # once the queue drained


# -- which boards readers may ask for ------------------------------------------------------


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, TestClient]]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("cache"), as_of=AS_OF)
    workspace = Workspace(settings)
    workspace.initialise(actor="test")
    record_dashboard_values(workspace)
    with workspace.engine.begin() as conn:
        user_store.add(conn, "viewer", role=Role.VIEWER, password=PASSWORD, units=[], actor="test")
    with TestClient(create_app(settings)) as client:
        yield workspace, client
    workspace.close()


def _signed_in(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as http:
        token = re.search(r'name="csrf_token" value="([^"]+)"', http.get("/sign-in").text)
        assert token
        form = {"username": "viewer", "password": PASSWORD, "csrf_token": token.group(1)}
        assert http.post("/sign-in", data=form, follow_redirects=False).status_code == 303
        yield http


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({"as_of": "2025-11-09"}, "2025-01-01 to 2025-11-08"),  # tomorrow, as dxplan counts
        ({"as_of": "2031-01-01"}, "2025-01-01 to 2025-11-08"),
        ({"as_of": "2024-12-31"}, "2025-01-01 to 2025-11-08"),  # before the plan
        ({"period": "2024"}, "2025-01 to 2025-12"),
        ({"period": "2026Q1"}, "2025-01 to 2025-12"),
    ],
)
def test_anonymous_readers_ask_for_the_plans_days_and_periods(
    app: tuple[Workspace, TestClient], query: dict[str, str], says: str
) -> None:
    _, client = app
    response = client.get("/api/dashboard/overview", params={**query, "lang": "en"})
    assert response.status_code == 400
    assert says in response.json()["detail"]
    page = client.get("/alerts", params={**query, "lang": "en"})
    assert page.status_code == 400 and says in page.text and "<html" in page.text


def test_the_plans_own_days_and_periods_are_served(app: tuple[Workspace, TestClient]) -> None:
    _, client = app
    for query in (
        {"as_of": "2025-01-01"},
        {"as_of": "2025-11-08"},
        {"period": "2025"},
        {"period": "2025S2"},
        {"period": "2025Q3", "as_of": "2025-10-01"},
        {"period": "2025-07"},
    ):
        assert client.get("/api/dashboard/overview", params=query).status_code == 200, query


def test_the_refusal_is_in_the_readers_language(app: tuple[Workspace, TestClient]) -> None:
    _, client = app
    response = client.get("/", params={"as_of": "2031-01-01", "lang": "vi"})
    assert response.status_code == 400
    assert "2031-01-01" in response.text and "2025-11-08" in response.text
    english = client.get("/", params={"as_of": "2031-01-01", "lang": "en"}).text
    assert _message(response.text) != _message(english)


def _message(page: str) -> str:
    found = re.search(r"2031-01-01[^<]*", page)
    assert found
    return found.group(0)


def test_a_refused_request_builds_no_board(app: tuple[Workspace, TestClient]) -> None:
    workspace, client = app
    client.get("/api/dashboard/overview")
    before = len(workspace._boards)
    for day in range(1, 20):
        client.get("/api/dashboard/overview", params={"as_of": f"2031-01-{day:02d}"})
    assert len(workspace._boards) == before


def test_signed_in_readers_may_ask_more_within_bounds(app: tuple[Workspace, TestClient]) -> None:
    workspace, _ = app
    for http in _signed_in(workspace.settings):
        for query in ({"as_of": "2025-12-31"}, {"as_of": "2024-03-01"}, {"period": "2024Q4"}):
            response = http.get("/api/dashboard/overview", params=query)
            assert response.status_code == 200, (query, response.text)
        for query, says in (
            ({"as_of": "2031-01-01"}, "2024-01-01 to 2026-12-31"),
            ({"as_of": "2023-12-31"}, "2024-01-01 to 2026-12-31"),
            ({"period": "2023"}, "2024-01 to 2025-12"),
        ):
            response = http.get("/api/dashboard/overview", params={**query, "lang": "en"})
            assert response.status_code == 400 and says in response.json()["detail"]


# -- stale while revalidating (issue 13: the public pages under load) ----------------------


def test_a_changed_store_serves_the_previous_board_while_the_new_one_builds() -> None:
    cache = BoardCache()
    old_key, new_key = (1, "p", "2025", "d"), (2, "p", "2025", "d")
    cache.get(old_key, lambda: _board("board of state 1"))
    slow = Blocked(_board("board of state 2"))
    found = cache.get_or_previous(new_key, slow, replaces)
    assert found == "board of state 1"  # at once, while the new board builds
    assert slow.started.wait(GUARD)
    again = cache.get_or_previous(new_key, slow, replaces)  # a second reader meanwhile
    assert again == "board of state 1"
    slow.release.set()
    assert _until(lambda: cache.peek(new_key) is not None)
    assert slow.calls == 1  # one build for both readers
    assert cache.get_or_previous(new_key, slow, replaces) == "board of state 2"
    assert cache.peek(old_key) is None  # the older state is dropped once replaced


def test_a_board_with_no_predecessor_is_waited_for() -> None:
    cache = BoardCache()
    cache.get((1, "p", "2025", "d"), lambda: _board("another day"))
    found = cache.get_or_previous((2, "p", "2025", "e"), lambda: _board("new"), replaces)
    assert found == "new"  # another day's board is not this board's predecessor


def test_a_failed_background_build_is_tried_again() -> None:
    cache = BoardCache()
    cache.get((1, "p", "2025", "d"), lambda: _board("old"))
    failed = threading.Event()

    def fail() -> Board:
        failed.set()
        raise RuntimeError("database gone")

    assert cache.get_or_previous((2, "p", "2025", "d"), fail, replaces) == "old"
    assert failed.wait(GUARD)
    assert _until(lambda: not cache._flights)
    assert cache.get_or_previous((2, "p", "2025", "d"), lambda: _board("new"), replaces) in (
        "old",
        "new",
    )
    assert _until(lambda: cache.peek((2, "p", "2025", "d")) == "new")


def test_public_readers_see_a_change_after_the_check_interval_signed_in_readers_at_once(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("stale"), as_of=AS_OF, board_check_seconds=3600
    )
    workspace = Workspace(settings)
    workspace.initialise(actor="test")
    record_dashboard_values(workspace)
    public = workspace.board(stale=True)
    assert public is not None
    with workspace.writing() as conn:  # a figure changes
        conn.execute(measure_values.insert().values(**_new_version(conn)))
    # within the check interval a public reader gets the board already built ...
    assert workspace.board(stale=True) is public
    # ... a signed-in reader reads the store and gets the new board
    fresh = workspace.board()
    assert fresh is not None and fresh is not public
    workspace.close()


def _new_version(conn: Any) -> dict[str, Any]:
    """A new version of the newest stored value (the same figure, recorded again)."""
    row = (
        conn.execute(measure_values.select().order_by(measure_values.c.id.desc()).limit(1))
        .one()
        ._asdict()
    )
    row.pop("id")
    return {**row, "version": row["version"] + 1}


def test_a_public_board_is_at_hand_once_kept_and_while_the_store_was_checked_lately(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """What decides whether the overview is answered on the event loop (no thread, no
    database): `Workspace.board_at_hand`."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("at-hand"), as_of=AS_OF, board_check_seconds=3600
    )
    workspace = Workspace(settings)
    workspace.initialise(actor="test")
    record_dashboard_values(workspace)
    assert not workspace.board_at_hand()  # the store not read yet
    assert workspace.board(stale=True) is not None
    assert workspace.board_at_hand()
    assert workspace.plan_at_hand() is workspace.plan()
    assert not workspace.board_at_hand(Period.parse("2025Q3"))  # another board: not built
    with workspace.writing() as conn:  # a figure changes and a signed-in reader sees it
        conn.execute(measure_values.insert().values(**_new_version(conn)))
    changed = workspace.board()
    assert changed is not None
    assert workspace.board_at_hand()  # the new board
    workspace.close()
    hasty = Workspace(settings.model_copy(update={"board_check_seconds": 0}))
    assert hasty.board(stale=True) is not None
    assert not hasty.board_at_hand()  # the store is due a check on every request
    hasty.close()
