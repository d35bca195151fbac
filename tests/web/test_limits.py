"""Limits on every input: body sizes before authentication, safe JSON, bounded figures.

The size tests speak raw HTTP to a real server (uvicorn on a local port): a 60 MB
declared body must be answered before a byte of it is sent, and a chunked body without
Content-Length must be cut where it crosses the limit.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dxplan.domain.account import Role
from dxplan.i18n import formatter
from dxplan.settings import Settings
from dxplan.store import tokens as token_store
from dxplan.store import users as user_store
from dxplan.store.tokens import Scope
from dxplan.web import create_app
from dxplan.web.limits import route_class
from dxplan.web.local import serve_locally as serve
from dxplan.web.pages.reports import _shown
from dxplan.workspace import Workspace

URL = "/api/submissions/past-results/31135/2025Q3"


def _status(reply: bytes) -> int:
    return int(reply.split(b" ", 2)[1])


def _exchange(base: str, head: bytes, body_chunks: Iterable[bytes] = ()) -> tuple[int, int]:
    """Send `head` then the chunks until the server answers; (status, bytes of body sent)."""
    host, port = base.removeprefix("http://").split(":")
    sent = 0
    with socket.create_connection((host, int(port)), timeout=20) as conn:
        conn.sendall(head)
        try:
            for chunk in body_chunks:
                conn.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass  # the server answered and closed: the rest of the body is not wanted
        reply = conn.recv(65536)
    return _status(reply), sent


@pytest.fixture
def server(make_settings: Callable[..., Settings]) -> Iterator[str]:
    with serve(make_settings()) as base:
        yield base


def test_a_60_mb_anonymous_body_is_refused_before_it_is_sent(server: str) -> None:
    head = (
        f"PUT {URL} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {60_000_000}\r\n\r\n"
    ).encode()
    # no byte of the body is sent: a server that waited for it would time out here
    status, _ = _exchange(server, head)
    assert status == 413


def test_a_chunked_body_is_cut_where_it_crosses_the_limit(server: str) -> None:
    head = (
        f"POST {URL}/submit HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    ).encode()
    piece = b"x" * 65536
    chunks = (b"%x\r\n%s\r\n" % (len(piece), piece) for _ in range(16 * 10))  # 10 MiB
    status, sent = _exchange(server, head, chunks)
    assert status == 413  # not the 401 an anonymous caller gets once the body is read
    assert sent < 10 << 20  # the server stopped reading long before the end


def test_each_kind_of_route_has_its_limit() -> None:
    assert route_class("/api/dossiers").setting == "max_body_feed"
    assert route_class("/api/procedures").setting == "max_body_feed"
    assert route_class("/reports/past-results/31135/2025Q3/upload").setting == "max_body_upload"
    assert route_class(URL).setting == "max_body_json"
    assert route_class("/sign-in").setting == "max_body_json"
    settings = Settings(secret_key="k" * 40)
    assert (settings.max_body_json, settings.max_body_upload, settings.max_body_feed) == (
        1 << 20,
        10 << 20,
        200 << 20,
    )


@pytest.fixture
def reporter(workspace: Workspace) -> dict[str, str]:
    with workspace.engine.begin() as conn:
        user = user_store.add(
            conn,
            "rep",
            role=Role.REPORTER,
            password="correct horse battery",
            units=["31135"],
            actor="test",
        )
        secret, _ = token_store.create(conn, "rep-token", [], "test", user_id=user.id)
    return {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}


@pytest.fixture
def http(workspace: Workspace) -> Iterator[TestClient]:
    with TestClient(create_app(workspace.settings), raise_server_exceptions=False) as client:
        yield client


def _put(http: TestClient, headers: dict[str, str], raw: bytes) -> Any:
    return http.put(URL + "?lang=en", content=raw, headers=headers)


def test_a_400_digit_integer_is_a_finding_not_a_500(http: TestClient, reporter: Any) -> None:
    raw = b'{"values": {"past_results_valid": ' + b"9" * 400 + b"}}"
    response = _put(http, reporter, raw)
    assert response.status_code == 422
    codes = [(e["code"], e["measure"]) for e in response.json()["errors"]]
    assert codes == [("out-of-range", "past_results_valid")]
    assert "9" * 40 not in response.text  # the input is not echoed back


@pytest.mark.parametrize("value", [b"1e300", b"-1e16", b"1e400"])
def test_figures_beyond_the_global_bound_are_refused(
    http: TestClient, reporter: Any, value: bytes
) -> None:
    raw = b'{"values": {"past_results_valid": ' + value + b"}}"
    response = _put(http, reporter, raw)
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "out-of-range"
    assert http.get(URL, headers=reporter).json()["status"] == "empty"  # nothing stored


def test_the_bound_itself_is_accepted(http: TestClient, reporter: Any) -> None:
    raw = b'{"values": {"past_results_valid": 1000000000000000}}'
    assert _put(http, reporter, raw).status_code == 200


@pytest.mark.parametrize(
    "raw",
    [
        b'{"values": {"\\ud800": 1}}',  # a lone surrogate as a key
        b'{"values": {"past_results_valid": "\\udfff"}}',  # and as a value
        b'{"values": {}, "version": null, "x": ["\\ud83d"]}',
    ],
)
def test_a_lone_surrogate_is_a_400_that_does_not_echo_it(
    http: TestClient, reporter: Any, raw: bytes
) -> None:
    response = _put(http, reporter, raw)
    assert response.status_code == 400
    assert "surrogate" in response.json()["detail"]


def test_a_surrogate_pair_is_text_like_any_other(http: TestClient, reporter: Any) -> None:
    # an emoji spelled as a JSON escape pair is valid: the key is simply not a measure
    response = _put(http, reporter, b'{"values": {"\\ud83d\\ude00": 1}}')
    assert response.status_code == 422
    assert response.json()["errors"][0]["measure"] == "\U0001f600"


@pytest.mark.parametrize("depth", [33, 500, 100_000])
def test_deeply_nested_json_is_a_400(http: TestClient, reporter: Any, depth: int) -> None:
    raw = b'{"values": {"past_results_valid": ' + b"[" * depth + b"]" * depth + b"}}"
    response = _put(http, reporter, raw)
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_nesting_within_the_limit_is_the_checks_business(http: TestClient, reporter: Any) -> None:
    raw = b'{"values": {"past_results_valid": ' + b"[" * 20 + b"]" * 20 + b"}}"
    response = _put(http, reporter, raw)
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["code"] == "not-a-number"
    assert len(error["message"]) < 120  # the nested value is shortened, not repeated whole


def test_a_json_api_body_over_the_limit_is_413(http: TestClient, reporter: Any) -> None:
    raw = json.dumps({"values": {}, "pad": "x" * (1 << 20)}).encode()
    response = _put(http, reporter, raw)
    assert response.status_code == 413


def test_a_huge_value_already_stored_still_prints() -> None:
    # figures approved before the bound existed: the pages print them instead of failing
    assert _shown(1e300, "vi").startswith("1.000.000")
    assert formatter("en").number(1e300).startswith("1,000,000")
    assert formatter("en").number(float("inf")) == "—"


def test_a_deeply_nested_feed_is_a_400(http: TestClient, workspace: Workspace) -> None:
    with workspace.engine.begin() as conn:
        secret, _ = token_store.create(conn, "feed", [Scope.DOSSIERS_WRITE], "test")
    body = b"[" * 100_000 + b"]" * 100_000
    response = http.post(
        "/api/dossiers",
        content=body,
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400


def test_a_feed_row_with_a_lone_surrogate_is_a_400(http: TestClient, workspace: Workspace) -> None:
    with workspace.engine.begin() as conn:
        secret, _ = token_store.create(conn, "feed", [Scope.DOSSIERS_WRITE], "test")
    body = b'[{"dossier_id": "\\ud800", "unit_code": "31135"}]'
    response = http.post(
        "/api/dossiers",
        content=body,
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "surrogate" in response.json()["detail"]
