"""Secrets fail closed: no public default, a kept random one, short ones refused."""

from __future__ import annotations

import json
import stat
from base64 import b64encode
from collections.abc import Callable
from pathlib import Path
from typing import Any

import itsdangerous
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from dxplan.domain.account import Role
from dxplan.keys import SECRET_FILE, SecretError, session_secret
from dxplan.settings import Settings
from dxplan.store import users as user_store
from dxplan.web import create_app
from dxplan.workspace import Workspace

PUBLIC_SECRET = "development-only-secret-change-me"  # shipped by dxplan until this change


def _forged_cookie(secret: str, payload: dict[str, Any]) -> str:
    data = b64encode(json.dumps(payload).encode("utf-8"))
    return itsdangerous.TimestampSigner(secret).sign(data).decode("utf-8")


def test_a_session_forged_with_the_old_public_secret_is_refused(workspace: Workspace) -> None:
    with workspace.engine.begin() as conn:
        admin = user_store.add(
            conn, "admin", role=Role.ADMIN, password="mật-khẩu-đủ-dài", units=[], actor="t"
        )
    with TestClient(create_app(workspace.settings), follow_redirects=False) as http:
        for payload in ({"user": admin.id}, {"sid": "guessed", "csrf": "x"}):
            http.cookies.set("dxplan_session", _forged_cookie(PUBLIC_SECRET, payload))
            response = http.get("/focal-points")
            assert response.status_code == 303, payload
            assert response.headers["location"].startswith("/sign-in")


def test_without_a_secret_one_is_generated_kept_private_and_reused(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    assert settings.secret_key is None
    first = session_secret(settings)
    kept = settings.data_dir / SECRET_FILE
    assert kept.read_text("ascii").strip() == first
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert len(first.encode()) >= 32
    assert session_secret(make_settings()) == first  # a restart signs nobody out
    other = make_settings(data_dir=settings.data_dir.parent / "elsewhere")
    assert session_secret(other) != first  # random, not a constant


def test_a_configured_secret_is_used_and_nothing_is_written(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(secret_key="k" * 32)
    assert session_secret(settings) == "k" * 32
    assert not (settings.data_dir / SECRET_FILE).exists()


@pytest.mark.parametrize("short", ["12345", "x" * 31, "ắ" * 10])  # "ắ" is 3 bytes: 30
def test_a_secret_shorter_than_32_bytes_is_refused(
    make_settings: Callable[..., Settings], short: str
) -> None:
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        make_settings(secret_key=short)
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        make_settings(secret_key=short, environment="production")


def test_a_kept_secret_that_was_tampered_with_is_refused(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    settings.data_dir.mkdir(parents=True)
    (settings.data_dir / SECRET_FILE).write_text("short\n")
    with pytest.raises(SecretError, match="shorter than 32 bytes"):
        session_secret(settings)


def test_the_cli_refuses_a_short_secret_with_a_message(
    cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DXPLAN_SECRET_KEY", "12345")
    result = cli("plan", "show")
    assert result.exit_code == 2
    assert "DXPLAN_SECRET_KEY" in result.output and "at least 32 bytes" in result.output
    assert "Traceback" not in result.output


def test_serve_on_the_network_warns_when_cookies_are_not_secure(
    cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import uvicorn

    from dxplan.cli import server

    served: list[str] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, host, port, **_: served.append(host))
    monkeypatch.setattr(server, "_check_free", lambda host, port: None)
    assert cli("init").exit_code == 0
    network = cli("serve", "--host", "0.0.0.0")
    assert network.exit_code == 0 and served == ["0.0.0.0"]
    assert "WARNING" in network.output and "DXPLAN_SECURE_COOKIES" in network.output
    local = cli("serve", "--host", "127.0.0.1")
    assert local.exit_code == 0 and "WARNING" not in local.output
    monkeypatch.setenv("DXPLAN_SECURE_COOKIES", "true")
    secure = cli("serve", "--host", "0.0.0.0")
    assert secure.exit_code == 0 and "WARNING" not in secure.output
    assert (tmp_path / "data" / SECRET_FILE).exists()
