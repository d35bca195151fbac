"""Security headers on every answer, no-store for signed-in readers, Secure cookies on HTTPS."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dxplan.domain.account import Role
from dxplan.settings import Settings
from dxplan.store import tokens as token_store
from dxplan.store import users as user_store
from dxplan.web import create_app
from dxplan.web.headers import CSP
from dxplan.workspace import Workspace

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "dxplan" / "web" / "templates"


@pytest.fixture
def make_client(make_settings: Callable[..., Settings]) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(base_url: str = "http://testserver", **overrides: object) -> TestClient:
        client = TestClient(create_app(make_settings(**overrides)), base_url=base_url)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def _directives(policy: str) -> dict[str, str]:
    return {d.split()[0]: d.strip() for d in policy.split(";") if d.strip()}


@pytest.mark.parametrize("path", ["/sign-in", "/api/health", "/no-such-page"])
def test_every_answer_carries_the_headers(
    make_client: Callable[..., TestClient], path: str
) -> None:
    response = make_client().get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    policy = _directives(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == "script-src 'self'"  # no inline scripts, no eval
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert "unsafe-inline" not in policy["style-src"]


def test_a_refused_body_carries_the_headers_too(make_client: Callable[..., TestClient]) -> None:
    response = make_client().put(
        "/api/submissions/a/b/c", content=b"x", headers={"Content-Length": "999999999"}
    )
    assert response.status_code == 413
    assert response.headers["Content-Security-Policy"] == CSP


def test_signed_in_answers_are_not_stored(workspace: Workspace) -> None:
    with workspace.engine.begin() as conn:
        user = user_store.add(
            conn, "lead", role=Role.VIEWER, password="correct horse battery", units=[], actor="t"
        )
        secret, _ = token_store.create(conn, "lead-token", [], "test", user_id=user.id)
    with TestClient(create_app(workspace.settings)) as client:
        anonymous = client.get("/api/datasets")
        assert anonymous.status_code == 401
        signed_in = client.get("/api/datasets", headers={"Authorization": f"Bearer {secret}"})
        assert signed_in.status_code == 200
        assert signed_in.headers["Cache-Control"] == "no-store"
        page = client.get("/reports", headers={"Authorization": f"Bearer {secret}"})
        assert page.headers["Cache-Control"] == "no-store"
        assert "no-store" not in client.get("/sign-in").headers.get("Cache-Control", "")


def test_cookies_are_secure_over_https(make_client: Callable[..., TestClient]) -> None:
    cookie = make_client("https://testserver").get("/sign-in?lang=en").headers["set-cookie"]
    assert "secure" in cookie.lower()
    assert (
        make_client("https://testserver")
        .get("/sign-in")
        .headers["Strict-Transport-Security"]
        .startswith("max-age=")
    )
    plain = make_client().get("/sign-in?lang=en").headers["set-cookie"]
    assert "secure" not in plain.lower()


def test_a_trusted_proxy_says_https(make_client: Callable[..., TestClient]) -> None:
    forwarded = {"X-Forwarded-Proto": "https"}
    trusted = make_client(trust_proxy_headers=True).get("/sign-in?lang=en", headers=forwarded)
    assert "secure" in trusted.headers["set-cookie"].lower()
    # without the setting, anyone could claim it: the header is ignored
    untrusted = make_client().get("/sign-in?lang=en", headers=forwarded)
    assert "secure" not in untrusted.headers["set-cookie"].lower()


def test_the_api_docs_run_their_own_inline_script_only(
    make_client: Callable[..., TestClient],
) -> None:
    response = make_client().get("/docs")
    assert response.status_code == 200
    inline = re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    policy = _directives(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == f"script-src 'self' 'sha256-{digest}'"


def test_no_template_has_an_inline_script_or_handler() -> None:
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            # only external files, and JSON data that no browser runs
            assert "src=" in tag or 'type="application/json"' in tag, (template.name, tag)
        assert not re.search(r"\son[a-z]+\s*=", text), template.name
        assert "javascript:" not in text, template.name


def test_the_openapi_declares_every_refusal(make_client: Callable[..., TestClient]) -> None:
    schema = make_client().get("/openapi.json").json()
    checked = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"400", "413", "503"} <= codes, (method, path)
            if path.startswith("/api/submissions") or path == "/api/datasets":
                assert {"401", "403", "404", "409", "422"} <= codes, (method, path)
                checked += 1
            if path in ("/api/dossiers", "/api/procedures"):
                assert {"401", "403"} <= codes, (method, path)
    assert checked == 6  # datasets, read, save, submit, approve, return
