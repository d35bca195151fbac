"""Sessions live on the server: sign-out, disable, password and role changes end them.

Each test replays what a thief would replay: the cookie (or token) captured while it
worked, sent again after the event that must end it.
"""

from __future__ import annotations

import asyncio
import json
import re
from base64 import b64decode
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from dxplan.domain.account import Role
from dxplan.store import sessions as session_store
from dxplan.store import tokens as token_store
from dxplan.store import users as user_store
from dxplan.store.tables import sessions
from dxplan.store.tokens import Scope
from dxplan.web import create_app
from dxplan.workspace import Workspace

PASSWORD = "mật-khẩu-đủ-dài"
WARD = "31135"
REPORT = f"/api/submissions/past-results/{WARD}/2025Q3"
DOSSIER = {
    "dossier_id": "API-1",
    "procedure_code": "1.000001",
    "unit_code": WARD,
    "channel": "online",
    "received_at": "2025-07-01T08:15:00+07:00",
    "status": "finished",
    "finished_at": "2025-07-02T09:00:00+07:00",
    "due_at": "2025-07-05T17:00:00+07:00",
    "fee_required": True,
    "paid_online": True,
    "input_digitized": "có",
    "result_digitized": 1,
}


@pytest.fixture
def http(workspace: Workspace) -> Iterator[TestClient]:
    with workspace.engine.begin() as conn:
        user_store.add(
            conn, "phuong", role=Role.REPORTER, password=PASSWORD, units=[WARD], actor="test"
        )
    with TestClient(create_app(workspace.settings), follow_redirects=False) as client:
        yield client


def _csrf(http: TestClient, path: str = "/sign-in") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', http.get(path).text)
    assert found
    return found.group(1)


def _sign_in(http: TestClient) -> str:
    """Sign in as phuong; return the session cookie, as a thief would copy it."""
    form = {"username": "phuong", "password": PASSWORD, "csrf_token": _csrf(http), "next": "/"}
    assert http.post("/sign-in", data=form).status_code == 303
    cookie = http.cookies.get("dxplan_session")
    assert cookie
    return cookie


def _replay(http: TestClient, cookie: str) -> int:
    """The status of reading the report with only this cookie."""
    http.cookies.clear()
    http.cookies.set("dxplan_session", cookie)
    return http.get(REPORT).status_code


def _count_sessions(workspace: Workspace) -> int:
    with workspace.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(sessions)).scalar_one())


def test_a_cookie_captured_before_sign_out_is_refused_after_it(
    http: TestClient, workspace: Workspace
) -> None:
    cookie = _sign_in(http)
    assert http.get(REPORT).status_code == 200
    assert _count_sessions(workspace) == 1
    assert http.post("/sign-out", data={"csrf_token": _csrf(http, "/")}).status_code == 303
    assert _count_sessions(workspace) == 0
    assert _replay(http, cookie) == 401


def test_the_cookie_carries_a_random_session_id_not_the_user(http: TestClient) -> None:
    cookie = _sign_in(http)
    payload = json.loads(b64decode(cookie.split(".")[0]))
    assert sorted(payload) == ["csrf", "sid"]
    assert len(payload["sid"]) >= 40  # 32 random bytes, URL-safe


@pytest.mark.parametrize(
    "change",
    [
        lambda conn: user_store.set_active(conn, "phuong", False, actor="test"),
        lambda conn: user_store.set_password(conn, "phuong", "một-mật-khẩu-mới", actor="test"),
        lambda conn: user_store.set_role(conn, "phuong", Role.VIEWER, units=[], actor="test"),
        lambda conn: user_store.set_role(
            conn, "phuong", Role.REPORTER, units=[WARD, "31120"], actor="test"
        ),
    ],
    ids=["disable", "password", "role", "units"],
)
def test_an_account_change_ends_every_session_and_token_at_once(
    http: TestClient, workspace: Workspace, change: object
) -> None:
    first = _sign_in(http)
    http.cookies.clear()
    second = _sign_in(http)  # another browser
    with workspace.engine.begin() as conn:
        user = user_store.get(conn, "phuong")
        assert user is not None
        secret, _ = token_store.create(conn, "phone", [], actor="test", user_id=user.id)
    bearer = {"Authorization": f"Bearer {secret}"}
    http.cookies.clear()
    assert http.get(REPORT, headers=bearer).status_code == 200
    assert _count_sessions(workspace) == 2
    with workspace.engine.begin() as conn:
        change(conn)  # type: ignore[operator]
    assert _count_sessions(workspace) == 0
    assert _replay(http, first) == 401
    assert _replay(http, second) == 401
    http.cookies.clear()
    assert http.get(REPORT, headers=bearer).status_code == 401
    with workspace.engine.connect() as conn:
        assert [t.active for t in token_store.list_all(conn)] == [False]


def test_a_disabled_users_scoped_token_cannot_write_dossiers(
    http: TestClient, workspace: Workspace
) -> None:
    with workspace.engine.begin() as conn:
        user = user_store.get(conn, "phuong")
        assert user is not None
        secret, _ = token_store.create(
            conn, "ward-system", [Scope.DOSSIERS_WRITE], actor="test", user_id=user.id
        )
    bearer = {"Authorization": f"Bearer {secret}"}
    assert http.post("/api/dossiers", json=[DOSSIER], headers=bearer).status_code == 200
    with workspace.engine.begin() as conn:
        # the flag alone, as an older dxplan left it: no token was revoked
        from dxplan.store.tables import users

        conn.execute(users.update().where(users.c.id == user.id).values(active=False))
    refused = http.post("/api/dossiers", json=[DOSSIER], headers=bearer)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"


def test_a_session_ends_after_the_idle_time(workspace: Workspace) -> None:
    start = datetime(2025, 11, 3, 8, 0, tzinfo=UTC)
    limits = session_store.Limits(idle=timedelta(minutes=60), absolute=timedelta(hours=8))
    with workspace.engine.begin() as conn:
        user = user_store.add(
            conn, "coordinator", role=Role.COORDINATOR, password=PASSWORD, units=[], actor="t"
        )
        busy = session_store.start(conn, user.id, now=start)
        idle = session_store.start(conn, user.id, now=start)
    with workspace.engine.begin() as conn:
        at_59 = start + timedelta(minutes=59)
        assert session_store.user_of(conn, busy, now=at_59, limits=limits) == user.id
        at_61 = start + timedelta(minutes=61)
        assert session_store.user_of(conn, idle, now=at_61, limits=limits) is None
        # the busy one was used at 8:59: still alive at 9:01
        assert session_store.user_of(conn, busy, now=at_61, limits=limits) == user.id


def test_a_session_ends_after_the_absolute_time_however_busy(workspace: Workspace) -> None:
    start = datetime(2025, 11, 3, 8, 0, tzinfo=UTC)
    limits = session_store.Limits(idle=timedelta(minutes=60), absolute=timedelta(hours=8))
    with workspace.engine.begin() as conn:
        user = user_store.add(
            conn, "coordinator", role=Role.COORDINATOR, password=PASSWORD, units=[], actor="t"
        )
        sid = session_store.start(conn, user.id, now=start)
    with workspace.engine.begin() as conn:
        for half_hours in range(1, 16):  # used every 30 minutes until 15:30
            now = start + timedelta(minutes=30 * half_hours)
            assert session_store.user_of(conn, sid, now=now, limits=limits) == user.id
        assert (
            session_store.user_of(conn, sid, now=start + timedelta(hours=8), limits=limits) is None
        )
        assert int(conn.execute(select(func.count()).select_from(sessions)).scalar_one()) == 0


def test_timeouts_come_from_the_settings(workspace: Workspace) -> None:
    settings = workspace.settings.model_copy(
        update={"session_idle_minutes": 15, "session_max_hours": 2}
    )
    limits = session_store.Limits.of(settings)
    assert (limits.idle, limits.absolute) == (timedelta(minutes=15), timedelta(hours=2))
    defaults = session_store.Limits.of(workspace.settings)
    assert (defaults.idle, defaults.absolute) == (timedelta(minutes=60), timedelta(hours=8))


def test_the_cookie_expires_with_the_absolute_time(workspace: Workspace) -> None:
    settings = workspace.settings.model_copy(update={"session_max_hours": 2})
    with workspace.engine.begin() as conn:
        user_store.add(
            conn, "phuong", role=Role.REPORTER, password=PASSWORD, units=[WARD], actor="test"
        )
    with TestClient(create_app(settings), follow_redirects=False) as http:
        form = {"username": "phuong", "password": PASSWORD, "csrf_token": _csrf(http)}
        cookie = http.post("/sign-in", data=form).headers["set-cookie"]
    assert "Max-Age=7200" in cookie


def test_a_reader_without_a_cookie_costs_no_database_work(
    http: TestClient, workspace: Workspace
) -> None:
    http.get("/")  # warm the board cache
    http.cookies.clear()
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(workspace.engine, "before_cursor_execute", record)
    try:
        from starlette.requests import Request

        from dxplan.web.auth import current_user

        request = Request({"type": "http", "session": {}, "headers": []})
        # a coroutine: answered on the event loop, without a worker thread
        assert asyncio.run(current_user(request, workspace, None)) is None
    finally:
        event.remove(workspace.engine, "before_cursor_execute", record)
    assert statements == []


def test_csrf_still_guards_cookie_writes_after_sign_in(http: TestClient) -> None:
    _sign_in(http)
    body = {"values": {"past_results_valid": 10}}
    assert http.put(REPORT, json=body).status_code == 403
    saved = http.put(REPORT, json=body, headers={"X-CSRF-Token": _csrf(http, "/")})
    assert saved.status_code == 200
