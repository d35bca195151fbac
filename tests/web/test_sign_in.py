"""Signing in: passwords, throttling, CSRF on forms and on cookie-authenticated API writes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from dxplan.domain.account import Role
from dxplan.store import throttle
from dxplan.store import users as user_store
from dxplan.web import create_app
from dxplan.workspace import Workspace

PASSWORD = "mật-khẩu-đủ-dài"
WARD = "31135"


@pytest.fixture
def http(workspace: Workspace) -> Iterator[TestClient]:
    with workspace.engine.begin() as conn:
        user_store.add(
            conn, "phuong", role=Role.REPORTER, password=PASSWORD, units=[WARD], actor="test"
        )
    with TestClient(create_app(workspace.settings), follow_redirects=False) as client:
        yield client


def _csrf(http: TestClient, path: str = "/sign-in") -> str:
    page = http.get(path)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def _sign_in(http: TestClient, password: str = PASSWORD, username: str = "phuong") -> object:
    token = _csrf(http)
    form = {"username": username, "password": password, "csrf_token": token, "next": "/reports"}
    return http.post("/sign-in", data=form)


def test_sign_in_sets_a_protected_session_cookie(http: TestClient) -> None:
    response = _sign_in(http)
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert response.headers["location"] == "/reports"  # type: ignore[attr-defined]
    cookie = response.headers["set-cookie"]  # type: ignore[attr-defined]
    assert cookie.startswith("dxplan_session=")
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert PASSWORD not in cookie


def test_wrong_password_is_refused_and_throttled(
    http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the clock stands still: the sixth attempt comes before the one-second wait ends
    frozen = datetime.now(UTC)
    monkeypatch.setattr(throttle, "_now", lambda: frozen)
    for _ in range(5):
        response = _sign_in(http, password="not the password")
        assert response.status_code == 401  # type: ignore[attr-defined]
    # the sixth attempt is refused even with the right password
    locked = _sign_in(http)
    assert locked.status_code == 429  # type: ignore[attr-defined]
    assert "dxplan_session" not in http.cookies or "user" not in http.cookies.get(
        "dxplan_session", ""
    )


def test_unknown_user_gets_the_same_answer(http: TestClient) -> None:
    wrong_user = _sign_in(http, username="nobody")
    wrong_password = _sign_in(http, password="not the password")
    assert wrong_user.status_code == wrong_password.status_code == 401  # type: ignore[attr-defined]


def test_a_form_post_without_its_csrf_token_fails(http: TestClient) -> None:
    _csrf(http)  # a session exists
    form = {"username": "phuong", "password": PASSWORD, "next": "/"}
    assert http.post("/sign-in", data=form).status_code == 403
    form["csrf_token"] = "forged"
    assert http.post("/sign-in", data=form).status_code == 403


def test_open_redirects_are_refused(http: TestClient) -> None:
    token = _csrf(http)
    form = {
        "username": "phuong",
        "password": PASSWORD,
        "csrf_token": token,
        "next": "//evil.example",
    }
    assert http.post("/sign-in", data=form).headers["location"] == "/"


def test_api_writes_with_the_session_cookie_need_the_csrf_header(http: TestClient) -> None:
    _sign_in(http)
    url = f"/api/submissions/past-results/{WARD}/2025Q3"
    body = {"values": {"past_results_valid": 10}}
    assert http.get(url).status_code == 200  # reading needs no token
    assert http.put(url, json=body).status_code == 403
    token = _csrf(http, "/")  # the page's token, as the page's own script would send it
    saved = http.put(url, json=body, headers={"X-CSRF-Token": token})
    assert saved.status_code == 200 and saved.json()["status"] == "draft"


def test_sign_out_ends_the_session(http: TestClient) -> None:
    _sign_in(http)
    url = f"/api/submissions/past-results/{WARD}/2025Q3"
    assert http.get(url).status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', http.get("/").text)
    assert token, "the overview shows the sign-out form to a signed-in user"
    assert http.post("/sign-out", data={"csrf_token": token.group(1)}).status_code == 303
    assert http.get(url).status_code == 401
